"""The assignment agreement, policy schedule, limit letter and debit note (SPEC 9), each
with its own sequence for reference numbers (documents.services)."""

from django.db import migrations, models

PREFIXES = ["ag", "ps", "ll", "db"]


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_reference_sequences")]

    operations = [
        migrations.AlterField(
            model_name="document",
            name="kind",
            field=models.CharField(
                choices=[
                    ("loss_notice", "Notice of possible loss"),
                    ("claim_worksheet", "Claim worksheet"),
                    ("assignment_agreement", "Assignment agreement"),
                    ("policy_schedule", "Policy schedule"),
                    ("limit_letter", "Limit decision letter"),
                    ("debit_note", "Debit note"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.RunSQL(
            sql=[f"CREATE SEQUENCE documents_reference_{prefix}" for prefix in PREFIXES],
            reverse_sql=[f"DROP SEQUENCE documents_reference_{prefix}" for prefix in PREFIXES],
        ),
    ]
