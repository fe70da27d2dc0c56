"""Credit-limit statuses, sources and the RECECO codes of SPEC 5 / Appendix A."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.transitions import StateMachine


class LimitStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", pgettext_lazy("limit status", "Cancelled")
    EXPIRED = "expired", _("Expired")


# Limits that count towards a buyer's aggregate exposure (SPEC 4).
EXPOSURE_STATUSES = frozenset({LimitStatus.ACTIVE, LimitStatus.SUSPENDED})


class LimitAction(models.TextChoices):
    GRANT = "grant", _("Granted")
    CARRY_OVER = "carry_over", _("Carried over at renewal")
    CARRY_OVER_SUSPENDED = "carry_over_suspended", _("Carried over at renewal, suspended")
    SCHEDULE = "schedule", _("Reduction or cancellation notified")
    REDUCE = "reduce", _("Reduced")
    PROLONG = "prolong", _("Prolonged")
    SUSPEND = "suspend", _("Suspended")
    REINSTATE = "reinstate", _("Suspension lifted")
    CANCEL = "cancel", pgettext_lazy("limit action", "Cancelled")
    EXPIRE = "expire", _("Expired")
    END_WITH_POLICY = "end_with_policy", _("Ended with the policy")


LS, LA = LimitStatus, LimitAction
# SPEC 4, 5: the credit limit's lifecycle. Actions from a status to itself change the
# amount or the terms and are rows of the limit's history all the same.
LIMIT_MACHINE = StateMachine(
    name="limits.credit_limit",
    model="limits.CreditLimit",
    history="limits.CreditLimitChange",
    history_fk="credit_limit",
    rows=(
        ("", LA.GRANT, LS.ACTIVE),
        ("", LA.CARRY_OVER, LS.ACTIVE),
        ("", LA.CARRY_OVER_SUSPENDED, LS.SUSPENDED),
        (LS.ACTIVE, LA.GRANT, LS.ACTIVE),
        (LS.ACTIVE, LA.SCHEDULE, LS.ACTIVE),
        (LS.SUSPENDED, LA.SCHEDULE, LS.SUSPENDED),
        (LS.ACTIVE, LA.REDUCE, LS.ACTIVE),
        (LS.SUSPENDED, LA.REDUCE, LS.SUSPENDED),
        (LS.ACTIVE, LA.PROLONG, LS.ACTIVE),
        (LS.SUSPENDED, LA.PROLONG, LS.SUSPENDED),
        (LS.ACTIVE, LA.SUSPEND, LS.SUSPENDED),
        (LS.SUSPENDED, LA.REINSTATE, LS.ACTIVE),
        (LS.ACTIVE, LA.CANCEL, LS.CANCELLED),
        (LS.SUSPENDED, LA.CANCEL, LS.CANCELLED),
        (LS.ACTIVE, LA.EXPIRE, LS.EXPIRED),
        (LS.SUSPENDED, LA.EXPIRE, LS.EXPIRED),
        (LS.ACTIVE, LA.END_WITH_POLICY, LS.EXPIRED),
        (LS.SUSPENDED, LA.END_WITH_POLICY, LS.EXPIRED),
    ),
    status_labels=dict(LimitStatus.choices),
    action_labels=dict(LimitAction.choices),
)
# History rows that cut or end cover look adverse on the page.
ADVERSE_LIMIT_ACTIONS = frozenset(
    {LA.REDUCE, LA.SUSPEND, LA.CANCEL, LA.EXPIRE, LA.END_WITH_POLICY, LA.SCHEDULE,
     LA.CARRY_OVER_SUSPENDED}
)  # fmt: skip

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


class ApplicationAction(models.TextChoices):
    CREATE = "create", _("Prepared")
    EDIT = "edit", _("Edited")
    RETURN = "return", _("Returned to the preparer")
    SUBMIT = "submit", _("Submitted")
    WITHDRAW = "withdraw", _("Withdrawn")
    PROPOSE = "propose", _("Proposed for second approval")
    SEND_BACK = "send_back", _("Sent back by the second approver")
    DECIDE = "decide", _("Decided")
    APPROVE = "approve", _("Decided on second approval")


AS, AA = ApplicationStatus, ApplicationAction
APPLICATION_MACHINE = StateMachine(
    name="limits.application",
    model="limits.LimitApplication",
    history="limits.ApplicationStatusChange",
    history_fk="application",
    rows=(
        ("", AA.CREATE, AS.DRAFT),
        (AS.DRAFT, AA.EDIT, AS.DRAFT),
        (AS.DRAFT, AA.RETURN, AS.DRAFT),
        (AS.DRAFT, AA.SUBMIT, AS.SUBMITTED),
        (AS.DRAFT, AA.WITHDRAW, AS.WITHDRAWN),
        (AS.SUBMITTED, AA.WITHDRAW, AS.WITHDRAWN),
        (AS.SUBMITTED, AA.PROPOSE, AS.AWAITING_SECOND_APPROVAL),
        (AS.SUBMITTED, AA.DECIDE, AS.DECIDED),
        (AS.AWAITING_SECOND_APPROVAL, AA.SEND_BACK, AS.SUBMITTED),
        (AS.AWAITING_SECOND_APPROVAL, AA.APPROVE, AS.DECIDED),
    ),
    status_labels=dict(ApplicationStatus.choices),
    action_labels=dict(ApplicationAction.choices),
)

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


class ReviewAction(models.TextChoices):
    OPEN = "open", pgettext_lazy("review action", "Opened")
    COMPLETE = "complete", _("Completed")
    CLOSE = "close", _("Closed: the limit ended")


REVIEW_MACHINE = StateMachine(
    name="limits.review",
    model="limits.LimitReview",
    history="limits.ReviewStatusChange",
    history_fk="review",
    rows=(
        ("", ReviewAction.OPEN, ReviewStatus.OPEN),
        (ReviewStatus.OPEN, ReviewAction.COMPLETE, ReviewStatus.DONE),
        (ReviewStatus.OPEN, ReviewAction.CLOSE, ReviewStatus.DONE),
    ),
    status_labels=dict(ReviewStatus.choices),
    action_labels=dict(ReviewAction.choices),
)


class ReviewOutcome(models.TextChoices):
    CONFIRM = "confirm", _("Keep the limit")
    REDUCE = "reduce", _("Reduce")
    CANCEL = "cancel", _("Cancel the limit")


class PendingOrdersStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
