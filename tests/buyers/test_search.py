import pytest

from buyers.models import Buyer
from buyers.selectors import buyer_search
from tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    return {
        "hengyuan": BuyerFactory(name="浙江恒远机械制造有限公司"),
        "huaxing": BuyerFactory(name="深圳华星电子科技有限公司", former_names="深圳华星电子厂"),
        "jincheng": BuyerFactory(name="上海金诚建材贸易有限公司"),
    }


def test_exact_uscc_finds_one_buyer(register):
    target = register["jincheng"]
    assert list(buyer_search(Buyer.objects.all(), target.uscc)) == [target]


def test_lowercase_uscc_is_normalised(register):
    target = register["jincheng"]
    assert list(buyer_search(Buyer.objects.all(), target.uscc.lower())) == [target]


def test_uscc_prefix_narrows_the_register(register):
    target = register["huaxing"]
    found = list(buyer_search(Buyer.objects.all(), target.uscc[:12]))
    assert target in found


def test_fuzzy_chinese_name_finds_the_buyer(register):
    found = list(buyer_search(Buyer.objects.all(), "恒远机械"))
    assert found == [register["hengyuan"]]
    assert register["jincheng"] not in found


def test_a_former_name_finds_the_buyer(register):
    found = list(buyer_search(Buyer.objects.all(), "华星电子厂"))
    assert register["huaxing"] in found


def test_nothing_matches_an_unrelated_name(register):
    assert list(buyer_search(Buyer.objects.all(), "北京烤鸭餐饮")) == []


def test_the_match_condition_can_use_the_trigram_index(register):
    """Every branch of the match is indexable (a BitmapOr over the GIN trigram indexes);
    on a large register the planner picks between that and walking the name index."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        plan = buyer_search(Buyer.objects.all(), "恒远机械").order_by().explain()
        cursor.execute("SET enable_indexscan = on")
        cursor.execute("SET enable_seqscan = on")
    assert "buyer_name_trgm" in plan


def test_a_misspelt_full_name_still_finds_the_buyer(register):
    # "制造" left out: no substring match, found by trigram word similarity.
    assert register["hengyuan"] in list(buyer_search(Buyer.objects.all(), "浙江恒远机械有限公司"))


def test_a_two_character_fragment_finds_the_buyer(register):
    assert list(buyer_search(Buyer.objects.all(), "金诚")) == [register["jincheng"]]


def test_exposure_by_grade_sums_every_current_limit(insured_a, insured_b):
    from decimal import Decimal

    from limits.models import CreditLimit
    from limits.selectors import exposure_by_grade
    from tests.factories import PolicyFactory

    grade3 = BuyerFactory(risk_grade=3)
    for insured, amount in ((insured_a, "100000.10"), (insured_b, "200000.20")):
        CreditLimit.objects.create(
            policy=PolicyFactory(insured=insured), buyer=grade3, amount=Decimal(amount),
            payment_terms_days=60, source="insurer", effective_from="2026-01-01",
        )  # fmt: skip
    rows = {row["grade"]: row["exposure"] for row in exposure_by_grade()}
    assert rows[3] == "300000.30"
    assert rows[4] == "0"
