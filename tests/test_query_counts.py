"""Queries per list page and API list (issue 10, B7): every list costs as many queries
with 3N rows as with N, and at most `BUDGET` (10) unless its entry says why it needs more.

One world is built with N "units" (a unit is one of every listed object, each on a
policy of its own, so that a query per row, per policy or per buyer shows), every list
is requested as each role that sees rows and its queries counted; then 2N more units
are added and every list is counted again. Each page is requested once before it is
counted, so that process-wide caches (content types, translations) are warm as in a
running server. The timing of the same pages at scale is `benchmarks/pages.py`.

A new list URL (a page without URL parameters, or an API route with a list action) must
come with its entry here: `test_every_list_url_has_a_query_count_entry`.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.choices import Role
from banks import services as bank_services
from claims import services as claim_services
from core import transitions
from limits import services as limit_services
from limits.choices import ReviewReason
from limits.models import LimitReview
from policies.choices import PolicyStatus
from premiums import services as premium_services
from premiums.choices import DEBIT_NOTE_MACHINE, DebitNoteAction
from premiums.models import DeclarationUpload
from tests.banks.test_portal import paid_claim
from tests.banks.test_portal import report as receivables_report
from tests.claims.conftest import PDF, grant_limit
from tests.claims.conftest import invoice as notice_invoice
from tests.conftest import make_personas, shared_data
from tests.documents.samples import make_issued_document
from tests.factories import (
    BankFactory,
    BuyerCapacityFactory,
    BuyerFactory,
    InsurerFactory,
    OrganisationFactory,
    PolicyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BUDGET = 10  # B7: at most 10 queries per list page, whatever the row count
N = 2  # units in the small world; the large one has 3N


@dataclass(frozen=True)
class Entry:
    """A list and the roles that see rows in it; `budget` above BUDGET says `why`."""

    url: str
    roles: tuple[str, ...]
    budget: int = BUDGET
    why: str = ""


PAGES = [
    # The homes gather every count in one statement (core.figures).
    Entry("/", ("underwriter", "claims_handler")),
    Entry("/", ("insured_a",)),
    Entry("/company/users/", ("insured_admin",)),
    Entry("/policies/", ("underwriter", "insured_a")),
    Entry("/buyers/", ("underwriter", "insured_a")),
    Entry("/limits/", ("underwriter", "insured_a", "bank")),
    Entry("/limits/applications/", ("underwriter", "insured_a")),
    Entry("/limits/queue/", ("underwriter",)),
    Entry("/limits/reviews/", ("underwriter",)),
    Entry("/limits/portfolio/", ("underwriter",)),
    Entry("/premiums/declarations/", ("underwriter", "insured_a")),
    Entry("/premiums/debit-notes/overdue/", ("underwriter",)),
    Entry("/premiums/uploads/", ("underwriter", "insured_a")),
    Entry("/deadlines/", ("underwriter", "insured_a")),
    Entry("/deadlines/calendar/?month=2026-10", ("underwriter", "insured_a")),
    Entry("/claims/", ("claims_handler",)),
    Entry("/claims/notices/", ("claims_handler", "insured_a", "bank")),
    Entry("/banks/agreements/", ("underwriter", "insured_a", "bank")),
    Entry("/bank/", ("bank",)),
    Entry("/bank/feed/", ("bank",)),
    Entry("/documents/", ("underwriter", "insured_a", "bank")),
    Entry("/notifications/", ("insured_a", "claims_handler")),
]

API_LISTS = [
    Entry("/api/v1/policies/", ("underwriter", "insured_a", "bank")),
    Entry("/api/v1/buyers/", ("underwriter", "insured_a", "bank")),
    Entry("/api/v1/credit-limits/", ("underwriter", "insured_a", "bank")),
    Entry("/api/v1/limit-applications/", ("underwriter", "insured_a")),
    Entry("/api/v1/limit-decisions/", ("underwriter", "insured_a")),
    Entry("/api/v1/limit-reviews/", ("underwriter",)),
    Entry("/api/v1/limit-queue/", ("underwriter",)),
    Entry("/api/v1/declarations/", ("underwriter", "insured_a")),
    Entry("/api/v1/debit-notes/", ("underwriter", "insured_a")),
    Entry("/api/v1/payments/", ("underwriter", "insured_a")),
    Entry("/api/v1/deadlines/", ("underwriter", "insured_a")),
    Entry("/api/v1/declaration-uploads/", ("underwriter", "insured_a")),
    Entry("/api/v1/overdue-notices/", ("claims_handler", "insured_a", "bank")),
    Entry("/api/v1/claims/", ("claims_handler", "insured_a", "bank")),
    Entry("/api/v1/claim-documents/", ("claims_handler", "insured_a")),
    Entry("/api/v1/worksheets/", ("claims_handler", "insured_a")),
    Entry("/api/v1/documents/", ("underwriter", "insured_a", "bank")),
    Entry("/api/v1/agreements/", ("underwriter", "insured_a", "bank")),
    Entry("/api/v1/bank/positions/", ("bank",)),
    Entry("/api/v1/bank/feed/", ("bank",)),
]

# Pages without URL parameters that are no list: forms, actions, the log-in pages.
NOT_LISTS = {
    "company-user-create", "set_language", "login", "logout", "password_change",
    "password_change_done", "policies:create", "buyers:create", "limits:discretionary",
    "limits:application-create", "limits:calc-turnover", "limits:calc-peak",
    "premiums:upload_new", "claims:notice_new", "banks:agreement_new", "bank:feed-seen",
    "notifications:mark-read", "api-schema", "api-docs", "api-redoc",
}  # fmt: skip
# API routes with a list action that is no list of rows: the calculators' index.
NOT_API_LISTS = {"calculators"}


def add_unit(personas: dict, i: int) -> None:
    """One of every listed object, on a new in-force policy of insured A's, through the
    services as users make them: the premium account (instalments, deadlines), a
    declaration and a payment, a buyer with a limit and its review, an application
    waiting in the queue, a paid claim (notice, documents, worksheet, payment, the loss
    notice document), an assignment agreement in force for the bank with receivables
    reported, an issued PDF, a declarations upload and a new user of the insured."""
    approver, underwriter = personas["insured_a"], personas["underwriter"]
    policy = PolicyFactory(insured=approver.organisation, status=PolicyStatus.IN_FORCE)
    premium_services.premium_account_open(policy_id=policy.pk, today=policy.period_start)
    premium_services.declaration_prepare(
        actor=approver, policy_id=policy.pk, quarter=1, turnover=Decimal("12000000"), submit=True
    )
    first_note, _second, third_note, _fourth = policy.debit_notes.order_by("sequence")
    # The third instalment (due 1 July) unpaid: overdue, as the daily sweep leaves it.
    transitions.transition(
        DEBIT_NOTE_MACHINE,
        third_note,
        DebitNoteAction.FALL_OVERDUE,
        job="premiums.sweep",
        claim=True,
    )
    premium_services.payment_record(
        actor=underwriter, debit_note_id=first_note.pk, amount=Decimal("10000"),
        paid_on=timezone.localdate(), reference=f"BANK-{i:03d}",
    )  # fmt: skip
    buyer = BuyerFactory(risk_grade=4)
    limit = grant_limit(personas, policy, buyer, "1200000")
    LimitReview.objects.create(
        credit_limit=limit, reason=ReviewReason.YEARLY, due_on=timezone.localdate()
    )
    limit_services.application_create(
        actor=approver, policy_id=policy.pk, buyer_uscc=BuyerFactory(risk_grade=4).uscc,
        requested_amount=Decimal("2000000"), submit=True,
    )  # fmt: skip
    paid_claim(personas, policy, buyer, number=f"FP-{i:04d}")
    claim_services.notice_prepare(
        actor=approver, policy_id=policy.pk, buyer_id=buyer.pk, file=True,
        invoices=[notice_invoice(f"FQ-{i:04d}", "200000", shipped=date(2026, 6, 1),
                                 due=date(2026, 8, 30))],
    )  # fmt: skip
    agreement = bank_services.agreement_prepare(
        actor=underwriter, policy_id=policy.pk, bank_id=personas["bank"].organisation_id,
        scope="listed", buyer_ids=[buyer.pk], starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31), account_name=approver.organisation.name,
        account_number="6222 0212 0000 1234", account_bank="中国工商银行苏州分行",
    )  # fmt: skip
    bank_services.agreement_sign(
        actor=underwriter, agreement_id=agreement.pk, signed_on=timezone.localdate(),
        filename="签署件.pdf", content=PDF,
    )  # fmt: skip
    bank_services.agreement_activate(actor=underwriter, agreement_id=agreement.pk)
    receivables_report(personas, policy, buyer, "1000000")
    make_issued_document(policy, reference=f"LN-2026-{900000 + i}")
    DeclarationUpload.objects.create(
        organisation=approver.organisation, uploaded_by=approver, filename=f"申报{i}.csv",
        content=b"policy_number\n", state=DeclarationUpload.State.REFUSED, error_count=1,
        errors=[{"row": 1, "column": "turnover", "message": "The column 'turnover' is missing."}],
    )  # fmt: skip
    UserFactory(organisation=approver.organisation, role=Role.CLERK, authority_amount=0)


def _client(user, url: str):
    if url.startswith("/api/"):
        client = APIClient()
        client.force_authenticate(user)
    else:
        client = Client()
        client.force_login(user)
    return client


def _rows(response) -> int:
    """How much the list showed: the API's result count, a page's length."""
    if response["Content-Type"].startswith("application/json"):
        return len(response.json()["results"])
    return len(response.content)


CASES = [(entry, role) for entry in PAGES + API_LISTS for role in entry.roles]


def measure_all() -> dict:
    """(url, role) -> (status, queries with N units, with 3N, rows shown with N, with 3N)."""
    insured_a = OrganisationFactory(name="甲方被保险人有限公司")
    personas = make_personas(
        insurer=InsurerFactory(), insured_a=insured_a,
        insured_b=OrganisationFactory(name="乙方被保险人有限公司"), bank_org=BankFactory(),
    )  # fmt: skip
    personas["insured_admin"] = UserFactory(
        username="insured_admin", organisation=insured_a, role=Role.INSURED_ADMIN,
        authority_amount=0,
    )  # fmt: skip
    BuyerCapacityFactory(risk_grade=4, max_exposure=Decimal("50000000"))
    clients = {(entry.url, role): _client(personas[role], entry.url) for entry, role in CASES}

    def count():
        counted = {}
        for (url, _role), client in clients.items():
            client.get(url)  # warm
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            counted[url, _role] = (response.status_code, len(captured), _rows(response))
        return counted

    for i in range(N):
        add_unit(personas, i)
    small = count()
    for i in range(N, 3 * N):
        add_unit(personas, i)
    large = count()
    return {key: (*small[key], *large[key][1:]) for key in small}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    from tests.documents.samples import sample_renderer

    with sample_renderer():
        yield from shared_data(django_db_blocker, measure_all)


@pytest.mark.parametrize("entry,role", [pytest.param(e, r, id=f"{r}:{e.url}") for e, r in CASES])
def test_a_list_costs_the_same_queries_with_three_times_the_rows(measured, entry, role):
    status, small, rows_small, large, rows_large = measured[entry.url, role]
    assert status == 200
    assert rows_large > rows_small, "the role must see the added rows for the count to mean much"
    assert large == small, f"{small} queries with {N} units, {large} with {3 * N}"
    assert small <= entry.budget, f"{small} queries, budget {entry.budget}"
    assert entry.budget == BUDGET or entry.why, "a budget above 10 says why"


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    """(route, name, has parameters) of every URL pattern, namespaced names."""
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin" or route.startswith("api/v1/"):
                continue
            space = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, route, space)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (
                route,
                f"{namespace}{pattern.name}",
                bool(pattern.pattern.converters) or ("(?P<" in route),
            )


def test_every_list_url_has_a_query_count_entry():
    """A page without URL parameters is a list (it has an entry) or one of NOT_LISTS; an
    API route with a list action has an entry unless it is one of NOT_API_LISTS."""
    from django.urls import reverse

    from config.api_urls import router

    entered = {entry.url.split("?")[0] for entry in PAGES}
    missing = [
        f"/{route} ({name})"
        for route, name, parameters in _patterns(get_resolver())
        if not parameters and name not in NOT_LISTS and reverse(name) not in entered
    ]
    api_entered = {entry.url for entry in API_LISTS}
    missing += [
        f"/api/v1/{prefix}/"
        for prefix, viewset, _basename in router.registry
        if hasattr(viewset, "list")
        and prefix not in NOT_API_LISTS
        and f"/api/v1/{prefix}/" not in api_entered
    ]
    assert not missing, "lists without a query-count entry: " + ", ".join(missing)
