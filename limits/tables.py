from django.utils.translation import gettext_lazy as _

from core.tables import Column

CREDIT_LIMIT_COLUMNS = [
    Column("buyer.name", _("Buyer"), sort="buyer__name", kind="link"),
    Column("buyer.uscc", _("USCC"), sort="buyer__uscc"),
    Column("policy", _("Policy"), sort="policy__policy_number"),
    Column("policy.insured.name", _("Insured"), sort="policy__insured__name"),
    Column("amount", _("Limit amount"), sort="amount", kind="money"),
    Column("payment_terms_days", _("Terms (days)"), sort="payment_terms_days", kind="number"),
    Column("source", _("Source"), sort="source", choice=True),
    Column("status", _("Status"), sort="status", kind="badge", choice=True),
    Column("effective_from", _("Effective from"), sort="effective_from", kind="date"),
    Column("expires_on", _("Expires on"), sort="expires_on", kind="date"),
]
