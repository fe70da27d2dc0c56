from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS claims_notice_seq START 1",
            "DROP SEQUENCE IF EXISTS claims_notice_seq",
        ),
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS claims_claim_seq START 1",
            "DROP SEQUENCE IF EXISTS claims_claim_seq",
        ),
    ]
