"""Columns of the agreement list and of the bank portal's lists, shared by each page
and its CSV/XLSX export."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.tables import Column
from core.texts import render_text
from limits.choices import LimitStatus

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


@dataclass(frozen=True)
class LimitStatusColumn(Column):
    """The limit's status code of a position, as its label."""

    def raw(self, obj):
        status = super().raw(obj)
        return str(LimitStatus(status).label) if status else None


@dataclass(frozen=True)
class EventTextColumn(Column):
    """What the feed row says, in the reader's language (core.texts)."""

    def raw(self, obj):
        return render_text(obj.subject_code, obj.params)


@dataclass(frozen=True)
class LocalTimeColumn(Column):
    """A timestamp in business time (Asia/Shanghai), to the minute."""

    kind: str = "date"

    def raw(self, obj):
        value = super().raw(obj)
        return timezone.localtime(value) if value else None

    def text(self, obj) -> str:
        value = self.raw(obj)
        return value.strftime("%Y-%m-%d %H:%M") if value else ""


# Sort keys are attributes of `selectors.Position`: the figures are computed, not stored.
POSITION_COLUMNS = [
    Column("policy.insured.name", _("Insured"), sort="policy.insured.name"),
    Column("policy.policy_number", _("Policy"), sort="policy.policy_number"),
    Column("agreement.reference", _("Agreement")),
    Column("buyer.name", _("Buyer"), sort="buyer.name", testid="buyer"),
    Column("buyer.uscc", _("USCC")),
    Column("limit_amount", _("Limit"), sort="limit_amount", kind="money", testid="limit"),
    LimitStatusColumn("limit_status", _("Limit status")),
    Column("receivables", _("Receivables"), sort="receivables", kind="money"),
    Column("receivables_as_of", _("Reported as of"), kind="date"),
    Column("capacity", _("Financing capacity"), sort="capacity", kind="money", testid="capacity"),
    Column("open_notices", _("Open notices"), sort="open_notices", kind="number"),
    Column("open_claims", _("Open claims"), sort="open_claims", kind="number"),
    Column("payable", _("Indemnity payable"), sort="payable", kind="money", testid="payable"),
    Column("paid", _("Indemnity paid"), sort="paid", kind="money", testid="paid"),
]

FEED_COLUMNS = [
    LocalTimeColumn("occurred_at", _("When")),
    Column("kind", _("What"), choice=True),
    Column("policy.policy_number", _("Policy")),
    Column("policy.insured.name", _("Insured")),
    Column("buyer.name", _("Buyer")),
    EventTextColumn("subject_code", _("Text")),
    Column("is_new", pgettext_lazy("feed", "New")),
]
