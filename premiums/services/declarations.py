"""Turnover declarations (SPEC 2, 6): a clerk prepares, an approver submits; a correction
is a new version with a reason; a correction after the year-end adjustment corrects it."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User
from core import transitions
from core.services import action
from deadlines.choices import DeadlineKind
from deadlines.services import deadline_meet
from limits.services import PREPARER_ROLES, SUBMITTER_ROLES
from notifications.services import notify_users
from policies.choices import PolicyStatus
from policies.models import Policy
from premiums import rules, texts
from premiums.choices import DECLARATION_MACHINE, DeclarationAction, DeclarationStatus
from premiums.models import Declaration
from premiums.services.common import require_insured_or_staff

# Quarters can be declared while the policy runs and after it ends (the last quarter is
# due 15 days after the end); never on a proposal or a cancelled policy.
DECLARABLE_POLICY_STATUSES = frozenset(
    {PolicyStatus.IN_FORCE, PolicyStatus.SUSPENDED, PolicyStatus.EXPIRED}
)

ERROR_POLICY = gettext_lazy("Declarations are made on a policy in force or expired.")
ERROR_QUARTER = gettext_lazy("The policy has no quarter %(quarter)s (it has %(count)s).")
ERROR_NOT_ENDED = gettext_lazy("The quarter ends on %(date)s: declare it from that day.")
ERROR_NIL_AMOUNT = gettext_lazy("A nil declaration has a turnover of 0.")
ERROR_ZERO = gettext_lazy(
    "Enter the turnover, or tick 'nil declaration' for a quarter without insured sales."
)
ERROR_NEGATIVE = gettext_lazy("The turnover cannot be negative.")
ERROR_REASON = gettext_lazy("This quarter is already declared: say why it is corrected.")
ERROR_DRAFT_EXISTS = gettext_lazy("This quarter already has a draft declaration: edit that one.")
ERROR_COMMENT = gettext_lazy("Say what the preparer should change.")
ERROR_NOT_DRAFT = gettext_lazy("Only a draft declaration can be changed.")


def quarter_of(policy: Policy, number: int, quarters=None) -> rules.Quarter:
    if quarters is None:
        quarters = rules.policy_quarters(
            period_start=policy.period_start, period_end=policy.period_end
        )
    if not 1 <= number <= len(quarters):
        raise ValidationError(
            {"quarter": ERROR_QUARTER % {"quarter": number, "count": len(quarters)}}
        )
    return quarters[number - 1]


@dataclass(frozen=True)
class QuarterHistory:
    """What a policy quarter already has: its last version, a submitted one, a draft."""

    last_version: int = 0
    declared: bool = False
    draft: bool = False


def quarter_history(policy: Policy, quarter: int) -> QuarterHistory:
    versions = Declaration.objects.filter(policy=policy, quarter=quarter)
    return QuarterHistory(
        last_version=versions.order_by("-version").values_list("version", flat=True).first() or 0,
        declared=versions.filter(status=DeclarationStatus.SUBMITTED).exists(),
        draft=versions.filter(status=DeclarationStatus.DRAFT).exists(),
    )


def check_turnover(turnover: Decimal | None, *, nil: bool) -> None:
    """SPEC 6: an amount not below zero; a quarter without sales is a nil declaration of 0."""
    if turnover is None or turnover < 0:
        raise ValidationError({"turnover": ERROR_NEGATIVE})
    if nil and turnover != 0:
        raise ValidationError({"turnover": ERROR_NIL_AMOUNT})
    if not nil and turnover == 0:
        raise ValidationError({"turnover": ERROR_ZERO})


def check_declaration(
    policy: Policy, *, quarter: int, turnover: Decimal, nil: bool, correction_reason: str,
    today: date, history: QuarterHistory | None = None, quarters=None,
) -> tuple[rules.Quarter, int, bool]:  # fmt: skip
    """Validate one declaration against its policy: the quarter, the version it gets and
    whether it corrects a submitted one.

    The bulk upload checks each row with this too, so a file and the form agree: it
    passes the quarter's `history` and the policy's `quarters` it read for the whole
    file at once (premiums.uploads), instead of three queries a row."""
    if policy.status not in DECLARABLE_POLICY_STATUSES:
        raise ValidationError({"policy": ERROR_POLICY})
    q = quarter_of(policy, quarter, quarters)
    if q.end > today:
        raise ValidationError({"quarter": ERROR_NOT_ENDED % {"date": q.end.isoformat()}})
    check_turnover(turnover, nil=nil)
    if history is None:
        history = quarter_history(policy, quarter)
    if history.draft:
        raise ValidationError({"quarter": ERROR_DRAFT_EXISTS})
    if history.declared and not (correction_reason or "").strip():
        raise ValidationError({"correction_reason": ERROR_REASON})
    return q, history.last_version + 1, history.declared


def _lock_policy(policy_id: int) -> Policy:
    # Serialises versions of one policy's declarations (two approvers, one quarter).
    return Policy.objects.select_for_update(of=("self",)).get(pk=policy_id)


def declaration_prepare(
    *, actor, policy_id: int, quarter: int, turnover: Decimal, nil: bool = False,
    correction_reason: str = "", submit: bool = False, upload=None, today: date | None = None,
) -> Declaration:  # fmt: skip
    """A clerk prepares a quarter's declaration; an approver (or insurer staff entering a
    paper one) may declare it at once with `submit` (SPEC 2)."""
    today = today or timezone.localdate()
    with action(actor):
        policy = _lock_policy(policy_id)
        require_insured_or_staff(actor, policy, PREPARER_ROLES)
        turnover = Decimal(0) if nil and turnover in (None, "") else turnover
        q, version, is_correction = check_declaration(
            policy, quarter=quarter, turnover=turnover, nil=nil,
            correction_reason=correction_reason, today=today,
        )  # fmt: skip
        declaration = Declaration(
            policy=policy, quarter=q.index, quarter_start=q.start, quarter_end=q.end,
            due_on=rules.declaration_due_on(
                quarter_end=q.end, deadline_days=policy.declaration_deadline_days
            ),
            version=version, turnover=turnover, nil=nil,
            is_correction=is_correction,
            correction_reason=(correction_reason or "").strip() if is_correction else "",
            prepared_by=actor, upload=upload,
        )  # fmt: skip
        declaration.full_clean(exclude=["policy", "prepared_by", "upload", "status"])
        may_submit = actor.is_insurer_staff or actor.role in SUBMITTER_ROLES
        # Staff enter paper declarations as declared: a staff draft would be hidden from
        # them by the scope rule and block the quarter.
        if (submit and may_submit) or actor.is_insurer_staff:
            previous = _supersede_current(policy, q.index, actor=actor, today=today)
            for name, value in _submitted_fields(declaration, actor, today, previous).items():
                setattr(declaration, name, value)
            _create(declaration, DeclarationAction.DECLARE, actor)
            _after_submission(declaration, actor=actor, today=today)
        else:
            _create(declaration, DeclarationAction.PREPARE, actor)
            if not may_submit:
                _notify_draft_waits(declaration)
    return declaration


def _create(declaration: Declaration, action_name: str, actor) -> None:
    try:
        with transaction.atomic():
            transitions.create(DECLARATION_MACHINE, declaration, action_name, actor=actor)
    except IntegrityError as error:
        raise ValidationError({"quarter": ERROR_DRAFT_EXISTS}) from error


def _lock(declaration_id: int) -> Declaration:
    return (
        Declaration.objects.select_for_update(of=("self",))
        .select_related("policy")
        .get(pk=declaration_id)
    )


def _require_draft(declaration: Declaration) -> None:
    if declaration.status != DeclarationStatus.DRAFT:
        raise ValidationError({"status": ERROR_NOT_DRAFT})


def declaration_update(
    *, actor, declaration_id: int, turnover: Decimal, nil: bool = False,
    correction_reason: str | None = None, today: date | None = None,
) -> Declaration:  # fmt: skip
    """The preparer or an approver edits a draft before it is submitted."""
    today = today or timezone.localdate()
    with action(actor):
        declaration = _lock(declaration_id)
        require_insured_or_staff(actor, declaration.policy, PREPARER_ROLES)
        _require_draft(declaration)
        turnover = Decimal(0) if nil and turnover in (None, "") else turnover
        check_turnover(turnover, nil=nil)
        changes = {"turnover": turnover, "nil": nil}
        if correction_reason is not None and declaration.is_correction:
            if not correction_reason.strip():
                raise ValidationError({"correction_reason": ERROR_REASON})
            changes["correction_reason"] = correction_reason.strip()
        transitions.transition(
            DECLARATION_MACHINE, declaration, DeclarationAction.EDIT, actor=actor,
            changes=changes, today=today,
        )  # fmt: skip
    return declaration


def declaration_return(*, actor, declaration_id: int, comment: str) -> Declaration:
    """An approver sends a clerk's draft back with a comment (SPEC 2)."""
    if not (comment or "").strip():
        raise ValidationError({"comment": ERROR_COMMENT})
    with action(actor):
        declaration = _lock(declaration_id)
        require_insured_or_staff(actor, declaration.policy, SUBMITTER_ROLES)
        _require_draft(declaration)
        transitions.transition(
            DECLARATION_MACHINE, declaration, DeclarationAction.RETURN, actor=actor,
            reason=comment.strip(),
        )  # fmt: skip
        notify_users(
            users=[declaration.prepared_by],
            subject_code=texts.DECLARATION_RETURNED.code,
            params={"policy": str(declaration.policy), "quarter": f"Q{declaration.quarter}",
                    "user": str(actor)},
            body=comment.strip(),
            url=declaration.get_absolute_url(),
        )  # fmt: skip
    return declaration


def declaration_submit(*, actor, declaration_id: int, today: date | None = None) -> Declaration:
    """An approver submits a draft: it becomes the quarter's declaration (a correction
    supersedes the one before), the deadline is met, the premium position moves."""
    today = today or timezone.localdate()
    with action(actor):
        declaration = _lock(declaration_id)
        policy = _lock_policy(declaration.policy_id)
        require_insured_or_staff(actor, declaration.policy, SUBMITTER_ROLES)
        _require_draft(declaration)
        if policy.status not in DECLARABLE_POLICY_STATUSES:  # cancelled since the draft
            raise ValidationError({"policy": ERROR_POLICY})
        previous = _supersede_current(
            declaration.policy, declaration.quarter, actor=actor, today=today
        )
        transitions.transition(
            DECLARATION_MACHINE, declaration, DeclarationAction.SUBMIT, actor=actor,
            changes=_submitted_fields(declaration, actor, today, previous), today=today,
        )  # fmt: skip
        _after_submission(declaration, actor=actor, today=today)
    return declaration


def declaration_discard(*, actor, declaration_id: int) -> Declaration:
    with action(actor):
        declaration = _lock(declaration_id)
        require_insured_or_staff(actor, declaration.policy, PREPARER_ROLES)
        _require_draft(declaration)
        transitions.transition(
            DECLARATION_MACHINE, declaration, DeclarationAction.DISCARD, actor=actor
        )
    return declaration


def _submitted_fields(declaration: Declaration, actor, today: date, previous) -> dict:
    """A correction keeps the lateness of the quarter's first declaration: the deadline
    is about declaring the quarter, and correcting it later is what the insured should do."""
    late = rules.days_late(submitted_on=today, due_on=declaration.due_on)
    return {
        "submitted_by": actor,
        "submitted_on": today,
        "days_late": previous.days_late if previous is not None else late,
    }


def _supersede_current(policy: Policy, quarter: int, *, actor, today: date):
    """The quarter's submitted declaration, superseded now (None if there was none)."""
    current = (
        Declaration.objects.select_for_update()
        .filter(policy=policy, quarter=quarter, status=DeclarationStatus.SUBMITTED)
        .first()
    )
    if current is not None:
        transitions.transition(
            DECLARATION_MACHINE, current, DeclarationAction.SUPERSEDE, actor=actor, today=today
        )
    return current


def _after_submission(declaration: Declaration, *, actor, today: date) -> None:
    from premiums.services.account import premium_adjust

    deadline_meet(
        kind=DeadlineKind.DECLARATION, subject=declaration.policy,
        key=f"Q{declaration.quarter}", on=today, actor=actor,
    )  # fmt: skip
    premium_adjust(policy_id=declaration.policy_id, actor=actor, today=today)


def _notify_draft_waits(declaration: Declaration) -> None:
    approvers = User.objects.filter(
        organisation_id=declaration.policy.insured_id, role__in=SUBMITTER_ROLES, is_active=True
    ).exclude(pk=declaration.prepared_by_id)
    notify_users(
        users=approvers,
        subject_code=texts.DECLARATION_WAITS.code,
        params={"policy": str(declaration.policy), "quarter": f"Q{declaration.quarter}"},
        url=declaration.get_absolute_url(),
    )


def declarations_url(policy: Policy) -> str:
    return reverse("premiums:policy", args=[policy.pk])
