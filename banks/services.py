"""Writes of assignment agreements (SPEC 8): one transaction each, through
`core.transitions`. The insurer prepares the agreement; the three parties sign it and the
signed copy is recorded; from activation the bank receives the indemnities on the buyers
it covers, and a change or the termination needs the bank's written consent."""

import copy
from datetime import date, timedelta

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import INSURED_ROLES, OrganisationKind, Role
from accounts.models import Organisation, User
from banks import texts
from banks.choices import (
    AGREEMENT_MACHINE,
    AMENDABLE_FIELDS,
    ENDING_WARNING_DAYS,
    AgreementAction,
    AgreementScope,
    AgreementStatus,
    BankEventKind,
)
from banks.models import (
    AgreementBuyer,
    AssignmentAgreement,
    BankConsent,
    BankEvent,
    BankReader,
    ReceivableReport,
)
from buyers.models import Buyer
from core import transitions
from core.constraints import error_for_integrity_error
from core.services import action
from core.sweeps import drain
from core.uploads import checked_upload
from limits.models import CreditLimit
from limits.services.base import BANK_EVENT_OF_RESPONSE
from limits.texts import decision_notice
from notifications.services import notify_users
from policies.choices import TERMINAL_STATUSES
from policies.models import Policy

JOB_SWEEP = "banks.agreements"

ERROR_ROLE = _("Your role does not allow this.")
ERROR_NOT_BANK = _("Choose a bank.")
ERROR_POLICY_ENDED = _("The policy has ended: an agreement needs a policy in force.")
ERROR_NO_BUYERS = _("List at least one buyer.")
ERROR_NOT_POLICY_BUYER = _("%(buyer)s has no limit under this policy.")
ERROR_OVERLAP = _("Agreement %(other)s in force already covers %(what)s of this policy.")
ERROR_PDF_ONLY = _("Upload the signed copy as a PDF, JPEG or PNG file.")
ERROR_FUTURE = _("This date cannot be in the future.")
ERROR_CONSENT = _("Give who at the bank consented, when, and the consent's reference.")
ERROR_NOTHING_CHANGED = _("Change at least one of the end date or the bank account.")
ERROR_AFTER_END = _("The agreement has ended by then.")
ERROR_BEFORE_START = _("The agreement was not yet in force then.")
ERROR_ACCOUNT_TOO_LONG = _(
    "The bank, account name and number together must fit in %(max)s characters: the "
    "indemnity payment records them as one line."
)
ERROR_NOT_YOURS = _("You cannot act for this insured.")
ERROR_CANCEL_ASSIGNED = _(
    "Agreement %(reference)s with %(bank)s is in force: the policy is cancelled only after "
    "the agreement is terminated with the bank's written consent."
)

SIGNED_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
REPORTERS = frozenset({Role.CLERK, Role.APPROVER, Role.INSURED_ADMIN})


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _require_staff(actor) -> None:
    """Agreements are prepared and recorded by the insurer's underwriting staff."""
    if not (actor.is_insurer_staff and actor.is_underwriter):
        raise PermissionError(str(ERROR_ROLE))


def _lock(agreement_id: int) -> AssignmentAgreement:
    return (
        AssignmentAgreement.objects.select_for_update(of=("self",))
        .select_related("policy", "bank")
        .get(pk=agreement_id)
    )


# pg_advisory_xact_lock(COVERAGE_LOCK, policy id): who covers the buyers of a policy.
COVERAGE_LOCK = 8_001


def _order_coverage(policy_id: int) -> None:
    """Puts an activation and a buyer's first limit on one policy in one order. Each reads
    what the other writes (the activation the policy's buyers, the grant the agreements in
    force): run side by side, neither sees the other's uncommitted row and a new buyer is
    covered by neither. A transaction-scoped advisory lock, so that a grant need not lock
    the policy row (issuing a renewal locks the policy and then its buyers)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [COVERAGE_LOCK, policy_id])


def next_reference(on: date) -> str:
    """AA2026000001: one sequence, never reused."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('banks_agreement_seq')")
        (value,) = cursor.fetchone()
    return f"AA{on:%Y}{value:06d}"


def policy_buyer_ids(policy_id: int, *, region: str = "") -> set[int]:
    """The buyers of a policy: those with a limit under it, in any state (SPEC 8 scope)."""
    limits = CreditLimit.objects.filter(policy_id=policy_id)
    if region:
        limits = limits.filter(buyer__region=region)
    return set(limits.values_list("buyer_id", flat=True))


def _check_account(agreement: AssignmentAgreement) -> None:
    """The payment to the bank records `account_display` in the indemnity payment's bank
    account (checked by the database's payment guard): an agreement whose account does not
    fit there would make every payment to the bank fail."""
    room = apps.get_model("claims", "IndemnityPayment")._meta.get_field("bank_account").max_length
    if len(agreement.account_display) > room:
        raise ValidationError({"account_name": ERROR_ACCOUNT_TOO_LONG % {"max": room}})


def _check_fields(*, policy: Policy, bank: Organisation, scope: str, region: str,
                  buyer_ids, starts_on: date, ends_on: date) -> None:  # fmt: skip
    if bank.kind != OrganisationKind.BANK:
        raise ValidationError({"bank": ERROR_NOT_BANK})
    if policy.status in TERMINAL_STATUSES:
        raise ValidationError({"policy": ERROR_POLICY_ENDED})
    if scope not in AgreementScope.values:
        raise ValidationError({"scope": _("Choose the scope.")})
    if scope == AgreementScope.REGION and not region:
        raise ValidationError({"region": _("Choose the region.")})
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": _("The end date must be after the start date.")})
    if scope == AgreementScope.LISTED:
        if not buyer_ids:
            raise ValidationError({"buyers": ERROR_NO_BUYERS})
        outside = set(buyer_ids) - policy_buyer_ids(policy.pk)
        if outside:
            buyer = Buyer.objects.get(pk=min(outside))
            raise ValidationError({"buyers": ERROR_NOT_POLICY_BUYER % {"buyer": buyer.name}})


def _set_listed(agreement: AssignmentAgreement, buyer_ids) -> None:
    AgreementBuyer.objects.filter(agreement=agreement).delete()
    if agreement.scope == AgreementScope.LISTED:
        AgreementBuyer.objects.bulk_create(
            AgreementBuyer(
                agreement=agreement,
                policy_id=agreement.policy_id,
                buyer_id=buyer_id,
                bank_id=agreement.bank_id,
            )  # fmt: skip
            for buyer_id in sorted(set(buyer_ids))
        )


def agreement_prepare(
    *, actor, policy_id: int, bank_id: int, scope: str, starts_on: date, ends_on: date,
    account_name: str, account_number: str, account_bank: str, region: str = "",
    buyer_ids=(), today: date | None = None,
) -> AssignmentAgreement:  # fmt: skip
    """A draft agreement; the documents app renders it for signature (SPEC 8, 9)."""
    today = _today(today)
    with action(actor):
        _require_staff(actor)
        policy = Policy.objects.get(pk=policy_id)
        bank = Organisation.objects.get(pk=bank_id)
        region = region if scope == AgreementScope.REGION else ""
        _check_fields(
            policy=policy, bank=bank, scope=scope, region=region, buyer_ids=buyer_ids,
            starts_on=starts_on, ends_on=ends_on,
        )  # fmt: skip
        agreement = AssignmentAgreement(
            reference=next_reference(today), policy=policy, bank=bank, scope=scope,
            region=region, starts_on=starts_on, ends_on=ends_on,
            account_name=account_name.strip(), account_number=account_number.strip(),
            account_bank=account_bank.strip(), prepared_by=actor,
        )  # fmt: skip
        agreement.full_clean(exclude=["status", "reference"])
        _check_account(agreement)
        transitions.create(AGREEMENT_MACHINE, agreement, AgreementAction.PREPARE, actor=actor,
                           today=today)  # fmt: skip
        _set_listed(agreement, buyer_ids)
    return agreement


def agreement_update(*, actor, agreement_id: int, buyer_ids=None, today: date | None = None,
                     **fields) -> AssignmentAgreement:  # fmt: skip
    """Change a draft (before it is signed): its terms and listed buyers."""
    editable = {"scope", "region", "starts_on", "ends_on", "account_name", "account_number",
                "account_bank"}  # fmt: skip
    with action(actor):
        _require_staff(actor)
        agreement = _lock(agreement_id)
        if agreement.status != AgreementStatus.DRAFT:
            raise AGREEMENT_MACHINE.refusal(agreement.status, AgreementAction.EDIT)
        changes = {name: value for name, value in fields.items() if name in editable}
        for name, value in changes.items():
            setattr(agreement, name, value.strip() if isinstance(value, str) else value)
        if agreement.scope != AgreementScope.REGION:
            agreement.region = ""
        listed = (
            buyer_ids if buyer_ids is not None
            else list(agreement.covered_buyers.values_list("buyer_id", flat=True))
        )  # fmt: skip
        _check_fields(
            policy=agreement.policy, bank=agreement.bank, scope=agreement.scope,
            region=agreement.region, buyer_ids=listed, starts_on=agreement.starts_on,
            ends_on=agreement.ends_on,
        )  # fmt: skip
        agreement.full_clean(exclude=["status", "reference"])
        _check_account(agreement)
        values = {name: getattr(agreement, name) for name in editable}
        transitions.transition(
            AGREEMENT_MACHINE, agreement, AgreementAction.EDIT, actor=actor, changes=values,
            today=_today(today),
        )  # fmt: skip
        _set_listed(agreement, listed)
    return agreement


def agreement_sign(
    *, actor, agreement_id: int, signed_on: date, filename: str, content: bytes,
    today: date | None = None,
) -> AssignmentAgreement:  # fmt: skip
    """Record the copy the insured, the insurer and the bank signed."""
    today = _today(today)
    with action(actor):
        _require_staff(actor)
        agreement = _lock(agreement_id)
        upload = checked_upload(filename=filename, content=content)
        if upload.content_type not in SIGNED_TYPES:
            raise ValidationError({"file": ERROR_PDF_ONLY})
        if signed_on > today:
            raise ValidationError({"signed_on": ERROR_FUTURE})
        transitions.transition(
            AGREEMENT_MACHINE, agreement, AgreementAction.SIGN, actor=actor, today=today,
            changes=dict(
                signed_on=signed_on, signed_filename=upload.filename,
                signed_content_type=upload.content_type, signed_sha256=upload.sha256,
                signed_content=upload.content,
            ),
        )  # fmt: skip
    return agreement


def _overlap(agreement: AssignmentAgreement) -> tuple[str, str] | None:
    """What of the policy another agreement in force already covers, by scope: a policy-
    wide scope overlaps everything, a region its own region and the listed buyers in it,
    listed buyers the same buyers (these also by the database's unique index)."""
    others = AssignmentAgreement.objects.filter(
        policy_id=agreement.policy_id, status=AgreementStatus.ACTIVE
    ).exclude(pk=agreement.pk)
    mine = set(agreement.covered_buyers.values_list("buyer_id", flat=True))
    for other in others:
        theirs = set(other.covered_buyers.values_list("buyer_id", flat=True))
        scopes = {agreement.scope, other.scope}
        if AgreementScope.ALL in scopes:
            return other.reference, _("the buyers")
        if scopes == {AgreementScope.REGION} and agreement.region == other.region:
            return other.reference, agreement.get_region_display()
        if AgreementScope.REGION in scopes:
            regional = agreement if agreement.scope == AgreementScope.REGION else other
            listed = other if regional is agreement else agreement
            in_region = Buyer.objects.filter(
                pk__in=listed.covered_buyers.values("buyer_id"), region=regional.region
            ).first()
            if in_region is not None:
                return other.reference, in_region.name
        shared = mine & theirs
        if shared:
            return other.reference, Buyer.objects.get(pk=min(shared)).name
    return None


def _cover(agreement: AssignmentAgreement, buyer_ids) -> None:
    """Add buyers to an agreement in force (policy-wide and regional scopes)."""
    AgreementBuyer.objects.bulk_create(
        [
            AgreementBuyer(
                agreement=agreement,
                policy_id=agreement.policy_id,
                buyer_id=buyer_id,
                bank_id=agreement.bank_id,
                active=True,
            )  # fmt: skip
            for buyer_id in sorted(buyer_ids)
        ],
        ignore_conflicts=True,
    )


def agreement_activate(
    *, actor, agreement_id: int, activated_on: date | None = None, today: date | None = None
) -> AssignmentAgreement:
    """Put the signed agreement in force: from now on the bank receives the indemnities on
    the covered buyers and is told of what happens to them. Two agreements in force never
    cover the same buyer of a policy (the policy row is locked while this is checked, and
    the database's unique index on the covered buyers holds whatever happens)."""
    today = _today(today)
    activated_on = activated_on or today
    with action(actor):
        _require_staff(actor)
        agreement = _lock(agreement_id)
        # The coverage lock first: a grant holding it takes its key-share lock on the policy
        # row only at commit (Django's foreign keys are deferred), after this row lock.
        _order_coverage(agreement.policy_id)
        Policy.objects.select_for_update().filter(pk=agreement.policy_id).first()
        if agreement.policy.status in TERMINAL_STATUSES:
            raise ValidationError({"policy": ERROR_POLICY_ENDED})
        if activated_on > today:
            raise ValidationError({"activated_on": ERROR_FUTURE})
        if activated_on >= agreement.ends_on:
            raise ValidationError({"activated_on": ERROR_AFTER_END})
        overlap = _overlap(agreement)
        if overlap is not None:
            raise ValidationError(
                {"action": ERROR_OVERLAP % {"other": overlap[0], "what": overlap[1]}}
            )
        transitions.transition(
            AGREEMENT_MACHINE, agreement, AgreementAction.ACTIVATE, actor=actor, today=today,
            changes={"activated_on": activated_on},
        )  # fmt: skip
        try:
            with transaction.atomic():
                AgreementBuyer.objects.filter(agreement=agreement).update(active=True)
                if agreement.scope != AgreementScope.LISTED:
                    _cover(agreement, policy_buyer_ids(agreement.policy_id,
                                                       region=agreement.region))  # fmt: skip
        except IntegrityError as error:
            raise (error_for_integrity_error(error) or error) from error
        bank_event_record(
            agreement, kind=BankEventKind.AGREEMENT_ACTIVE, subject_code=texts.ACTIVE.code,
            params=_agreement_params(agreement),
        )  # fmt: skip
    return agreement


def _consent(agreement, *, action_name, actor, consent: dict, today: date,
             changes=None) -> BankConsent:  # fmt: skip
    for name in ("given_by", "given_on", "reference"):
        value = consent.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValidationError({name: ERROR_CONSENT})
    given_by, reference = consent["given_by"].strip(), consent["reference"].strip()
    given_on = consent["given_on"]
    # The business day of the move (a back-dated recording says which), not the clock's.
    if given_on > today:
        raise ValidationError({"given_on": ERROR_FUTURE})
    letter = None
    if consent.get("content"):
        letter = checked_upload(
            filename=consent.get("filename", ""), content=consent["content"], field="letter"
        )
    return BankConsent.objects.create(
        agreement=agreement, action=action_name, given_by=given_by[:100], given_on=given_on,
        reference=reference[:60], changes=changes or {},
        letter_filename=letter.filename if letter else "",
        letter_content_type=letter.content_type if letter else "",
        letter_sha256=letter.sha256 if letter else "",
        letter_content=letter.content if letter else None, recorded_by=actor,
    )  # fmt: skip


def agreement_amend(
    *, actor, agreement_id: int, consent: dict, today: date | None = None, **fields
) -> AssignmentAgreement:
    """Change the end date or the bank account of an agreement in force, with the bank's
    written consent recorded (SPEC 8); the documents app issues the new version."""
    today = _today(today)
    with action(actor):
        _require_staff(actor)
        agreement = _lock(agreement_id)
        if agreement.status != AgreementStatus.ACTIVE:
            raise AGREEMENT_MACHINE.refusal(agreement.status, AgreementAction.AMEND)
        changes = {}
        for name in AMENDABLE_FIELDS:
            if name not in fields or fields[name] in (None, ""):
                continue
            value = fields[name].strip() if isinstance(fields[name], str) else fields[name]
            if value != getattr(agreement, name):
                changes[name] = value
        if not changes:
            raise ValidationError({"ends_on": ERROR_NOTHING_CHANGED})
        if changes.get("ends_on") is not None and changes["ends_on"] <= max(
            today, agreement.starts_on
        ):
            raise ValidationError({"ends_on": _("The new end date must be in the future.")})
        amended = copy.copy(agreement)
        for name, value in changes.items():
            setattr(amended, name, value)
        _check_account(amended)
        recorded = _consent(
            agreement, action_name=AgreementAction.AMEND, actor=actor, consent=consent,
            today=today, changes={name: [str(getattr(agreement, name)), str(value)]
                     for name, value in changes.items()},
        )  # fmt: skip
        transitions.transition(
            AGREEMENT_MACHINE, agreement, AgreementAction.AMEND, actor=actor, today=today,
            changes=changes, cause=recorded, history_fields={"consent": recorded},
        )  # fmt: skip
        bank_event_record(
            agreement, kind=BankEventKind.AGREEMENT_AMENDED, subject_code=texts.AMENDED.code,
            params=_agreement_params(agreement),
        )  # fmt: skip
    return agreement


def _end(agreement, *, action_name, actor=None, job="", on: date, today: date, consent=None,
         reason: str = "") -> None:  # fmt: skip
    transitions.transition(
        AGREEMENT_MACHINE, agreement, action_name, actor=actor, job=job, today=today,
        reason=reason, changes={"terminated_on": on}, cause=consent,
        history_fields={"consent": consent} if consent else None,
    )  # fmt: skip
    AgreementBuyer.objects.filter(agreement=agreement, active=True).update(active=False)
    bank_event_record(
        agreement, kind=BankEventKind.AGREEMENT_ENDED, subject_code=texts.ENDED.code,
        params=_agreement_params(agreement),
    )  # fmt: skip


def agreement_terminate(
    *, actor, agreement_id: int, consent: dict, reason: str = "",
    terminated_on: date | None = None, today: date | None = None,
) -> AssignmentAgreement:  # fmt: skip
    """End an agreement in force with the bank's written consent (SPEC 8): from then the
    indemnities are the insured's again."""
    today = _today(today)
    terminated_on = terminated_on or today
    with action(actor):
        _require_staff(actor)
        agreement = _lock(agreement_id)
        if agreement.status != AgreementStatus.ACTIVE:
            raise AGREEMENT_MACHINE.refusal(agreement.status, AgreementAction.TERMINATE)
        if terminated_on > today:
            raise ValidationError({"terminated_on": ERROR_FUTURE})
        if agreement.activated_on and terminated_on < agreement.activated_on:
            raise ValidationError({"terminated_on": ERROR_BEFORE_START})
        recorded = _consent(
            agreement,
            action_name=AgreementAction.TERMINATE,
            actor=actor,
            consent=consent,
            today=today,
        )
        _end(agreement, action_name=AgreementAction.TERMINATE, actor=actor, on=terminated_on,
             today=today, consent=recorded, reason=reason)  # fmt: skip
    return agreement


def agreement_withdraw(*, actor, agreement_id: int, reason: str, today: date | None = None):
    """Drop an agreement that never came into force."""
    with action(actor):
        _require_staff(actor)
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason.")})
        agreement = _lock(agreement_id)
        transitions.transition(
            AGREEMENT_MACHINE, agreement, AgreementAction.WITHDRAW, actor=actor,
            reason=reason, today=_today(today),
        )  # fmt: skip
    return agreement


def _expire_one(agreement_id: int, *, today: date) -> bool:
    with action(None):
        agreement = _lock(agreement_id)
        if agreement.status != AgreementStatus.ACTIVE or agreement.ends_on >= today:
            return False
        _end(agreement, action_name=AgreementAction.EXPIRE, job=JOB_SWEEP,
             on=agreement.ends_on, today=today)  # fmt: skip
    return True


def _warn_one(agreement_id: int, *, today: date) -> bool:
    with action(None):
        agreement = _lock(agreement_id)
        if agreement.status != AgreementStatus.ACTIVE:
            return False
        return bank_event_record(
            agreement, kind=BankEventKind.AGREEMENT_ENDING, subject_code=texts.ENDING.code,
            params=_agreement_params(agreement), key=agreement.ends_on.isoformat(),
        ) is not None  # fmt: skip


def agreements_sweep(*, today: date | None = None) -> dict:
    """Daily (SPEC 10): agreements past their end date end; the bank is warned once of
    each agreement ending within 30 days. Idempotent: run twice, it does the same once."""
    today = _today(today)
    active = AssignmentAgreement.objects.filter(status=AgreementStatus.ACTIVE)
    ended = drain(active.filter(ends_on__lt=today), lambda pk: _expire_one(pk, today=today))
    soon = active.filter(ends_on__gte=today,
                         ends_on__lte=today + timedelta(days=ENDING_WARNING_DAYS))  # fmt: skip
    warned = drain(soon, lambda pk: _warn_one(pk, today=today))
    return {"ended": ended, "warned": warned}


def receivables_report(
    *, actor, policy_id: int, buyer_id: int, amount, as_of: date, today: date | None = None
) -> ReceivableReport:
    """The insured reports what a buyer owes it, for the financing capacity (SPEC 8)."""
    today = _today(today)
    with action(actor):
        policy = Policy.objects.get(pk=policy_id)
        if actor.organisation_id != policy.insured_id or actor.role not in INSURED_ROLES:
            raise PermissionError(str(ERROR_NOT_YOURS))
        if actor.role not in REPORTERS:
            raise PermissionError(str(ERROR_ROLE))
        if buyer_id not in policy_buyer_ids(policy_id):
            raise ValidationError({"buyer": _("This buyer has no limit under the policy.")})
        if as_of > today:
            raise ValidationError({"as_of": ERROR_FUTURE})
        report = ReceivableReport(
            policy=policy, buyer_id=buyer_id, amount=amount, as_of=as_of, reported_by=actor
        )
        report.full_clean()
        report.save()
    return report


# --- what a bank is told ---------------------------------------------------------------


def _agreement_params(agreement: AssignmentAgreement) -> dict:
    return {
        "reference": agreement.reference, "policy": str(agreement.policy),
        "insured": agreement.policy.insured.name, "ends_on": agreement.ends_on.isoformat(),
    }  # fmt: skip


def bank_users(bank_id: int):
    return User.objects.filter(organisation_id=bank_id, role=Role.BANK_USER, is_active=True)


def bank_event_record(agreement, *, kind: str, subject_code: str, params: dict, url: str = "",
                      buyer_id: int | None = None, key: str = "",
                      body_code: str = "") -> BankEvent | None:  # fmt: skip
    """One row of the bank's feed and a notification (e-mail through the outbox) to each
    of its users. With a `key`, at most once (None when recorded already)."""
    if key:
        event, created = BankEvent.objects.get_or_create(
            agreement=agreement, kind=kind, key=key,
            defaults=dict(bank_id=agreement.bank_id, policy_id=agreement.policy_id,
                          buyer_id=buyer_id, subject_code=subject_code, params=params,
                          url=url),
        )  # fmt: skip
        if not created:
            return None
    else:
        event = BankEvent.objects.create(
            bank_id=agreement.bank_id, agreement=agreement, policy_id=agreement.policy_id,
            buyer_id=buyer_id, kind=kind, subject_code=subject_code, params=params, url=url,
        )  # fmt: skip
    notify_users(
        users=bank_users(agreement.bank_id), subject_code=subject_code, body_code=body_code,
        params=params, url=url or agreement.get_absolute_url(),
    )  # fmt: skip
    return event


def banks_tell(*, kind, policy_id, buyer_id, subject_code, body_code="", params=None, url="",
               key=""):  # fmt: skip
    """The reaction to `notifications.services.tell_banks`: every bank whose agreement in
    force covers the buyer (or, for a policy-wide event, the policy) is told (once per
    agreement for a keyed event)."""
    covering = AgreementBuyer.objects.filter(policy_id=policy_id, active=True)
    if buyer_id is not None:
        covering = covering.filter(buyer_id=buyer_id)
    agreement_ids = set(covering.values_list("agreement_id", flat=True))
    if buyer_id is None:
        agreement_ids |= set(
            AssignmentAgreement.objects.filter(
                policy_id=policy_id, status=AgreementStatus.ACTIVE
            ).values_list("pk", flat=True)
        )
    for agreement in AssignmentAgreement.objects.filter(pk__in=agreement_ids).select_related(
        "policy__insured"
    ):
        bank_event_record(
            agreement, kind=kind, subject_code=subject_code, body_code=body_code,
            params=params or {}, url=url, buyer_id=buyer_id, key=key,
        )  # fmt: skip


def banks_tell_many(*, events: list[dict]) -> None:
    """The reaction to `notifications.services.tell_banks_many`: `banks_tell` for each
    event, the agreements in force covering any of their buyers read in one query."""
    covering: dict[tuple[int, int], list[int]] = {}
    for policy_id, buyer_id, agreement_id in AgreementBuyer.objects.filter(
        policy_id__in={e["policy_id"] for e in events},
        buyer_id__in={e["buyer_id"] for e in events}, active=True,
    ).values_list("policy_id", "buyer_id", "agreement_id"):  # fmt: skip
        covering.setdefault((policy_id, buyer_id), []).append(agreement_id)
    if not covering:
        return
    agreements = AssignmentAgreement.objects.select_related("policy__insured").in_bulk(
        {pk for pks in covering.values() for pk in pks}
    )
    for event in events:
        for agreement_id in covering.get((event["policy_id"], event["buyer_id"]), ()):
            bank_event_record(
                agreements[agreement_id], kind=event["kind"],
                subject_code=event["subject_code"], body_code=event.get("body_code", ""),
                params=event.get("params") or {}, url=event.get("url", ""),
                buyer_id=event["buyer_id"], key=event.get("key", ""),
            )  # fmt: skip


def feed_mark_seen(*, user, until=None) -> None:
    """The bank user has read the feed up to now."""
    BankReader.objects.update_or_create(user=user, defaults={"seen_until": until or timezone.now()})


def policy_cancel_refused(*, change) -> None:
    """SPEC 8: while an agreement is in force the insured cannot cancel the policy; the
    refusal rolls back the cancellation (a consequence runs in its transaction)."""
    agreement = (
        AssignmentAgreement.objects.filter(
            policy_id=change.instance.pk, status=AgreementStatus.ACTIVE
        )
        .select_related("bank")
        .first()
    )
    if agreement is not None:
        raise ValidationError(
            {"action": ERROR_CANCEL_ASSIGNED % {"reference": agreement.reference,
                                                 "bank": agreement.bank.name}}
        )  # fmt: skip


def buyer_joins_policy(*, change) -> None:
    """A buyer gets its first limit under a policy: a policy-wide or regional agreement in
    force covers it from now (a listed agreement only its listed buyers), and the bank is
    told of the decision that brought it in: the limits app told the banks covering the
    buyer before this move made it covered."""
    limit = change.instance
    widening = AssignmentAgreement.objects.filter(
        policy_id=limit.policy_id,
        scope__in=[AgreementScope.ALL, AgreementScope.REGION],
        status__in=[AgreementStatus.DRAFT, AgreementStatus.SIGNED, AgreementStatus.ACTIVE],
    )
    if not widening.exists():
        return  # nothing can cover it: no lock (a renewal's carried-over limits take none)
    _order_coverage(limit.policy_id)
    decision = getattr(change.record, "decision", None)
    for agreement in AssignmentAgreement.objects.filter(
        policy_id=limit.policy_id, status=AgreementStatus.ACTIVE,
        scope__in=[AgreementScope.ALL, AgreementScope.REGION],
    ).select_related("policy"):  # fmt: skip
        if agreement.scope == AgreementScope.REGION and limit.buyer.region != agreement.region:
            continue
        if AgreementBuyer.objects.filter(agreement=agreement, buyer_id=limit.buyer_id).exists():
            continue
        _cover(agreement, [limit.buyer_id])
        if decision is not None:
            notice = decision_notice(decision)
            bank_event_record(
                agreement, buyer_id=limit.buyer_id,
                kind=BANK_EVENT_OF_RESPONSE.get(decision.response_code,
                                                BankEventKind.LIMIT_DECISION),
                subject_code=notice["subject_code"], body_code=notice.get("body_code", ""),
                params=notice["params"], url=notice.get("url", ""),
            )  # fmt: skip
