"""Credit-limit statuses, sources and the RECECO codes of SPEC 5 / Appendix A."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LimitStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", pgettext_lazy("limit status", "Cancelled")
    EXPIRED = "expired", _("Expired")


# Limits that count towards a buyer's aggregate exposure (SPEC 4).
EXPOSURE_STATUSES = frozenset({LimitStatus.ACTIVE, LimitStatus.SUSPENDED})

STATUS_BADGES = {
    LimitStatus.ACTIVE: "success",
    LimitStatus.SUSPENDED: "warning",
    LimitStatus.CANCELLED: "danger",
    LimitStatus.EXPIRED: "dark",
}


class LimitSource(models.TextChoices):
    DISCRETIONARY = "discretionary", _("Discretionary (set by the insured)")
    INSURER = "insurer", _("Insurer decision")


class RequestType(models.TextChoices):
    """UN/EDIFACT RECECO data element 4505 (SPEC 5, Appendix A); the value is the code."""

    NEW = "2", _("New limit")
    INCREASE = "3", _("Increase")
    CANCELLATION = "6", _("Cancellation")
    REDUCTION = "7", _("Reduction")
    PROLONGATION = "8", _("Prolongation")


AMOUNT_REQUEST_TYPES = frozenset({RequestType.NEW, RequestType.INCREASE, RequestType.REDUCTION})


class ResponseCode(models.TextChoices):
    """RECECO 4507: the insurer's response."""

    PRELIMINARY = "1", _("Preliminary assessment")
    APPROVED = "2", _("Approved")
    NOT_APPROVED = "3", _("Not approved")
    CONDITIONAL = "4", _("Conditional approval")
    PARTLY_APPROVED = "5", _("Partly approved")
    INVESTIGATING = "6", _("Still investigating")
    CANCELLATION = "8", _("Cancellation")
    REDUCTION = "9", _("Reduction")
    CLOSE_ACCOUNT = "11", _("Close buyer account")


class ReasonCode(models.TextChoices):
    """RECECO 4509: why."""

    FINANCIALS_NOT_PROVIDED = "1", _("Requested financials not provided")
    NO_FINANCIALS = "2", _("No financials available")
    OUT_OF_BUSINESS = "3", _("Out of business")
    NEW_COMPANY = "4", _("New company")
    NOT_REGISTERED = "5", _("Not registered")
    NON_TRADING = "6", _("Non-trading")
    NO_COMMENT = "7", _("No comment")
    INSOLVENCY_ONLY = "8", _("Only insolvency risk covered")
    ADVERSE_INFORMATION = "12", _("Adverse public information")
    CAPACITY_REACHED = "13", _("Credit limit full (capacity reached)")
    LACK_OF_TURNOVER = "14", _("Lack of turnover")
    OTHER = "15", _("Other")


class Outcome(models.TextChoices):
    """What the underwriter chooses on an application (mapped to a RECECO response)."""

    APPROVE = "approve", _("Approve in full")
    PARTIAL = "partial", _("Approve partially")
    REFUSE = "refuse", _("Refuse")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (waiting for an approver)")
    SUBMITTED = "submitted", _("Submitted")
    AWAITING_SECOND_APPROVAL = "second_approval", _("Awaiting second approval")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_APPLICATION_STATUSES = frozenset(
    {
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.AWAITING_SECOND_APPROVAL,
    }
)
# In the underwriters' queue (a draft is still the insured's).
QUEUE_STATUSES = frozenset(
    {ApplicationStatus.SUBMITTED, ApplicationStatus.AWAITING_SECOND_APPROVAL}
)

APPLICATION_BADGES = {
    ApplicationStatus.DRAFT: "secondary",
    ApplicationStatus.SUBMITTED: "info",
    ApplicationStatus.AWAITING_SECOND_APPROVAL: "warning",
    # Neutral: whether a decided application got what it asked is its outcome's colour.
    ApplicationStatus.DECIDED: "primary",
    ApplicationStatus.WITHDRAWN: "dark",
}

# SPEC 5: decided within 3 weeks.
SERVICE_LEVEL_DAYS = 21


class ReviewReason(models.TextChoices):
    YEARLY = "yearly", _("Yearly review")
    NEGATIVE_EVENT = "negative_event", _("Negative event on the buyer")


class ReviewStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("review status", "Open")
    DONE = "done", _("Done")


class ReviewOutcome(models.TextChoices):
    CONFIRM = "confirm", _("Keep the limit")
    REDUCE = "reduce", _("Reduce")
    CANCEL = "cancel", _("Cancel the limit")


class PendingOrdersStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
