"""Texts the credit-limit services write, by code (core.texts): automatic-decision notes,
decision explanations and notifications, rendered in the reader's language.

Codes are stored in rows: add new ones, never rename or reuse one. Staff texts may name
the insurer's workings (grade ceilings, buyer capacity and exposure); each of those has an
`insured` variant that says why without the figures.
"""

from django.utils.translation import gettext_lazy as _

from core.texts import render_text, system_text, text_params, text_tone
from limits.choices import ReasonCode, ResponseCode

MONEY = ("amount", "requested", "previous", "maximum", "capacity", "exposure")

# --- why an application waits for an underwriter (what the insured reads) -----------------

QUEUE_UNDERWRITER = system_text(
    "limits.queue.underwriter", _("Waiting for an underwriter's decision.")
)
QUEUE_ABOVE_AUTOMATIC = system_text(
    "limits.queue.above_automatic",
    _("Above the amount decided automatically: an underwriter decides."),
)
QUEUE_TERMS = system_text(
    "limits.queue.terms",
    _("Payment terms longer than those decided automatically: an underwriter decides."),
)
QUEUE_SECOND_APPROVAL = system_text(
    "limits.queue.second_approval",
    _("Waiting for a second underwriter's approval."),
)
QUEUE_REQUEST_TYPE = system_text(
    "limits.queue.request_type",
    _("Reductions, cancellations and prolongations are decided by an underwriter."),
)

# --- automatic-decision notes (staff) -------------------------------------------------------

AUTO_REQUEST_TYPE = system_text(
    "limits.auto.request_type",
    _("Only new limits and increases are decided automatically."),
    insured=QUEUE_REQUEST_TYPE.code,
)
AUTO_OFF = system_text(
    "limits.auto.off", _("automatic decisions are switched off"), insured=QUEUE_UNDERWRITER.code
)
AUTO_EXCLUDED = system_text(
    "limits.auto.excluded",
    _("buyer is excluded from automatic decisions"),
    insured=QUEUE_UNDERWRITER.code,
)
AUTO_NEGATIVE = system_text(
    "limits.auto.negative",
    _("buyer has negative events in the last 12 months"),
    insured=QUEUE_UNDERWRITER.code,
)
AUTO_NO_GRADE_RULE = system_text(
    "limits.auto.no_grade_rule",
    _("no automatic amount for grade %(grade)s"),
    insured=QUEUE_UNDERWRITER.code,
)
AUTO_ABOVE_MAXIMUM = system_text(
    "limits.auto.above_maximum",
    _("requested %(amount)s is above the automatic maximum %(maximum)s for grade %(grade)s"),
    money=MONEY,
    insured=QUEUE_ABOVE_AUTOMATIC.code,
)
AUTO_TERMS = system_text(
    "limits.auto.terms", _("payment terms above %(days)s days"), insured=QUEUE_TERMS.code
)
AUTO_NO_CAPACITY = system_text(
    "limits.auto.no_capacity", _("no capacity set for this grade"), insured=QUEUE_UNDERWRITER.code
)
AUTO_HEADROOM = system_text(
    "limits.auto.headroom",
    _(
        "exposure after approval %(exposure)s would leave less than %(headroom)s%% of "
        "capacity %(capacity)s free"
    ),
    money=MONEY,
    insured=QUEUE_UNDERWRITER.code,
)
AUTO_BUYER_INELIGIBLE = system_text(
    "limits.auto.buyer_ineligible",
    _("the buyer may not get a limit: %(detail)s"),
    insured=QUEUE_UNDERWRITER.code,
)
SENT_BACK = system_text(
    "limits.note.sent_back",
    _("Sent back by %(user)s: %(note)s"),
    insured=QUEUE_UNDERWRITER.code,
)

# --- decision explanations ---------------------------------------------------------------------

EXPLAIN_AUTO_APPROVED = system_text(
    "limits.explain.auto_approved", _("Decided automatically within the policy's rules.")
)
AUTO_APPROVED = system_text(
    "limits.auto.approved",
    _(
        "grade %(grade)s: %(amount)s ≤ automatic maximum %(maximum)s, terms ≤ %(days)s days, "
        "exposure %(exposure)s within %(share)s%% of capacity %(capacity)s"
    ),
    money=MONEY,
    insured=EXPLAIN_AUTO_APPROVED.code,
)
EXPLAIN_DISCRETIONARY = system_text(
    "limits.explain.discretionary", _("Discretionary limit set by the insured.")
)
EXPLAIN_REVIEW_CONFIRMED = system_text("limits.explain.review_confirmed", _("Confirmed on review."))

# --- the outcome of a decision, as lists and notifications show it -----------------------------

OUTCOME_APPROVED = system_text(
    "limits.outcome.approved", _("Approved %(amount)s"), money=MONEY, tone="success"
)
OUTCOME_CONDITIONAL = system_text(
    "limits.outcome.conditional",
    _("Approved with conditions %(amount)s"),
    money=MONEY,
    tone="info",
)
OUTCOME_PARTLY = system_text(
    "limits.outcome.partly",
    _("Partly approved %(amount)s / requested %(requested)s"),
    money=MONEY,
    tone="warning",
)
OUTCOME_REFUSED = system_text(
    "limits.outcome.refused",
    _("Not approved (requested %(requested)s)"),
    money=MONEY,
    tone="danger",
)
OUTCOME_REFUSED_PLAIN = system_text(
    "limits.outcome.refused_plain", _("Not approved"), tone="danger"
)
OUTCOME_REDUCED = system_text(
    "limits.outcome.reduced",
    _("Reduced from %(previous)s to %(amount)s for shipments after %(effective_on)s"),
    money=MONEY,
    tone="warning",
)
OUTCOME_CANCELLED = system_text(
    "limits.outcome.cancelled",
    _("Cancelled for shipments after %(effective_on)s (was %(previous)s)"),
    money=MONEY,
    tone="danger",
)
OUTCOME_PROLONGED = system_text(
    "limits.outcome.prolonged", _("Prolonged until %(expires_on)s"), tone="success"
)
OUTCOME_CONFIRMED = system_text(
    "limits.outcome.confirmed", _("Confirmed at %(amount)s"), money=MONEY, tone="success"
)

# --- notifications ------------------------------------------------------------------------------

DECISION_SUBJECT = system_text(
    "limits.notice.decision",
    _("Limit decision on %(buyer)s: %(outcome)s"),
    money=MONEY,
    nested=("outcome",),
)
DECISION_BODY = system_text(
    "limits.notice.decision_body",
    _("Policy %(policy)s · reason: %(reason)s"),
    choices={"reason": ReasonCode},
)
SECOND_APPROVAL_NEEDED = system_text(
    "limits.notice.second_approval",
    _("Second approval needed: %(buyer)s %(amount)s"),
    money=MONEY,
    tone="info",
)
EXPIRY_WARNING = system_text(
    "limits.notice.expiry",
    _("Limit on %(buyer)s expires on %(date)s"),
    tone="warning",
)
DRAFT_WAITS = system_text(
    "limits.notice.draft_waits",
    _("A draft application for %(buyer)s waits for your approval"),
    tone="info",
)
DRAFT_RETURNED = system_text(
    "limits.notice.draft_returned",
    _("Your draft for %(buyer)s was returned by %(user)s"),
    tone="warning",
)
NOT_CARRIED_OVER = system_text(
    "limits.notice.not_carried_over",
    _("Renewal %(policy)s: %(count)s limits not carried over"),
    tone="danger",
)
EXPIRY_WARNING_BODY = system_text(
    "limits.notice.expiry_body",
    _("Apply for a prolongation before then if you keep shipping."),
)


def outcome_code(*, response_code: str, request_type: str, amount, requested) -> str:
    """Which outcome text describes a decision: 1,000 granted of 900,000 asked is a
    partial approval, never just 'approved'."""
    if response_code == ResponseCode.REDUCTION:
        return OUTCOME_REDUCED.code
    if response_code == ResponseCode.CANCELLATION:
        return OUTCOME_CANCELLED.code
    if response_code == ResponseCode.NOT_APPROVED:
        return OUTCOME_REFUSED.code if requested else OUTCOME_REFUSED_PLAIN.code
    if amount is None:
        return OUTCOME_PROLONGED.code
    if not request_type:
        return OUTCOME_CONFIRMED.code
    if response_code == ResponseCode.PARTLY_APPROVED or (requested and amount < requested):
        return OUTCOME_PARTLY.code
    if response_code == ResponseCode.CONDITIONAL:
        return OUTCOME_CONDITIONAL.code
    return OUTCOME_APPROVED.code


def outcome_params(decision) -> dict:
    return text_params(
        amount=decision.amount,
        requested=decision.requested_amount,
        previous=decision.previous_amount,
        effective_on=decision.effective_on,
        expires_on=decision.expires_on,
    )


def decision_outcome(decision) -> tuple[str, str]:
    """(text, badge colour) of a decision's outcome, in the active language."""
    code = outcome_code(
        response_code=decision.response_code,
        request_type=decision.request_type,
        amount=decision.amount,
        requested=decision.requested_amount,
    )
    return render_text(code, outcome_params(decision)), text_tone(code)


def decision_notice(decision) -> dict:
    """The notification of a decision, as keyword arguments of `notify_users`."""
    params = outcome_params(decision)
    params.update(
        text_params(
            buyer=decision.buyer.name,
            policy=str(decision.policy),
            reason=decision.reason_code,
            outcome=outcome_code(
                response_code=decision.response_code,
                request_type=decision.request_type,
                amount=decision.amount,
                requested=decision.requested_amount,
            ),
        )
    )
    if decision.credit_limit_id:
        url = decision.credit_limit.get_absolute_url()
    elif decision.application_id:
        url = decision.application.get_absolute_url()
    else:
        url = ""
    return {
        "subject_code": DECISION_SUBJECT.code,
        "body_code": DECISION_BODY.code,
        "params": params,
        "url": url,
    }
