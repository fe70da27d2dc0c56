"""Discretionary limits, applications and decisions: four-eyes and automatic (SPEC 2, 5)."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from buyers.models import Buyer, RelatedParty
from buyers.services import buyer_create
from core import transitions
from core.services import action
from core.uscc import normalize_uscc
from deadlines.choices import DeadlineKind, DeadlineParty
from deadlines.services import deadline_meet, deadline_set, deadline_waive
from limits import texts
from limits.choices import (
    AMOUNT_REQUEST_TYPES,
    APPLICATION_MACHINE,
    ApplicationAction,
    ApplicationStatus,
    LimitAction,
    LimitSource,
    Outcome,
    ReasonCode,
    RequestType,
    ResponseCode,
)
from limits.models import (
    AutoDecisionExclusion,
    AutoDecisionGradeRule,
    AutoDecisionSettings,
    CreditLimit,
    LimitApplication,
    LimitDecision,
)
from limits.rules import (
    AutoDecisionInput,
    auto_decision,
    response_for,
)
from limits.services.base import (
    ERROR_ABOVE_DISCRETIONARY,
    ERROR_AMENDED_AMOUNT,
    ERROR_AMOUNT_POSITIVE,
    ERROR_AMOUNT_REQUIRED,
    ERROR_AUTHORITY,
    ERROR_BUYER_NAME,
    ERROR_COMMENT_REQUIRED,
    ERROR_INCREASE,
    ERROR_INSURER_LIMIT_EXISTS,
    ERROR_LIMIT_EXISTS,
    ERROR_NEGATIVE,
    ERROR_NO_CURRENT_LIMIT,
    ERROR_NOT_EDITABLE,
    ERROR_OPEN_APPLICATION,
    ERROR_OWN_PROPOSAL,
    ERROR_PARTIAL_AMOUNT,
    ERROR_POLICY_NOT_LIVE,
    ERROR_PROLONG,
    ERROR_PUBLIC,
    ERROR_REDUCTION,
    ERROR_RELATED,
    ERROR_STATUS,
    PREPARER_ROLES,
    SUBMITTER_ROLES,
    _change_amount,
    _check_buyer_may_get_limit,
    _check_terms,
    _end_limit,
    _grant,
    _lock_buyer,
    _record,
    _require_insured,
    _require_underwriter,
    buyer_exposure,
    buyer_has_recent_negative_event,
    buyer_is_related,
    buyer_position,
    capacity_for_grade,
    capacity_of_buyer,
    current_limit,
    limit_move,
)
from notifications.services import notify_users
from policies.choices import LIVE_STATUSES, PolicyStatus
from policies.models import Policy

# What `set_auto_note` writes.
AUTO_NOTE_FIELDS = ["auto_note", "auto_note_code", "auto_note_params"]


def _lock_application(application_id: int) -> LimitApplication:
    """Lock the application row only (`of=self`: the buyer lock is taken on purpose,
    by `_lock_buyer`, where a decision can raise exposure)."""
    return (
        LimitApplication.objects.select_for_update(of=("self",))
        .select_related("policy", "buyer")
        .get(pk=application_id)
    )


def _lock_for_decision(application_id: int, *, within=None) -> LimitApplication:
    """The application and its buyer locked by one statement, application first (the
    order `_lock_application` then `_lock_buyer` take them in), for a decision that may
    raise the buyer's exposure (SPEC 4). It also reads, at no extra round trip, what the
    decision is checked against besides the exposure: the capacity of the buyer's grade
    (`buyer_capacity`) and whether the buyer is related to the insured (`buyer_related`),
    and the users the answer names. The exposure itself is read after this statement
    (`buyer_position`): a statement that waited for the buyer's lock still sees the rows
    as they were when it began, not what the lock's previous holder committed.

    `within`: the applications the caller may see (the API's selector); one outside it
    raises `LimitApplication.DoesNotExist`, as a missing one does.
    """
    rows = LimitApplication.objects.all() if within is None else within
    return (
        rows.select_for_update(of=("self", "buyer"))
        .select_related("policy", "buyer", "prepared_by", "submitted_by", "proposed_by")
        .annotate(buyer_capacity=capacity_of_buyer(), buyer_related=buyer_is_related())
        .get(pk=application_id)
    )


def _require_status(application: LimitApplication, *statuses: str) -> None:
    if application.status not in statuses:
        raise ValidationError(
            {"status": ERROR_STATUS % {"status": application.get_status_display()}}
        )


def discretionary_limit_set(
    *,
    actor,
    policy_id: int,
    buyer_id: int,
    amount: Decimal,
    payment_terms_days: int,
    today: date | None = None,
) -> CreditLimit:
    """The insured sets its own limit up to the policy's discretionary maximum (SPEC 5, 3.4)."""
    today = today or timezone.localdate()
    with action(actor):
        policy = Policy.objects.get(pk=policy_id)
        _require_insured(actor, policy, SUBMITTER_ROLES)
        if policy.status != PolicyStatus.IN_FORCE:
            raise ValidationError({"policy": ERROR_POLICY_NOT_LIVE})
        if amount <= 0:
            raise ValidationError({"amount": ERROR_AMOUNT_POSITIVE})
        if amount > policy.max_discretionary_limit:
            raise ValidationError(
                {"amount": ERROR_ABOVE_DISCRETIONARY % {"max": policy.max_discretionary_limit}}
            )
        _check_terms(policy, payment_terms_days)
        buyer = _lock_buyer(buyer_id)
        existing = current_limit(policy.pk, buyer.pk)
        if existing is not None and existing.source == LimitSource.INSURER:
            raise ValidationError({"buyer": ERROR_INSURER_LIMIT_EXISTS})
        if buyer_has_recent_negative_event(buyer.pk, today=today):
            raise ValidationError({"buyer": ERROR_NEGATIVE})
        limit, _decision = _grant(
            policy=policy,
            buyer=buyer,
            amount=amount,
            payment_terms_days=payment_terms_days,
            expires_on=None,
            source=LimitSource.DISCRETIONARY,
            today=today,
            actor=actor,
            decision=dict(
                policy=policy,
                buyer=buyer,
                request_type=RequestType.NEW,
                response_code=ResponseCode.APPROVED,
                reason_code=ReasonCode.NO_COMMENT,
                requested_amount=amount,
                amount=amount,
                payment_terms_days=payment_terms_days,
                notice_on=today,
                decided_by=actor,
                explanation=texts.EXPLAIN_DISCRETIONARY(),
            ),
        )
    return limit


# --- applications -------------------------------------------------------------------------


def _resolve_buyer(*, actor, uscc: str, name: str, industry: str) -> Buyer:
    """The buyer by USCC; one not yet in the register is created from the application."""
    code = normalize_uscc(uscc)
    buyer = Buyer.objects.filter(uscc=code).first()
    if buyer is not None:
        return buyer
    if not name or not industry:
        raise ValidationError({"buyer_name": ERROR_BUYER_NAME})
    try:
        return buyer_create(actor=actor, uscc=code, name=name, industry=industry)
    except ValidationError as error:
        renamed = {f"buyer_{k}": v for k, v in error.message_dict.items()}
        raise ValidationError(renamed) from error


def _check_request(policy: Policy, buyer: Buyer, request_type: str, amount, expires_on) -> None:
    existing = current_limit(policy.pk, buyer.pk)
    if request_type in AMOUNT_REQUEST_TYPES and not amount:
        raise ValidationError({"requested_amount": ERROR_AMOUNT_REQUIRED})
    if request_type == RequestType.NEW:
        if existing is not None and existing.source == LimitSource.INSURER:
            raise ValidationError({"request_type": ERROR_LIMIT_EXISTS})
        return
    if existing is None:
        raise ValidationError({"request_type": ERROR_NO_CURRENT_LIMIT})
    if request_type == RequestType.INCREASE and amount <= existing.amount:
        raise ValidationError({"requested_amount": ERROR_INCREASE % {"current": existing.amount}})
    if request_type == RequestType.REDUCTION and amount >= existing.amount:
        raise ValidationError({"requested_amount": ERROR_REDUCTION % {"current": existing.amount}})
    if request_type == RequestType.PROLONGATION and not expires_on:
        raise ValidationError({"requested_expires_on": ERROR_PROLONG})


def application_create(
    *,
    actor,
    policy_id: int,
    buyer_uscc: str,
    buyer_name: str = "",
    buyer_industry: str = "",
    request_type: str = RequestType.NEW,
    submit: bool = False,
    today: date | None = None,
    **fields,
) -> LimitApplication:
    """An insured prepares an application; an approver may submit it at once (SPEC 2, 5)."""
    today = today or timezone.localdate()
    with action(actor):
        policy = Policy.objects.get(pk=policy_id)
        _require_insured(actor, policy, PREPARER_ROLES)
        if policy.status not in LIVE_STATUSES | {PolicyStatus.QUOTED}:
            raise ValidationError({"policy": ERROR_POLICY_NOT_LIVE})
        buyer = _resolve_buyer(
            actor=actor, uscc=buyer_uscc, name=buyer_name, industry=buyer_industry
        )
        _check_buyer_may_get_limit_on_request(buyer, policy, request_type)
        _check_request(
            policy,
            buyer,
            request_type,
            fields.get("requested_amount"),
            fields.get("requested_expires_on"),
        )
        _check_terms(policy, fields.get("payment_terms_days", 60))
        application = LimitApplication(
            policy=policy, buyer=buyer, request_type=request_type, prepared_by=actor, **fields
        )
        application.full_clean(exclude=["policy", "buyer", "prepared_by"])
        try:
            with transaction.atomic():
                transitions.create(
                    APPLICATION_MACHINE, application, ApplicationAction.CREATE, actor=actor
                )
        except IntegrityError as error:
            raise ValidationError({"buyer_uscc": ERROR_OPEN_APPLICATION}) from error
        _follow_shipment_deadline(application, actor=actor)
        # SPEC 2: a clerk's submission waits for an approver of the same company.
        if submit and actor.role in SUBMITTER_ROLES:
            application = application_submit(
                actor=actor, application_id=application.pk, today=today
            )
        elif actor.role not in SUBMITTER_ROLES:
            _notify_draft_waits(application)
    return application


# Fields of an application its preparer may change while it is a draft.
EDITABLE_FIELDS = (
    "requested_amount", "payment_terms_days", "requested_expires_on", "expected_annual_sales",
    "goods", "first_shipment_on", "trading_since", "sales_last_12_months", "largest_invoice",
    "overdue_amount", "worst_delay_days", "related_party_link", "guarantor", "reason",
)  # fmt: skip


def application_update(*, actor, application_id: int, **fields) -> LimitApplication:
    """The insured edits its draft (a clerk's, before an approver submits it; SPEC 2)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: ERROR_NOT_EDITABLE for name in sorted(unknown)})
    with action(actor):
        application = _lock_application(application_id)
        _require_insured(actor, application.policy, PREPARER_ROLES)
        _require_status(application, ApplicationStatus.DRAFT)
        for name, value in fields.items():
            setattr(application, name, value)
        _check_request(
            application.policy, application.buyer, application.request_type,
            application.requested_amount, application.requested_expires_on,
        )  # fmt: skip
        _check_terms(application.policy, application.payment_terms_days)
        application.full_clean(exclude=["policy", "buyer", "prepared_by"])
        _move(application, ApplicationAction.EDIT, actor=actor, changes=fields)
        _follow_shipment_deadline(application, actor=actor)
    return application


def _follow_shipment_deadline(application: LimitApplication, *, actor) -> None:
    """A draft naming a first shipment: the insured must apply within the limit-application
    deadline after it for that shipment to be covered (SPEC 3.2, 5, 7), and is reminded."""
    kind = DeadlineKind.LIMIT_APPLICATION
    if application.first_shipment_on is None:
        deadline_waive(kind=kind, subject=application, actor=actor)
        return
    deadline_set(
        kind=kind, party=DeadlineParty.INSURED, policy=application.policy,
        buyer=application.buyer, subject=application, detail=str(application.buyer),
        url=application.get_absolute_url(), actor=actor, private=True,
        due_on=application.first_shipment_on
        + timedelta(days=application.policy.limit_application_days),
    )  # fmt: skip


def application_return(*, actor, application_id: int, comment: str) -> LimitApplication:
    """An approver sends a draft back to its preparer with a comment (SPEC 2)."""
    if not (comment or "").strip():
        raise ValidationError({"comment": ERROR_COMMENT_REQUIRED})
    with action(actor):
        application = _lock_application(application_id)
        _require_insured(actor, application.policy, SUBMITTER_ROLES)
        _require_status(application, ApplicationStatus.DRAFT)
        _move(application, ApplicationAction.RETURN, actor=actor, reason=comment)
        notify_users(
            users=[application.prepared_by],
            subject_code=texts.DRAFT_RETURNED.code,
            params=texts.DRAFT_RETURNED(buyer=application.buyer.name, user=str(actor)).params,
            body=comment.strip(),
            url=application.get_absolute_url(),
        )
    return application


def _notify_draft_waits(application: LimitApplication) -> None:
    approvers = User.objects.filter(
        organisation_id=application.policy.insured_id, role__in=SUBMITTER_ROLES, is_active=True
    ).exclude(pk=application.prepared_by_id)
    notify_users(
        users=approvers,
        subject_code=texts.DRAFT_WAITS.code,
        params=texts.DRAFT_WAITS(buyer=application.buyer.name).params,
        url=application.get_absolute_url(),
    )


def _check_buyer_may_get_limit_on_request(buyer, policy, request_type) -> None:
    # Reductions and cancellations lower the risk: always allowed to ask for.
    if request_type in (RequestType.NEW, RequestType.INCREASE):
        if RelatedParty.objects.filter(buyer=buyer, insured_id=policy.insured_id).exists():
            raise ValidationError({"buyer_uscc": ERROR_RELATED})
        if buyer.is_public_body:
            raise ValidationError({"buyer_uscc": ERROR_PUBLIC})


def application_submit(
    *, actor, application_id: int, today: date | None = None
) -> LimitApplication:
    """An approver of the insured submits; small ones may be decided automatically at once."""
    today = today or timezone.localdate()
    with action(actor):
        application = _lock_application(application_id)
        _require_insured(actor, application.policy, SUBMITTER_ROLES)
        _require_status(application, ApplicationStatus.DRAFT)
        _move(
            application, ApplicationAction.SUBMIT, actor=actor,
            changes={"submitted_by": actor, "submitted_at": timezone.now()},
        )  # fmt: skip
        deadline_meet(
            kind=DeadlineKind.LIMIT_APPLICATION, subject=application, on=today, actor=actor
        )
        _try_auto_decide(application, today=today)
    return application


def application_withdraw(*, actor, application_id: int) -> LimitApplication:
    with action(actor):
        application = _lock_application(application_id)
        _require_insured(actor, application.policy, PREPARER_ROLES)
        _require_status(application, ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED)
        _move(application, ApplicationAction.WITHDRAW, actor=actor)
        deadline_waive(kind=DeadlineKind.LIMIT_APPLICATION, subject=application, actor=actor)
    return application


def _auto_settings() -> AutoDecisionSettings:
    settings = AutoDecisionSettings.objects.order_by("pk").first()
    return settings or AutoDecisionSettings(enabled=False)


def _try_auto_decide(application: LimitApplication, *, today: date) -> None:
    """SPEC 5: decide small applications on well-graded buyers at once, within capacity.

    Runs inside the submitting transaction with the buyer locked, so it obeys capacity
    exactly like a manual decision. Anything the rules do not cover goes to the queue,
    with the rule that sent it there noted on the application.
    """
    if application.request_type not in (RequestType.NEW, RequestType.INCREASE):
        application.set_auto_note(texts.AUTO_REQUEST_TYPE())
        application.save(update_fields=AUTO_NOTE_FIELDS)
        return
    buyer = _lock_buyer(application.buyer_id)
    settings = _auto_settings()
    grade_rule = AutoDecisionGradeRule.objects.filter(risk_grade=buyer.risk_grade).first()
    amount = application.requested_amount
    decide, note = auto_decision(
        AutoDecisionInput(
            enabled=settings.enabled,
            risk_grade=buyer.risk_grade,
            grade_max_amount=grade_rule.max_amount if grade_rule else None,
            requested_amount=amount,
            payment_terms_days=application.payment_terms_days,
            max_payment_terms_days=min(
                settings.max_payment_terms_days, application.policy.max_credit_period_days
            ),
            excluded=AutoDecisionExclusion.objects.filter(buyer=buyer).exists(),
            has_recent_negative_event=buyer_has_recent_negative_event(buyer.pk, today=today),
            capacity=capacity_for_grade(buyer.risk_grade),
            exposure_after=buyer_exposure(buyer.pk, excluding_policy_id=application.policy_id)
            + amount,
            headroom_percent=settings.capacity_headroom_percent,
        )
    )
    if decide:
        try:
            _check_buyer_may_get_limit(buyer, application.policy)
        except ValidationError as error:
            # Not the rule set's call: an underwriter answers (and explains the refusal).
            decide = False
            note = texts.AUTO_BUYER_INELIGIBLE(detail="; ".join(error.messages))
    application.set_auto_note(note)
    application.save(update_fields=AUTO_NOTE_FIELDS)
    if not decide:
        return
    _apply_decision(
        application,
        outcome=Outcome.APPROVE,
        amount=amount,
        payment_terms_days=application.payment_terms_days,
        expires_on=None,
        reason_code=ReasonCode.NO_COMMENT,
        conditions="",
        decided_by=None,
        approved_by=None,
        automatic=True,
        explanation=note,
        today=today,
    )


def _decided_amount(application: LimitApplication, outcome: str, amount) -> Decimal | None:
    requested = application.requested_amount
    if outcome == Outcome.REFUSE:
        return None
    if application.request_type not in AMOUNT_REQUEST_TYPES:
        return None
    if outcome == Outcome.APPROVE:
        return requested
    if amount is None:
        raise ValidationError({"amount": ERROR_AMOUNT_REQUIRED})
    if amount <= 0 or amount >= requested:
        raise ValidationError({"amount": ERROR_PARTIAL_AMOUNT % {"requested": requested}})
    return amount


def application_decide(
    *,
    actor,
    application_id: int,
    outcome: str,
    amount=None,
    payment_terms_days: int | None = None,
    expires_on: date | None = None,
    reason_code: str = ReasonCode.NO_COMMENT,
    conditions: str = "",
    today: date | None = None,
    within=None,
) -> LimitApplication:
    """An underwriter decides: approve in full, partially, or refuse (SPEC 5).

    Above the underwriter's authority the decision is only proposed and waits for a
    second underwriter whose authority covers it (four-eyes, SPEC 2). `within`: the
    applications the caller may see (`_lock_for_decision`).
    """
    today = today or timezone.localdate()
    _require_underwriter(actor)
    with action(actor):
        application = _lock_for_decision(application_id, within=within)
        _require_status(application, ApplicationStatus.SUBMITTED)
        if outcome not in Outcome.values:
            raise ValidationError({"outcome": _("Choose an outcome.")})
        decided = _decided_amount(application, outcome, amount)
        terms = payment_terms_days or application.payment_terms_days
        _check_terms(application.policy, terms)
        if decided is not None and decided > actor.authority_amount:
            _move(
                application,
                ApplicationAction.PROPOSE,
                actor=actor,
                changes={
                    "proposed_outcome": outcome,
                    "proposed_amount": decided,
                    "proposed_payment_terms_days": terms,
                    "proposed_expires_on": expires_on,
                    "proposed_reason_code": reason_code,
                    "proposed_conditions": conditions,
                    "proposed_by": actor,
                    "proposed_at": timezone.now(),
                },
            )
            _notify_second_approvers(application)
            _prefetch_decisions(application, [])
            return application
        _apply_decision(
            application,
            outcome=outcome,
            amount=decided,
            payment_terms_days=terms,
            expires_on=expires_on,
            reason_code=reason_code,
            conditions=conditions,
            decided_by=actor,
            approved_by=None,
            automatic=False,
            explanation="",
            today=today,
        )
    return application


def _notify_second_approvers(application: LimitApplication) -> None:
    approvers = User.objects.filter(
        role__in=[Role.UNDERWRITER, Role.SENIOR_UNDERWRITER, Role.ADMIN],
        authority_amount__gte=application.proposed_amount,
        is_active=True,
    ).exclude(pk=application.proposed_by_id)
    note = texts.SECOND_APPROVAL_NEEDED(
        buyer=application.buyer.name, amount=application.proposed_amount
    )
    notify_users(
        users=approvers,
        subject_code=note.code,
        params=note.params,
        url=application.get_absolute_url(),
    )


def application_approve(
    *, actor, application_id: int, amount: Decimal | None = None, today: date | None = None,
    within=None,
) -> LimitApplication:  # fmt: skip
    """The second approver confirms a proposed decision (never the proposer).

    With `amount` the second approver amends it (within the request and their own
    authority): the decision is then theirs, recorded as decided by them, not approved.
    `within`: the applications the caller may see (`_lock_for_decision`).
    """
    today = today or timezone.localdate()
    _require_underwriter(actor)
    with action(actor):
        application = _lock_for_decision(application_id, within=within)
        _require_status(application, ApplicationStatus.AWAITING_SECOND_APPROVAL)
        if application.proposed_by_id == actor.pk:
            raise ValidationError({"approver": ERROR_OWN_PROPOSAL})
        amended = amount is not None and amount != application.proposed_amount
        decided = application.proposed_amount
        outcome = application.proposed_outcome
        if amended:
            requested = application.requested_amount
            if amount <= 0 or amount > requested:
                raise ValidationError({"amount": ERROR_AMENDED_AMOUNT % {"requested": requested}})
            decided = amount
            outcome = Outcome.APPROVE if amount == requested else Outcome.PARTIAL
        if decided > actor.authority_amount:
            raise ValidationError(
                {
                    "amount" if amended else "approver": ERROR_AUTHORITY
                    % {"amount": decided, "authority": actor.authority_amount}
                }
            )
        _apply_decision(
            application,
            outcome=outcome,
            amount=decided,
            payment_terms_days=application.proposed_payment_terms_days,
            expires_on=application.proposed_expires_on,
            reason_code=application.proposed_reason_code,
            conditions=application.proposed_conditions,
            decided_by=actor if amended else application.proposed_by,
            approved_by=None if amended else actor,
            automatic=False,
            explanation=_("Amended on second approval from %(proposed)s.")
            % {"proposed": f"{application.proposed_amount:,.2f}"}
            if amended
            else "",
            today=today,
        )
    return application


def application_send_back(*, actor, application_id: int, note: str) -> LimitApplication:
    """The second approver declines the proposal: back to the queue for a new decision."""
    _require_underwriter(actor)
    with action(actor):
        application = _lock_application(application_id)
        _require_status(application, ApplicationStatus.AWAITING_SECOND_APPROVAL)
        if application.proposed_by_id == actor.pk:
            raise ValidationError({"approver": ERROR_OWN_PROPOSAL})
        changes = {
            field: ""
            for field in ("proposed_outcome", "proposed_reason_code", "proposed_conditions")
        }
        changes.update(
            dict.fromkeys(
                (
                    "proposed_amount",
                    "proposed_payment_terms_days",
                    "proposed_expires_on",
                    "proposed_by",
                    "proposed_at",
                ),
            )  # fmt: skip
        )
        sent_back = texts.SENT_BACK(user=str(actor), note=note)
        changes.update(
            auto_note=sent_back.render(staff=True),
            auto_note_code=sent_back.code,
            auto_note_params=sent_back.params,
        )
        _move(application, ApplicationAction.SEND_BACK, actor=actor, reason=note, changes=changes)
    return application


def _apply_decision(
    application: LimitApplication,
    *,
    outcome,
    amount,
    payment_terms_days,
    expires_on,
    reason_code,
    conditions,
    decided_by,
    approved_by,
    automatic,
    explanation,
    today,
) -> LimitDecision:
    """Carry out a decision on an application and record it (one row, immutable).

    The application is locked in this transaction; so is its buyer when the application
    came from `_lock_for_decision` (with the capacity and relation read beside it),
    otherwise the buyer is locked here. The exposure is read once, under that lock."""
    policy, request_type = application.policy, application.request_type
    read_with_lock = hasattr(application, "buyer_capacity")
    buyer = application.buyer if read_with_lock else _lock_buyer(application.buyer_id)
    position = buyer_position(buyer.pk, policy_id=policy.pk)
    limit = position.current
    decision = dict(
        policy=policy,
        buyer=buyer,
        application=application,
        request_type=request_type,
        response_code=ResponseCode.NOT_APPROVED,
        reason_code=reason_code,
        requested_amount=application.requested_amount,
        amount=amount,
        previous_amount=limit.amount if limit else None,
        payment_terms_days=payment_terms_days,
        expires_on=expires_on,
        conditions=conditions,
        notice_on=today,
        effective_on=today,
        decided_by=decided_by,
        approved_by=approved_by,
        automatic=automatic,
        explanation=explanation,
    )
    if outcome != Outcome.REFUSE and request_type != RequestType.NEW and limit is None:
        # The limit ended while the application waited: nothing is left to change.
        raise ValidationError({"request_type": ERROR_NO_CURRENT_LIMIT})
    actor = approved_by or decided_by
    recorded = None
    if outcome == Outcome.REFUSE:
        pass
    elif request_type in (RequestType.NEW, RequestType.INCREASE):
        conditional = bool(
            expires_on or conditions or payment_terms_days < application.payment_terms_days
        )
        decision["response_code"] = response_for(
            outcome=outcome,
            requested=application.requested_amount,
            amount=amount,
            conditional=conditional,
        )
        del decision["effective_on"]  # from the policy's start if that is later
        limit, recorded = _grant(
            policy=policy,
            buyer=buyer,
            amount=amount,
            payment_terms_days=payment_terms_days,
            expires_on=expires_on,
            source=LimitSource.INSURER,
            today=today,
            actor=actor,
            decision=decision,
            position=position,
            **(
                {"capacity": application.buyer_capacity, "related": application.buyer_related}
                if read_with_lock
                else {}
            ),
        )
    elif request_type == RequestType.REDUCTION:
        decision["response_code"] = ResponseCode.REDUCTION
        limit, recorded = _change_amount(
            limit, amount, effective_on=today, actor=actor, decision=decision, today=today
        )
    elif request_type == RequestType.CANCELLATION:
        decision["response_code"] = ResponseCode.CANCELLATION
        limit, recorded = _end_limit(
            limit, LimitAction.CANCEL, ended_on=today, actor=actor, decision=decision,
            today=today,
        )  # fmt: skip
    elif request_type == RequestType.PROLONGATION:
        decision["response_code"] = ResponseCode.APPROVED
        decision["expires_on"] = application.requested_expires_on
        limit, recorded = limit_move(
            limit, LimitAction.PROLONG, effective_on=today, actor=actor,
            changes={"expires_on": application.requested_expires_on, "expiry_warned_on": None},
            decision=decision, today=today,
        )  # fmt: skip
    if recorded is None:
        recorded = _record(credit_limit=limit, **decision)
    _move(
        application,
        ApplicationAction.APPROVE
        if application.status == ApplicationStatus.AWAITING_SECOND_APPROVAL
        else ApplicationAction.DECIDE,
        actor=actor,
        job=JOB_AUTO if automatic else "",
        cause=recorded,
        changes={"decided_at": timezone.now()},
        locked=True,  # by every caller, in this transaction
    )
    _prefetch_decisions(application, [recorded])
    return recorded


def _prefetch_decisions(application: LimitApplication, decisions: list) -> None:
    """The application's decisions as its readers will list them, without a query: a
    submitted application has none (the transition table has no way back from decided,
    and a proposal records none), so after this one they are exactly `decisions`."""
    cached = LimitDecision.objects.filter(application=application)
    cached._result_cache = decisions
    cached._prefetch_done = True
    application._prefetched_objects_cache = {
        **getattr(application, "_prefetched_objects_cache", {}),
        "decisions": cached,
    }


JOB_AUTO = "automatic-decision"


def _move(application: LimitApplication, action_name: str, **kwargs) -> LimitApplication:
    return transitions.transition(APPLICATION_MACHINE, application, action_name, **kwargs)
