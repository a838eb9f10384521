from django.db import migrations, models


def mark_for_refresh(apps, schema_editor):  # noqa: ANN001, ARG001 - migration signature
    # Verdicts stored before this migration have no periods: judged again by the background refresh
    # (screens show the verdict judged from the stored counts until it has run).
    apps.get_model("diary", "DiaryStatus").objects.update(moh_end=None)


class Migration(migrations.Migration):
    dependencies = [("diary", "0002_month_counts_for_adjusting")]

    operations = [
        migrations.AddField(
            model_name="diarystatus",
            name="moh_periods",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The stored verdict's periods: [{label, start, end, status, reasons}]",
            ),
        ),
        migrations.RunPython(mark_for_refresh, migrations.RunPython.noop),
    ]
