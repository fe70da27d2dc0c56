"""Columns of the claims lists, shared by each page and its CSV/XLSX export."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from claims.choices import CLAIM_BADGES
from core.tables import Column


def days_text(days_left: int | None) -> str:
    """12 → "12 days left", 0 → "today", -3 → "3 days overdue"."""
    if days_left is None:
        return ""
    if days_left == 0:
        return str(_("today"))
    if days_left < 0:
        return ngettext("%(n)s day overdue", "%(n)s days overdue", -days_left) % {"n": -days_left}
    return ngettext("%(n)s day left", "%(n)s days left", days_left) % {"n": days_left}


@dataclass(frozen=True)
class ClockColumn(Column):
    """One clock of the claim: the queue's annotation `key` (a date while the clock runs,
    else None), shown as days left, red once missed. The export has the days left as a
    number, negative once missed."""

    kind: str = "badge"

    def due_on(self, obj):
        return getattr(obj, self.key, None)

    def raw(self, obj):
        due = self.due_on(obj)
        return None if due is None else (due - timezone.localdate()).days

    def text(self, obj) -> str:
        value = self.raw(obj)
        return "" if value is None else str(value)

    def display(self, obj) -> str:
        days = self.raw(obj)
        if days is None:
            return ""
        return f"{days_text(days)} · {self.due_on(obj):%Y-%m-%d}"

    def tone(self, obj) -> str:
        days = self.raw(obj)
        if days is None:
            return ""
        if days < 0:
            return "danger"
        return "warning" if days <= 7 else "light border"


@dataclass(frozen=True)
class NoticeClaimColumn(Column):
    """The claim opened on the notice, with its status."""

    kind: str = "badge"
    wrap: bool = True

    def raw(self, obj):
        claim = getattr(obj, "claim", None)  # the reverse one-to-one: None without a claim
        if claim is None:
            return None
        return f"{claim.reference} · {claim.get_status_display()}"

    def tone(self, obj) -> str:
        claim = getattr(obj, "claim", None)
        return CLAIM_BADGES[claim.status] if claim else ""


@dataclass(frozen=True)
class DaysLateColumn(Column):
    kind: str = "badge"

    def display(self, obj) -> str:
        return str(obj.days_late) if obj.days_late else ""

    def tone(self, obj) -> str:
        return "danger" if obj.days_late else ""


CLAIM_QUEUE_COLUMNS = [
    Column("reference", _("Claim"), sort="reference", kind="link", testid="claim-reference"),
    Column("policy.insured.name", _("Insured"), sort="policy__insured__name"),
    Column("buyer.name", _("Buyer"), sort="buyer__name"),
    Column("cause", _("Cause"), sort="cause", choice=True),
    Column("status", _("Status"), sort="status", kind="badge", choice=True, testid="claim-status"),
    Column("handler", _("Handler"), sort="handler__last_name"),
    Column("opened_on", _("Opened on"), sort="opened_on", kind="date"),
    ClockColumn(
        "waiting_due", _("Waiting period left"), sort="waiting_due", testid="clock-waiting"
    ),
    ClockColumn(
        "documents_due", _("Documents overdue"), sort="documents_due", testid="clock-documents"
    ),
    ClockColumn("decision_due", _("Decision due"), sort="decision_due", testid="clock-decision"),
    ClockColumn("payment_due", _("Payment due"), sort="payment_due", testid="clock-payment"),
]

NOTICE_COLUMNS = [
    Column("reference", _("Notice"), sort="reference", kind="link", testid="notice-reference"),
    Column("policy.insured.name", _("Insured"), sort="policy__insured__name"),
    Column("buyer.name", _("Buyer"), sort="buyer__name"),
    Column("policy.policy_number", _("Policy"), sort="policy__policy_number"),
    Column("status", _("Status"), sort="status", kind="badge", choice=True, testid="notice-status"),
    Column("deadline_on", _("Notice deadline"), sort="deadline_on", kind="date"),
    Column("filed_on", _("Filed on"), sort="filed_on", kind="date"),
    DaysLateColumn("days_late", _("Days late"), sort="days_late", testid="days-late"),
    NoticeClaimColumn("claim", _("Claim"), testid="notice-claim"),
]
