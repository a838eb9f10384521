"""API tokens record who issued them; a live token must have been issued by its owner.

Until now a clinic admin could mint a token for anyone in the admin. Each existing token is attributed
to its owner when the audit trail shows the owner issued it themself; every other live token (issued by
someone else, or with no record of who issued it) is revoked here, with an audit row saying why. The
check constraint then keeps it that way.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def attribute_or_revoke(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    now = timezone.now()
    for token in ApiToken.objects.filter(issued_by__isnull=True).select_related("user"):
        issuers = set(
            AuditEvent.objects.filter(
                action="api_token.issued", object_type="accounts.apitoken", object_id=str(token.pk)
            ).values_list("actor_id", flat=True)
        )
        if issuers == {token.user_id}:
            token.issued_by_id = token.user_id
            token.save(update_fields=["issued_by"])
        elif token.revoked_at is None:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            AuditEvent.objects.create(
                action="api_token.revoked",
                actor_label="system",
                clinic_id=token.user.clinic_id,
                object_type="accounts.apitoken",
                object_id=str(token.pk),
                data={
                    "owner": token.user.username,
                    "name": token.name,
                    "reason": "not issued by its owner (or no record of who issued it)",
                },
            )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='issued_by',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='second_factor',
            field=models.BooleanField(default=False, editable=False, help_text='Issued from a session that had passed the second factor.'),
        ),
        migrations.RunPython(attribute_or_revoke, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='apitoken',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('issued_by', models.F('user')), ('issued_by__isnull', False)), ('revoked_at__isnull', False), _connector='OR'), name='api_token_live_only_if_issued_by_its_owner'),
        ),
    ]
