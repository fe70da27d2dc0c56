"""One sequence per kind of document for its reference numbers (documents.services)."""

from django.db import migrations

PREFIXES = ["ln", "cw"]


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=[f"CREATE SEQUENCE documents_reference_{prefix}" for prefix in PREFIXES],
            reverse_sql=[f"DROP SEQUENCE documents_reference_{prefix}" for prefix in PREFIXES],
        )
    ]
