"""The one way to change state (core.transitions): the table, the guard, the record."""

import ast
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.utils import ProgrammingError
from django.test.utils import CaptureQueriesContext

from banks.choices import AGREEMENT_MACHINE
from banks.models import AssignmentAgreement
from claims.choices import CLAIM_MACHINE, NOTICE_MACHINE, WORKSHEET_MACHINE
from claims.models import Claim, OverdueNotice, Worksheet
from core import reactions, transitions
from deadlines.choices import DEADLINE_MACHINE
from deadlines.models import Deadline
from documents.choices import DOCUMENT_MACHINE
from documents.models import Document
from limits.choices import APPLICATION_MACHINE, LIMIT_MACHINE, REVIEW_MACHINE
from limits.models import CreditLimit, LimitApplication, LimitReview
from policies.choices import POLICY_MACHINE, PolicyAction, PolicyStatus
from policies.models import Policy, PolicyTransition
from premiums.choices import DEBIT_NOTE_MACHINE, DECLARATION_MACHINE
from premiums.models import DebitNote, Declaration
from premiums.services import premium_account_open
from tests.factories import BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APP_DIRS = ["accounts", "buyers", "policies", "deadlines", "limits", "premiums", "claims",
            "banks", "documents", "notifications", "core", "demo"]  # fmt: skip
MACHINES = [POLICY_MACHINE, LIMIT_MACHINE, APPLICATION_MACHINE, REVIEW_MACHINE,
            DEADLINE_MACHINE, DECLARATION_MACHINE, DEBIT_NOTE_MACHINE, NOTICE_MACHINE,
            CLAIM_MACHINE, WORKSHEET_MACHINE, DOCUMENT_MACHINE, AGREEMENT_MACHINE]  # fmt: skip


@pytest.fixture
def rows(personas, insured_a, bank_org):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    buyer = BuyerFactory()
    limit = CreditLimit.objects.create(
        policy=policy, buyer=buyer, amount=Decimal("100000"), payment_terms_days=60,
        source="insurer", effective_from=policy.period_start,
    )  # fmt: skip
    application = LimitApplication.objects.create(
        policy=policy, buyer=buyer, requested_amount=Decimal("100000"),
        prepared_by=personas["insured_a"],
    )  # fmt: skip
    review = LimitReview.objects.create(
        credit_limit=limit, reason="yearly", due_on=policy.period_end
    )
    premium_account_open(policy_id=policy.pk, today=policy.period_start)
    declaration = Declaration.objects.create(
        policy=policy, quarter=1, quarter_start=date(2026, 1, 1), quarter_end=date(2026, 3, 31),
        due_on=date(2026, 4, 15), turnover=Decimal("1"), status="draft",
        prepared_by=personas["insured_a"],
    )  # fmt: skip
    notice = OverdueNotice.objects.create(
        reference="ON-T", policy=policy, buyer=buyer, status="draft",
        prepared_by=personas["insured_a"],
    )  # fmt: skip
    claim = Claim.objects.create(
        reference="CL-T", notice=notice, policy=policy, buyer=buyer, cause="insolvency",
        status="collecting", opened_on=policy.period_start, opened_by=personas["insured_a"],
    )  # fmt: skip
    money = {name: Decimal(0) for name in (
        "outstanding", "covered_debt", "recoveries", "other_credits", "net_loss", "franchise",
        "limit_amount", "loss_within_limit", "indemnity_before_cap", "remaining_liability",
        "indemnity")}  # fmt: skip
    worksheet = Worksheet.objects.create(
        claim=claim, version=1, status="draft", below_franchise=True,
        indemnity_percentage=Decimal(90), computed_by=personas["claims_handler"], **money,
    )  # fmt: skip
    document = transitions.create(
        DOCUMENT_MACHINE,
        Document(
            kind="loss_notice", subject_type=ContentType.objects.get_for_model(policy),
            subject_id=policy.pk, policy=policy, reference="LN-2026-800001", filename="x.pdf",
        ),
        "request",
    )  # fmt: skip
    agreement = transitions.create(
        AGREEMENT_MACHINE,
        AssignmentAgreement(
            reference="AA-T", policy=policy, bank=bank_org, scope="all",
            starts_on=policy.period_start, ends_on=policy.period_end, account_name="x",
            account_number="1", account_bank="y", prepared_by=personas["underwriter"],
        ),
        "prepare",
    )  # fmt: skip
    return {
        AssignmentAgreement: agreement, OverdueNotice: notice, Claim: claim, Worksheet: worksheet,
        Policy: policy, CreditLimit: limit, LimitApplication: application, LimitReview: review,
        Deadline: Deadline.objects.filter(policy=policy).first(),
        DebitNote: DebitNote.objects.filter(policy=policy).first(), Declaration: declaration,
        Document: document,
    }  # fmt: skip


@pytest.mark.parametrize(
    "model, other_status",
    [(Policy, "expired"), (CreditLimit, "cancelled"), (LimitApplication, "decided"),
     (LimitReview, "done"), (Deadline, "met"), (DebitNote, "paid"), (Declaration, "submitted"),
     (OverdueNotice, "filed"), (Claim, "paid"), (Worksheet, "approved"), (Document, "rendering"),
     (AssignmentAgreement, "withdrawn")],
)  # fmt: skip
def test_a_status_written_outside_the_mechanism_is_refused_by_the_database(
    rows, model, other_status
):
    row = rows[model]
    with (
        pytest.raises(IntegrityError, match="outside the transition mechanism"),
        transaction.atomic(),
    ):
        model.objects.filter(pk=row.pk).update(status=other_status)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET status = %s WHERE id = %s",  # noqa: S608
            [other_status, row.pk],
        )
    row.refresh_from_db()
    assert row.status != other_status


def test_the_guard_is_off_again_once_a_transition_wrote_its_row(rows):
    # The flag is set and cleared inside the transition's own UPDATE statement: a status
    # written by the next statement of the same transaction is refused again.
    policy = rows[Policy]
    with transaction.atomic():
        transitions.transition(POLICY_MACHINE, policy, PolicyAction.SUSPEND)
        with (
            pytest.raises(IntegrityError, match="outside the transition mechanism"),
            transaction.atomic(),
        ):
            Policy.objects.filter(pk=policy.pk).update(status=PolicyStatus.EXPIRED)
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.SUSPENDED


def test_a_caller_holding_the_lock_moves_the_row_without_locking_it_again(rows):
    policy = Policy.objects.select_for_update().get(pk=rows[Policy].pk)
    with CaptureQueriesContext(connection) as queries:
        transitions.transition(POLICY_MACHINE, policy, PolicyAction.SUSPEND, locked=True)
    assert not any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.SUSPENDED
    # The table still decides: a move it lacks from the status the caller read is refused.
    with pytest.raises(transitions.TransitionNotAllowed):
        transitions.transition(POLICY_MACHINE, policy, PolicyAction.QUOTE, locked=True)


def test_other_fields_may_still_be_written(rows):
    Policy.objects.filter(pk=rows[Policy].pk).update(auto_renew=False)
    assert Policy.objects.get(pk=rows[Policy].pk).auto_renew is False


def test_the_mechanism_moves_records_and_refuses_by_name(personas, rows):
    policy = rows[Policy]
    transitions.transition(POLICY_MACHINE, policy, PolicyAction.SUSPEND, actor=personas["admin"],
                           reason="保费逾期")  # fmt: skip
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.SUSPENDED
    change = PolicyTransition.objects.get(policy=policy)
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        PolicyStatus.IN_FORCE, PolicyStatus.SUSPENDED, personas["admin"], "保费逾期",
    )  # fmt: skip
    with pytest.raises(transitions.TransitionNotAllowed) as info:
        transitions.transition(POLICY_MACHINE, policy, PolicyAction.QUOTE)
    assert "action" in info.value.message_dict
    assert PolicyTransition.objects.filter(policy=policy).count() == 1


def test_a_sweep_claim_on_a_moved_row_does_nothing(rows):
    policy = rows[Policy]
    stale = Policy.objects.get(pk=policy.pk)
    transitions.transition(POLICY_MACHINE, policy, PolicyAction.SUSPEND)
    assert transitions.transition(POLICY_MACHINE, stale, PolicyAction.EXPIRE, claim=True,
                                  job="expire-policies") is None  # fmt: skip
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.SUSPENDED
    # Claimed from its real status, the same sweep moves it, naming itself.
    transitions.transition(POLICY_MACHINE, Policy.objects.get(pk=policy.pk), PolicyAction.EXPIRE,
                           claim=True, job="expire-policies")  # fmt: skip
    assert PolicyTransition.objects.filter(policy=policy).last().job == "expire-policies"


def test_reactions_run_in_the_same_transaction(rows):
    seen = []

    def react(*, change):
        seen.append((change.from_status, change.to_status))
        raise RuntimeError("a consequence failed")

    reactions.react("policies.policy.suspend", react)
    try:
        with pytest.raises(RuntimeError):
            transitions.transition(POLICY_MACHINE, rows[Policy], PolicyAction.SUSPEND)
    finally:
        reactions._reactions["policies.policy.suspend"].remove(react)
    assert seen == [(PolicyStatus.IN_FORCE, PolicyStatus.SUSPENDED)]
    # The failed consequence took the move and its record with it.
    assert Policy.objects.get(pk=rows[Policy].pk).status == PolicyStatus.IN_FORCE
    assert not PolicyTransition.objects.filter(policy=rows[Policy]).exists()


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_status_change_rows_are_append_only(rows, machine):
    today = rows[Policy].period_start
    transitions.transition(POLICY_MACHINE, rows[Policy], PolicyAction.SUSPEND)
    transitions.transition(LIMIT_MACHINE, rows[CreditLimit], "suspend",
                           history_fields={"effective_on": today})  # fmt: skip
    transitions.transition(APPLICATION_MACHINE, rows[LimitApplication], "withdraw")
    transitions.transition(REVIEW_MACHINE, rows[LimitReview], "close")
    transitions.transition(DECLARATION_MACHINE, rows[Declaration], "discard")
    transitions.transition(NOTICE_MACHINE, rows[OverdueNotice], "edit")
    transitions.transition(CLAIM_MACHINE, rows[Claim], "request_documents")
    transitions.transition(WORKSHEET_MACHINE, rows[Worksheet], "supersede")
    table = machine.history_class()._meta.db_table
    assert machine.history_class().objects.exists()
    for statement in (f"UPDATE {table} SET reason = 'x'", f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(ProgrammingError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement)


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_every_table_row_names_real_statuses_and_actions(machine):
    model = machine.model_class()
    statuses = {value for value, _ in model._meta.get_field("status").choices}
    actions = {value for value, _ in machine.history_class()._meta.get_field("action").choices}
    for source, action, target in machine.rows:
        assert source in statuses | {""}
        assert target in statuses
        assert action in actions


# Called with `status=` but not models: query expressions, and HTTP answers (a status code).
NOT_MODELS = {"Q", "F", "Case", "When", "Value", "Response", "HttpResponse", "JsonResponse"}


class _StatusWrites(ast.NodeVisitor):
    """Finds `x.status = …`, `….update(status=…)`, `….create(status=…)`, `Model(status=…)`
    and `bulk_update(…, ["status"])` in application code."""

    def __init__(self):
        self.found = []

    def visit_Assign(self, node):
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr == "status":
                self.found.append(node.lineno)
        self.generic_visit(node)

    def visit_Call(self, node):
        if any(k.arg == "status" for k in node.keywords):
            name = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else getattr(node.func, "id", "")
            )
            # Filters and lookups read a status; these write one.
            if name in {"update", "create", "get_or_create", "update_or_create"} or (
                name[:1].isupper() and name not in NOT_MODELS
            ):
                self.found.append(node.lineno)
        bulk = isinstance(node.func, ast.Attribute) and node.func.attr == "bulk_update"
        if bulk and "status" in ast.unparse(node):
            self.found.append(node.lineno)
        self.generic_visit(node)


# Writes that are not moves of a state machine, each with its reason.
ALLOWED_STATUS_WRITES = {
    "core/transitions.py": "the mechanism itself",
    "notifications/services.py": (
        "the outbox is the delivery queue the mechanism sends through: each message is "
        "claimed by its own compare-and-set with a lease and counts its attempts"
    ),
}
# A pending-orders request's outcome (accepted or refused) is fixed when it is recorded
# and never moves afterwards: set on the new row, not a transition.
ALLOWED_LINES = {("limits/services/changes.py", "cover.status = PendingOrdersStatus.")}


def test_no_application_code_writes_a_status_outside_the_mechanism():
    offenders = []
    for app in APP_DIRS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in ALLOWED_STATUS_WRITES:
                continue
            source = path.read_text()
            visitor = _StatusWrites()
            visitor.visit(ast.parse(source))
            lines = source.splitlines()
            for lineno in visitor.found:
                line = lines[lineno - 1].strip()
                if not any(relative == f and line.startswith(p) for f, p in ALLOWED_LINES):
                    offenders.append(f"{relative}:{lineno}: {line}")
    assert offenders == []


def test_the_status_write_finder_finds_writes():
    visitor = _StatusWrites()
    visitor.visit(ast.parse(
        "limit.status = 'x'\nQ.objects.filter(a=1).update(status='x')\n"
        "CreditLimit(status='x')\nQ.objects.bulk_update(rows, ['status'])\n"
        "CreditLimit.objects.filter(status='x')\n"
    ))  # fmt: skip
    assert visitor.found == [1, 2, 3, 4]
