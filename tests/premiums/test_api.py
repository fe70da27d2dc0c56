"""The premium account through HTTP (SPEC 2, 6, 11): declarations with their versions,
debit notes with their lines, payments, a policy's premium position; refusals name the
field, nothing is half-written, and each role sees only its own."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.choices import Role
from core.money import ERROR_NOT_A_STRING
from deadlines.choices import DeadlineKind, DeadlineStatus
from deadlines.models import Deadline
from policies.choices import PolicyStatus
from premiums import services
from premiums.api.serializers import ERROR_STAFF_DRAFT, ERROR_TURNOVER_REQUIRED
from premiums.choices import DebitNoteStatus, DeclarationStatus
from premiums.models import DebitNote, Declaration, Payment
from premiums.services.declarations import ERROR_REASON
from premiums.services.payments import ERROR_OVERPAYMENT
from tests.conftest import api_as
from tests.factories import PolicyFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/api/v1/declarations/"


@pytest.fixture
def account(policy):
    """The SPEC 6 example's account opened: four instalments of 50,000."""
    services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    return policy


@pytest.fixture
def policy_b(insured_b):
    return PolicyFactory(insured=insured_b, status=PolicyStatus.IN_FORCE)


def declare(user, policy, quarter=1, turnover="12500000.00", **extra):
    body = {"policy": policy.pk, "quarter": quarter, "turnover": turnover, **extra}
    return api_as(user).post(URL, body, format="json")


def declared(response):
    assert response.status_code == 201, response.json()
    return response.json()


def note(policy, sequence) -> DebitNote:
    return policy.debit_notes.get(kind="instalment", sequence=sequence)


# --- declarations: prepare, submit, correct ---------------------------------------------------


def test_a_clerk_prepares_the_approver_submits_and_the_premium_position_moves(
    account, clerk, approver
):
    draft = declared(declare(clerk, account, quarter=2, submit=True))
    assert (draft["status"], draft["prepared_by"], draft["submitted_by"]) == (
        DeclarationStatus.DRAFT,
        str(clerk),
        None,
    )  # fmt: skip  (SPEC 2: a clerk cannot submit, `submit` or not)
    assert draft["turnover"] == "12500000.00"
    position = f"/api/v1/premium-accounts/{account.pk}/"
    before = api_as(approver).get(position).json()["position"]
    assert before["declared_turnover"] == "0.00"

    response = api_as(approver).post(f"{URL}{draft['id']}/submit/", format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["submitted_by"], body["submitted_on"]) == (
        DeclarationStatus.SUBMITTED, str(approver), "2026-09-15",
    )  # fmt: skip
    assert body["days_late"] == 62  # due 15 July (SPEC 3.2: 15 days after the quarter)
    assert [c["action"] for c in body["changes"]] == ["prepare", "submit"]
    after = api_as(approver).get(position).json()["position"]
    assert (after["declared_turnover"], after["premium_to_date"]) == ("12500000.00", "62500.00")
    deadline = Deadline.objects.get(policy=account, kind=DeadlineKind.DECLARATION, key="Q2")
    assert (deadline.status, deadline.met_on) == (DeadlineStatus.MET, date(2026, 9, 15))


def test_a_clerk_cannot_submit_a_draft(account, clerk):
    draft = declared(declare(clerk, account))
    response = api_as(clerk).post(f"{URL}{draft['id']}/submit/", format="json")
    assert response.status_code == 403
    assert Declaration.objects.get(pk=draft["id"]).status == DeclarationStatus.DRAFT


def test_an_approver_declares_at_once_and_a_nil_quarter_needs_no_turnover(account, approver):
    first = declared(declare(approver, account, quarter=1, submit=True))
    assert (first["status"], first["version"], first["quarter_label"]) == ("submitted", 1, "Q1")
    assert (first["quarter_start"], first["quarter_end"], first["due_on"]) == (
        "2026-01-01", "2026-03-31", "2026-04-15",
    )  # fmt: skip
    nil = declared(
        api_as(approver).post(
            URL, {"policy": account.pk, "quarter": 2, "nil": True, "submit": True}, format="json"
        )
    )
    assert (nil["nil"], nil["turnover"], nil["status"]) == (True, "0.00", "submitted")


def test_a_correction_is_a_new_version_and_the_earlier_one_stays_visible(account, approver):
    first = declared(declare(approver, account, turnover="10000000.00", submit=True))
    # Left out, the reason is named in the message (core.api names only fields sent) ...
    refused = declare(approver, account, turnover="11000000.00", submit=True)
    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": [str(ERROR_REASON)]}
    # ... sent blank, on its field.
    blank = declare(approver, account, turnover="11.00", submit=True, correction_reason=" ")
    assert blank.json() == {"correction_reason": [str(ERROR_REASON)]}

    second = declared(
        declare(
            approver, account, turnover="11000000.00", submit=True,
            correction_reason="发票漏记",
        )
    )  # fmt: skip
    assert (second["version"], second["status"], second["correction_reason"]) == (
        2, "submitted", "发票漏记",
    )  # fmt: skip
    assert [(v["id"], v["version"], v["status"], v["turnover"]) for v in second["versions"]] == [
        (first["id"], 1, "superseded", "10000000.00")
    ]
    earlier = api_as(approver).get(f"{URL}{first['id']}/").json()
    assert earlier["status"] == "superseded"
    assert [v["version"] for v in earlier["versions"]] == [2]
    assert [c["action"] for c in earlier["changes"]] == ["declare", "supersede"]
    rows = api_as(approver).get(URL, {"policy": account.pk, "quarter": 1}).json()["results"]
    assert [(r["version"], r["status"]) for r in rows] == [(2, "submitted"), (1, "superseded")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quarter": 5}, "quarter"),  # the policy has four
        ({"quarter": 3}, "quarter"),  # ends 30 September, today is the 15th
        ({"quarter": 0}, "quarter"),
        ({"quarter": "x"}, "quarter"),
        ({"quarter": 10**40}, "quarter"),
        ({"turnover": "-1.00"}, "turnover"),
        ({"turnover": "0"}, "turnover"),  # zero is a nil declaration
        ({"turnover": 12500000}, "turnover"),  # a JSON number loses cents
        ({"turnover": "1e10"}, "turnover"),
        ({"turnover": "12.345"}, "turnover"),
        ({"turnover": None}, "turnover"),
        ({"turnover": "5.00", "nil": True}, "turnover"),
        ({"correction_reason": "x" * 2001}, "correction_reason"),
        ({"policy": 987654321}, "policy"),
    ],
)
def test_a_bad_declaration_is_refused_naming_its_field_and_nothing_is_written(
    account, approver, body, field
):
    payload = {"policy": account.pk, "quarter": 1, "turnover": "12500000.00", **body}
    response = api_as(approver).post(URL, payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field], response.json()
    assert not Declaration.objects.exists()


def test_a_declaration_without_turnover_or_nil_says_what_to_send(account, approver):
    response = api_as(approver).post(URL, {"policy": account.pk, "quarter": 1}, format="json")
    assert response.status_code == 400
    assert response.json() == {"turnover": [str(ERROR_TURNOVER_REQUIRED)]}
    assert declare(approver, account, turnover=12500000).json()["turnover"] == [
        str(ERROR_NOT_A_STRING)
    ]


def test_a_declaration_on_a_draft_policy_names_the_policy(insured_a, approver):
    proposal = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    response = declare(approver, proposal)
    assert response.status_code == 400
    assert list(response.json()) == ["policy"]


def test_insurer_staff_enter_a_paper_declaration_as_declared(account, underwriter, approver):
    refused = declare(underwriter, account)
    assert refused.status_code == 400
    assert refused.json() == {"submit": [str(ERROR_STAFF_DRAFT)]}
    paper = declared(declare(underwriter, account, submit=True))
    assert (paper["status"], paper["prepared_by"], paper["submitted_by"]) == (
        "submitted", str(underwriter), str(underwriter),
    )  # fmt: skip
    assert api_as(approver).get(f"{URL}{paper['id']}/").status_code == 200


@pytest.mark.parametrize("role", ["claims_handler", "claims_manager", "bank"])
def test_roles_without_premium_work_may_not_declare(account, personas, role):
    response = declare(personas[role], account, submit=True)
    assert response.status_code == 403
    assert not Declaration.objects.exists()


def test_an_insured_viewer_may_not_declare(account, insured_a):
    viewer = UserFactory(organisation=insured_a, role=Role.VIEWER)
    assert declare(viewer, account).status_code == 403


# --- declarations: who sees what ----------------------------------------------------------------


def test_insured_b_never_sees_insured_as_declarations(account, personas, clerk, approver):
    submitted = declared(declare(approver, account, quarter=1, submit=True))
    draft = declared(declare(clerk, account, quarter=2))
    other = api_as(personas["insured_b"])
    assert other.get(URL).json()["results"] == []
    for row in (submitted, draft):
        assert other.get(f"{URL}{row['id']}/").status_code == 404
    assert other.post(f"{URL}{draft['id']}/submit/", format="json").status_code == 404
    assert other.post(f"{URL}{draft['id']}/discard/", format="json").status_code == 404
    patch = other.patch(f"{URL}{draft['id']}/", {"turnover": "1.00"}, format="json")
    assert patch.status_code == 404
    # Declaring on A's policy: the policy is not one B may name.
    refused = declare(personas["insured_b"], account, quarter=3)
    assert (refused.status_code, list(refused.json())) == (400, ["policy"])
    assert Declaration.objects.get(pk=draft["id"]).status == DeclarationStatus.DRAFT


def test_a_bank_sees_no_declarations(account, personas, approver):
    row = declared(declare(approver, account, submit=True))
    bank = api_as(personas["bank"])
    assert bank.get(URL).json()["results"] == []
    assert bank.get(f"{URL}{row['id']}/").status_code == 404


def test_staff_see_what_was_declared_not_an_insureds_drafts(account, underwriter, clerk, approver):
    submitted = declared(declare(approver, account, quarter=1, submit=True))
    draft = declared(declare(clerk, account, quarter=2))
    staff = api_as(underwriter)
    assert [r["id"] for r in staff.get(URL).json()["results"]] == [submitted["id"]]
    assert staff.get(f"{URL}{draft['id']}/").status_code == 404
    assert staff.post(f"{URL}{draft['id']}/submit/", format="json").status_code == 404
    # The insured's own list has both.
    mine = api_as(approver).get(URL).json()["results"]
    assert {r["id"] for r in mine} == {submitted["id"], draft["id"]}


def test_declarations_filter_and_order(account, policy_b, approver, clerk):
    declared(declare(approver, account, quarter=1, turnover="9000000.00", submit=True))
    declared(declare(approver, account, quarter=2, turnover="8000000.00", submit=True))
    declared(declare(clerk, account, quarter=1, turnover="9100000.00", correction_reason="退货"))
    client = api_as(approver)

    def rows(**query):
        response = client.get(URL, query)
        assert response.status_code == 200, response.json()
        return [(r["quarter"], r["version"], r["status"]) for r in response.json()["results"]]

    assert rows(status="draft") == [(1, 2, "draft")]
    assert rows(status=["submitted"], ordering="turnover") == [
        (2, 1, "submitted"),
        (1, 1, "submitted"),
    ]
    assert rows(quarter=1) == [(1, 2, "draft"), (1, 1, "submitted")]  # newest version first
    assert rows(quarter=1, ordering="version") == [(1, 1, "submitted"), (1, 2, "draft")]
    assert rows(policy=account.pk, status="submitted", quarter=2) == [(2, 1, "submitted")]
    assert rows(policy=policy_b.pk) == []  # someone else's policy: like one that is not there
    assert rows(policy=987654321) == []
    for query, field in [
        ({"status": "declared"}, "status"),
        ({"policy": "x"}, "policy"),
        ({"turnover": "1"}, "turnover"),
        ({"ordering": "nil"}, None),
    ]:
        response = client.get(URL, query)
        if field is None:  # DRF ignores an ordering it does not know: the default stays
            assert response.status_code == 200
            continue
        assert (response.status_code, list(response.json())) == (400, [field]), query


def test_the_declaration_list_takes_a_fixed_number_of_queries(
    account, approver, django_assert_max_num_queries
):
    for quarter in (1, 2):
        declared(declare(approver, account, quarter=quarter, submit=True))
    client = api_as(approver)
    with django_assert_max_num_queries(3):
        response = client.get(URL)
    assert len(response.json()["results"]) == 2


# --- declarations: editing, returning and discarding a draft -----------------------------------


def test_a_draft_is_edited_by_patch_and_what_is_left_out_stays(account, clerk):
    draft = declared(declare(clerk, account, turnover="1000000.00"))
    url = f"{URL}{draft['id']}/"
    client = api_as(clerk)
    response = client.patch(url, {"turnover": "1200000.50"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["turnover"], response.json()["nil"]) == ("1200000.50", False)
    nil = client.patch(url, {"nil": True}, format="json").json()
    assert (nil["nil"], nil["turnover"]) == (True, "0.00")
    back = client.patch(url, {"turnover": "700000.00"}, format="json").json()
    assert (back["nil"], back["turnover"], back["status"]) == (False, "700000.00", "draft")
    assert [c["action"] for c in back["changes"]] == ["prepare", "edit", "edit", "edit"]


def test_a_draft_edited_on_a_stale_read_answers_412(account, clerk):
    """Issue 11: the ETag of the read the edit is based on; a colleague's save since
    makes it stale and the edit is refused, changing nothing."""
    draft = declared(declare(clerk, account, turnover="1000000.00"))
    url = f"{URL}{draft['id']}/"
    client = api_as(clerk)
    etag = client.get(url)["ETag"]
    changed = client.patch(url, {"turnover": "1100000.00"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.json()
    stale = client.patch(url, {"turnover": "1200000.00"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert Declaration.objects.get(pk=draft["id"]).turnover == D("1100000.00")
    fresh = client.patch(
        url, {"turnover": "1200000.00"}, format="json", HTTP_IF_MATCH=changed["ETag"]
    )
    assert fresh.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"turnover": "-5.00"}, "turnover"),
        ({"turnover": 5}, "turnover"),
        ({"turnover": "0"}, "turnover"),
        ({"turnover": "5.00", "nil": True}, "turnover"),
        ({}, "non_field_errors"),
        ({"nil": "maybe"}, "nil"),
    ],
)
def test_a_bad_edit_names_its_field_and_changes_nothing(account, clerk, body, field):
    draft = declared(declare(clerk, account, turnover="1000000.00"))
    response = api_as(clerk).patch(f"{URL}{draft['id']}/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field], response.json()
    assert Declaration.objects.get(pk=draft["id"]).turnover == D("1000000.00")


def test_a_submitted_declaration_is_never_edited(account, approver):
    row = declared(declare(approver, account, submit=True))
    response = api_as(approver).patch(f"{URL}{row['id']}/", {"turnover": "1.00"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]  # the service names `status`
    assert api_as(approver).put(f"{URL}{row['id']}/", {}, format="json").status_code == 405


def test_the_approver_returns_a_draft_with_a_comment(account, clerk, approver):
    draft = declared(declare(clerk, account))
    url = f"{URL}{draft['id']}/return/"
    refused = api_as(approver).post(url, {"comment": ""}, format="json")
    assert (refused.status_code, list(refused.json())) == (400, ["comment"])
    assert api_as(clerk).post(url, {"comment": "请核对"}, format="json").status_code == 403
    response = api_as(approver).post(url, {"comment": "请核对第一季度发票"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["changes"][-1] | {"created_at": None} == {
        "action": "return", "action_display": body["changes"][-1]["action_display"],
        "from_status": "draft", "to_status": "draft", "status_display": body["status_display"],
        "reason": "请核对第一季度发票", "actor": str(approver), "job": "", "created_at": None,
    }  # fmt: skip


def test_a_draft_is_discarded_and_stays_visible_to_the_insured(account, clerk, approver):
    draft = declared(declare(clerk, account))
    response = api_as(clerk).post(f"{URL}{draft['id']}/discard/", format="json")
    assert (response.status_code, response.json()["status"]) == (200, "discarded")
    again = api_as(clerk).post(f"{URL}{draft['id']}/discard/", format="json")
    assert (again.status_code, list(again.json())) == (400, ["non_field_errors"])
    rows = api_as(approver).get(URL, {"status": "discarded"}).json()["results"]
    assert [r["id"] for r in rows] == [draft["id"]]


def test_after_a_discarded_draft_the_quarter_is_declared_without_a_reason(account, clerk, approver):
    draft = declared(declare(clerk, account))
    api_as(clerk).post(f"{URL}{draft['id']}/discard/", format="json")
    fresh = declared(declare(approver, account, submit=True))
    assert fresh["status"] == "submitted"
    assert [v["status"] for v in fresh["versions"]] == ["discarded"]


# --- debit notes ---------------------------------------------------------------------------------


def test_an_insured_lists_its_own_debit_notes_by_due_date(account, policy_b, personas):
    services.premium_account_open(policy_id=policy_b.pk, today=date(2026, 1, 1))
    rows = api_as(personas["insured_a"]).get("/api/v1/debit-notes/").json()["results"]
    assert [(r["sequence"], r["amount"], r["due_on"], r["status"]) for r in rows] == [
        (1, "50000.00", "2026-01-01", "open"),
        (2, "50000.00", "2026-04-01", "open"),
        (3, "50000.00", "2026-07-01", "open"),
        (4, "50000.00", "2026-10-01", "open"),
    ]
    assert {r["policy"] for r in rows} == {account.pk}
    assert rows[0]["outstanding"] == "50000.00" and rows[0]["is_credit"] is False
    staff = api_as(personas["underwriter"]).get("/api/v1/debit-notes/").json()["results"]
    assert len(staff) == 8
    assert api_as(personas["bank"]).get("/api/v1/debit-notes/").json()["results"] == []
    other = note(account, 1)
    assert api_as(personas["insured_b"]).get(f"/api/v1/debit-notes/{other.pk}/").status_code == 404
    assert api_as(personas["bank"]).get(f"/api/v1/debit-notes/{other.pk}/").status_code == 404


def test_debit_notes_filter_by_kind_status_and_policy_and_order_by_due_date(
    account, underwriter, django_assert_max_num_queries
):
    services.payment_record(
        actor=underwriter, debit_note_id=note(account, 1).pk, amount=D("50000"),
        paid_on=date(2026, 1, 5),
    )  # fmt: skip
    client = api_as(underwriter)

    def sequences(**query):
        response = client.get("/api/v1/debit-notes/", query)
        assert response.status_code == 200, response.json()
        return [r["sequence"] for r in response.json()["results"]]

    assert sequences(ordering="-due_on") == [4, 3, 2, 1]
    assert sequences(status="paid") == [1]
    assert sequences(status=["open", "overdue"], kind="instalment") == [2, 3, 4]
    assert sequences(kind="limit_fee") == []
    assert sequences(policy=account.pk, due_before="2026-04-01", due_after="2026-02-01") == [2]
    bad = client.get("/api/v1/debit-notes/", {"due_before": "2026-02-30"})
    assert (bad.status_code, list(bad.json())) == (400, ["due_before"])
    with django_assert_max_num_queries(3):
        client.get("/api/v1/debit-notes/")


def test_a_debit_note_shows_its_lines_in_the_readers_language_and_its_payments(
    account, underwriter, approver
):
    first = note(account, 1)
    services.payment_record(
        actor=underwriter, debit_note_id=first.pk, amount=D("20000"), paid_on=date(2026, 1, 5),
        reference="BANK-7",
    )  # fmt: skip
    url = f"/api/v1/debit-notes/{first.pk}/"
    english = api_as(approver).get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (english["status"], english["paid_amount"], english["outstanding"]) == (
        "partly_paid", "20000.00", "30000.00",
    )  # fmt: skip
    [line] = english["lines"]
    assert line["amount"] == "50000.00"
    assert line["text_code"] == "premiums.line.instalment"
    assert line["text"].startswith("Minimum premium, instalment 1 of 4")
    assert "200,000.00" in line["text"]
    assert [(p["amount"], p["paid_on"], p["reference"]) for p in english["payments"]] == [
        ("20000.00", "2026-01-05", "BANK-7")
    ]


def test_premium_staff_cancel_an_unpaid_note_with_a_reason(account, personas, underwriter):
    second = note(account, 2)
    url = f"/api/v1/debit-notes/{second.pk}/cancel/"
    refused = api_as(underwriter).post(url, {"reason": ""}, format="json")
    assert (refused.status_code, list(refused.json())) == (400, ["reason"])
    for role in ("insured_a", "claims_handler"):
        assert api_as(personas[role]).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api_as(personas["insured_b"]).post(url, {"reason": "x"}).status_code == 404
    response = api_as(underwriter).post(url, {"reason": "开错金额"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == DebitNoteStatus.CANCELLED
    deadline = Deadline.objects.get(kind=DeadlineKind.INSTALMENT, subject_id=second.pk)
    assert deadline.status == DeadlineStatus.WAIVED
    again = api_as(underwriter).post(url, {"reason": "开错金额"}, format="json")
    assert (again.status_code, list(again.json())) == (400, ["non_field_errors"])


def test_a_part_paid_note_cannot_be_cancelled(account, underwriter):
    first = note(account, 1)
    services.payment_record(
        actor=underwriter, debit_note_id=first.pk, amount=D("1"), paid_on=date(2026, 1, 5)
    )
    response = api_as(underwriter).post(
        f"/api/v1/debit-notes/{first.pk}/cancel/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 400
    first.refresh_from_db()
    assert first.status == DebitNoteStatus.PARTLY_PAID


# --- payments --------------------------------------------------------------------------------------

PAYMENTS = "/api/v1/payments/"


def pay(user, debit_note, amount, paid_on="2026-09-01", **extra):
    body = {"debit_note": debit_note.pk, "amount": amount, "paid_on": paid_on, **extra}
    return api_as(user).post(PAYMENTS, body, format="json")


def test_staff_record_a_part_payment_then_the_rest(account, underwriter, approver):
    first = note(account, 1)
    response = pay(underwriter, first, "20000.00", reference="BANK-1")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["debit_note"], body["amount"], body["paid_on"], body["reference"]) == (
        first.pk, "20000.00", "2026-09-01", "BANK-1",
    )  # fmt: skip
    assert (body["recorded_by"], body["policy"], body["debit_note_number"]) == (
        str(underwriter), account.pk, first.number,
    )  # fmt: skip
    first.refresh_from_db()
    assert (first.status, first.paid_amount) == (DebitNoteStatus.PARTLY_PAID, D("20000.00"))
    assert pay(underwriter, first, "30000.00").status_code == 201
    first.refresh_from_db()
    assert (first.status, first.outstanding) == (DebitNoteStatus.PAID, D(0))
    mine = api_as(approver).get(PAYMENTS).json()["results"]
    assert [p["amount"] for p in mine] == ["30000.00", "20000.00"]  # newest first


def test_an_overpayment_is_refused_on_amount_and_nothing_is_written(account, underwriter):
    first = note(account, 1)
    response = pay(underwriter, first, "50000.01")
    assert response.status_code == 400
    assert response.json() == {"amount": [str(ERROR_OVERPAYMENT % {"outstanding": "50,000.00"})]}
    assert not Payment.objects.exists()
    first.refresh_from_db()
    assert (first.status, first.paid_amount) == (DebitNoteStatus.OPEN, D(0))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": 100}, "amount"),  # a JSON number loses cents
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"paid_on": "2026-09-16"}, "paid_on"),  # tomorrow
        ({"paid_on": "2026-02-30"}, "paid_on"),
        ({"debit_note": 987654321}, "debit_note"),
        ({"reference": "x" * 65}, "reference"),
    ],
)
def test_a_bad_payment_names_its_field(account, underwriter, body, field):
    payload = {"debit_note": note(account, 1).pk, "amount": "100.00", "paid_on": "2026-09-01"}
    response = api_as(underwriter).post(PAYMENTS, {**payload, **body}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field], response.json()
    assert not Payment.objects.exists()


def test_a_payment_on_a_paid_or_cancelled_note_names_the_note(account, underwriter):
    second = note(account, 2)
    services.debit_note_cancel(actor=underwriter, debit_note_id=second.pk, reason="开错")
    response = pay(underwriter, second, "1.00")
    assert (response.status_code, list(response.json())) == (400, ["debit_note"])


@pytest.mark.parametrize("role", ["insured_a", "claims_handler", "claims_manager", "bank"])
def test_only_premium_staff_record_payments(account, personas, role):
    assert pay(personas[role], note(account, 1), "1.00").status_code == 403
    assert not Payment.objects.exists()


def test_payments_are_scoped_and_filtered_by_policy(
    account, policy_b, personas, underwriter, django_assert_max_num_queries
):
    services.premium_account_open(policy_id=policy_b.pk, today=date(2026, 1, 1))
    pay(underwriter, note(account, 1), "100.00")
    pay(underwriter, note(policy_b, 1), "200.00")
    assert [p["amount"] for p in api_as(personas["insured_b"]).get(PAYMENTS).json()["results"]] == [
        "200.00"
    ]
    assert api_as(personas["bank"]).get(PAYMENTS).json()["results"] == []
    staff = api_as(underwriter)
    rows = staff.get(PAYMENTS, {"policy": account.pk}).json()["results"]
    assert [p["amount"] for p in rows] == ["100.00"]
    mine = api_as(personas["insured_a"]).get(PAYMENTS).json()["results"]
    theirs = Payment.objects.get(amount=D("200.00"))
    assert api_as(personas["insured_a"]).get(f"{PAYMENTS}{theirs.pk}/").status_code == 404
    assert api_as(personas["insured_a"]).get(f"{PAYMENTS}{mine[0]['id']}/").status_code == 200
    with django_assert_max_num_queries(2):
        staff.get(PAYMENTS)


# --- a policy's premium account ---------------------------------------------------------------------


def test_the_premium_account_shows_the_position_and_the_quarters(
    account, personas, underwriter, approver, clerk
):
    declared(declare(approver, account, quarter=1, turnover="15000000.00", submit=True))
    declared(declare(clerk, account, quarter=2, turnover="14000000.00"))
    pay(underwriter, note(account, 1), "50000.00")
    url = f"/api/v1/premium-accounts/{account.pk}/"
    body = api_as(approver).get(url).json()
    assert (body["policy"], body["policy_number"]) == (account.pk, account.policy_number)
    position = body["position"]
    assert position == {
        "minimum_premium": "200000.00", "declared_turnover": "15000000.00",
        "estimated_turnover": "50000000.00", "premium_to_date": "75000.00",
        "adjustment_to_date": "0.00", "invoiced": "200000.00", "credited": "0.00",
        "paid": "50000.00", "refunded": "0.00", "balance": "150000.00", "overdue": "0.00",
    }  # fmt: skip
    quarters = body["quarters"]
    assert [(q["label"], q["state"], q["due_on"]) for q in quarters] == [
        ("Q1", "late", "2026-04-15"),
        ("Q2", "missing", "2026-07-15"),  # a draft is not a declaration
        ("Q3", "not_yet", "2026-10-15"),
        ("Q4", "not_yet", "2027-01-15"),
    ]
    assert quarters[0]["current"] == quarters[0]["versions"][0]["id"]
    assert quarters[1]["current"] is None and quarters[1]["draft"] is not None
    assert quarters[0]["estimate"] == "12500000.00"
    # Staff see the same account without the insured's draft.
    staff = api_as(underwriter).get(url).json()["quarters"][1]
    assert (staff["draft"], staff["versions"]) == (None, [])
    for role in ("insured_b", "bank"):
        assert api_as(personas[role]).get(url).status_code == 404
    unknown = api_as(approver).get(url, {"year": "2026"})
    assert (unknown.status_code, list(unknown.json())) == (400, ["year"])
