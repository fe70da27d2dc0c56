"""Notices and claims through the services, with SPEC 7's figures (real PostgreSQL)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from buyers.models import NegativeEvent
from claims import services
from claims.choices import ClaimCause, Exclusion
from claims.models import ClaimDocument, IndemnityPayment, OverdueNotice, PolicyLiability
from core import scope
from deadlines.models import Deadline
from limits.models import CreditLimitChange
from limits.selectors import limit_amount_on
from notifications.models import Notification
from premiums.models import DebitNote
from tests.claims.conftest import (
    PDF,
    claim_in_assessment,
    file_notice,
    grant_limit,
    invoice,
    open_complete_claim,
)

pytestmark = pytest.mark.django_db
D = Decimal


def test_filing_suspends_the_limits_records_the_overdue_report_and_tells_the_claims_team(
    personas, policy, buyer, approver
):
    limit = grant_limit(personas, policy, buyer, "1000000")
    notice = file_notice(
        approver, policy, buyer, [invoice("INV-1", "2500000")], on=date(2026, 6, 10)
    )
    assert notice.status == "filed" and notice.filed_on == date(2026, 6, 10)
    assert notice.deadline_on == date(2026, 7, 29)  # 60 days after 30 May
    assert notice.days_late == 0
    limit.refresh_from_db()
    assert limit.status == "suspended"
    suspension = CreditLimitChange.objects.filter(credit_limit=limit, action="suspend").get()
    assert suspension.effective_on == date(2026, 6, 11)
    # Shipments on the filing day are covered still; from the next day, none.
    assert limit_amount_on(policy_id=policy.pk, buyer_id=buyer.pk, on=date(2026, 6, 10)) == D(
        "1000000"
    )
    assert limit_amount_on(policy_id=policy.pk, buyer_id=buyer.pk, on=date(2026, 6, 11)) is None
    assert NegativeEvent.objects.filter(buyer=buyer, kind="overdue_report").count() == 1
    assert Notification.objects.filter(
        recipient=personas["claims_handler"], subject_code="claims.notice.filed"
    ).exists()
    deadlines = {d.kind: d for d in Deadline.objects.filter(policy=policy, buyer=buyer)}
    assert deadlines["overdue_notice"].status == "met"
    assert deadlines["claim_filing"].due_on == date(2027, 1, 29)  # (30 May + 60 days) + 6 months


def test_a_late_notice_is_accepted_and_marked_late_with_its_days(personas, policy, buyer, approver):
    notice = file_notice(
        approver,
        policy,
        buyer,
        [invoice("INV-1", "50000", due=date(2026, 3, 31))],
        on=date(2026, 6, 2),
    )
    assert (notice.deadline_on, notice.days_late, notice.is_late) == (date(2026, 5, 30), 3, True)
    assert Notification.objects.filter(subject_code="claims.notice.filed_late").exists()


def test_a_clerk_prepares_and_an_approver_files(personas, policy, buyer):
    clerk, approver = personas["insured_a_clerk"], personas["insured_a"]
    notice = services.notice_prepare(
        actor=clerk, policy_id=policy.pk, buyer_id=buyer.pk, invoices=[invoice("A", "1000")],
        file=True, today=date(2026, 6, 1),
    )  # fmt: skip
    assert notice.status == "draft"  # a clerk cannot file, even when asking to
    with pytest.raises(PermissionError):
        services.notice_file(actor=clerk, notice_id=notice.pk, today=date(2026, 6, 1))
    services.notice_file(actor=approver, notice_id=notice.pk, today=date(2026, 6, 1))
    notice.refresh_from_db()
    assert (notice.status, notice.filed_by) == ("filed", approver)


def test_bad_invoices_name_the_row_and_field_and_leave_nothing(personas, policy, buyer, approver):
    bad = invoice("B", "100", due=date(2026, 2, 1))  # due before the invoice date
    with pytest.raises(ValidationError) as error:
        services.notice_prepare(
            actor=approver, policy_id=policy.pk, buyer_id=buyer.pk,
            invoices=[invoice("A", "100"), bad, invoice("A", "5")], today=date(2026, 6, 1),
        )  # fmt: skip
    messages = error.value.message_dict["invoices"]
    assert any("2" in message for message in messages)
    assert any("A" in message for message in messages)
    assert not OverdueNotice.objects.exists()
    assert not Deadline.objects.filter(policy=policy).exists()


def test_an_extension_within_the_maximum_moves_the_deadline_and_beyond_is_refused(
    personas, policy, buyer, approver
):
    notice = services.notice_prepare(
        actor=approver, policy_id=policy.pk, buyer_id=buyer.pk,
        invoices=[invoice("A", "1000", due=date(2026, 3, 31))], today=date(2026, 4, 1),
    )  # fmt: skip
    assert notice.deadline_on == date(2026, 5, 30)
    inv = notice.invoices.get()
    services.extension_record(
        actor=approver, invoice_id=inv.pk, to_due_date=date(2026, 4, 15),
        agreed_on=date(2026, 4, 1), today=date(2026, 4, 1),
    )  # fmt: skip
    notice.refresh_from_db()
    assert notice.deadline_on == date(2026, 4, 25)
    assert Deadline.objects.get(kind="extension_end", policy=policy).due_on == date(2026, 4, 15)
    with pytest.raises(ValidationError) as error:
        services.extension_record(
            actor=approver, invoice_id=inv.pk, to_due_date=date(2026, 5, 31),
            agreed_on=date(2026, 4, 2), today=date(2026, 4, 2),
        )  # fmt: skip
    assert "2026-05-30" in error.value.message_dict["to_due_date"][0]
    inv.refresh_from_db()
    assert inv.extended_due_date == date(2026, 4, 15)
    assert inv.extensions.count() == 1


def test_a_missed_plan_instalment_brings_the_notice_forward(personas, policy, buyer, approver):
    notice = services.notice_prepare(
        actor=approver, policy_id=policy.pk, buyer_id=buyer.pk,
        invoices=[invoice("A", "100000", due=date(2026, 3, 31))], today=date(2026, 4, 1),
    )  # fmt: skip
    services.repayment_plan_record(
        actor=approver, notice_id=notice.pk, agreed_on=date(2026, 4, 1), today=date(2026, 4, 1),
        instalments=[{"due_on": date(2026, 4, 10), "amount": D("50000")},
                     {"due_on": date(2026, 4, 20), "amount": D("50000")}],
    )  # fmt: skip
    assert services.notices_sweep(today=date(2026, 4, 10)) == 0  # due today: not missed yet
    assert services.notices_sweep(today=date(2026, 4, 11)) == 1
    assert services.notices_sweep(today=date(2026, 4, 11)) == 0  # twice: moved once
    notice.refresh_from_db()
    assert notice.deadline_on == date(2026, 4, 20)
    assert Deadline.objects.get(kind="overdue_notice", policy=policy).due_on == date(2026, 4, 20)


def test_uploads_are_checked_by_content_and_size(personas, policy, buyer, approver, handler):
    notice = file_notice(approver, policy, buyer, [invoice("A", "1000")])
    claim = services.claim_open(actor=approver, notice_id=notice.pk, cause="protracted_default")
    with pytest.raises(ValidationError) as error:
        services.claim_document_upload(
            actor=approver, claim_id=claim.pk, kind="contract", filename="x.pdf",
            content=b"MZ\x90\x00 not a pdf",
        )  # fmt: skip
    assert "file" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.claim_document_upload(
            actor=approver, claim_id=claim.pk, kind="contract", filename="big.pdf",
            content=PDF + b"0" * (20 * 1024 * 1024),
        )  # fmt: skip
    document = services.claim_document_upload(
        actor=approver, claim_id=claim.pk, kind="contract", filename="c.pdf", content=PDF
    )
    assert (document.content_type, document.size) == ("application/pdf", len(PDF))
    with pytest.raises(ValidationError) as error:
        services.claim_documents_complete(actor=handler, claim_id=claim.pk)
    assert "documents" in error.value.message_dict
    assert ClaimDocument.objects.count() == 1


def test_missing_documents_are_asked_for_once(personas, policy, buyer, approver, handler):
    notice = file_notice(approver, policy, buyer, [invoice("A", "1000")])
    claim = services.claim_open(actor=approver, notice_id=notice.pk, cause="protracted_default")
    services.claim_documents_request(
        actor=handler, claim_id=claim.pk, kinds=["contract", "invoices"]
    )
    with pytest.raises(ValidationError):
        services.claim_documents_request(actor=handler, claim_id=claim.pk, kinds=["statement"])
    assert Deadline.objects.get(kind="document_request").status == "met"


def test_the_waiting_period_runs_five_months_and_the_sweep_moves_each_claim_once(
    personas, policy, buyer, approver, handler
):
    notice = file_notice(approver, policy, buyer, [invoice("A", "10000")])
    claim = open_complete_claim(approver, handler, notice, on=date(2026, 6, 12))
    assert (claim.status, claim.waiting_ends_on) == ("waiting", date(2026, 11, 12))
    assert claim.decision_due_on == date(2026, 12, 12)
    assert services.claims_waiting_sweep(today=date(2026, 11, 11)) == 0
    assert services.claims_waiting_sweep(today=date(2026, 11, 12)) == 1
    assert services.claims_waiting_sweep(today=date(2026, 11, 12)) == 0
    claim.refresh_from_db()
    assert claim.status == "assessment"
    assert claim.changes.filter(action="end_waiting").count() == 1


def test_spec_7_example_through_the_worksheet_with_a_recovery_before_payment(
    personas, policy, buyer, handler
):
    claim = claim_in_assessment(personas, policy, buyer, [invoice("A", "2500000")])
    services.recovery_record(
        actor=handler, claim_id=claim.pk, amount=D("1000000"), received_on=date(2026, 11, 20),
        today=date(2026, 11, 20),
    )  # fmt: skip
    worksheet = services.worksheet_compute(actor=handler, claim_id=claim.pk)
    assert (worksheet.covered_debt, worksheet.recoveries, worksheet.net_loss) == (
        D("2500000"), D("1000000"), D("1500000"),
    )  # fmt: skip
    assert worksheet.limit_amount == D("1000000")
    assert worksheet.indemnity == D("900000.00")
    line = worksheet.lines.get()
    assert (line.covered, line.limit_on_shipment) == (True, D("1000000"))


def test_an_invoice_shipped_after_the_notice_is_out(personas, policy, buyer, handler):
    claim = claim_in_assessment(
        personas, policy, buyer,
        [invoice("A", "100000"), invoice("LATE", "50000", shipped=date(2026, 6, 11), due=date(2026, 7, 11))],
    )  # fmt: skip
    worksheet = services.worksheet_compute(actor=handler, claim_id=claim.pk)
    late = worksheet.lines.get(number="LATE")
    assert (late.covered, late.exclusion, late.limit_on_shipment) == (
        False,
        Exclusion.AFTER_NOTICE,
        None,
    )
    assert worksheet.indemnity == D("90000.00")


def test_four_eyes_above_the_handlers_authority(personas, policy, buyer, handler, manager):
    claim = claim_in_assessment(personas, policy, buyer, [invoice("A", "1000000")])
    services.worksheet_compute(actor=handler, claim_id=claim.pk)
    claim = services.claim_approve(actor=handler, claim_id=claim.pk)  # 900,000 > 500,000
    assert claim.status == "approval"
    with pytest.raises(PermissionError):
        services.claim_approve(actor=handler, claim_id=claim.pk)
    claim = services.claim_approve(actor=manager, claim_id=claim.pk)
    assert claim.status == "approved"
    assert claim.worksheets.get().status == "approved"
    assert PolicyLiability.objects.get(policy=policy).committed == D("900000.00")


def test_a_payment_requested_twice_is_made_once(personas, policy, buyer, manager):
    claim = claim_in_assessment(personas, policy, buyer, [invoice("A", "100000")])
    services.worksheet_compute(actor=manager, claim_id=claim.pk)
    services.claim_approve(actor=manager, claim_id=claim.pk)
    first = services.indemnity_pay(actor=manager, claim_id=claim.pk)
    second = services.indemnity_pay(actor=manager, claim_id=claim.pk)
    assert first.pk == second.pk
    assert IndemnityPayment.objects.count() == 1
    assert (first.amount, first.payee, first.payee_organisation) == (
        D("90000.00"),
        "insured",
        policy.insured,
    )
    claim.refresh_from_db()
    assert claim.status == "paid"


def test_the_maximum_liability_caps_the_second_claim(personas, policy, buyer, manager):
    policy.max_liability = D("1000000")
    policy.save(update_fields=["max_liability"])
    first = claim_in_assessment(personas, policy, buyer, [invoice("A", "1000000")])
    services.worksheet_compute(actor=manager, claim_id=first.pk)
    services.claim_approve(actor=manager, claim_id=first.pk)
    from tests.factories import BuyerFactory

    other = BuyerFactory()
    second = claim_in_assessment(personas, policy, other, [invoice("B", "1000000")])
    worksheet = services.worksheet_compute(actor=manager, claim_id=second.pk)
    assert (worksheet.indemnity_before_cap, worksheet.remaining_liability, worksheet.indemnity) == (
        D("900000.00"), D("100000.00"), D("100000.00"),
    )  # fmt: skip
    services.claim_approve(actor=manager, claim_id=second.pk)
    assert PolicyLiability.objects.get(policy=policy).committed == D("1000000.00")


def test_a_recovery_after_payment_is_shared_and_the_insurers_share_invoiced(
    personas, policy, buyer, manager
):
    claim = claim_in_assessment(personas, policy, buyer, [invoice("A", "100000")])
    services.worksheet_compute(actor=manager, claim_id=claim.pk)
    services.claim_approve(actor=manager, claim_id=claim.pk)
    services.indemnity_pay(actor=manager, claim_id=claim.pk)
    recovery = services.recovery_record(
        actor=manager, claim_id=claim.pk, amount=D("20000"), received_on=date(2026, 11, 30),
        today=date(2026, 11, 30),
    )  # fmt: skip
    assert (recovery.after_payment, recovery.insurer_share, recovery.insured_share) == (
        True, D("18000.00"), D("2000.00"),
    )  # fmt: skip
    note = DebitNote.objects.get(pk=recovery.debit_note_id)
    assert (note.kind, note.amount, note.policy) == ("recovery_share", D("18000.00"), policy)
    # Received by the insurer, nothing is invoiced.
    kept = services.recovery_record(
        actor=manager, claim_id=claim.pk, amount=D("1000"), received_on=date(2026, 11, 30),
        received_by="insurer", today=date(2026, 11, 30),
    )  # fmt: skip
    assert kept.debit_note_id is None and kept.insurer_share == D("900.00")


def test_a_dispute_suspends_the_claim_until_the_judgment(personas, policy, buyer, handler):
    claim = claim_in_assessment(personas, policy, buyer, [invoice("A", "100000")])
    services.claim_dispute(actor=handler, claim_id=claim.pk, reason="Buyer says goods defective")
    claim.refresh_from_db()
    assert claim.status == "disputed"
    with pytest.raises(ValidationError):
        services.worksheet_compute(actor=handler, claim_id=claim.pk)
    services.claim_resolve(
        actor=handler, claim_id=claim.pk, in_favour_of_insured=True, note="Award 12"
    )
    claim.refresh_from_db()
    assert (claim.status, claim.disputed_from) == ("assessment", "")  # back where it was
    services.claim_dispute(actor=handler, claim_id=claim.pk, reason="Again")
    services.claim_resolve(
        actor=handler, claim_id=claim.pk, in_favour_of_insured=False, note="Lost"
    )
    claim.refresh_from_db()
    assert claim.status == "declined"
    assert claim.decisions.get().reasons == ["dispute"]


def test_insolvency_waits_for_the_admitted_debt_and_pays_within_30_days(
    personas, policy, buyer, approver, handler
):
    grant_limit(personas, policy, buyer, "1000000")
    notice = file_notice(approver, policy, buyer, [invoice("A", "100000")])
    claim = open_complete_claim(approver, handler, notice, cause=ClaimCause.INSOLVENCY)
    assert claim.status == "waiting" and claim.waiting_ends_on is None
    assert services.claims_waiting_sweep(today=date(2027, 6, 1)) == 0
    claim = services.claim_debt_admitted(
        actor=handler, claim_id=claim.pk, admitted_on=date(2026, 7, 1), today=date(2026, 7, 2)
    )
    assert (claim.status, claim.payment_due_on) == ("assessment", date(2026, 7, 31))
    assert Deadline.objects.get(kind="indemnity_payment").due_on == date(2026, 7, 31)


def test_decline_with_reasons_waives_the_insurers_clocks(
    personas, policy, buyer, approver, handler
):
    notice = file_notice(
        approver, policy, buyer, [invoice("A", "1000", due=date(2026, 3, 1))], on=date(2026, 6, 1)
    )
    claim = services.claim_open(actor=approver, notice_id=notice.pk, cause="protracted_default")
    with pytest.raises(ValidationError):
        services.claim_decline(actor=handler, claim_id=claim.pk, reasons=[])
    services.claim_decline(
        actor=handler, claim_id=claim.pk, reasons=["late_notice"], note="2 days late"
    )
    assert set(Deadline.objects.filter(kind__in=["advance_payment", "document_request"])
               .values_list("status", flat=True)) == {"waived"}  # fmt: skip


def test_who_sees_what(personas, policy, buyer):
    clerk = personas["insured_a_clerk"]
    draft = services.notice_prepare(
        actor=clerk, policy_id=policy.pk, buyer_id=buyer.pk, invoices=[invoice("A", "1000")],
        today=date(2026, 6, 1),
    )  # fmt: skip
    assert scope.can_see(personas["insured_a"], draft)
    assert not scope.can_see(personas["claims_handler"], draft)
    assert not scope.can_see(personas["insured_b"], draft)
    assert not scope.can_see(personas["bank"], draft)
    services.notice_file(actor=personas["insured_a"], notice_id=draft.pk, today=date(2026, 6, 1))
    assert scope.can_see(personas["claims_handler"], draft)
    assert not scope.can_see(personas["insured_b"], draft)
    with pytest.raises(PermissionError):
        services.claim_open(actor=personas["insured_b"], notice_id=draft.pk, cause="insolvency")


def test_a_notice_is_due_at_60_days_of_its_earliest_invoice():
    # Covered by test_rules; here the deadline engine's date follows the notice's draft.
    assert timedelta(days=60)


@pytest.mark.parametrize(
    "applied_on, covered", [(date(2026, 2, 15), True), (date(2026, 2, 16), False)]
)
def test_a_shipment_before_the_limit_is_covered_if_the_application_came_within_15_days(
    personas, policy, buyer, handler, applied_on, covered
):
    from limits import services as limit_services

    first_shipment = date(2026, 1, 31)
    application = limit_services.application_create(
        actor=personas["insured_a"], policy_id=policy.pk, buyer_uscc=buyer.uscc,
        requested_amount=D("500000"), payment_terms_days=90, first_shipment_on=first_shipment,
        today=date(2026, 2, 1),
    )  # fmt: skip
    reminder = Deadline.objects.get(kind="limit_application", policy=policy)
    assert (reminder.due_on, reminder.party) == (date(2026, 2, 15), "insured")
    import time_machine

    with time_machine.travel(applied_on):
        limit_services.application_submit(
            actor=personas["insured_a"], application_id=application.pk, today=applied_on
        )
        limit_services.application_decide(
            actor=personas["senior_underwriter"], application_id=application.pk, outcome="approve",
            today=applied_on,
        )  # fmt: skip
    reminder.refresh_from_db()
    assert reminder.status == "met"
    claim = claim_in_assessment(
        personas, policy, buyer, [invoice("EARLY", "100000", shipped=first_shipment, due=date(2026, 4, 30))],
        limit=None,
    )  # fmt: skip
    worksheet = services.worksheet_compute(actor=handler, claim_id=claim.pk)
    line = worksheet.lines.get()
    assert line.covered is covered
    assert line.exclusion == ("" if covered else Exclusion.NO_LIMIT)
    assert worksheet.indemnity == (D("90000.00") if covered else D("0"))


def test_the_waiting_sweep_after_a_crash_finishes_the_rest_and_moves_none_twice(
    personas, policy, approver, handler, capacities, monkeypatch
):
    from claims.services import claims as claim_services
    from tests.factories import BuyerFactory

    claims = []
    for number in range(3):
        buyer = BuyerFactory(risk_grade=4)
        notice = file_notice(approver, policy, buyer, [invoice(f"W-{number}", "10000")])
        claims.append(open_complete_claim(approver, handler, notice))
    real = claim_services._end_waiting
    calls = []

    def crash_on_second(ids, *, today):
        calls.append(ids)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(ids, today=today)

    monkeypatch.setattr(claim_services, "_end_waiting", crash_on_second)
    with pytest.raises(RuntimeError):
        services.claims_waiting_sweep(today=date(2026, 11, 12), batch_size=1)
    monkeypatch.setattr(claim_services, "_end_waiting", real)
    assert services.claims_waiting_sweep(today=date(2026, 11, 12)) == 2
    assert services.claims_waiting_sweep(today=date(2026, 11, 12)) == 0
    for claim in claims:
        claim.refresh_from_db()
        assert claim.status == "assessment"
        assert claim.changes.filter(action="end_waiting").count() == 1


def test_a_dispute_while_collecting_resumes_collecting_and_the_file_stays_incomplete(
    personas, policy, buyer, approver, handler
):
    notice = file_notice(approver, policy, buyer, [invoice("A", "1000")])
    claim = services.claim_open(actor=approver, notice_id=notice.pk, cause="protracted_default")
    with pytest.raises(ValidationError):
        services.claim_resolve(
            actor=handler, claim_id=claim.pk, in_favour_of_insured=False, note="x"
        )
    services.claim_dispute(actor=handler, claim_id=claim.pk, reason="Quality")
    services.claim_resolve(actor=handler, claim_id=claim.pk, in_favour_of_insured=True, note="Won")
    claim.refresh_from_db()
    assert (claim.status, claim.documents_complete_on) == ("collecting", None)


def test_a_worksheet_gone_stale_cannot_be_approved(personas, policy, buyer, handler, manager):
    claim = claim_in_assessment(
        personas, policy, buyer, [invoice("A", "1000000"), invoice("B", "400000")]
    )
    services.worksheet_compute(actor=handler, claim_id=claim.pk)
    services.recovery_record(
        actor=handler, claim_id=claim.pk, amount=D("500000"), received_on=date(2026, 11, 20),
        today=date(2026, 11, 20),
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.claim_approve(actor=manager, claim_id=claim.pk)
    assert "worksheet" in error.value.message_dict
    services.worksheet_compute(actor=handler, claim_id=claim.pk)
    services.invoice_dispute_set(
        actor=handler, invoice_id=claim.notice.invoices.get(number="B").pk, disputed=True
    )
    with pytest.raises(ValidationError):
        services.claim_approve(actor=manager, claim_id=claim.pk)
    worksheet = services.worksheet_compute(actor=handler, claim_id=claim.pk)
    assert worksheet.indemnity == D("450000.00")  # (1,000,000 − 500,000) × 90%
    services.claim_approve(actor=manager, claim_id=claim.pk)
    assert services.indemnity_pay(actor=manager, claim_id=claim.pk).amount == D("450000.00")


def test_staff_cannot_file_an_insureds_draft_and_do_not_see_its_deadlines(personas, policy, buyer):
    draft = services.notice_prepare(
        actor=personas["insured_a_clerk"], policy_id=policy.pk, buyer_id=buyer.pk,
        invoices=[invoice("A", "1000")], today=date(2026, 6, 1),
    )  # fmt: skip
    with pytest.raises(PermissionError):
        services.notice_file(actor=personas["claims_handler"], notice_id=draft.pk)
    assert scope.visible(personas["insured_a"], Deadline).filter(kind="overdue_notice").exists()
    assert (
        not scope.visible(personas["claims_handler"], Deadline)
        .filter(kind="overdue_notice")
        .exists()
    )


def test_invoice_rows_keep_to_the_policy_period_and_the_maximum_extension(
    personas, policy, buyer, approver
):
    with pytest.raises(ValidationError) as error:
        services.notice_prepare(
            actor=approver, policy_id=policy.pk, buyer_id=buyer.pk, today=date(2026, 6, 1),
            invoices=[invoice("A", "1000", due=date(2026, 3, 31), extended=date(2026, 6, 1)),
                      invoice("B", "1000", shipped=date(2025, 12, 30), due=date(2026, 2, 1))],
        )  # fmt: skip
    messages = error.value.message_dict["invoices"]
    assert any("2026-05-30" in m for m in messages) and any("2026-01-01" in m for m in messages)


def test_a_payment_cannot_be_dated_before_the_approval(personas, policy, buyer, manager):
    claim = claim_in_assessment(personas, policy, buyer, [invoice("A", "100000")])
    services.worksheet_compute(actor=manager, claim_id=claim.pk)
    services.claim_approve(actor=manager, claim_id=claim.pk, today=date(2026, 11, 20))
    with pytest.raises(ValidationError) as error:
        services.indemnity_pay(
            actor=manager, claim_id=claim.pk, paid_on=date(2026, 1, 1), today=date(2026, 11, 21)
        )
    assert "paid_on" in error.value.message_dict
    assert not IndemnityPayment.objects.exists()


def test_the_insurer_never_recovers_more_than_it_paid(personas, policy, buyer, manager):
    claim = claim_in_assessment(
        personas, policy, buyer, [invoice("A", "2000000")]
    )  # limit 1,000,000
    services.worksheet_compute(actor=manager, claim_id=claim.pk)
    services.claim_approve(actor=manager, claim_id=claim.pk)
    services.indemnity_pay(actor=manager, claim_id=claim.pk)  # 900,000
    first = services.recovery_record(
        actor=manager, claim_id=claim.pk, amount=D("900000"), received_on=date(2026, 11, 30),
        received_by="insurer", today=date(2026, 11, 30),
    )  # fmt: skip
    second = services.recovery_record(
        actor=manager, claim_id=claim.pk, amount=D("500000"), received_on=date(2026, 11, 30),
        received_by="insurer", today=date(2026, 11, 30),
    )  # fmt: skip
    assert (first.insurer_share, second.insurer_share) == (D("810000.00"), D("90000.00"))
    assert second.insured_share == D("410000.00")


def test_the_limits_payment_terms_bound_the_credit_period(personas, policy, buyer, handler):
    # The conftest limit is granted on 90-day terms; 100 days is within the policy's 120.
    claim = claim_in_assessment(
        personas, policy, buyer,
        [invoice("OK", "100000"), invoice("LONG", "50000", shipped=date(2026, 3, 1), due=date(2026, 6, 9))],
    )  # fmt: skip
    worksheet = services.worksheet_compute(actor=handler, claim_id=claim.pk)
    assert worksheet.lines.get(number="LONG").exclusion == Exclusion.CREDIT_PERIOD
    assert worksheet.covered_debt == D("100000")


def test_the_advance_clock_runs_from_the_complete_file_and_is_waived_with_a_reason(
    personas, policy, buyer, approver, handler
):
    notice = file_notice(approver, policy, buyer, [invoice("A", "1000")])
    claim = open_complete_claim(approver, handler, notice, on=date(2026, 6, 12))
    advance = Deadline.objects.get(kind="advance_payment")
    assert (advance.due_on, advance.party) == (date(2026, 8, 11), "insurer")
    with pytest.raises(ValidationError):
        services.claim_advance_none(actor=handler, claim_id=claim.pk, reason=" ")
    services.claim_advance_none(actor=handler, claim_id=claim.pk, reason="等待期内损失尚无法确定")
    advance.refresh_from_db()
    assert advance.status == "waived"
    assert advance.changes.last().reason == "等待期内损失尚无法确定"


def test_a_second_draft_on_the_buyer_is_refused_on_the_buyer(personas, policy, buyer, approver):
    def prepare():
        return services.notice_prepare(
            actor=personas["insured_a_clerk"], policy_id=policy.pk, buyer_id=buyer.pk,
            invoices=[invoice("A", "1000")], today=date(2026, 6, 1),
        )  # fmt: skip

    prepare()
    with pytest.raises(ValidationError) as error:
        prepare()
    assert "buyer" in error.value.message_dict
    assert OverdueNotice.objects.count() == 1
