# The treatment-session model moved to the treatment room; its table (safety_treatmentsession) and rows
# stay where they are, so every operation here changes Django's state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0001_initial"),
        ("treatment", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="checkin",
                    name="session",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="check_ins",
                        to="treatment.treatmentsession",
                    ),
                ),
                migrations.AlterField(
                    model_name="sideeffectreport",
                    name="session",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="reports",
                        to="treatment.treatmentsession",
                    ),
                ),
                migrations.AlterField(
                    model_name="adverseevent",
                    name="session",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="adverse_events",
                        to="treatment.treatmentsession",
                    ),
                ),
                migrations.DeleteModel(name="TreatmentSession"),
            ],
            database_operations=[],
        ),
    ]
