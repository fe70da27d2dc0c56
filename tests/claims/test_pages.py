"""The claims pages through HTTP (SPEC 2, 7, 11): the insured's notices with their
invoices, extensions and repayment plan, opening a claim and uploading its documents;
the staff queue and claim page with every step of the assessment; the home pages.

The business day is 2026-09-15. Test data is written through the services, as users do
(tests/claims/conftest.py); every page is read in English."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from claims import services
from claims.choices import REQUIRED_DOCUMENTS, ClaimCause
from claims.models import (
    Claim,
    ClaimDocument,
    DocumentRequest,
    InvoiceExtension,
    NoticeInvoice,
    OverdueNotice,
    PlanInstalment,
    RepaymentPlan,
    Worksheet,
)
from tests.claims.conftest import (
    PDF,
    claim_in_assessment,
    file_notice,
    grant_limit,
    invoice,
    open_complete_claim,
)
from tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 9, 15)


def client_for(user) -> Client:
    """Logged in as `user`, in English: a logged-in user's own language decides."""
    if user.language != "en":
        user.language = "en"
        user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def notice_post(policy, buyer, rows, **extra) -> dict:
    """The notice form's body: the policy, the buyer and one formset row per invoice."""
    data = {
        "policy": policy.pk,
        "buyer": buyer.pk,
        "comment": "",
        "inv-TOTAL_FORMS": str(len(rows) + 1),
        "inv-INITIAL_FORMS": "0",
        "inv-MIN_NUM_FORMS": "0",
        "inv-MAX_NUM_FORMS": "200",
        **extra,
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"inv-{n}-{key}"] = "" if value is None else str(value)
    return data


def row(number, amount, *, shipped="2026-06-01", due="2026-08-30", extended=None) -> dict:
    return {
        "number": number, "invoice_date": shipped, "shipment_date": shipped, "amount": amount,
        "original_due_date": due, "extended_due_date": extended,
    }  # fmt: skip


@pytest.fixture
def limited(personas, policy, buyer):
    grant_limit(personas, policy, buyer, "1000000")
    return buyer


@pytest.fixture
def draft(personas, policy, limited):
    """A clerk's draft on an account due 30 August: the notice is due on 29 October."""
    return services.notice_prepare(
        actor=personas["insured_a_clerk"], policy_id=policy.pk, buyer_id=limited.pk,
        invoices=[invoice("INV-D1", "300000", shipped=date(2026, 6, 1),
                          due=date(2026, 8, 30))],
    )  # fmt: skip


@pytest.fixture
def collecting(personas, policy, limited):
    """A filed notice and a protracted-default claim opened on it, its file empty."""
    notice = file_notice(
        personas["insured_a"], policy, limited, [invoice("INV-C1", "500000")], on=TODAY
    )
    return services.claim_open(
        actor=personas["insured_a"], notice_id=notice.pk, cause=ClaimCause.PROTRACTED_DEFAULT
    )


@pytest.fixture
def assessment(personas, policy, buyer):
    """A claim in assessment: 800,000 + 700,000 unpaid under a 1,000,000 limit."""
    return claim_in_assessment(
        personas, policy, buyer, [invoice("INV-1", "800000"), invoice("INV-2", "700000")]
    )


# --- notices ---------------------------------------------------------------------------


def test_an_approver_files_a_notice_with_two_invoices(personas, policy, limited):
    approver = personas["insured_a"]
    form = client_for(approver).get("/claims/notices/new/")
    assert form.status_code == 200
    page = form.content.decode()
    assert 'data-testid="file-notice"' in page
    assert list(form.context["form"].fields["buyer"].queryset) == [limited]
    response = client_for(approver).post(
        "/claims/notices/new/",
        notice_post(policy, limited, [row("F-1", "120,000.00"), row("F-2", "80000")], file="1"),
    )
    notice = OverdueNotice.objects.get(policy=policy)
    assert response.status_code == 302 and response["Location"] == notice.get_absolute_url()
    assert notice.status == "filed"
    assert sorted(notice.invoices.values_list("number", flat=True)) == ["F-1", "F-2"]
    page = client_for(approver).get(notice.get_absolute_url()).content.decode()
    assert 'data-testid="notice-total">200,000.00' in page
    assert 'data-testid="open-claim-form"' in page


def test_a_clerk_saves_a_draft_the_approver_returns_it_then_files_it(personas, policy, limited):
    clerk, approver = personas["insured_a_clerk"], personas["insured_a"]
    form = client_for(clerk).get("/claims/notices/new/").content.decode()
    assert 'data-testid="file-notice"' not in form  # a clerk prepares only
    client_for(clerk).post(
        "/claims/notices/new/", notice_post(policy, limited, [row("C-1", "5000")], file="1")
    )
    notice = OverdueNotice.objects.get(policy=policy)
    assert notice.status == "draft"
    clerk_page = client_for(clerk).get(notice.get_absolute_url()).content.decode()
    assert 'data-testid="edit-notice"' in clerk_page
    assert 'data-testid="file-notice"' not in clerk_page
    assert 'data-testid="return-notice"' not in clerk_page

    page = client_for(approver).get(notice.get_absolute_url()).content.decode()
    assert 'data-testid="file-notice"' in page and 'data-testid="return-notice"' in page
    # A return without a comment comes back on the comment field; nothing changed.
    back = client_for(approver).post(f"/claims/notices/{notice.pk}/return/", {"comment": ""})
    assert back.status_code == 200
    assert 'data-field="comment"' in back.content.decode()
    assert notice.changes.count() == 1
    client_for(approver).post(f"/claims/notices/{notice.pk}/return/", {"comment": "加上发票号"})
    returned = client_for(clerk).get(notice.get_absolute_url()).content.decode()
    assert 'data-testid="returned-note"' in returned and "加上发票号" in returned

    client_for(approver).post(f"/claims/notices/{notice.pk}/file/")
    notice.refresh_from_db()
    assert notice.status == "filed"
    # Filed, it changes no more: the buttons are gone for everyone.
    page = client_for(approver).get(notice.get_absolute_url()).content.decode()
    assert 'data-testid="edit-notice"' not in page and 'data-testid="discard-notice"' not in page


def test_bad_invoice_input_comes_back_on_its_field_and_nothing_is_written(
    personas, policy, limited
):
    approver = personas["insured_a"]
    bad = row("B-1", "lots", due="2026-13-01")
    response = client_for(approver).post(
        "/claims/notices/new/", notice_post(policy, limited, [bad], file="1")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-field="inv-0-amount"' in page and 'data-field="inv-0-original_due_date"' in page
    # Nothing filled in at all: the formset says so.
    empty = client_for(approver).post("/claims/notices/new/", notice_post(policy, limited, []))
    assert empty.status_code == 200
    assert "Enter at least one unpaid invoice." in empty.content.decode()
    # The service's refusal of a duplicated invoice lands above the rows.
    twice = client_for(approver).post(
        "/claims/notices/new/",
        notice_post(policy, limited, [row("X-1", "100"), row("X-1", "200")], file="1"),
    )
    assert twice.status_code == 200
    assert 'data-testid="invoice-errors"' in twice.content.decode()
    assert not OverdueNotice.objects.exists() and not NoticeInvoice.objects.exists()


def test_the_draft_is_edited_with_its_invoices_replaced(personas, draft):
    clerk = personas["insured_a_clerk"]
    form = client_for(clerk).get(f"/claims/notices/{draft.pk}/edit/")
    assert form.status_code == 200
    assert form.context["formset"].initial[0]["number"] == "INV-D1"
    data = notice_post(draft.policy, draft.buyer, [row("INV-D1", "250000"), row("INV-D2", "1000")])
    data["comment"] = "买方承诺下月付款"
    response = client_for(clerk).post(f"/claims/notices/{draft.pk}/edit/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.comment == "买方承诺下月付款"
    assert dict(draft.invoices.values_list("number", "amount")) == {
        "INV-D1": D("250000.00"),
        "INV-D2": D("1000.00"),
    }


def test_an_extension_beyond_the_maximum_is_refused_on_its_field(personas, draft):
    clerk = personas["insured_a_clerk"]
    inv = draft.invoices.get()
    form = client_for(clerk).get(f"/claims/invoices/{inv.pk}/extend/")
    assert form.status_code == 200
    assert "2026-10-29" in form.content.decode()  # 30 August + 60 days
    refused = client_for(clerk).post(
        f"/claims/invoices/{inv.pk}/extend/",
        {"to_due_date": "2026-11-15", "agreed_on": "2026-09-10", "reason": "买方资金紧张"},
    )
    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert list(errors) == ["to_due_date"] and "2026-10-29" in errors["to_due_date"][0]
    assert not InvoiceExtension.objects.exists()
    granted = client_for(clerk).post(
        f"/claims/invoices/{inv.pk}/extend/",
        {"to_due_date": "2026-10-15", "agreed_on": "2026-09-10"},
    )
    assert granted.status_code == 302
    inv.refresh_from_db()
    assert inv.extended_due_date == date(2026, 10, 15)
    page = client_for(clerk).get(draft.get_absolute_url())
    kinds = [clock.kind for clock in page.context["clocks"]]
    assert "extension_end" in kinds and "overdue_notice" in kinds


def test_a_repayment_plan_with_instalments_and_one_marked_paid(personas, draft):
    clerk = personas["insured_a_clerk"]
    base = {"inst-TOTAL_FORMS": "3", "inst-INITIAL_FORMS": "0", "agreed_on": "2026-09-01"}
    too_much = client_for(clerk).post(
        f"/claims/notices/{draft.pk}/plan/",
        {**base, "inst-0-due_on": "2026-09-10", "inst-0-amount": "900000"},
    )
    assert too_much.status_code == 200
    assert too_much.context["formset"].non_form_errors()
    assert not RepaymentPlan.objects.exists()
    client_for(clerk).post(
        f"/claims/notices/{draft.pk}/plan/",
        {
            **base,
            "inst-0-due_on": "2026-09-10",
            "inst-0-amount": "100000",
            "inst-1-due_on": "2026-10-10",
            "inst-1-amount": "200000",
        },
    )
    first, second = PlanInstalment.objects.order_by("due_on")
    page = client_for(clerk).get(draft.get_absolute_url())
    assert [i.missed for i in page.context["instalments"]] == [True, False]
    assert page.content.decode().count('data-testid="instalment-paid"') == 2
    client_for(clerk).post(f"/claims/instalments/{first.pk}/paid/", {"paid_on": "2026-09-12"})
    first.refresh_from_db()
    assert first.paid_on == date(2026, 9, 12)


def test_the_notice_page_flags_a_missed_deadline_in_red(personas, policy, limited):
    clerk = personas["insured_a_clerk"]
    late = services.notice_prepare(
        actor=clerk, policy_id=policy.pk, buyer_id=limited.pk,
        invoices=[invoice("OLD-1", "9000", shipped=date(2026, 3, 1), due=date(2026, 5, 30))],
    )  # fmt: skip
    page = client_for(clerk).get(late.get_absolute_url())
    clock = next(c for c in page.context["clocks"] if c.kind == "overdue_notice")
    assert (clock.due_on, clock.days_left, clock.missed) == (date(2026, 7, 29), -48, True)
    html = page.content.decode()
    assert 'data-kind="overdue_notice"' in html and "list-group-item-danger" in html
    assert "48 days overdue" in html


def test_the_notice_lists_scope_insured_drafts_to_the_insured(
    personas, collecting, draft, django_assert_max_num_queries
):
    insured = client_for(personas["insured_a"])
    with django_assert_max_num_queries(12):
        mine = insured.get("/claims/notices/")
    # The newest first: the draft was written after the filed notice of the claim.
    assert [n.pk for n in mine.context["object_list"]] == [draft.pk, collecting.notice_id]
    assert f"{collecting.reference} · " in mine.content.decode()  # the claim on its notice
    mine = insured.get("/claims/notices/?status=draft")
    assert [n.pk for n in mine.context["object_list"]] == [draft.pk]
    assert mine.context["title"] == "Overdue notices and claims"
    staff = client_for(personas["claims_handler"]).get("/claims/notices/")
    assert [n.pk for n in staff.context["object_list"]] == [collecting.notice_id]
    assert not client_for(personas["insured_b"]).get("/claims/notices/").context["object_list"]
    csv = client_for(personas["insured_a"]).get("/claims/notices/?export=csv")
    assert draft.reference in b"".join(csv.streaming_content).decode("utf-8-sig")
    assert (
        client_for(personas["insured_a"])
        .get("/claims/notices/?status=draft&late=no")
        .context["object_list"]
    )


def test_a_claim_is_opened_on_a_filed_notice(personas, policy, limited):
    approver = personas["insured_a"]
    notice = file_notice(approver, policy, limited, [invoice("O-1", "40000")], on=TODAY)
    refused = client_for(approver).post(f"/claims/notices/{notice.pk}/open-claim/", {"cause": "x"})
    assert refused.status_code == 200 and "cause" in refused.context["open_form"].errors
    response = client_for(approver).post(
        f"/claims/notices/{notice.pk}/open-claim/", {"cause": "protracted_default"}
    )
    claim = Claim.objects.get(notice=notice)
    assert response["Location"] == claim.get_absolute_url()
    page = client_for(approver).get(notice.get_absolute_url()).content.decode()
    assert 'data-testid="open-claim-form"' not in page and 'data-testid="claim-link"' in page


# --- the claim file ------------------------------------------------------------------------


def test_the_insured_uploads_documents_and_a_wrong_type_is_refused_on_the_field(
    personas, collecting
):
    approver = personas["insured_a"]
    page = client_for(approver).get(collecting.get_absolute_url())
    html = page.content.decode()
    assert 'type="file"' in html and "20 MB" in html and "PDF, JPEG, PNG, XLSX, DOCX" in html
    assert 'data-testid="mark-complete"' not in html  # staff mark the file complete
    wrong = client_for(approver).post(
        f"/claims/{collecting.pk}/documents/",
        {"kind": "contract", "file": SimpleUploadedFile("合同.txt", b"just text")},
    )
    assert wrong.status_code == 200
    assert list(wrong.context["upload_form"].errors) == ["file"]
    assert not ClaimDocument.objects.exists()
    ok = client_for(approver).post(
        f"/claims/{collecting.pk}/documents/",
        {"kind": "contract", "file": SimpleUploadedFile("合同.pdf", PDF)},
    )
    assert ok.status_code == 302
    checklist = client_for(approver).get(collecting.get_absolute_url()).context["checklist"]
    contract = next(item for item in checklist if item.kind == "contract")
    assert [d.filename for d in contract.documents] == ["合同.pdf"]


def test_a_document_is_downloaded_by_those_who_see_the_claim_only(personas, collecting):
    document = services.claim_document_upload(
        actor=personas["insured_a"], claim_id=collecting.pk, kind="invoices",
        filename="发票.pdf", content=PDF,
    )  # fmt: skip
    url = f"/claims/documents/{document.pk}/download/"
    for role in ("insured_a", "claims_handler", "underwriter"):
        response = client_for(personas[role]).get(url)
        assert response.status_code == 200, role
        assert response.content == PDF and response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
    for role in ("insured_b", "bank"):
        assert client_for(personas[role]).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_staff_ask_for_the_missing_documents_once_then_mark_the_file_complete(personas, collecting):
    handler = personas["claims_handler"]
    page = client_for(handler).get(collecting.get_absolute_url()).content.decode()
    assert 'data-testid="request-form"' in page and 'data-testid="upload-form"' in page
    empty = client_for(handler).post(f"/claims/{collecting.pk}/documents/request/", {})
    assert empty.status_code == 200 and "kinds" in empty.context["request_form"].errors
    client_for(handler).post(
        f"/claims/{collecting.pk}/documents/request/",
        {"kinds": ["statement", "collection_letters"], "note": "请补充对账单"},
    )
    assert DocumentRequest.objects.get(claim=collecting).kinds == [
        "statement",
        "collection_letters",
    ]
    page = client_for(handler).get(collecting.get_absolute_url()).content.decode()
    assert 'data-testid="request-form"' not in page  # asked for once
    assert 'data-testid="document-request"' in page
    insured_page = client_for(personas["insured_a"]).get(collecting.get_absolute_url())
    assert 'data-testid="document-request"' in insured_page.content.decode()

    # Complete refused while documents are missing, with the kinds named.
    refused = client_for(handler).post(f"/claims/{collecting.pk}/documents/complete/", follow=True)
    assert "Still missing" in refused.content.decode()
    collecting.refresh_from_db()
    assert collecting.status == "collecting"
    for kind in REQUIRED_DOCUMENTS:
        services.claim_document_upload(
            actor=personas["insured_a"], claim_id=collecting.pk, kind=kind,
            filename=f"{kind}.pdf", content=PDF,
        )  # fmt: skip
    client_for(handler).post(f"/claims/{collecting.pk}/documents/complete/")
    collecting.refresh_from_db()
    assert collecting.status == "waiting" and collecting.waiting_ends_on == date(2027, 2, 15)


def test_a_step_the_claims_status_does_not_allow_is_shown_at_the_top_and_writes_nothing(
    personas, collecting
):
    handler = personas["claims_handler"]
    page = client_for(handler).get(collecting.get_absolute_url()).content.decode()
    assert 'data-testid="worksheet-form"' not in page  # no button while collecting
    response = client_for(handler).post(
        f"/claims/{collecting.pk}/worksheet/", {"other_credits": "0"}
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert shown and 'role="alert"' in response.content.decode()
    assert not Worksheet.objects.exists()


def test_insured_and_bank_cannot_take_staff_steps(personas, collecting):
    for role in ("insured_a", "insured_b", "bank", "underwriter"):
        client = client_for(personas[role])
        assert client.post(f"/claims/{collecting.pk}/documents/complete/").status_code == 404
        assert client.post(f"/claims/{collecting.pk}/decline/", {}).status_code == 404
    collecting.refresh_from_db()
    assert collecting.status == "collecting"


# --- assessment, decision, payment ------------------------------------------------------


def test_the_worksheet_shows_every_step_and_the_handler_cannot_approve_above_authority(
    personas, assessment
):
    handler, manager = personas["claims_handler"], personas["claims_manager"]
    page = client_for(handler).get(assessment.get_absolute_url())
    html = page.content.decode()
    assert 'data-testid="worksheet-form"' in html and 'data-testid="no-worksheet"' in html
    assert html.count('data-testid="toggle-disputed"') == 2
    bad = client_for(handler).post(f"/claims/{assessment.pk}/worksheet/", {"other_credits": "-5"})
    assert bad.status_code == 200 and "other_credits" in bad.context["worksheet_form"].errors
    assert not Worksheet.objects.exists()
    client_for(handler).post(f"/claims/{assessment.pk}/worksheet/", {"other_credits": "100,000"})
    page = client_for(handler).get(assessment.get_absolute_url())
    html = page.content.decode()
    # 1,500,000 covered − 100,000 other credits = 1,400,000; min with the 1,000,000 limit × 90%.
    for testid, figure in [
        ("ws-covered", "1,500,000.00"),
        ("ws-other-credits", "100,000.00"),
        ("ws-net-loss", "1,400,000.00"),
        ("ws-limit", "1,000,000.00"),
        ("ws-within-limit", "1,000,000.00"),
        ("ws-before-cap", "900,000.00"),
        ("ws-indemnity", "900,000.00"),
    ]:
        assert f'data-testid="{testid}">{figure}<' in html, testid
    assert html.count('data-testid="worksheet-line" data-covered="1"') == 2
    assert 'data-testid="ws-words">人民币玖拾万元整<' in html  # the documents app's filter
    assert 'data-testid="documents-panel"' in html
    # The insured sees no draft worksheet.
    insured = client_for(personas["insured_a"]).get(assessment.get_absolute_url())
    assert insured.context["worksheet"] is None

    # 900,000 is above the handler's 500,000: it waits for the manager.
    client_for(handler).post(f"/claims/{assessment.pk}/approve/", {"note": ""})
    assessment.refresh_from_db()
    assert assessment.status == "approval"
    own = client_for(handler).get(assessment.get_absolute_url()).content.decode()
    assert 'data-testid="approve-claim"' not in own
    assert (
        'data-testid="approve-claim"'
        in client_for(manager).get(assessment.get_absolute_url()).content.decode()
    )
    client_for(manager).post(f"/claims/{assessment.pk}/approve/", {"note": "同意"})
    assessment.refresh_from_db()
    assert assessment.status == "approved"
    insured = client_for(personas["insured_a"]).get(assessment.get_absolute_url())
    assert insured.context["worksheet"].status == "approved"
    assert 'data-testid="ws-indemnity">900,000.00<' in insured.content.decode()


def test_an_invoice_marked_disputed_leaves_the_covered_debt(personas, assessment):
    handler = personas["claims_handler"]
    second = assessment.notice.invoices.get(number="INV-2")
    client_for(handler).post(f"/claims/invoices/{second.pk}/dispute/", {"disputed": "on"})
    second.refresh_from_db()
    assert second.disputed
    client_for(handler).post(f"/claims/{assessment.pk}/worksheet/", {"other_credits": ""})
    page = client_for(handler).get(assessment.get_absolute_url())
    out = [line for line in page.context["lines"] if not line.covered]
    assert [(line.number, line.exclusion) for line in out] == [("INV-2", "disputed")]
    assert "Disputed by the buyer" in page.content.decode()
    client_for(handler).post(f"/claims/invoices/{second.pk}/dispute/", {})
    second.refresh_from_db()
    assert not second.disputed


def test_a_decline_needs_a_reason(personas, assessment):
    handler = personas["claims_handler"]
    empty = client_for(handler).post(f"/claims/{assessment.pk}/decline/", {"note": "x"})
    assert empty.status_code == 200 and "reasons" in empty.context["decline_form"].errors
    assessment.refresh_from_db()
    assert assessment.status == "assessment"
    client_for(handler).post(
        f"/claims/{assessment.pk}/decline/", {"reasons": ["late_notice"], "note": "通知逾期"}
    )
    assessment.refresh_from_db()
    assert assessment.status == "declined"
    page = client_for(personas["insured_a"]).get(assessment.get_absolute_url()).content.decode()
    assert "The notice was filed late" in page


def test_the_payment_shows_its_payee_and_reaches_the_insureds_page(personas, assessment):
    manager = personas["claims_manager"]
    services.worksheet_compute(actor=manager, claim_id=assessment.pk)
    services.claim_approve(actor=manager, claim_id=assessment.pk)
    page = client_for(manager).get(assessment.get_absolute_url())
    html = page.content.decode()
    assert 'data-testid="payment-form"' in html
    assert page.context["payee"]["organisation"] == assessment.policy.insured
    response = client_for(manager).post(
        f"/claims/{assessment.pk}/pay/", {"paid_on": "2026-09-15", "payment_reference": "TT-1"}
    )
    assert response.status_code == 302
    insured = client_for(personas["insured_a"]).get(assessment.get_absolute_url())
    html = insured.content.decode()
    assert 'data-testid="payment-amount">900,000.00<' in html
    assert 'data-testid="claim-status" data-status="paid"' in html
    # After payment a recovery is shared 90 : 10.
    bad = client_for(manager).post(
        f"/claims/{assessment.pk}/recoveries/",
        {"amount": "0", "received_on": "2026-09-15", "received_by": "insurer"},
    )
    assert bad.status_code == 200 and "amount" in bad.context["recovery_form"].errors
    client_for(manager).post(
        f"/claims/{assessment.pk}/recoveries/",
        {"amount": "100000", "received_on": "2026-09-15", "received_by": "insurer"},
    )
    recovery = assessment.recoveries.get()
    assert (recovery.insurer_share, recovery.insured_share) == (D("90000.00"), D("10000.00"))


def test_a_dispute_suspends_the_claim_until_the_award(personas, assessment):
    handler = personas["claims_handler"]
    empty = client_for(handler).post(f"/claims/{assessment.pk}/dispute/", {"reason": ""})
    assert empty.status_code == 200 and "reason" in empty.context["dispute_form"].errors
    client_for(handler).post(f"/claims/{assessment.pk}/dispute/", {"reason": "买方称货物质量问题"})
    assessment.refresh_from_db()
    assert assessment.status == "disputed"
    page = client_for(handler).get(assessment.get_absolute_url()).content.decode()
    assert 'data-testid="resolve-form"' in page
    client_for(handler).post(
        f"/claims/{assessment.pk}/resolve/", {"in_favour_of_insured": "1", "note": "仲裁支持"}
    )
    assessment.refresh_from_db()
    assert assessment.status != "disputed"


# --- the queue and the home pages --------------------------------------------------------


def test_the_queue_shows_each_clock_filters_sorts_and_exports(
    personas, policy, buyer, django_assert_max_num_queries
):
    grant_limit(personas, policy, buyer, "1000000")
    notice = file_notice(personas["insured_a"], policy, buyer, [invoice("Q-1", "90000")])
    claim = open_complete_claim(personas["insured_a"], personas["claims_handler"], notice)
    # A second claim opened on 1 August whose missing documents nobody asked for.
    other = BuyerFactory(risk_grade=4)
    grant_limit(personas, policy, other, "500000")
    late = file_notice(
        personas["insured_a"], policy, other, [invoice("Q-2", "60000")], on=date(2026, 8, 1)
    )
    stuck = services.claim_open(
        actor=personas["insured_a"], notice_id=late.pk, cause=ClaimCause.PROTRACTED_DEFAULT,
        today=date(2026, 8, 1),
    )  # fmt: skip
    handler = personas["claims_handler"]
    staff = client_for(handler)
    with django_assert_max_num_queries(12):
        page = staff.get("/claims/")
    assert page.status_code == 200
    html = page.content.decode()
    # Complete on 12 June: the waiting period ends on 12 November, 58 days from today.
    assert "58 days left · 2026-11-12" in html
    # The missing documents were to be asked for within 10 days of 1 August: missed, red.
    assert 'class="badge text-bg-danger">35 days overdue · 2026-08-11' in html

    def listed(query):
        return [c.pk for c in staff.get(f"/claims/{query}").context["object_list"]]

    assert listed("?overdue=yes") == [stuck.pk]
    assert listed("?overdue=no") == [claim.pk]
    assert listed("?status=collecting") == [stuck.pk]
    assert listed("?status=paid") == []
    assert listed("?cause=insolvency") == []
    assert listed(f"?q={other.uscc}") == [stuck.pk]
    assert listed(f"?q={late.reference}") == []  # the claim's reference, not the notice's
    assert listed(f"?q={stuck.reference}") == [stuck.pk]
    assert listed("?sort=documents_due") == [stuck.pk, claim.pk]
    assert listed("?sort=waiting_due") == [claim.pk, stuck.pk]
    csv = b"".join(staff.get("/claims/?export=csv&overdue=yes").streaming_content)
    lines = csv.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith(stuck.reference) and ",-35," in lines[1]
    xlsx = staff.get("/claims/?export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd")
    for role in ("insured_a", "bank"):
        assert client_for(personas[role]).get("/claims/").status_code == 404

    home = staff.get("/")
    assert [c.pk for c in home.context["claims_due"]] == [stuck.pk, claim.pk]  # missed first
    assert 'data-testid="claim-due-row"' in home.content.decode()
    nav = [item["url"] for item in home.context["nav_items"]]
    assert "/claims/" in nav and "/claims/notices/" in nav


def test_the_insured_home_shows_its_open_claims_and_notice_deadlines(personas, collecting, draft):
    home = client_for(personas["insured_a"]).get("/")
    assert [c.pk for c in home.context["open_claims"]] == [collecting.pk]
    assert [n.pk for n in home.context["notice_deadlines"]] == [draft.pk]
    html = home.content.decode()
    assert 'data-testid="open-claims"' in html and 'data-testid="notice-deadline-row"' in html
    assert "/claims/notices/" in [item["url"] for item in home.context["nav_items"]]
    other = client_for(personas["insured_b"]).get("/")
    assert not other.context["open_claims"] and not other.context["notice_deadlines"]
