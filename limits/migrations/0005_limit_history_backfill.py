"""Start the history of limits that existed before it: one row for the limit as granted
(from its effective date) and, for one that has ended, one for its end."""

from django.db import migrations

ENDED = {"cancelled": "cancel", "expired": "expire"}


def backfill(apps, schema_editor):
    CreditLimit = apps.get_model("limits", "CreditLimit")
    CreditLimitChange = apps.get_model("limits", "CreditLimitChange")
    rows = []
    for limit in CreditLimit.objects.filter(changes__isnull=True).iterator():
        start = "suspended" if limit.status == "suspended" else "active"
        rows.append(
            CreditLimitChange(
                credit_limit=limit, action="grant", from_status="", to_status=start,
                amount=limit.amount, payment_terms_days=limit.payment_terms_days,
                expires_on=limit.expires_on, effective_on=limit.effective_from,
                reason="History started from the limit as it stood.",
            )
        )
        if limit.status in ENDED:
            rows.append(
                CreditLimitChange(
                    credit_limit=limit, action=ENDED[limit.status], from_status="active",
                    to_status=limit.status, amount=None,
                    payment_terms_days=limit.payment_terms_days, expires_on=limit.expires_on,
                    effective_on=limit.ended_on or limit.updated_at.date(),
                    reason="History started from the limit as it stood.",
                )
            )
    CreditLimitChange.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("limits", "0004_status_changes_and_limit_history")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
