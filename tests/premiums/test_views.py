"""The premium pages through HTTP (SPEC 2, 6): the insured's quarters and premium, the
declaration form (clerk prepares, approver submits, staff enter paper declarations), the
premium account with payments and cancellation, the staff lists and their exports.

The business day is 2026-09-15: Q1 and Q2 of the 2026 policy are past their deadlines
(15 April, 15 July), Q3 ends on 30 September."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from accounts.choices import Role
from premiums import services
from premiums.choices import DebitNoteStatus, DeclarationStatus
from premiums.models import Declaration
from tests.factories import PolicyFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def account(policy):
    services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    return policy


@pytest.fixture
def viewer(insured_a):
    return UserFactory(username="viewer_a", organisation=insured_a, role=Role.VIEWER)


def _declare(policy, actor, quarter, amount, **kwargs):
    return services.declaration_prepare(
        actor=actor, policy_id=policy.pk, quarter=quarter, turnover=D(amount), submit=True,
        **kwargs,
    )  # fmt: skip


def test_the_policy_page_shows_quarters_position_chart_and_what_is_due_next(account, approver):
    _declare(account, approver, 1, "12000000")
    response = client_for(approver).get(f"/premiums/policies/{account.pk}/")
    assert response.status_code == 200
    states = [(row.quarter.index, row.state) for row in response.context["quarters"]]
    assert states == [(1, "late"), (2, "missing"), (3, "not_yet"), (4, "not_yet")]
    page = response.content.decode()
    assert 'data-testid="turnover-chart"' in page and 'data-declared="12000000.00"' in page
    assert 'data-testid="missing-declarations"' in page
    position = response.context["position"]
    assert (position.declared_turnover, position.premium_to_date) == (D("12000000"), D("60000"))
    assert position.invoiced == D("200000.00")
    due = response.context["due_next"]
    assert [(d.kind, d.due_on) for d in due][:2] == [
        ("instalment", date(2026, 1, 1)),
        ("instalment", date(2026, 4, 1)),
    ]
    assert any(d.kind == "declaration" and d.due_on == date(2026, 10, 15) for d in due)
    assert next(d for d in due if d.due_on == date(2026, 10, 15)).days_left == 30
    # Declare buttons for the ended quarters only (Q2 missing, Q1 to correct).
    assert page.count('data-testid="declare-quarter"') == 2


def test_a_clerk_prepares_and_the_approver_submits_and_the_position_moves(account, clerk, approver):
    form = client_for(clerk).get(f"/premiums/policies/{account.pk}/declare/?quarter=2")
    assert form.status_code == 200
    page = form.content.decode()
    assert 'data-testid="declare-now"' not in page  # a clerk only saves for an approver
    assert "turnover-definition" in page
    response = client_for(clerk).post(
        f"/premiums/policies/{account.pk}/declare/",
        {"quarter": "2", "turnover": "12,500,000", "draft": "1"},
    )
    draft = Declaration.objects.get(policy=account, quarter=2)
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    assert draft.status == DeclarationStatus.DRAFT
    # The clerk cannot submit: 404 like anything out of reach.
    assert client_for(clerk).post(f"/premiums/declarations/{draft.pk}/submit/").status_code == 404
    detail = client_for(approver).get(draft.get_absolute_url())
    assert detail.context["can_submit"]
    before = client_for(approver).get(f"/premiums/policies/{account.pk}/").context["position"]
    assert (
        client_for(approver).post(f"/premiums/declarations/{draft.pk}/submit/").status_code == 302
    )
    draft.refresh_from_db()
    assert draft.status == DeclarationStatus.SUBMITTED and draft.submitted_by == approver
    after = client_for(approver).get(f"/premiums/policies/{account.pk}/").context["position"]
    assert (before.declared_turnover, after.declared_turnover) == (D(0), D("12500000"))
    assert after.premium_to_date == D("62500.00")
    history = client_for(approver).get(draft.get_absolute_url()).context["changes"]
    assert [c.action for c in history] == ["prepare", "submit"]


def test_the_approver_returns_a_draft_with_a_comment_and_the_clerk_sees_it(
    account, clerk, approver
):
    draft = services.declaration_prepare(
        actor=clerk, policy_id=account.pk, quarter=2, turnover=D("1000")
    )
    empty = client_for(approver).post(f"/premiums/declarations/{draft.pk}/return/", {})
    assert empty.status_code == 302
    assert not draft.changes.filter(action="return").exists()
    client_for(approver).post(
        f"/premiums/declarations/{draft.pk}/return/", {"comment": "金额应为不含税"}
    )
    page = client_for(clerk).get(draft.get_absolute_url())
    assert page.context["returned"].reason == "金额应为不含税"
    edit = client_for(clerk).post(
        f"/premiums/declarations/{draft.pk}/edit/", {"turnover": "1,200,000.00"}
    )
    assert edit.status_code == 302
    draft.refresh_from_db()
    assert (draft.turnover, draft.status) == (D("1200000.00"), DeclarationStatus.DRAFT)


def test_a_correction_needs_a_reason_on_its_field_and_keeps_the_earlier_version(account, approver):
    first = _declare(account, approver, 1, "12000000")
    url = f"/premiums/policies/{account.pk}/declare/"
    refused = client_for(approver).post(
        url, {"quarter": "1", "turnover": "13000000", "declare": "1"}
    )
    assert refused.status_code == 200
    assert "correction_reason" in refused.context["form"].errors
    assert 'data-field="correction_reason"' in refused.content.decode()
    done = client_for(approver).post(
        url,
        {"quarter": "1", "turnover": "13000000", "declare": "1",
         "correction_reason": "漏报一张发票"},
    )  # fmt: skip
    assert done.status_code == 302
    first.refresh_from_db()
    assert first.status == DeclarationStatus.SUPERSEDED
    row = client_for(approver).get(f"/premiums/policies/{account.pk}/").context["quarters"][0]
    assert [(v.version, v.status) for v in row.versions] == [
        (2, DeclarationStatus.SUBMITTED),
        (1, DeclarationStatus.SUPERSEDED),
    ]
    page = client_for(approver).get(row.current.get_absolute_url()).content.decode()
    assert "漏报一张发票" in page


def test_a_nil_declaration_and_bad_amounts_come_back_on_the_turnover_field(account, approver):
    url = f"/premiums/policies/{account.pk}/declare/"
    client = client_for(approver)
    zero = client.post(url, {"quarter": "2", "turnover": "0", "declare": "1"})
    assert "turnover" in zero.context["form"].errors
    bad = client.post(url, {"quarter": "2", "turnover": "1.000,50", "declare": "1"})
    assert "turnover" in bad.context["form"].errors
    future = client.post(url, {"quarter": "3", "turnover": "100", "declare": "1"})
    assert "quarter" in future.context["form"].errors  # Q3 has not ended: not offered
    assert client.post(url, {"quarter": "2", "nil": "on", "declare": "1"}).status_code == 302
    nil = Declaration.objects.get(policy=account, quarter=2)
    assert (nil.nil, nil.turnover, nil.status) == (True, D(0), DeclarationStatus.SUBMITTED)


def test_staff_enter_a_paper_declaration_claims_staff_and_viewers_cannot(account, personas, viewer):
    url = f"/premiums/policies/{account.pk}/declare/"
    underwriter = client_for(personas["underwriter"])
    assert 'data-testid="declare-now"' in underwriter.get(url).content.decode()
    assert (
        underwriter.post(url, {"quarter": "2", "turnover": "9000000", "declare": "1"}).status_code
        == 302
    )
    paper = Declaration.objects.get(policy=account, quarter=2)
    assert (paper.status, paper.prepared_by) == (
        DeclarationStatus.SUBMITTED,
        personas["underwriter"],
    )
    assert client_for(personas["claims_handler"]).get(url).status_code == 404
    assert client_for(viewer).get(url).status_code == 404
    # The viewer reads the page but is offered no button.
    page = client_for(viewer).get(f"/premiums/policies/{account.pk}/")
    assert page.status_code == 200 and 'data-testid="declare-quarter"' not in page.content.decode()


def test_insured_b_and_the_bank_see_nothing_of_insured_a(account, approver, personas):
    declaration = _declare(account, approver, 1, "12000000")
    note = account.debit_notes.first()
    urls = [
        f"/premiums/policies/{account.pk}/",
        f"/premiums/policies/{account.pk}/declare/",
        f"/premiums/policies/{account.pk}/account/",
        declaration.get_absolute_url(),
        note.get_absolute_url(),
    ]
    for who in ("insured_b", "bank"):
        client = client_for(personas[who])
        assert [client.get(url).status_code for url in urls] == [404] * 5, who
    overview = client_for(personas["insured_b"]).get("/premiums/declarations/")
    assert overview.status_code == 200 and not overview.context["object_list"]
    csv = client_for(personas["insured_b"]).get("/premiums/declarations/?export=csv")
    assert account.policy_number not in b"".join(csv.streaming_content).decode()


def test_the_debit_note_page_shows_lines_payments_and_history(account, approver, underwriter):
    note = account.debit_notes.get(sequence=1)
    services.payment_record(
        actor=underwriter, debit_note_id=note.pk, amount=D("20000"), paid_on=date(2026, 9, 1)
    )
    response = client_for(approver).get(note.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "50,000.00" in page and "20,000.00" in page and "30,000.00" in page
    assert [c.action for c in response.context["changes"]] == ["issue", "pay_part"]
    assert not response.context["can_pay"] and not response.context["can_cancel"]
    assert client_for(underwriter).get(note.get_absolute_url()).context["can_pay"]


def test_staff_record_a_payment_and_an_overpayment_is_refused_on_the_amount(account, personas):
    note = account.debit_notes.get(sequence=3)
    url = f"/premiums/policies/{account.pk}/account/"
    client = client_for(personas["underwriter"])
    page = client.get(f"{url}?note={note.pk}")
    assert page.status_code == 200 and page.context["form"].initial["debit_note"] == str(note.pk)
    refused = client.post(
        url, {"debit_note": note.pk, "amount": "50,000.01", "paid_on": "2026-09-10"}
    )
    assert refused.status_code == 200
    assert "amount" in refused.context["form"].errors
    assert "50,000.00" in refused.context["form"].errors["amount"][0]
    future = client.post(url, {"debit_note": note.pk, "amount": "100", "paid_on": "2026-12-01"})
    assert "paid_on" in future.context["form"].errors
    done = client.post(
        url, {"debit_note": note.pk, "amount": "20,000", "paid_on": "2026-09-10",
              "reference": "BK-778"},
    )  # fmt: skip
    assert done.status_code == 302
    note.refresh_from_db()
    assert (note.paid_amount, note.status) == (D("20000.00"), DebitNoteStatus.PARTLY_PAID)
    account_page = client.get(url)
    assert account_page.context["position"].paid == D("20000.00")
    assert "BK-778" in account_page.content.decode()
    # Claims staff read the account but record nothing.
    claims = client_for(personas["claims_handler"])
    assert claims.get(url).status_code == 200
    assert (
        claims.post(
            url, {"debit_note": note.pk, "amount": "1", "paid_on": "2026-09-10"}
        ).status_code
        == 404
    )


def test_cancelling_a_note_is_stated_and_confirmed_with_a_reason(account, personas):
    note = account.debit_notes.get(sequence=4)
    client = client_for(personas["underwriter"])
    cancel = f"/premiums/debit-notes/{note.pk}/cancel/"
    unconfirmed = client.post(cancel, {"reason": "开错了"})
    assert unconfirmed.status_code == 302 and unconfirmed["Location"].endswith("?confirm=cancel")
    dialog = client.get(f"{note.get_absolute_url()}?confirm=cancel")
    assert dialog.context["confirmation"].reason_label
    assert 'data-testid="confirm-dialog"' in dialog.content.decode()
    no_reason = client.post(cancel, {"confirmed": "1", "reason": ""})
    assert no_reason["Location"].endswith("?confirm=cancel")
    note.refresh_from_db()
    assert note.status == DebitNoteStatus.OPEN
    assert client.post(cancel, {"confirmed": "1", "reason": "开错了"}).status_code == 302
    note.refresh_from_db()
    assert note.status == DebitNoteStatus.CANCELLED
    assert (
        client_for(personas["insured_a"])
        .post(cancel, {"confirmed": "1", "reason": "x"})
        .status_code
        == 404
    )
    assert (
        client_for(personas["claims_handler"])
        .post(cancel, {"confirmed": "1", "reason": "x"})
        .status_code
        == 404
    )


def test_the_overview_lists_every_policy_quarter_filters_missing_and_exports(
    account, approver, personas, insured_b
):
    other = PolicyFactory(insured=insured_b, status="in_force", policy_number="TCI2026999999")
    services.premium_account_open(policy_id=other.pk, today=date(2026, 1, 1))
    _declare(account, approver, 1, "10000000")  # late (due 15 April)
    client = client_for(personas["underwriter"])
    everything = client.get("/premiums/declarations/")
    assert everything.status_code == 200
    rows = {(r.policy.policy_number, r.key): r for r in everything.context["object_list"]}
    assert len(rows) == 8
    assert rows[(account.policy_number, "Q1")].state == "late"
    assert rows[(account.policy_number, "Q1")].declared_turnover == D("10000000.00")
    assert rows[(account.policy_number, "Q2")].state == "missing"
    assert rows[(account.policy_number, "Q3")].state == "not_yet"
    missing = client.get("/premiums/declarations/?state=missing&sort=policy__policy_number")
    assert [(r.policy.policy_number, r.key) for r in missing.context["object_list"]] == [
        (account.policy_number, "Q2"),
        (other.policy_number, "Q1"),
        (other.policy_number, "Q2"),
    ]
    csv = b"".join(client.get("/premiums/declarations/?export=csv").streaming_content).decode()
    assert "10000000.00" in csv and "80.0%" in csv  # 10,000,000 of a 12,500,000 quarter
    xlsx = client.get("/premiums/declarations/?export=xlsx&quarter=1")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd")
    # The insured sees its own quarters only, without the insured column.
    own = client_for(approver).get("/premiums/declarations/")
    assert {r.policy_id for r in own.context["object_list"]} == {account.pk}


def test_the_overdue_list_shows_overdue_notes_with_days_and_exports(account, personas):
    services.premiums_sweep(today=date(2026, 9, 15))
    client = client_for(personas["underwriter"])
    response = client.get("/premiums/debit-notes/overdue/")
    assert response.status_code == 200
    assert [n.sequence for n in response.context["object_list"]] == [1, 2, 3]
    page = response.content.decode()
    assert 'data-testid="days-overdue">257<' in page  # 1 January to 15 September
    csv = b"".join(client.get("/premiums/debit-notes/overdue/?export=csv").streaming_content)
    assert csv.decode().count("DN2026") == 3
    assert (
        client_for(personas["insured_a"]).get("/premiums/debit-notes/overdue/").status_code == 404
    )


def test_the_policy_page_flags_missed_declarations(account, personas):
    for who in ("underwriter", "insured_a"):
        page = client_for(personas[who]).get(account.get_absolute_url()).content.decode()
        assert 'data-testid="policy-missing-declarations"' in page, who
        assert f"/premiums/policies/{account.pk}/" in page


def test_a_later_correction_does_not_make_an_on_time_declaration_late(account, approver):
    _declare(account, approver, 1, "12000000", today=date(2026, 4, 10))
    _declare(account, approver, 1, "12600000", correction_reason="漏报发票")
    row = client_for(approver).get(f"/premiums/policies/{account.pk}/").context["quarters"][0]
    assert (row.current.version, row.state) == (2, "declared")
    overview = client_for(approver).get("/premiums/declarations/?quarter=1")
    assert [r.state for r in overview.context["object_list"]] == ["declared"]


@pytest.mark.parametrize("policies", [1, 6])
def test_the_lists_and_the_policy_page_take_the_same_queries_however_many_rows(
    policies, personas, insured_a, django_assert_max_num_queries
):
    """No query per row (STYLE: N+1): the overview, the overdue notes, the deadlines and
    the policy page read a fixed number of queries for 4 or 24 policy quarters."""
    for _ in range(policies):
        policy = PolicyFactory(insured=insured_a, status="in_force")
        services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
        _declare(policy, personas["insured_a"], 1, "12000000")
    services.premiums_sweep(today=date(2026, 9, 15))
    client = client_for(personas["underwriter"])
    client.get("/")  # session and language settled
    for url, most in (
        ("/premiums/declarations/", 7),
        ("/premiums/debit-notes/overdue/", 7),
        ("/deadlines/", 7),
        (f"/premiums/policies/{policy.pk}/", 16),
        (f"/premiums/policies/{policy.pk}/account/", 19),
    ):
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200, url
