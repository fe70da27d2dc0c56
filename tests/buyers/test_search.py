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


def test_a_misspelt_full_name_still_finds_the_buyer(register):
    # "制造" left out: found among the names holding all of its bigrams but one.
    assert register["hengyuan"] in list(buyer_search(Buyer.objects.all(), "浙江恒远机械有限公司"))


def test_a_full_name_with_one_wrong_character_finds_the_buyer_first(register):
    # 城 for 械: found among the names holding all of its bigrams but the two with 城.
    found = list(buyer_search(Buyer.objects.all(), "浙江恒远机城制造有限公司"))
    assert found[:1] == [register["hengyuan"]]


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


# --- Relevance (issue: 苏州医药 listed unrelated 苏州 companies first, by name) --------


def _names(query, qs=None):
    return [b.name for b in buyer_search(qs if qs is not None else Buyer.objects.all(), query)]


def test_a_name_containing_the_whole_query_comes_before_names_sharing_part_of_it():
    for name in (
        "苏州东方纺织有限公司",
        "苏州中联电子科技有限公司",
        "苏州瑞丰医药有限公司",
        "江苏苏州医药销售有限公司",
        "苏州医药集团有限公司",
    ):
        BuyerFactory(name=name)
    assert _names("苏州医药") == [
        "苏州医药集团有限公司",  # starts with the query
        "江苏苏州医药销售有限公司",  # contains it
        "苏州瑞丰医药有限公司",  # holds both of its parts
        "苏州东方纺织有限公司",  # only 苏州: by name
        "苏州中联电子科技有限公司",
    ]


def test_the_buyer_named_exactly_as_the_query_comes_first():
    BuyerFactory(name="苏州医药有限公司")
    BuyerFactory(name="苏州医药集团有限公司")
    assert _names("苏州医药集团有限公司")[0] == "苏州医药集团有限公司"


def test_a_former_name_containing_the_query_ranks_above_partial_current_names():
    BuyerFactory(name="苏州东方纺织有限公司")
    BuyerFactory(name="镇江新材料有限公司", former_names="苏州医药化工厂")
    assert _names("苏州医药")[0] == "镇江新材料有限公司"


def test_ranking_keeps_to_the_buyers_the_user_may_see(insured_a):
    from limits.models import CreditLimit
    from tests.factories import PolicyFactory

    mine = BuyerFactory(name="苏州瑞丰医药有限公司")
    BuyerFactory(name="苏州医药集团有限公司")
    CreditLimit.objects.create(
        policy=PolicyFactory(insured=insured_a), buyer=mine, amount=100000,
        payment_terms_days=60, source="insurer", effective_from="2026-01-01",
    )  # fmt: skip
    from buyers.selectors import buyers_visible_to
    from tests.factories import UserFactory

    clerk = UserFactory(organisation=insured_a, role="clerk", authority_amount=0)
    assert _names("苏州医药", buyers_visible_to(clerk)) == ["苏州瑞丰医药有限公司"]


def test_other_filters_apply_before_the_bounded_candidate_set(monkeypatch):
    from buyers.filtersets import BuyerFilterSet

    monkeypatch.setattr("buyers.selectors.SEARCH_CANDIDATES_PER_CONDITION", 2)
    for i in range(4):
        BuyerFactory(name=f"深圳华星电子{i}有限公司", region="44")
    jiangsu = BuyerFactory(name="苏州华星电子有限公司", region="32")
    filterset = BuyerFilterSet({"q": "华星电子", "region": "32"}, queryset=Buyer.objects.all())
    assert list(filterset.qs) == [jiangsu]


# --- The list page and the API ---------------------------------------------------------


@pytest.fixture
def staff_client(client, personas):
    client.force_login(personas["underwriter"])
    return client


def test_an_exact_uscc_on_the_list_page_opens_the_buyer(staff_client, register):
    target = register["jincheng"]
    response = staff_client.get("/buyers/", {"q": f" {target.uscc.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == f"/buyers/{target.pk}/"


def test_an_exact_uscc_the_user_may_not_see_opens_nothing(client, personas, register):
    client.force_login(personas["insured_a"])
    response = client.get("/buyers/", {"q": register["jincheng"].uscc})
    assert response.status_code == 200
    assert register["jincheng"].name not in response.content.decode()


def test_an_exact_uscc_export_is_still_an_export(staff_client, register):
    response = staff_client.get("/buyers/", {"q": register["jincheng"].uscc, "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def _sql_run_by(callable_):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = callable_()
    return response, [q["sql"] for q in queries.captured_queries]


def test_the_search_page_does_not_count_the_matches(staff_client):
    for i in range(51):
        BuyerFactory(name=f"苏州医药{i:02d}有限公司")
    response, sql = _sql_run_by(lambda: staff_client.get("/buyers/", {"q": "苏州医药"}))
    assert response.status_code == 200
    assert not [s for s in sql if "COUNT(" in s.upper() and "buyers_buyer" in s]
    page = response.context["page_obj"]
    assert len(page.object_list) == 50
    assert page.has_next()
    html = response.content.decode()
    assert "page=2" in html
    assert "第 1 页" in html and "页，共" not in html  # no total: it is never counted
    second = staff_client.get("/buyers/", {"q": "苏州医药", "page": 2}).context["page_obj"]
    assert len(second.object_list) == 1
    assert not second.has_next()
    assert staff_client.get("/buyers/", {"q": "苏州医药", "page": 3}).status_code == 404


def test_the_register_without_a_search_still_shows_its_total(staff_client, register):
    response = staff_client.get("/buyers/")
    assert response.context["paginator"].count == 3


def test_the_buyer_api_search_does_not_count_and_keeps_relevance(personas):
    from tests.conftest import api_as

    for name in ("苏州东方纺织有限公司", "苏州医药集团有限公司"):
        BuyerFactory(name=name)
    client = api_as(personas["underwriter"])
    response, sql = _sql_run_by(lambda: client.get("/api/v1/buyers/", {"q": "苏州医药"}))
    assert response.status_code == 200
    assert not [s for s in sql if "COUNT(" in s.upper() and "buyers_buyer" in s]
    body = response.json()
    assert "count" not in body
    assert body["next"] is None
    assert [b["name"] for b in body["results"]] == ["苏州医药集团有限公司", "苏州东方纺织有限公司"]


def test_the_buyer_api_pages_with_next_links(personas, monkeypatch):
    from buyers.api.views import BuyerViewSet
    from tests.conftest import api_as

    monkeypatch.setattr(BuyerViewSet.pagination_class, "page_size", 2)
    for i in range(3):
        BuyerFactory(name=f"苏州医药{i}有限公司")
    client = api_as(personas["underwriter"])
    first = client.get("/api/v1/buyers/", {"q": "苏州医药"}).json()
    assert len(first["results"]) == 2
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert second["next"] is None
    assert client.get("/api/v1/buyers/", {"q": "苏州医药", "page": 3}).status_code == 404
