"""The buyer name search (SPEC 4, issue 10): normalised names, bigram candidates, ranking."""

import re

import pytest
from django.db import connection

from buyers import search
from buyers.models import Buyer
from buyers.selectors import buyer_search, buyers_visible_to
from tests.factories import BuyerFactory


def normalised(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT buyer_normalised_name(%s)", [name])
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("苏州瑞丰医药有限公司", "苏州瑞丰医药"),
        ("苏州瑞丰医药股份有限公司", "苏州瑞丰医药"),
        ("苏州瑞丰医药有限责任公司", "苏州瑞丰医药"),
        ("苏州瑞丰医药集团有限公司", "苏州瑞丰医药"),
        ("苏州瑞丰纺织厂", "苏州瑞丰纺织"),
        ("苏州市瑞丰医药有限公司", "苏州瑞丰医药"),
        ("江苏省苏州市瑞丰医药有限公司", "江苏苏州瑞丰医药"),
        ("北京市华联超市有限公司", "北京华联超市"),  # 超市 keeps its 市
        ("新疆维吾尔自治区乌鲁木齐市天山纺织厂", "新疆乌鲁木齐天山纺织"),
        ("石家庄市 宏达 物流", "石家庄宏达物流"),
        ("深圳ＡＢＣ电子科技有限公司", "深圳abc电子科技"),  # full-width letters
        ("瑞丰医药（苏州）有限公司", "瑞丰医药苏州"),
        ("瑞丰医药(苏州)有限公司", "瑞丰医药苏州"),
        ("城市建设有限公司", "城市建设"),
    ],
)
def test_names_are_compared_normalised(name, expected):
    assert normalised(name) == expected


def test_bigrams_are_the_distinct_two_character_pieces():
    assert search.bigrams("苏州苏州医药") == ["苏州", "州苏", "州医", "医药"]
    assert search.bigrams("苏") == []


def test_split_conditions_leave_out_one_bigram_each():
    assert search.split_conditions("苏州医药") == [
        sorted(["州医", "医药"]),
        sorted(["苏州", "医药"]),
        sorted(["苏州", "州医"]),
    ]
    assert search.split_conditions("瑞丰") == []


def test_one_wrong_character_leaves_out_the_bigrams_it_is_part_of():
    # 苏州瑞峰医药: the 峰 (position 3) spoils 瑞峰 and 峰医.
    conditions = search.one_wrong_character_conditions("苏州瑞峰医药")
    assert sorted(["苏州", "州瑞", "医药"]) in conditions
    # Both characters of a two-character query spoil its only bigram: no condition.
    assert search.one_wrong_character_conditions("瑞峰") == []


def test_homophones_are_common_characters_read_the_same():
    assert {"峰", "风", "锋"} <= set(search.homophones("丰"))
    assert "丰" not in search.homophones("丰")
    assert "瑞丰" in search.homophone_bigrams("瑞峰", 1)
    assert "锐峰" in search.homophone_bigrams("瑞峰", 0)


def test_a_name_holding_both_parts_of_the_query_covers_more_of_it():
    ranking = search.Ranking("扬州新能源", "扬州新能源")
    assert ranking.coverage("扬州瑞丰新能源") > ranking.coverage("杭州新能源")
    assert ranking.coverage("杭州新能源") > ranking.coverage("扬州瑞丰纺织")


pytestmark = pytest.mark.django_db


def names(query, qs=None):
    return [b.name for b in buyer_search(qs if qs is not None else Buyer.objects.all(), query)]


@pytest.mark.parametrize("kind", ["all_of", "any_of", "prefix"])
def test_the_candidates_are_read_through_the_search_indexes(kind):
    """The reads' expressions must be the indexes', or every search reads the table."""
    from buyers.selectors import CANDIDATE_CONDITIONS, CANDIDATE_READ

    BuyerFactory(name="苏州瑞丰医药有限公司")
    value = "苏州%" if kind == "prefix" else ["瑞丰"]
    sql = CANDIDATE_READ.format(condition=CANDIDATE_CONDITIONS[kind], scope="")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", [value, 200])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    index = "buyer_normalised_name" if kind == "prefix" else "buyer_name_bigrams"
    assert re.search(rf"Scan (on|using) {index} ", plan) and "Seq Scan" not in plan, plan


def test_a_misspelt_two_character_name_finds_the_one_that_sounds_the_same():
    BuyerFactory(name="苏州瑞丰医药有限公司")
    BuyerFactory(name="苏州瑞达物流有限公司")
    BuyerFactory(name="杭州金峰纺织有限公司")
    assert names("瑞峰")[0] == "苏州瑞丰医药有限公司"


def test_a_written_name_finds_itself_before_the_one_that_sounds_the_same():
    BuyerFactory(name="苏州瑞丰医药有限公司")
    BuyerFactory(name="苏州瑞峰医药有限公司")
    assert names("瑞峰")[0] == "苏州瑞峰医药有限公司"


def test_city_and_industry_rank_names_holding_both_before_names_holding_one():
    for name in ("苏州东方纺织有限公司", "杭州华星医药有限公司", "苏州瑞丰医药有限公司"):
        BuyerFactory(name=name)
    assert names("苏州医药")[0] == "苏州瑞丰医药有限公司"


@pytest.mark.parametrize(
    "query",
    [
        "江苏省苏州市瑞丰医药有限公司",  # 省/市 added
        "苏州市瑞丰医药",  # 市 added, no legal form
        "苏州瑞丰医药股份有限公司",  # another legal form
        "苏州瑞峰医药有限公司",  # one homophone
        "苏州瑞丰医公司",  # a character left out
        "苏州瑞丰医药",
    ],
)
def test_variants_of_a_full_name_find_the_company_first(query):
    BuyerFactory(name="苏州瑞丰医药有限公司")
    BuyerFactory(name="苏州瑞达医药有限公司")
    BuyerFactory(name="苏州瑞丰纺织有限公司")
    BuyerFactory(name="杭州瑞丰医药有限公司")
    assert names(query)[0] == "苏州瑞丰医药有限公司"


def test_a_province_and_city_in_the_register_are_found_without_them():
    BuyerFactory(name="江苏省苏州市瑞丰医药有限公司")
    BuyerFactory(name="苏州瑞达医药有限公司")
    assert names("苏州瑞丰医药")[0] == "江苏省苏州市瑞丰医药有限公司"


def test_full_width_letters_find_the_ascii_name():
    BuyerFactory(name="深圳ABC电子科技有限公司")
    BuyerFactory(name="深圳XYZ电子科技有限公司")
    assert names("深圳ＡＢＣ电子")[0] == "深圳ABC电子科技有限公司"
    assert names("abc电子")[0] == "深圳ABC电子科技有限公司"


def test_a_query_of_punctuation_only_finds_nothing():
    BuyerFactory(name="苏州瑞丰医药有限公司")
    assert names("（）") == []


def test_the_search_returns_at_most_its_ranked_results(monkeypatch):
    monkeypatch.setattr("buyers.selectors.SEARCH_RESULTS", 3)
    for i in range(5):
        BuyerFactory(name=f"苏州瑞丰医药{i}有限公司")
    assert len(names("瑞丰医药")) == 3


# --- query counts: a search costs the same few statements whatever the register holds ----


def _make_register(count):
    for i in range(count):
        BuyerFactory(name=f"苏州瑞丰医药{i:02d}有限公司")
    BuyerFactory(name="杭州金峰纺织有限公司")


@pytest.mark.parametrize("query", ["瑞丰医药", "瑞峰", "苏州瑞峰医药有限公司", "苏州医药"])
def test_the_buyer_api_search_runs_a_fixed_number_of_queries(
    personas, django_assert_max_num_queries, query
):
    from tests.conftest import api_as

    _make_register(60)
    client = api_as(personas["underwriter"])
    # Session and token: 2; normalising the query; at most three rounds of candidates;
    # the page of buyers.
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/buyers/", {"q": query})
    assert response.status_code == 200
    assert response.json()["results"]


@pytest.mark.parametrize("query", ["瑞丰医药", "瑞峰", "苏州瑞峰医药有限公司"])
def test_the_buyer_search_page_runs_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries, query
):
    _make_register(60)
    client.force_login(personas["underwriter"])
    with django_assert_max_num_queries(10):
        response = client.get("/buyers/", {"q": query})
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 50


def test_an_insureds_search_keeps_to_its_own_buyers(insured_a):
    from limits.models import CreditLimit
    from tests.factories import PolicyFactory, UserFactory

    mine = BuyerFactory(name="苏州瑞达医药有限公司")
    BuyerFactory(name="苏州瑞丰医药有限公司")
    CreditLimit.objects.create(
        policy=PolicyFactory(insured=insured_a), buyer=mine, amount=100000,
        payment_terms_days=60, source="insurer", effective_from="2026-01-01",
    )  # fmt: skip
    clerk = UserFactory(organisation=insured_a, role="clerk", authority_amount=0)
    assert names("苏州瑞峰医药", buyers_visible_to(clerk)) == ["苏州瑞达医药有限公司"]
