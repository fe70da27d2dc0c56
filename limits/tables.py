from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.tables import Column
from limits.choices import ResponseCode
from limits.texts import decision_outcome


@dataclass(frozen=True)
class LocalDateTimeColumn(Column):
    """A timestamp in the business time zone (Asia/Shanghai), shown to the minute.

    The raw value is the naive local time, so that the XLSX export (which cannot store
    time zones) writes a real date-time cell showing what the page shows.
    """

    kind: str = "date"

    def raw(self, obj):
        value = super().raw(obj)
        return None if value is None else timezone.localtime(value).replace(tzinfo=None)

    def text(self, obj) -> str:
        value = self.raw(obj)
        return "" if value is None else value.strftime("%Y-%m-%d %H:%M")

    def display(self, obj) -> str:
        return self.text(obj)


@dataclass(frozen=True)
class OutcomeColumn(Column):
    """The latest decision on an application with its amounts, coloured by what it means:
    1,000 granted of 900,000 asked reads "partly approved 1,000 / requested 900,000"."""

    kind: str = "badge"
    wrap: bool = True

    def _outcome(self, obj) -> tuple[str, str]:
        decisions = getattr(obj, "decisions_newest_first", None)
        if decisions is None:
            decisions = list(obj.decisions.order_by("-created_at", "-id")[:1])
        return decision_outcome(decisions[0]) if decisions else ("", "")

    def raw(self, obj):
        return self._outcome(obj)[0]

    def text(self, obj) -> str:
        return self._outcome(obj)[0]

    def display(self, obj) -> str:
        return self.text(obj)

    def tone(self, obj) -> str:
        return self._outcome(obj)[1]


@dataclass(frozen=True)
class ScheduledChangeColumn(Column):
    """A reduction or cancellation given with notice ahead: adverse, so it shows."""

    kind: str = "badge"
    wrap: bool = True

    def raw(self, obj):
        on = obj.scheduled_effective_on
        if on is None:
            return ""
        if obj.scheduled_amount:
            return _("Reduced to %(amount)s on %(date)s") % {
                "amount": f"{obj.scheduled_amount:,.2f}",
                "date": on.isoformat(),
            }
        return _("Cancelled on %(date)s") % {"date": on.isoformat()}

    def text(self, obj) -> str:
        return str(self.raw(obj))

    def display(self, obj) -> str:
        return self.text(obj)

    def tone(self, obj) -> str:
        return "warning" if obj.scheduled_amount else "danger"


CREDIT_LIMIT_COLUMNS = [
    Column("buyer.name", _("Buyer"), sort="buyer__name", kind="link"),
    Column("buyer.uscc", _("USCC"), sort="buyer__uscc"),
    Column("policy", _("Policy"), sort="policy__policy_number"),
    Column("policy.insured.name", _("Insured"), sort="policy__insured__name"),
    Column("amount", _("Limit amount"), sort="amount", kind="money"),
    Column("payment_terms_days", _("Terms (days)"), sort="payment_terms_days", kind="number"),
    Column("source", _("Source"), sort="source", choice=True),
    Column("status", _("Status"), sort="status", kind="badge", choice=True),
    ScheduledChangeColumn("scheduled_effective_on", _("Scheduled change"), testid="scheduled"),
    Column("effective_from", _("Effective from"), sort="effective_from", kind="date"),
    Column("expires_on", _("Expires on"), sort="expires_on", kind="date"),
]

APPLICATION_COLUMNS = [
    Column("buyer.name", _("Buyer"), sort="buyer__name", kind="link"),
    Column("buyer.uscc", _("USCC"), sort="buyer__uscc"),
    Column("policy", _("Policy"), sort="policy__policy_number"),
    Column("policy.insured.name", _("Insured"), sort="policy__insured__name"),
    Column("request_type", _("Request type"), sort="request_type", choice=True),
    Column("requested_amount", _("Requested amount"), sort="requested_amount", kind="money"),
    Column("status", _("Status"), sort="status", kind="badge", choice=True),
    OutcomeColumn("outcome", pgettext_lazy("decision", "Outcome"), testid="outcome"),
    LocalDateTimeColumn("submitted_at", _("Submitted at"), sort="submitted_at"),
    LocalDateTimeColumn("decided_at", _("Decided at"), sort="decided_at"),
]

# Colours of the RECECO responses (4507) wherever a decision is shown.
RESPONSE_BADGES = {
    ResponseCode.PRELIMINARY: "secondary",
    ResponseCode.APPROVED: "success",
    ResponseCode.NOT_APPROVED: "danger",
    ResponseCode.CONDITIONAL: "info",
    ResponseCode.PARTLY_APPROVED: "warning",
    ResponseCode.INVESTIGATING: "secondary",
    ResponseCode.CANCELLATION: "danger",
    ResponseCode.REDUCTION: "warning",
    ResponseCode.CLOSE_ACCOUNT: "dark",
}
