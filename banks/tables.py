"""Columns of the agreement list, shared by the page and its CSV/XLSX export."""

from django.utils.translation import gettext_lazy as _

from core.tables import Column

AGREEMENT_COLUMNS = [
    Column(
        "reference", _("Agreement"), sort="reference", kind="link", testid="agreement-reference"
    ),
    Column("policy.policy_number", _("Policy"), sort="policy__policy_number"),
    Column("policy.insured.name", _("Insured"), sort="policy__insured__name"),
    Column("bank.name", _("Bank"), sort="bank__name", testid="agreement-bank"),
    Column("scope", _("Scope"), sort="scope", choice=True),
    Column("region", _("Region"), sort="region", choice=True),
    Column(
        "status", _("Status"), sort="status", kind="badge", choice=True, testid="agreement-status"
    ),
    Column("starts_on", _("Starts on"), sort="starts_on", kind="date"),
    Column("ends_on", _("Ends on"), sort="ends_on", kind="date"),
    Column("activated_on", _("In force from"), sort="activated_on", kind="date"),
    Column("terminated_on", _("Ended on"), sort="terminated_on", kind="date"),
]
