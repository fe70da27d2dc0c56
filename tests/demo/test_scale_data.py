"""`manage.py scale_data` at a small scale (issue 10): the rows are what the services
would have left (SPEC 3-7), and the application's pages and selectors work on them."""

import io
import random
from collections import Counter
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, ForeignKey, Sum
from django.urls import reverse

from accounts.choices import Role
from accounts.models import Organisation, User
from buyers.models import Buyer, BuyerCapacity
from claims.choices import CLAIM_MACHINE, NOTICE_MACHINE, NoticeStatus
from claims.models import Claim, ClaimStatusChange, NoticeInvoice, NoticeStatusChange, OverdueNotice
from core.uscc import province_code, validate_uscc
from demo.names import NEAR_CHARACTERS, CompanyGenerator
from limits.choices import APPLICATION_MACHINE, EXPOSURE_STATUSES, LIMIT_MACHINE, LimitStatus
from limits.models import (
    ApplicationStatusChange,
    CreditLimit,
    CreditLimitChange,
    LimitApplication,
    LimitDecision,
)
from limits.services.base import buyer_exposure
from policies.choices import POLICY_MACHINE, PolicyStatus
from policies.models import Policy, PolicyTransition
from premiums.choices import DECLARATION_MACHINE
from premiums.models import Declaration, DeclarationStatusChange
from tests.conftest import shared_data

AS_OF = date(2026, 9, 15)
SMALL = {"buyers": 2000, "policies": 40, "limits": 2000, "applications": 50,
         "declarations": 150, "notices": 60, "claims": 30}  # fmt: skip
LOADED = [Buyer, Organisation, User, Policy, PolicyTransition, CreditLimit, LimitDecision,
          CreditLimitChange, LimitApplication, ApplicationStatusChange, Declaration,
          DeclarationStatusChange, OverdueNotice, NoticeInvoice, NoticeStatusChange, Claim,
          ClaimStatusChange]  # fmt: skip


def scale_data(**options):
    out = io.StringIO()
    call_command("scale_data", **SMALL, seed=7, as_of=AS_OF, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from shared_data(django_db_blocker, scale_data)


pytestmark = pytest.mark.usefixtures("world")


@pytest.mark.django_db
def test_it_loads_the_counts_asked_for_and_reports_each_table(world):
    assert Buyer.objects.count() == 2000
    assert Policy.objects.count() == 40
    assert CreditLimit.objects.count() == 2000
    assert LimitApplication.objects.count() == 50
    assert Declaration.objects.count() == 150
    assert OverdueNotice.objects.count() == 60
    assert Claim.objects.count() == 30
    assert BuyerCapacity.objects.count() == 10
    assert "limits_creditlimit" in world and "2,000 rows" in world and "database" in world


@pytest.mark.django_db
def test_every_uscc_is_valid_and_names_its_region():
    for uscc, region in [*Buyer.objects.values_list("uscc", "region"),
                         *Organisation.objects.exclude(uscc=None).values_list("uscc", "region")]:  # fmt: skip
        validate_uscc(uscc)
        assert province_code(uscc) == region


@pytest.mark.django_db
def test_names_look_like_the_register_with_near_duplicates():
    names = list(Buyer.objects.values_list("name", flat=True))
    assert all(
        n.endswith(("公司", "厂")) or n.endswith(("医院", "局", "中学", "中心")) for n in names
    )
    assert len({n[:2] for n in names}) > 40  # many places and trade names
    generator = CompanyGenerator(random.Random(1))
    for trade in ("瑞丰", "华星", "天成"):
        near = generator.near(trade)
        assert (
            len(near) == len(trade) and sum(a != b for a, b in zip(near, trade, strict=True)) == 1
        )
    assert generator.near("瑞丰")[1] in NEAR_CHARACTERS["丰"]


@pytest.mark.django_db
@pytest.mark.parametrize("machine", [POLICY_MACHINE, LIMIT_MACHINE, APPLICATION_MACHINE,
                                     DECLARATION_MACHINE, NOTICE_MACHINE, CLAIM_MACHINE],
                         ids=lambda m: m.name)  # fmt: skip
def test_every_status_is_the_end_of_a_chain_of_allowed_moves(machine):
    """core.transitions: each row's status changes start at "" and follow the table."""
    allowed = set(machine.rows)
    chains: dict[int, list] = {}
    for owner, source, action, target in (
        machine.history_class().objects.order_by("created_at", "id")
        .values_list(f"{machine.history_fk}_id", "from_status", "action", "to_status")
    ):  # fmt: skip
        chains.setdefault(owner, []).append((source, action, target))
    rows = dict(machine.model_class().objects.values_list("id", "status"))
    assert rows and set(chains) == set(rows)
    for pk, status in rows.items():
        chain = chains[pk]
        assert chain[0][0] == "" and chain[-1][2] == status, (pk, chain)
        for (_s, _a, previous), (source, _action, _t) in zip(chain, chain[1:], strict=False):
            assert source == previous, (pk, chain)
        assert set(chain) <= allowed, (pk, chain)


@pytest.mark.django_db
@pytest.mark.parametrize("model", LOADED, ids=lambda m: m.__name__)
def test_no_foreign_key_points_nowhere(model):
    """Loaded with the row triggers off, foreign keys included: the ids must all exist."""
    for field in model._meta.concrete_fields:
        if isinstance(field, ForeignKey):
            target = field.related_model.objects.values("pk")
            orphans = model.objects.exclude(**{f"{field.name}__isnull": True}).exclude(
                **{f"{field.name}__in": target}
            )
            assert not orphans.exists(), f"{model.__name__}.{field.name}"


@pytest.mark.django_db
def test_no_buyer_is_above_its_capacity_and_grades_8_to_10_hold_no_limit():
    """SPEC 4: aggregate exposure within capacity; no limit for grades 8-10, public buyers."""
    capacity = dict(BuyerCapacity.objects.values_list("risk_grade", "max_exposure"))
    rows = (CreditLimit.objects.filter(status__in=EXPOSURE_STATUSES).values("buyer_id", "buyer__risk_grade")
            .annotate(total=Sum("amount")).order_by())  # fmt: skip
    assert rows
    for row in rows:
        assert row["total"] <= capacity[row["buyer__risk_grade"]]
        assert row["buyer__risk_grade"] <= 7
    assert not CreditLimit.objects.filter(buyer__is_public_body=True).exists()
    busiest = max(rows, key=lambda r: r["total"])
    assert buyer_exposure(busiest["buyer_id"]) == busiest["total"]


@pytest.mark.django_db
def test_a_limits_history_is_its_chain_of_decisions():
    """SPEC 5: every grant, change or cancellation by the insurer is a decision, linked
    from the history row; a limit's amount is the last row's amount."""
    assert (
        LimitDecision.objects.count() >= CreditLimit.objects.filter(carried_over_from=None).count()
    )
    decided = CreditLimitChange.objects.filter(action__in=["grant", "reduce", "cancel"])
    assert not decided.filter(decision=None).exists()
    assert not decided.exclude(decision__credit_limit=F("credit_limit")).exists()
    for limit in CreditLimit.objects.filter(status__in=EXPOSURE_STATUSES)[:200]:
        last = limit.changes.order_by("created_at", "id").last()
        assert last.amount == limit.amount
    carried = CreditLimit.objects.exclude(carried_over_from=None).select_related(
        "carried_over_from"
    )
    assert carried.exists()
    for limit in carried[:100]:
        assert limit.carried_over_from.status == LimitStatus.EXPIRED
        assert limit.carried_over_from.buyer_id == limit.buyer_id
        assert limit.carried_over_from.policy_id == limit.policy.renewed_from_id


@pytest.mark.django_db
def test_a_filed_notice_has_suspended_its_limit_and_claims_come_from_filed_notices():
    """SPEC 7."""
    statuses = Counter(OverdueNotice.objects.values_list("status", flat=True))
    assert statuses[NoticeStatus.FILED] and statuses[NoticeStatus.DRAFT]
    for notice in OverdueNotice.objects.all():
        limit = CreditLimit.objects.get(policy=notice.policy_id, buyer=notice.buyer_id,
                                        status__in=EXPOSURE_STATUSES)  # fmt: skip
        filed = notice.status == NoticeStatus.FILED
        assert (limit.status == LimitStatus.SUSPENDED) == filed
        assert notice.invoices.exists()
        assert (
            notice.invoices.order_by("original_due_date").first().shipment_date
            >= notice.policy.period_start
        )
    assert not Claim.objects.exclude(notice__status=NoticeStatus.FILED).exists()
    assert (
        not OverdueNotice.objects.values("reference")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )


@pytest.mark.django_db
def test_declarations_are_of_ended_quarters_of_live_or_expired_policies():
    for declaration in Declaration.objects.select_related("policy"):
        assert declaration.quarter_end < AS_OF
        assert declaration.policy.status in (PolicyStatus.IN_FORCE, PolicyStatus.EXPIRED)


@pytest.mark.django_db
def test_it_refuses_a_database_with_data_unless_forced_and_repeats_itself_for_a_seed():
    with pytest.raises(CommandError, match="already holds data"):
        scale_data()
    first = list(Buyer.objects.order_by("id").values_list("name", flat=True))
    scale_data(force=True)
    names = list(Buyer.objects.order_by("id").values_list("name", flat=True))
    assert len(names) == 4000 and names[2000:] == first  # same seed, same companies


@pytest.mark.django_db
def test_the_staff_and_portal_pages_work_on_it(client):
    underwriter = User.objects.filter(role=Role.UNDERWRITER).first()
    client.force_login(underwriter)
    limit = CreditLimit.objects.filter(status=LimitStatus.SUSPENDED).first()
    claim = Claim.objects.first()
    for url in (reverse("buyers:list"), reverse("buyers:list") + "?q=有限公司",
                reverse("buyers:detail", args=[limit.buyer_id]), reverse("limits:list"),
                reverse("limits:detail", args=[limit.pk]), reverse("limits:queue"),
                reverse("policies:list"), reverse("policies:detail", args=[limit.policy_id]),
                reverse("claims:notices"), "/"):  # fmt: skip
        assert client.get(url).status_code == 200, url
    client.force_login(User.objects.filter(role=Role.CLAIMS_HANDLER).first())
    for url in (reverse("claims:queue"), reverse("claims:claim", args=[claim.pk])):
        assert client.get(url).status_code == 200, url
    approver = User.objects.get(organisation=limit.policy.insured, role=Role.APPROVER)
    client.force_login(approver)
    for url in ("/", reverse("limits:list"), reverse("policies:detail", args=[limit.policy_id]),
                reverse("claims:notices")):  # fmt: skip
        assert client.get(url).status_code == 200, url
