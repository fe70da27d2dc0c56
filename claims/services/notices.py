"""The overdue account and its notice (SPEC 3.2, 7): prepare, extend, plan, file."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from buyers.choices import NegativeEventKind
from buyers.models import Buyer
from buyers.services import negative_event_record
from claims import rules, texts
from claims.choices import NOTICE_MACHINE, NoticeAction, NoticeStatus
from claims.models import (
    InvoiceExtension,
    NoticeInvoice,
    OverdueNotice,
    PlanInstalment,
    RepaymentPlan,
)
from claims.services.common import (
    ERROR_NOT_YOURS,
    INSURED_FILERS,
    INSURED_PREPARERS,
    claims_team,
    is_claims_staff,
    may_file,
    next_reference,
    require_insured_or_claims_staff,
    today_or,
)
from core import transitions
from core.services import action
from deadlines.choices import DeadlineKind, DeadlineParty
from deadlines.services import deadline_meet, deadline_set, deadline_waive
from limits.services import limits_suspend_for_notice
from notifications.services import notify_users, tell_banks
from policies.choices import PolicyStatus
from policies.models import Policy

# A notice concerns shipments made under an issued policy, also after it ended.
NOTICE_POLICY_STATUSES = frozenset(
    {PolicyStatus.IN_FORCE, PolicyStatus.SUSPENDED, PolicyStatus.EXPIRED, PolicyStatus.CANCELLED}
)
INVOICE_FIELDS = (
    "number", "invoice_date", "shipment_date", "amount", "original_due_date", "extended_due_date",
)  # fmt: skip

ERROR_POLICY = _("Overdue notices are filed on an issued policy.")
ERROR_NO_INVOICES = _("List at least one unpaid invoice.")
ERROR_DUPLICATE = _("Invoice %(number)s is listed twice.")
ERROR_NOT_DRAFT = _("Only a notice being prepared can be changed.")
ERROR_BEYOND_MAXIMUM = _(
    "The maximum extension period is %(days)s days after the original due date: the latest "
    "due date the insured may agree alone is %(latest)s. A longer extension needs the "
    "insurer's consent."
)
ERROR_INVOICE_ROW = _("Invoice %(row)s, %(field)s: %(message)s")
ERROR_OUTSIDE = _(
    "shipped outside the policy period %(start)s to %(end)s: file it under the policy year "
    "of the shipment."
)
ERROR_BUYER = _("Choose a buyer of the register.")
ERROR_DRAFT_EXISTS = _("A notice on this buyer is already being prepared: add the invoices to it.")
ERROR_PLAN_EXISTS = _("This notice has a repayment plan already.")
ERROR_PLAN_EMPTY = _("A repayment plan needs at least one instalment.")
ERROR_PLAN_TOO_MUCH = _("The instalments add up to more than the unpaid invoices.")
ERROR_PLAN_BEFORE = _("An instalment falls before the day the plan was agreed.")
ERROR_PAID_BEFORE = _("The payment date is before the plan was agreed.")


def _lock_policy(policy_id: int) -> Policy:
    return Policy.objects.select_for_update().get(pk=policy_id)


def _lock_notice(notice_id: int) -> OverdueNotice:
    return (
        OverdueNotice.objects.select_for_update(of=("self",))
        .select_related("policy")
        .get(pk=notice_id)
    )


def _invoices(notice: OverdueNotice, rows: list[dict]) -> None:
    """Replace the notice's invoices by `rows`, keeping those with the same number (and
    their extensions); every error names the row and the field."""
    if not rows:
        raise ValidationError({"invoices": ERROR_NO_INVOICES})
    existing = {invoice.number: invoice for invoice in notice.invoices.all()}
    seen, errors, keep = set(), [], []
    for row_number, row in enumerate(rows, start=1):
        values = {name: row.get(name) for name in INVOICE_FIELDS}
        number = str(values["number"] or "").strip()
        if number in seen:
            errors.append(ERROR_DUPLICATE % {"number": number})
            continue
        seen.add(number)
        invoice = existing.get(number) or NoticeInvoice(notice=notice)
        if invoice.pk and invoice.extensions.exists():
            # Recorded extensions own the extended date (`extension_record`).
            values["extended_due_date"] = invoice.extended_due_date
        for name, value in values.items():
            setattr(invoice, name, value)
        invoice.number = number
        row_errors = _row_errors(invoice, notice.policy)
        if row_errors:
            errors += [ERROR_INVOICE_ROW % {"row": row_number, **e} for e in row_errors]
            continue
        try:
            invoice.full_clean(exclude=["notice"], validate_unique=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                label = (
                    NoticeInvoice._meta.get_field(field).verbose_name if field != "__all__" else ""
                )
                errors += [
                    ERROR_INVOICE_ROW % {"row": row_number, "field": label, "message": message}
                    for message in messages
                ]
            continue
        keep.append(invoice)
    if errors:
        raise ValidationError({"invoices": errors})
    notice.invoices.exclude(number__in=seen).delete()
    for invoice in keep:
        invoice.save()


def _row_errors(invoice: NoticeInvoice, policy: Policy) -> list[dict]:
    """Checks of one invoice against the policy: shipped in its period, and an extended
    due date within the maximum extension period (SPEC 3.2)."""
    errors = []
    field = NoticeInvoice._meta.get_field
    shipped = invoice.shipment_date
    if isinstance(shipped, date) and not policy.period_start <= shipped <= policy.period_end:
        errors.append(
            {
                "field": field("shipment_date").verbose_name,
                "message": ERROR_OUTSIDE
                % {"start": policy.period_start.isoformat(), "end": policy.period_end.isoformat()},
            }
        )
    original, extended = invoice.original_due_date, invoice.extended_due_date
    if isinstance(original, date) and isinstance(extended, date):
        latest = rules.max_extended_due_date(original, policy.max_extension_days)
        if extended > latest:
            errors.append(
                {
                    "field": field("extended_due_date").verbose_name,
                    "message": ERROR_BEYOND_MAXIMUM
                    % {"days": policy.max_extension_days, "latest": latest.isoformat()},
                }
            )
    return errors


def _missed_instalments(notice: OverdueNotice, today: date) -> list[date]:
    plan = getattr(notice, "repayment_plan", None)
    if plan is None:
        return []
    return [i.due_on for i in plan.instalments.all() if i.paid_on is None and i.due_on < today]


def _deadline(notice: OverdueNotice, today: date) -> date | None:
    policy = notice.policy
    invoices = list(notice.invoices.all())
    return rules.notice_deadline(
        original_due_dates=[i.original_due_date for i in invoices],
        extended_due_dates=[i.extended_due_date for i in invoices],
        notice_days=policy.overdue_notice_days,
        after_extension_days=policy.overdue_notice_after_extension_days,
        missed_instalments=_missed_instalments(notice, today),
    )


def _follow_deadlines(notice: OverdueNotice, *, today: date, actor=None, job: str = "") -> None:
    """Keep the draft's deadlines current in the engine: the notice deadline and each
    extension's end (the insured is reminded of both, SPEC 7)."""
    notice.deadline_on = _deadline(notice, today)
    OverdueNotice.objects.filter(pk=notice.pk).update(deadline_on=notice.deadline_on)
    # While the notice is a draft, its deadlines are the insured's alone (like the draft).
    common = {"party": DeadlineParty.INSURED, "policy": notice.policy, "buyer": notice.buyer,
              "private": not notice.prepared_by.is_insurer_staff}  # fmt: skip
    url = notice.get_absolute_url()
    deadline_set(
        kind=DeadlineKind.OVERDUE_NOTICE, subject=notice, due_on=notice.deadline_on,
        detail=str(notice.buyer), url=url, actor=actor, job=job, **common,
    )  # fmt: skip
    for invoice in notice.invoices.filter(extended_due_date__isnull=False):
        deadline_set(
            kind=DeadlineKind.EXTENSION_END, subject=notice, key=f"inv{invoice.pk}",
            due_on=invoice.extended_due_date, detail=invoice.number, url=url, actor=actor,
            job=job, **common,
        )  # fmt: skip


def notice_prepare(
    *, actor, policy_id: int, buyer_id: int, invoices: list[dict], comment: str = "",
    file: bool = False, today: date | None = None,
) -> OverdueNotice:  # fmt: skip
    """A new overdue notice on one buyer with its unpaid invoices; a draft for a clerk,
    filed at once when `file` and the actor may file (SPEC 2, 7)."""
    today = today_or(today)
    with action(actor):
        policy = _lock_policy(policy_id)
        require_insured_or_claims_staff(actor, policy, INSURED_PREPARERS)
        if policy.status not in NOTICE_POLICY_STATUSES:
            raise ValidationError({"policy": ERROR_POLICY})
        buyer = Buyer.objects.filter(pk=buyer_id).first()
        if buyer is None:
            raise ValidationError({"buyer": ERROR_BUYER})
        notice = OverdueNotice(
            reference=next_reference("ON", today), policy=policy, buyer=buyer,
            comment=comment, prepared_by=actor,
        )  # fmt: skip
        notice.full_clean(exclude=["status", "reference"])
        try:
            with transaction.atomic():
                transitions.create(
                    NOTICE_MACHINE, notice, NoticeAction.PREPARE, actor=actor, today=today
                )
        except IntegrityError:  # notice_one_draft_per_buyer
            raise ValidationError({"buyer": ERROR_DRAFT_EXISTS}) from None
        _invoices(notice, invoices)
        _follow_deadlines(notice, today=today, actor=actor)
        if file and may_file(actor):
            notice_file(actor=actor, notice_id=notice.pk, today=today)
            notice.refresh_from_db()
        elif not may_file(actor):
            _tell_filers(notice, texts.NOTICE_TO_FILE)
    return notice


def notice_update(
    *, actor, notice_id: int, invoices: list[dict] | None = None, comment: str | None = None,
    today: date | None = None,
) -> OverdueNotice:  # fmt: skip
    today = today_or(today)
    with action(actor):
        notice = _draft(actor, notice_id, INSURED_PREPARERS)
        if comment is not None:
            notice.comment = comment
        if invoices is not None:
            _invoices(notice, invoices)
        transitions.transition(
            NOTICE_MACHINE, notice, NoticeAction.EDIT, actor=actor, today=today,
            changes={"comment": notice.comment},
        )  # fmt: skip
        _follow_deadlines(notice, today=today, actor=actor)
    return notice


def _draft(actor, notice_id: int, roles) -> OverdueNotice:
    """The draft, for the insured's own users in `roles`, or for claims staff only on a
    paper notice they entered themselves: an insured's draft waits for its own approver
    (SPEC 2) and is not the insurer's to see or file."""
    notice = _lock_notice(notice_id)
    require_insured_or_claims_staff(actor, notice.policy, roles)
    if notice.status != NoticeStatus.DRAFT:
        raise ValidationError({"action": ERROR_NOT_DRAFT})
    if actor.is_insurer_staff and not notice.prepared_by.is_insurer_staff:
        raise PermissionError(str(ERROR_NOT_YOURS))
    return notice


def notice_file(*, actor, notice_id: int, today: date | None = None) -> OverdueNotice:
    """File the notice (SPEC 7), in one transaction: a late one is accepted and marked late
    with its days; later shipments to the buyer are not covered and its limits under the
    policy are suspended; the buyer's overdue report reviews every limit on it (SPEC 4);
    the claims team and any assigned bank are told; the notice PDF follows (documents
    react to the filing); the insured's claim-filing deadline starts."""
    today = today_or(today)
    with action(actor):
        notice = _draft(actor, notice_id, INSURED_FILERS)
        if not notice.invoices.exists():
            raise ValidationError({"invoices": ERROR_NO_INVOICES})
        deadline_on = _deadline(notice, today)
        late = rules.days_late(today, deadline_on)
        transitions.transition(
            NOTICE_MACHINE, notice, NoticeAction.FILE, actor=actor, today=today,
            changes={"filed_on": today, "filed_by": actor, "deadline_on": deadline_on,
                     "days_late": late},
        )  # fmt: skip
        limits_suspend_for_notice(
            actor=actor, policy_id=notice.policy_id, buyer_id=notice.buyer_id,
            notice_reference=notice.reference, today=today,
        )  # fmt: skip
        negative_event_record(
            actor=actor, buyer_id=notice.buyer_id, kind=NegativeEventKind.OVERDUE_REPORT,
            occurred_on=today, description=notice.reference,
        )  # fmt: skip
        deadline_meet(kind=DeadlineKind.OVERDUE_NOTICE, subject=notice, on=today, actor=actor)
        for invoice in notice.invoices.filter(extended_due_date__isnull=False):
            deadline_waive(
                kind=DeadlineKind.EXTENSION_END, subject=notice, key=f"inv{invoice.pk}",
                actor=actor,
            )  # fmt: skip
        earliest = notice.invoices.order_by("original_due_date").first()
        deadline_set(
            kind=DeadlineKind.CLAIM_FILING, party=DeadlineParty.INSURED, policy=notice.policy,
            buyer=notice.buyer, subject=notice, detail=str(notice.buyer),
            url=notice.get_absolute_url(), actor=actor,
            due_on=rules.claim_filing_deadline(
                earliest.original_due_date, max_extension_days=notice.policy.max_extension_days,
                filing_months=notice.policy.claim_filing_months,
            ),
        )  # fmt: skip
        _tell_filed(notice)
    return notice


def _params(notice: OverdueNotice) -> dict:
    total = sum((i.amount for i in notice.invoices.all()), Decimal(0))
    return {
        "reference": notice.reference, "buyer": str(notice.buyer), "policy": str(notice.policy),
        "amount": str(total), "days_late": notice.days_late,
    }  # fmt: skip


def _tell_filed(notice: OverdueNotice) -> None:
    params = _params(notice)
    staff = claims_team()
    text = texts.NOTICE_FILED_LATE if notice.days_late else texts.NOTICE_FILED
    message = dict(
        subject_code=text.code, body_code=texts.NOTICE_FILED_BODY.code, params=params,
        url=notice.get_absolute_url(),
    )  # fmt: skip
    notify_users(users=staff, **message)
    tell_banks(
        kind="overdue_notice", policy_id=notice.policy_id, buyer_id=notice.buyer_id, **message
    )


def _tell_filers(notice: OverdueNotice, text) -> None:
    filers = User.objects.filter(
        organisation_id=notice.policy.insured_id, role__in=INSURED_FILERS, is_active=True
    )
    notify_users(
        users=filers, subject_code=text.code, params=_params(notice),
        url=notice.get_absolute_url(),
    )  # fmt: skip


def notice_return(*, actor, notice_id: int, comment: str) -> OverdueNotice:
    """An approver sends a clerk's draft back with a comment."""
    with action(actor):
        notice = _draft(actor, notice_id, INSURED_FILERS)
        if not comment.strip():
            raise ValidationError({"comment": _("Say what needs to change.")})
        transitions.transition(
            NOTICE_MACHINE, notice, NoticeAction.RETURN, actor=actor, reason=comment,
            changes={"comment": comment},
        )  # fmt: skip
        notify_users(
            users=[notice.prepared_by], subject_code=texts.NOTICE_RETURNED.code,
            params={**_params(notice), "comment": comment}, url=notice.get_absolute_url(),
        )  # fmt: skip
    return notice


def notice_discard(*, actor, notice_id: int) -> OverdueNotice:
    """The buyer paid, or the draft was a mistake: its deadlines fall away."""
    with action(actor):
        notice = _draft(actor, notice_id, INSURED_FILERS)
        transitions.transition(NOTICE_MACHINE, notice, NoticeAction.DISCARD, actor=actor)
        deadline_waive(kind=DeadlineKind.OVERDUE_NOTICE, subject=notice, actor=actor)
        for invoice in notice.invoices.filter(extended_due_date__isnull=False):
            deadline_waive(
                kind=DeadlineKind.EXTENSION_END, subject=notice, key=f"inv{invoice.pk}",
                actor=actor,
            )  # fmt: skip
    return notice


def extension_record(
    *, actor, invoice_id: int, to_due_date: date, agreed_on: date, reason: str = "",
    today: date | None = None,
) -> InvoiceExtension:  # fmt: skip
    """An extension agreed with the buyer, within the maximum extension period (SPEC 3.2,
    7): recorded on the invoice; it moves the notice deadline. Beyond it, refused."""
    today = today_or(today)
    with action(actor):
        invoice = NoticeInvoice.objects.select_related("notice").get(pk=invoice_id)
        notice = _draft(actor, invoice.notice_id, INSURED_PREPARERS)
        invoice = NoticeInvoice.objects.select_for_update().get(pk=invoice_id)
        policy = notice.policy
        latest = rules.max_extended_due_date(invoice.original_due_date, policy.max_extension_days)
        if to_due_date > latest:
            raise ValidationError(
                {"to_due_date": ERROR_BEYOND_MAXIMUM
                 % {"days": policy.max_extension_days, "latest": latest.isoformat()}}
            )  # fmt: skip
        extension = InvoiceExtension(
            invoice=invoice, from_due_date=invoice.due_date, to_due_date=to_due_date,
            agreed_on=agreed_on, reason=reason, recorded_by=actor,
        )  # fmt: skip
        extension.full_clean()
        extension.save()
        invoice.extended_due_date = to_due_date
        invoice.save(update_fields=["extended_due_date"])
        _follow_deadlines(notice, today=today, actor=actor)
    return extension


def repayment_plan_record(
    *, actor, notice_id: int, agreed_on: date, instalments: list[dict], note: str = "",
    today: date | None = None,
) -> RepaymentPlan:  # fmt: skip
    """A repayment plan agreed with the buyer, with its instalments (SPEC 7); a missed
    instalment brings the notice deadline forward (`notices_sweep`)."""
    today = today_or(today)
    with action(actor):
        notice = _draft(actor, notice_id, INSURED_PREPARERS)
        if RepaymentPlan.objects.filter(notice=notice).exists():
            raise ValidationError({"instalments": ERROR_PLAN_EXISTS})
        if not instalments:
            raise ValidationError({"instalments": ERROR_PLAN_EMPTY})
        plan = RepaymentPlan(notice=notice, agreed_on=agreed_on, note=note, recorded_by=actor)
        plan.full_clean(exclude=["notice"], validate_unique=False)
        plan.save()
        rows = [PlanInstalment(plan=plan, due_on=i.get("due_on"), amount=i.get("amount"))
                for i in instalments]  # fmt: skip
        for row in rows:
            row.full_clean(exclude=["plan"])
            if row.due_on < agreed_on:
                raise ValidationError({"instalments": ERROR_PLAN_BEFORE})
        if len({row.due_on for row in rows}) < len(rows):
            raise ValidationError(
                {"instalments": PlanInstalment._meta.constraints[1].violation_error_message}
            )
        owed = sum((i.amount for i in notice.invoices.all()), Decimal(0))
        if sum((row.amount for row in rows), Decimal(0)) > owed:
            raise ValidationError({"instalments": ERROR_PLAN_TOO_MUCH})
        PlanInstalment.objects.bulk_create(rows)
        _follow_deadlines(notice, today=today, actor=actor)
    return plan


def plan_instalment_paid(
    *, actor, instalment_id: int, paid_on: date, today: date | None = None
) -> PlanInstalment:
    today = today_or(today)
    with action(actor):
        instalment = PlanInstalment.objects.select_related("plan").get(pk=instalment_id)
        notice = _draft(actor, instalment.plan.notice_id, INSURED_PREPARERS)
        if paid_on < instalment.plan.agreed_on:
            raise ValidationError({"paid_on": ERROR_PAID_BEFORE})
        instalment.paid_on = paid_on
        instalment.save(update_fields=["paid_on"])
        _follow_deadlines(notice, today=today, actor=actor)
    return instalment


JOB_SWEEP = "claims.notices-sweep"


def notices_sweep(*, today: date) -> int:
    """Bring the notice deadline forward on drafts whose plan instalment was missed
    yesterday or before (SPEC 7); idempotent: a deadline already moved stays put."""
    drafts = OverdueNotice.objects.filter(
        status=NoticeStatus.DRAFT,
        repayment_plan__instalments__paid_on__isnull=True,
        repayment_plan__instalments__due_on__lt=today,
    ).distinct()
    moved = 0
    for notice_id in drafts.values_list("pk", flat=True):
        with transaction.atomic():
            notice = OverdueNotice.objects.select_for_update().get(pk=notice_id)
            if notice.status != NoticeStatus.DRAFT:
                continue
            before = notice.deadline_on
            _follow_deadlines(notice, today=today, job=JOB_SWEEP)
            moved += notice.deadline_on != before
    return moved


def notice_actions(notice: OverdueNotice, user) -> list[str]:
    """What `user` may do to the notice now (for buttons)."""
    if notice.status != NoticeStatus.DRAFT:
        return []
    staff = is_claims_staff(user)
    if not staff and user.organisation_id != notice.policy.insured_id:
        return []
    actions = []
    if staff or user.role in INSURED_PREPARERS:
        actions.append(NoticeAction.EDIT)
    if staff or user.role in INSURED_FILERS:
        actions += [NoticeAction.FILE, NoticeAction.DISCARD]
        if notice.prepared_by_id != user.pk:
            actions.append(NoticeAction.RETURN)
    return actions
