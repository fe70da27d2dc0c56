"""Notices and claims through HTTP (SPEC 2, 7, 11): the whole way from the overdue notice
to the payment, refusals that name the field and leave nothing half-written, files only
for those who may see them, and every answer as the published schema says."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from claims.api import documents
from claims.api.serializers import ERROR_NOT_THIS_NOTICE, ERROR_STAFF_DRAFT
from claims.choices import REQUIRED_DOCUMENTS
from claims.models import (
    Claim,
    ClaimDocument,
    IndemnityPayment,
    InvoiceExtension,
    NoticeInvoice,
    OverdueNotice,
)
from claims.tasks import sweep_claims
from core.money import ERROR_NOT_A_STRING
from core.uploads import ERROR_TYPE
from tests.claims.conftest import PDF, grant_limit
from tests.core.test_openapi_responses import _strict, check
from tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db
NOTICES, CLAIMS = "/api/v1/overdue-notices/", "/api/v1/claims/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Shipped and invoiced in June, due at the end of August: on the suite's day (15 September
# 2026) the notice is within its deadline, 60 days after the due date (29 October).
SHIPPED, DUE = "2026-06-01", "2026-08-30"


def client(user) -> APIClient:
    """A client of `user` reading English, so that messages can be compared."""
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    return api


def en(message) -> str:
    with translation.override("en"):
        return str(message)


def row(number="FP-0001", amount="100000.00", **extra) -> dict:
    return {
        "number": number, "invoice_date": SHIPPED, "shipment_date": SHIPPED, "amount": amount,
        "original_due_date": DUE, **extra,
    }  # fmt: skip


def notice_body(policy, buyer, *invoices, **extra) -> dict:
    return {"policy": policy.pk, "buyer": buyer.pk, "invoices": list(invoices or [row()]), **extra}


def ok(response, code=200) -> dict:
    assert response.status_code == code, response.content[:1000]
    return response.json()


def upload(user, claim_id, kind, content=PDF, name=None):
    file = SimpleUploadedFile(name or f"{kind}.pdf", content)
    return client(user).post(
        f"{CLAIMS}{claim_id}/documents/", {"kind": kind, "file": file}, format="multipart"
    )


@pytest.fixture(scope="module")
def spec(django_db_blocker):
    """The published schema, every object closed to properties it does not list."""
    with django_db_blocker.unblock():
        schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    return {"paths": schema["paths"], "components": _strict(schema["components"])}


@pytest.fixture
def limited(personas, policy, buyer):
    """The buyer with a limit of 1,000,000 on insured A's policy since January."""
    grant_limit(personas, policy, buyer, "1000000")
    return buyer


@pytest.fixture
def buyer_b():
    return BuyerFactory()


def filed_claim(approver, policy, buyer, *invoices, cause="protracted_default") -> dict:
    notice = ok(
        client(approver).post(
            NOTICES, notice_body(policy, buyer, *invoices, file=True), format="json"
        ),
        201,
    )
    return ok(
        client(approver).post(CLAIMS, {"notice": notice["id"], "cause": cause}, format="json"), 201
    )


# --- the whole way -----------------------------------------------------------------------------


def test_a_claim_from_the_notice_to_the_payment_through_the_api(
    spec, personas, policy, limited, approver, handler, manager
):
    """SPEC 7: outstanding 2,500,000, limit 1,000,000, recovered 1,000,000 -> net loss
    1,500,000 -> indemnity 900,000, above the handler's authority of 500,000 (four-eyes,
    SPEC 2); paid once however often it is asked."""

    def call(user, method, url, body=None, code=200, **kwargs):
        response = getattr(client(user), method)(url, body, **kwargs)
        assert check(spec, method, url, response) is None, check(spec, method, url, response)
        return ok(response, code)

    body = notice_body(
        policy, limited, row("FP-0001", "1500000.00"), row("FP-0002", "1000000.00"), file=True
    )
    notice = call(approver, "post", NOTICES, body, 201, format="json")
    assert (notice["status"], notice["filed_on"], notice["days_late"]) == ("filed", "2026-09-15", 0)
    assert (notice["total_amount"], notice["invoice_count"]) == ("2500000.00", 2)
    assert [i["amount"] for i in notice["invoices"]] == ["1500000.00", "1000000.00"]
    assert notice["deadline_on"] == "2026-10-29"
    assert notice["claim"] is None

    claim = call(
        approver, "post", CLAIMS, {"notice": notice["id"], "cause": "protracted_default"}, 201,
        format="json",
    )  # fmt: skip
    assert (claim["status"], claim["notice"], claim["opened_on"]) == (
        "collecting", notice["id"], "2026-09-15",
    )  # fmt: skip
    assert [i["kind"] for i in claim["checklist"] if i["required"]] == list(REQUIRED_DOCUMENTS)
    url = f"{CLAIMS}{claim['id']}/"
    for kind in REQUIRED_DOCUMENTS:
        response = upload(approver, claim["id"], kind)
        assert check(spec, "post", f"{url}documents/", response) is None
        document = ok(response, 201)
        assert (document["kind"], document["size"], document["content_type"]) == (
            kind, len(PDF), "application/pdf",
        )  # fmt: skip
    claim = call(handler, "post", f"{url}complete/", format="json")
    assert (claim["status"], claim["waiting_ends_on"]) == ("waiting", "2027-02-15")
    assert all(item["documents"] for item in claim["checklist"] if item["required"])
    recovery = call(
        handler, "post", f"{url}recoveries/",
        {"amount": "1000000.00", "received_on": "2026-09-15"}, 201, format="json",
    )  # fmt: skip
    assert (recovery["amount"], recovery["after_payment"]) == ("1000000.00", False)

    # Five months on, the daily sweep ends the waiting period (SPEC 7, 10).
    with time_machine.travel(datetime(2027, 2, 15, 9, tzinfo=SHANGHAI), tick=False):
        # The daily job, as beat sends it (run in-process here).
        assert sweep_claims.apply().get()["waiting_ended"] == 1
        assert call(handler, "get", url)["status"] == "assessment"

        worksheet = call(
            handler, "post", f"{url}compute-worksheet/", {"other_credits": "0.00"}, 201,
            format="json",
        )  # fmt: skip
        figures = {key: worksheet[key] for key in (
            "outstanding", "covered_debt", "recoveries", "net_loss", "limit_amount",
            "loss_within_limit", "indemnity",
        )}  # fmt: skip
        assert figures == {
            "outstanding": "2500000.00", "covered_debt": "2500000.00",
            "recoveries": "1000000.00", "net_loss": "1500000.00", "limit_amount": "1000000.00",
            "loss_within_limit": "1000000.00", "indemnity": "900000.00",
        }  # fmt: skip
        assert [line["covered"] for line in worksheet["lines"]] == [True, True]
        # A draft worksheet is the insurer's working paper (core.scope).
        assert call(approver, "get", url)["worksheet"] is None
        assert client(approver).get(f"/api/v1/worksheets/{worksheet['id']}/").status_code == 404

        claim = call(handler, "post", f"{url}approve/", {}, format="json")
        assert claim["status"] == "approval"  # 900,000 is above 500,000
        assert client(handler).post(f"{url}approve/", {}, format="json").status_code == 403
        claim = call(manager, "post", f"{url}approve/", {"note": "同意"}, format="json")
        assert claim["status"] == "approved"
        assert [d["action"] for d in claim["decisions"]] == ["submit_for_approval", "approve"]
        assert call(approver, "get", url)["worksheet"]["indemnity"] == "900000.00"

        first = call(
            manager, "post", f"{url}pay/", {"payment_reference": "PAY-7"}, 201, format="json"
        )
        again = call(
            manager, "post", f"{url}pay/", {"payment_reference": "PAY-7"}, 200, format="json"
        )
        assert first == again
        assert (first["amount"], first["payee"], first["paid_on"]) == (
            "900000.00", "insured", "2027-02-15",
        )  # fmt: skip
        assert IndemnityPayment.objects.filter(claim_id=claim["id"]).count() == 1
        paid = call(approver, "get", url)
        assert (paid["status"], paid["payment"]["id"]) == ("paid", first["id"])
        # The insurer's internal step (the submission for a second approval) is its own.
        assert [c["action"] for c in paid["changes"]] == [
            "open", "complete", "end_waiting", "approve", "pay",
        ]  # fmt: skip
        assert [d["action"] for d in paid["decisions"]] == ["approve"]


# --- notices ---------------------------------------------------------------------------------------


def test_a_notice_edited_on_a_stale_read_answers_412(personas, policy, limited):
    """Issue 11: PATCH with the ETag of an old read is refused and changes nothing."""
    clerk = personas["insured_a_clerk"]
    draft = ok(client(clerk).post(NOTICES, notice_body(policy, limited), format="json"), 201)
    url = f"{NOTICES}{draft['id']}/"
    etag = client(clerk).get(url)["ETag"]
    first = client(clerk).patch(url, {"comment": "first"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200, first.json()
    stale = client(clerk).patch(url, {"comment": "second"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert client(clerk).get(url).json()["comment"] == "first"
    fresh = client(clerk).patch(
        url, {"comment": "second"}, format="json", HTTP_IF_MATCH=first["ETag"]
    )
    assert fresh.status_code == 200


def test_a_clerks_draft_is_the_insureds_until_an_approver_files_it(personas, policy, limited):
    clerk, approver = personas["insured_a_clerk"], personas["insured_a"]
    # SPEC 2: a clerk's notice waits for an approver, `file` or not.
    body = notice_body(policy, limited, file=True)
    draft = ok(client(clerk).post(NOTICES, body, format="json"), 201)
    assert (draft["status"], draft["prepared_by"], draft["filed_by"]) == (
        "draft", str(clerk), None,
    )  # fmt: skip
    url = f"{NOTICES}{draft['id']}/"
    # Staff see filed notices only; insured B nothing of insured A's.
    for user in (personas["claims_handler"], personas["insured_b"]):
        assert client(user).get(url).status_code == 404
    assert client(clerk).post(f"{url}file/", format="json").status_code == 403
    changed = ok(
        client(clerk).patch(url, {"invoices": [row("FP-0001", "120000.00")]}, format="json")
    )
    assert changed["total_amount"] == "120000.00"
    filed = ok(client(approver).post(f"{url}file/", format="json"))
    assert (filed["status"], filed["filed_by"], filed["allowed_actions"]) == (
        "filed", str(approver), [],
    )  # fmt: skip
    assert [c["action"] for c in filed["changes"]] == ["prepare", "edit", "file"]
    assert ok(client(personas["claims_handler"]).get(url))["id"] == draft["id"]


def test_claims_staff_enter_a_paper_notice_as_filed(personas, policy, limited):
    handler = personas["claims_handler"]
    refused = client(handler).post(NOTICES, notice_body(policy, limited), format="json")
    assert refused.status_code == 400
    assert refused.json() == {"file": [en(ERROR_STAFF_DRAFT)]}
    filed = client(handler).post(NOTICES, notice_body(policy, limited, file=True), format="json")
    assert ok(filed, 201)["status"] == "filed"


def test_an_amount_sent_as_a_json_number_is_refused_on_its_field(personas, policy, limited):
    body = notice_body(policy, limited, row(amount=100000.5), file=True)
    response = client(personas["insured_a"]).post(NOTICES, body, format="json")
    assert response.status_code == 400
    # Errors of a list are keyed by the row's index, from 0.
    assert response.json() == {"invoices": {"0": {"amount": [en(ERROR_NOT_A_STRING)]}}}
    assert not OverdueNotice.objects.exists()


def test_missing_invoice_fields_are_named_by_row(personas, policy, limited):
    second = row("FP-0002")
    del second["shipment_date"], second["number"]
    body = notice_body(policy, limited, row(), second)
    response = client(personas["insured_a"]).post(NOTICES, body, format="json")
    assert response.status_code == 400
    required = "This field is required."
    assert response.json() == {
        "invoices": {"1": {"number": [required], "shipment_date": [required]}}
    }
    empty = client(personas["insured_a"]).post(
        NOTICES, notice_body(policy, limited) | {"invoices": []}, format="json"
    )
    assert list(empty.json()) == ["invoices"]
    assert not OverdueNotice.objects.exists()


def test_an_invoice_due_before_it_was_invoiced_is_refused_on_invoices(personas, policy, limited):
    body = notice_body(policy, limited, row(original_due_date="2026-05-01"))
    response = client(personas["insured_a"]).post(NOTICES, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["invoices"]
    assert "1" in response.json()["invoices"][0]  # the row is named
    assert not OverdueNotice.objects.exists()


def test_an_extension_beyond_the_maximum_is_refused_and_within_it_moves_the_deadline(
    personas, policy, limited
):
    approver = personas["insured_a"]
    draft = ok(client(approver).post(NOTICES, notice_body(policy, limited), format="json"), 201)
    invoice = draft["invoices"][0]["id"]
    url = f"{NOTICES}{draft['id']}/extensions/"
    # The maximum extension period is 60 days: 30 August + 60 = 29 October.
    beyond = {"invoice": invoice, "to_due_date": "2026-10-30", "agreed_on": "2026-09-10"}
    response = client(approver).post(url, beyond, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["to_due_date"]
    assert "2026-10-29" in response.json()["to_due_date"][0]
    assert not InvoiceExtension.objects.exists()

    within = {**beyond, "to_due_date": "2026-10-29", "reason": "买方资金周转"}
    extension = ok(client(approver).post(url, within, format="json"), 201)
    assert (extension["from_due_date"], extension["to_due_date"]) == ("2026-08-30", "2026-10-29")
    notice = ok(client(approver).get(f"{NOTICES}{draft['id']}/"))
    assert notice["invoices"][0]["due_date"] == "2026-10-29"
    assert len(notice["invoices"][0]["extensions"]) == 1
    # 29 October + 10 days, but never later than 60 days after the original due date.
    assert notice["deadline_on"] == "2026-10-29"


def test_an_extension_names_only_the_notices_own_invoices(personas, policy, limited, buyer_b):
    approver = personas["insured_a"]
    grant_limit(personas, policy, buyer_b, "500000")
    mine = ok(client(approver).post(NOTICES, notice_body(policy, limited), format="json"), 201)
    other = ok(client(approver).post(NOTICES, notice_body(policy, buyer_b), format="json"), 201)
    body = {
        "invoice": other["invoices"][0]["id"], "to_due_date": "2026-09-30",
        "agreed_on": "2026-09-10",
    }  # fmt: skip
    response = client(approver).post(f"{NOTICES}{mine['id']}/extensions/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"invoice": [en(ERROR_NOT_THIS_NOTICE)]}


def test_a_repayment_plan_and_a_paid_instalment(personas, policy, limited):
    approver = personas["insured_a"]
    draft = ok(client(approver).post(NOTICES, notice_body(policy, limited), format="json"), 201)
    url = f"{NOTICES}{draft['id']}/"
    plan_body = {
        "agreed_on": "2026-09-01",
        "instalments": [
            {"due_on": "2026-09-10", "amount": "40000.00"},
            {"due_on": "2026-10-10", "amount": "60000.00"},
        ],
    }
    plan = ok(client(approver).post(f"{url}repayment-plan/", plan_body, format="json"), 201)
    assert [(i["amount"], i["paid_on"]) for i in plan["instalments"]] == [
        ("40000.00", None), ("60000.00", None),
    ]  # fmt: skip
    again = client(approver).post(f"{url}repayment-plan/", plan_body, format="json")
    assert (again.status_code, list(again.json())) == (400, ["instalments"])
    notice = ok(client(approver).get(url))
    assert [i["missed"] for i in notice["repayment_plan"]["instalments"]] == [True, False]
    first = plan["instalments"][0]["id"]
    paid = client(approver).post(
        f"{url}instalment-paid/", {"instalment": first, "paid_on": "2026-09-12"}, format="json"
    )
    assert ok(paid)["paid_on"] == "2026-09-12"
    notice = ok(client(approver).get(url))
    assert [i["missed"] for i in notice["repayment_plan"]["instalments"]] == [False, False]


def test_a_bad_action_for_the_status_is_a_400(personas, policy, limited):
    approver = personas["insured_a"]
    filed = ok(
        client(approver).post(NOTICES, notice_body(policy, limited, file=True), format="json"), 201
    )
    for action in ("file", "discard"):
        response = client(approver).post(f"{NOTICES}{filed['id']}/{action}/", format="json")
        assert response.status_code == 400, action
        assert list(response.json()) == ["non_field_errors"]
    patch = client(approver).patch(f"{NOTICES}{filed['id']}/", {"comment": "x"}, format="json")
    assert patch.status_code == 400


def test_notice_lists_filter_by_status_and_lateness(
    personas, policy, limited, django_assert_max_num_queries
):
    approver = personas["insured_a"]
    ok(client(approver).post(NOTICES, notice_body(policy, limited), format="json"), 201)
    with django_assert_max_num_queries(4):
        rows = ok(client(approver).get(NOTICES, {"status": "draft", "late": "false"}))["results"]
    assert [r["status"] for r in rows] == ["draft"]
    assert ok(client(approver).get(NOTICES, {"late": "true"}))["results"] == []
    assert ok(client(approver).get(NOTICES, {"policy": policy.pk, "buyer": limited.pk}))["results"]
    bad = client(approver).get(NOTICES, {"status": "lost"})
    assert (bad.status_code, list(bad.json())) == (400, ["status"])


# --- claims --------------------------------------------------------------------------------------


def test_a_claim_is_opened_once_per_filed_notice(personas, policy, limited):
    approver = personas["insured_a"]
    claim = filed_claim(approver, policy, limited)
    again = client(approver).post(
        CLAIMS, {"notice": claim["notice"], "cause": "insolvency"}, format="json"
    )
    assert (again.status_code, list(again.json())) == (400, ["notice"])
    draft_b = client(approver).post(CLAIMS, {"notice": 10**9, "cause": "insolvency"}, format="json")
    assert (draft_b.status_code, list(draft_b.json())) == (400, ["notice"])
    assert Claim.objects.count() == 1


def test_a_file_of_the_wrong_type_or_too_big_is_refused_on_file(
    personas, policy, limited, monkeypatch
):
    approver = personas["insured_a"]
    claim = filed_claim(approver, policy, limited)
    wrong = upload(approver, claim["id"], "contract", b"MZ\x90\x00 not a document", "合同.exe")
    assert wrong.status_code == 400
    assert wrong.json() == {"file": [en(ERROR_TYPE)]}
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", len(PDF) - 1)
    big = upload(approver, claim["id"], "contract")
    assert big.status_code == 400
    assert list(big.json()) == ["file"]
    unknown = upload(approver, claim["id"], "passport")
    assert (unknown.status_code, list(unknown.json())) == (400, ["kind"])
    assert not ClaimDocument.objects.exists()


def test_a_document_downloads_only_for_those_who_see_it(personas, policy, limited):
    approver = personas["insured_a"]
    claim = filed_claim(approver, policy, limited)
    document = ok(upload(approver, claim["id"], "contract", name="购销合同.pdf"), 201)
    url = document["download_url"]
    assert url == f"/api/v1/claim-documents/{document['id']}/download/"
    for user in (approver, personas["claims_handler"], personas["underwriter"]):
        response = client(user).get(url)
        assert response.status_code == 200
        assert response.content == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert "filename*=utf-8''" in response["Content-Disposition"]
    for user in (personas["insured_b"], personas["bank"]):
        assert client(user).get(url).status_code == 404
        assert client(user).get(f"{CLAIMS}{claim['id']}/").status_code == 404
    assert client(None).get(url).status_code in (401, 403)


def test_missing_documents_are_asked_for_once_and_completion_names_them(personas, policy, limited):
    approver, handler = personas["insured_a"], personas["claims_handler"]
    claim = filed_claim(approver, policy, limited)
    url = f"{CLAIMS}{claim['id']}/"
    ok(upload(approver, claim["id"], "contract"), 201)
    incomplete = client(handler).post(f"{url}complete/", format="json")
    assert incomplete.status_code == 400
    asked = ok(
        client(handler).post(
            f"{url}request-documents/", {"kinds": ["statement", "invoices"]}, format="json"
        )
    )
    assert set(asked["document_request"]["kinds"]) == {"statement", "invoices"}
    twice = client(handler).post(
        f"{url}request-documents/", {"kinds": ["statement"]}, format="json"
    )
    assert (twice.status_code, list(twice.json())) == (400, ["kinds"])
    unknown = client(handler).post(f"{url}request-documents/", {"kinds": ["x"]}, format="json")
    assert (unknown.status_code, list(unknown.json())) == (400, ["kinds"])


def test_a_dispute_suspends_the_claim_until_the_judgment(personas, policy, limited):
    approver, handler = personas["insured_a"], personas["claims_handler"]
    claim = filed_claim(approver, policy, limited)
    url = f"{CLAIMS}{claim['id']}/"
    no_reason = client(handler).post(f"{url}dispute/", {}, format="json")
    assert (no_reason.status_code, list(no_reason.json())) == (400, ["reason"])
    disputed = ok(client(handler).post(f"{url}dispute/", {"reason": "质量异议"}, format="json"))
    assert (disputed["status"], disputed["disputed_since"]) == ("disputed", "2026-09-15")
    body = {"in_favour_of_insured": True, "note": "法院判决支持被保险人"}
    resolved = ok(client(handler).post(f"{url}resolve/", body, format="json"))
    assert resolved["status"] == "collecting"  # back where the dispute found it


def test_decline_needs_a_known_reason(personas, policy, limited):
    approver, handler = personas["insured_a"], personas["claims_handler"]
    claim = filed_claim(approver, policy, limited)
    url = f"{CLAIMS}{claim['id']}/decline/"
    for body in ({}, {"reasons": []}, {"reasons": ["bad_luck"]}):
        response = client(handler).post(url, body, format="json")
        assert (response.status_code, list(response.json())) == (400, ["reasons"]), body
    declined = ok(
        client(handler).post(url, {"reasons": ["late_notice"], "note": "逾期"}, format="json")
    )
    assert declined["status"] == "declined"
    assert declined["decisions"][-1]["reasons"] == ["late_notice"]
    # Insured A sees the decision; it may not take one.
    assert (
        client(approver).post(url, {"reasons": ["late_notice"]}, format="json").status_code == 403
    )


def test_money_in_a_recovery_and_other_credits_is_a_string(personas, policy, limited):
    approver, handler = personas["insured_a"], personas["claims_handler"]
    claim = filed_claim(approver, policy, limited)
    url = f"{CLAIMS}{claim['id']}/"
    response = client(handler).post(
        f"{url}recoveries/", {"amount": 1000, "received_on": "2026-09-15"}, format="json"
    )
    assert response.json() == {"amount": [en(ERROR_NOT_A_STRING)]}
    credits = client(handler).post(
        f"{url}compute-worksheet/", {"other_credits": 0.5}, format="json"
    )
    assert credits.json() == {"other_credits": [en(ERROR_NOT_A_STRING)]}
    future = client(handler).post(
        f"{url}recoveries/", {"amount": "1000.00", "received_on": "2026-09-16"}, format="json"
    )
    assert (future.status_code, list(future.json())) == (400, ["received_on"])


def test_claim_lists_filter_and_order(personas, policy, limited, django_assert_max_num_queries):
    approver, handler = personas["insured_a"], personas["claims_handler"]
    claim = filed_claim(approver, policy, limited)
    with django_assert_max_num_queries(4):
        rows = ok(client(handler).get(CLAIMS, {"status": "collecting", "ordering": "-opened_on"}))
    assert [r["id"] for r in rows["results"]] == [claim["id"]]
    for query in ({"cause": "insolvency"}, {"status": "paid"}, {"buyer": 10**9}):
        assert ok(client(handler).get(CLAIMS, query))["results"] == [], query
    assert [
        r["id"] for r in ok(client(approver).get(CLAIMS, {"policy": policy.pk}))["results"]
    ] == [claim["id"]]
    assert ok(client(personas["insured_b"]).get(CLAIMS))["results"] == []
    assert ok(client(personas["bank"]).get(CLAIMS))["results"] == []


def test_an_invoice_marked_disputed_leaves_the_covered_debt(personas, policy, limited):
    approver, handler = personas["insured_a"], personas["claims_handler"]
    claim = filed_claim(
        approver, policy, limited, row("FP-1", "100000.00"), row("FP-2", "50000.00"),
        cause="insolvency",
    )  # fmt: skip
    url = f"{CLAIMS}{claim['id']}/"
    for kind in [*REQUIRED_DOCUMENTS, "admission"]:
        ok(upload(approver, claim["id"], kind), 201)
    ok(client(handler).post(f"{url}complete/", format="json"))
    admitted = ok(
        client(handler).post(f"{url}admit-debt/", {"admitted_on": "2026-09-15"}, format="json")
    )
    assert admitted["status"] == "assessment"
    disputed = NoticeInvoice.objects.get(notice_id=claim["notice"], number="FP-2")
    ok(
        client(handler).post(
            f"{url}invoice-dispute/", {"invoice": disputed.pk, "disputed": True}, format="json"
        )
    )
    worksheet = ok(client(handler).post(f"{url}compute-worksheet/", {}, format="json"), 201)
    assert (worksheet["covered_debt"], worksheet["indemnity"]) == ("100000.00", "90000.00")
    assert [(line["number"], line["exclusion"]) for line in worksheet["lines"]] == [
        ("FP-1", ""), ("FP-2", "disputed"),
    ]  # fmt: skip
    listed = ok(client(handler).get("/api/v1/worksheets/", {"claim": claim["id"]}))["results"]
    assert [w["id"] for w in listed] == [worksheet["id"]]
    assert ok(client(approver).get("/api/v1/worksheets/"))["results"] == []


def test_the_schema_describes_the_claims_api(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    pay = paths["/api/v1/claims/{id}/pay/"]["post"]
    assert {"200", "201"} <= set(pay["responses"])
    upload_body = paths["/api/v1/claims/{id}/documents/"]["post"]["requestBody"]["content"]
    assert list(upload_body) == ["multipart/form-data"]
    download = paths["/api/v1/claim-documents/{id}/download/"]["get"]["responses"]["200"]
    assert "application/pdf" in download["content"]
    invoice = schema["components"]["schemas"]["NoticeInvoiceInputRequest"]["properties"]
    assert invoice["amount"]["type"] == "string"


def test_a_claims_answer_does_not_grow_with_its_file(personas, policy, limited):
    """No N+1: the claim's answer costs as many queries with six files and two recoveries
    as with one file and one recovery."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    approver, handler = personas["insured_a"], personas["claims_handler"]
    claim = filed_claim(approver, policy, limited)
    url = f"{CLAIMS}{claim['id']}/"
    recovery = {"amount": "1000.00", "received_on": "2026-09-15"}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            ok(client(handler).get(url))
        return len(captured)

    ok(upload(approver, claim["id"], "contract"), 201)
    ok(client(handler).post(f"{url}recoveries/", recovery, format="json"), 201)
    few = queries()
    for kind in [*REQUIRED_DOCUMENTS, "other"]:
        ok(upload(approver, claim["id"], kind), 201)
    ok(client(handler).post(f"{url}recoveries/", recovery, format="json"), 201)
    assert queries() == few
    assert few <= 25
