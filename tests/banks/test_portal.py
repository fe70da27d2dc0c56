"""The bank portal (SPEC 2, 8): the assigned policies, each covered buyer's financing
capacity and indemnities, one page per covered buyer, the feed and its e-mails. Bank X
sees only what its agreement in force covers; bank Y, another bank, sees none of it."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from banks import selectors, services
from banks.models import BankEvent
from claims import services as claim_services
from claims.choices import REQUIRED_DOCUMENTS, ClaimCause
from limits import services as limit_services
from limits.models import CreditLimit
from notifications.models import OutboxMessage
from policies.models import Policy
from tests.banks.conftest import TODAY, activate, prepare
from tests.claims.conftest import PDF
from tests.claims.conftest import invoice as notice_invoice

pytestmark = pytest.mark.django_db


def paid_claim(personas, policy, buyer, *, amount="100000", number="FP-9001", pay=True):
    """A claim on `buyer` taken to its approval (an insolvency with the debt admitted,
    so no waiting period) and, with `pay`, paid: 90% of `amount`."""
    approver, handler = personas["insured_a"], personas["claims_handler"]
    notice = claim_services.notice_prepare(
        actor=approver, policy_id=policy.pk, buyer_id=buyer.pk, file=True,
        invoices=[notice_invoice(number, amount, shipped=date(2026, 6, 1),
                                 due=date(2026, 8, 30))],
    )  # fmt: skip
    claim = claim_services.claim_open(
        actor=approver, notice_id=notice.pk, cause=ClaimCause.INSOLVENCY
    )
    for kind in [*REQUIRED_DOCUMENTS, "admission"]:
        claim_services.claim_document_upload(
            actor=approver, claim_id=claim.pk, kind=kind, filename=f"{kind}.pdf", content=PDF
        )
    claim_services.claim_documents_complete(actor=handler, claim_id=claim.pk)
    claim_services.claim_debt_admitted(
        actor=handler, claim_id=claim.pk, admitted_on=timezone.localdate()
    )
    claim_services.worksheet_compute(actor=handler, claim_id=claim.pk)
    claim_services.claim_approve(actor=personas["claims_manager"], claim_id=claim.pk)
    if pay:
        claim_services.indemnity_pay(actor=handler, claim_id=claim.pk, payment_reference="PAY-9001")
    claim.refresh_from_db()
    return claim


def report(personas, policy, buyer, amount, as_of=date(2026, 9, 1)):
    return services.receivables_report(
        actor=personas["insured_a"], policy_id=policy.pk, buyer_id=buyer.pk,
        amount=Decimal(amount), as_of=as_of,
    )  # fmt: skip


@pytest.fixture
def financed(personas, policy, bank_org, buyers):
    """SPEC 8's example on the first buyer: receivables 1,000,000, limit 1,200,000, 90%,
    remaining maximum liability 850,000 (940,000 less a paid indemnity of 90,000)."""
    Policy.objects.filter(pk=policy.pk).update(max_liability=Decimal("940000"))
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    paid = paid_claim(personas, policy, buyers[0])
    report(personas, policy, buyers[0], "1000000")
    return {"agreement": agreement, "covered": buyers[0], "uncovered": buyers[1], "claim": paid}


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_spec_8_example_gives_850000_on_the_portal(personas, policy, financed):
    bank = personas["bank"]
    (position,) = selectors.bank_positions(bank)
    assert position.buyer == financed["covered"]
    assert position.limit_amount == Decimal("1200000.00")
    assert position.receivables == Decimal("1000000.00")
    assert position.remaining_liability == Decimal("850000.00")
    assert position.capacity == Decimal("850000.00")
    assert (position.paid, position.payable) == (Decimal("90000.00"), Decimal(0))

    home = client_of(bank).get("/")
    assert home.status_code == 200
    assert home.templates[0].name == "banks/portal_overview.html"
    html = home.content.decode()
    assert 'data-testid="total-capacity">850,000.00<' in html
    assert 'data-testid="total-paid">90,000.00<' in html
    assert financed["agreement"].reference in html
    assert financed["uncovered"].name not in html


def test_an_approved_unpaid_indemnity_is_payable_to_the_banks_account(
    personas, policy, bank_org, buyers
):
    activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    claim = paid_claim(personas, policy, buyers[0], pay=False)
    (position,) = selectors.bank_positions(personas["bank"])
    assert (position.payable, position.paid, position.open_claims) == (
        Decimal("90000.00"), Decimal(0), 1,
    )  # fmt: skip
    page = client_of(personas["bank"]).get(f"/bank/policies/{policy.pk}/buyers/{buyers[0].pk}/")
    assert page.status_code == 200
    (worksheet,) = page.context["file"].payable
    assert (worksheet.claim, worksheet.indemnity) == (claim, Decimal("90000.00"))
    assert "6222 0212 0000 1234" in page.content.decode()


def test_the_buyer_page_shows_limit_decisions_claims_payments_and_documents(
    personas, policy, financed
):
    covered, claim = financed["covered"], financed["claim"]
    page = client_of(personas["bank"]).get(f"/bank/policies/{policy.pk}/buyers/{covered.pk}/")
    assert page.status_code == 200
    file = page.context["file"]
    assert file.limit.amount == Decimal("1200000.00")
    assert file.decisions.count() >= 1
    assert list(file.claims) == [claim]
    (payment,) = file.payments
    assert payment.payee == "bank" and payment.payee_organisation == financed["agreement"].bank
    assert payment.bank_account == financed["agreement"].account_display
    html = page.content.decode()
    assert claim.reference in html and "90,000.00" in html


def test_bank_x_gets_404_on_an_uncovered_buyer_and_bank_y_on_everything(
    personas, policy, financed, bank_y_user
):
    covered, uncovered = financed["covered"], financed["uncovered"]
    bank_x, bank_y = client_of(personas["bank"]), client_of(bank_y_user)
    assert bank_x.get(f"/bank/policies/{policy.pk}/buyers/{uncovered.pk}/").status_code == 404
    assert bank_y.get(f"/bank/policies/{policy.pk}/buyers/{covered.pk}/").status_code == 404
    assert selectors.bank_positions(bank_y_user) == []
    assert bank_y.get("/bank/").context["agreements"] == []
    # The portal is the banks': the insured and the staff have their own pages.
    for user in (personas["insured_a"], personas["underwriter"]):
        assert client_of(user).get("/bank/").status_code == 404


def test_positions_filter_sort_and_export(personas, policy, bank_org, buyers):
    activate(personas, prepare(personas, policy, bank_org, scope="all"))
    report(personas, policy, buyers[0], "1000000")
    bank = client_of(personas["bank"])
    rows = bank.get("/bank/?sort=-limit_amount").context["rows"]
    assert [position.buyer for position, _cells in rows] == [buyers[0], buyers[1]]
    rows = bank.get("/bank/?sort=limit_amount").context["rows"]
    assert [position.buyer for position, _cells in rows] == [buyers[1], buyers[0]]
    rows = bank.get("/bank/", {"q": buyers[1].name}).context["rows"]
    assert [position.buyer for position, _cells in rows] == [buyers[1]]
    csv = bank.get("/bank/?export=csv")
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert buyers[0].uscc in text and "900000.00" in text  # min(900,000, 1,080,000, 10 M)
    xlsx = bank.get("/bank/?export=xlsx&sort=buyer.name")
    sheet = load_workbook(BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 3 and Decimal(str(values[1][9] or values[2][9])) == Decimal("900000")
    assert bank.get("/bank/?export=pdf").status_code == 404


def test_the_feed_marks_new_rows_and_mark_all_as_read_clears_them(
    personas, policy, bank_org, buyers
):
    activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    limit = CreditLimit.objects.get(policy=policy, buyer=buyers[0])
    limit_services.limit_reduce_or_cancel(
        actor=personas["underwriter"], limit_id=limit.pk, amount=Decimal("600000"),
        notice_on=timezone.localdate(), reason_code="12",
    )  # fmt: skip
    bank = client_of(personas["bank"])
    page = bank.get("/bank/feed/")
    kinds = [event.kind for event in page.context["events"]]
    assert "limit_cut" in kinds and "agreement_active" in kinds
    cut = next(e for e in page.context["events"] if e.kind == "limit_cut")
    assert cut.is_new and cut.is_adverse and cut.text
    assert 'data-kind="limit_cut" data-new="1" data-adverse="1"' in page.content.decode()
    assert [e.kind for e in bank.get("/bank/feed/?kind=limit_cut").context["events"]] == [
        "limit_cut"
    ]
    assert bank.get("/bank/feed/?adverse=no").context["events"][0].kind == "agreement_active"
    assert bank.post("/bank/feed/seen/", {"until": "nonsense"}).status_code == 302
    page = bank.get("/bank/feed/")
    assert not any(event.is_new for event in page.context["events"])
    assert selectors.feed_summary(personas["bank"])["new"] == 0
    assert bank.get("/bank/feed/?new=yes").context["events"] == []
    csv = b"".join(bank.get("/bank/feed/?export=csv").streaming_content).decode("utf-8-sig")
    assert cut.text in csv


def test_mark_as_read_keeps_what_came_after_the_page_new(personas, policy, bank_org, buyers):
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    shown = BankEvent.objects.get(agreement=agreement).occurred_at
    later = services.bank_event_record(
        agreement, kind="overdue_notice", subject_code="", params={}, buyer_id=buyers[0].pk
    )
    client_of(personas["bank"]).post("/bank/feed/seen/", {"until": shown.isoformat()})
    new = [e for e in selectors.feed_for(personas["bank"]) if e.is_new]
    assert new == [later]


def test_a_bank_user_is_mailed_a_limit_cut_and_a_claim_payment_and_bank_y_is_not(
    personas, policy, bank_org, buyers, bank_y_user, django_capture_on_commit_callbacks
):
    bank = personas["bank"]
    bank.email, bank_y_user.email = "credit@bank-x.example", "credit@bank-y.example"
    bank.save(update_fields=["email"])
    bank_y_user.save(update_fields=["email"])
    activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    limit = CreditLimit.objects.get(policy=policy, buyer=buyers[0])
    with django_capture_on_commit_callbacks(execute=True):
        limit_services.limit_reduce_or_cancel(
            actor=personas["underwriter"], limit_id=limit.pk, amount=Decimal("1000000"),
            notice_on=timezone.localdate(), reason_code="12",
        )  # fmt: skip
        paid_claim(personas, policy, buyers[0])

    def mails_to(address):
        return [m for m in OutboxMessage.objects.all() if address in m.payload.get("to", [])]

    kinds = set(BankEvent.objects.filter(bank=bank_org).values_list("kind", flat=True))
    assert {"limit_cut", "claim_paid"} <= kinds
    # One e-mail per feed row: the agreement in force, the cut, the notice, each claim step.
    assert len(mails_to("credit@bank-x.example")) == BankEvent.objects.filter(bank=bank_org).count()
    assert mails_to("credit@bank-y.example") == []


def test_the_signed_copy_is_the_parties_and_nobody_elses(
    personas, policy, bank_org, buyers, bank_y_user
):
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    url = f"/bank/agreements/{agreement.pk}/signed-copy/"
    response = client_of(personas["bank"]).get(url)
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert client_of(personas["insured_a"]).get(url).status_code == 200
    assert client_of(bank_y_user).get(url).status_code == 404
    assert client_of(personas["insured_b"]).get(url).status_code == 404


def test_the_portal_lists_reads_in_a_fixed_number_of_queries(
    personas, policy, bank_org, buyers, django_assert_max_num_queries
):
    activate(personas, prepare(personas, policy, bank_org, scope="all"))
    report(personas, policy, buyers[0], "1000000", as_of=TODAY)
    bank = client_of(personas["bank"])
    bank.get("/bank/")  # warm the session and the texts
    with django_assert_max_num_queries(30):
        assert bank.get("/bank/").status_code == 200
    with django_assert_max_num_queries(20):
        assert bank.get("/bank/feed/").status_code == 200
