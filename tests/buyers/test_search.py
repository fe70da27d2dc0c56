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


def test_fuzzy_chinese_name_finds_the_buyer_first(register):
    found = list(buyer_search(Buyer.objects.all(), "恒远机械"))
    assert found[0] == register["hengyuan"]
    assert register["jincheng"] not in found


def test_a_former_name_finds_the_buyer(register):
    found = list(buyer_search(Buyer.objects.all(), "华星电子厂"))
    assert register["huaxing"] in found


def test_nothing_matches_an_unrelated_name(register):
    assert list(buyer_search(Buyer.objects.all(), "北京烤鸭餐饮")) == []


def test_the_search_uses_the_trigram_index(register, django_db_blocker):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        qs = buyer_search(Buyer.objects.all(), "恒远机械")
        plan = qs.explain()
        cursor.execute("SET enable_seqscan = on")
    assert "buyer_name_trgm" in plan
