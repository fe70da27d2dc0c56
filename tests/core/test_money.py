"""One money field everywhere (SPEC 1, 11): strings only in the API, two places, 18 digits,
ASCII digits only, never negative where a negative means nothing, nothing guessed."""

import json
from decimal import Decimal

import pytest
from django import forms
from django.db import IntegrityError, transaction
from rest_framework import serializers

from buyers.forms import BuyerForm
from core.money import ERROR_NOT_A_STRING, MoneyFormField, MoneySerializerField, parse_money
from limits.choices import RequestType
from limits.forms import DecideForm, LimitApplicationForm, PeakCalculatorForm
from policies.forms import PolicyForm
from policies.models import Policy
from tests.conftest import api_as
from tests.factories import BuyerFactory, PolicyFactory

NEW_POLICY = {
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
    "estimated_annual_turnover": "50000000.00",
    "premium_rate_percent": "0.5",
    "annual_credit_turnover": "60000000.00",
    "buyer_count": 10,
}

# Each of these is a number to Python's Decimal(); none is an amount a person meant.
NOT_AMOUNTS = [
    "1e10",
    "1E2",
    "1_000",
    "１２３",  # full-width digits
    "١٢٣",  # Arabic-Indic digits
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "sNaN",
    "+5",
    "0x10",
    ".5",
    "5.",
    "1 000",
    "1,000.50",  # the API takes no separators at all
    "",
]


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_parse_money_refuses_what_decimal_would_accept(text):
    with pytest.raises(ValueError):
        parse_money(text)


@pytest.mark.parametrize(
    "text,expected",
    [("0", "0"), ("1234.5", "1234.5"), ("999999999999999.99", "999999999999999.99")],
)
def test_parse_money_reads_plain_amounts_exactly(text, expected):
    assert parse_money(text) == Decimal(expected)


# --- the API ----------------------------------------------------------------------------


def _post_raw(user, url, body: str):
    return api_as(user).post(url, body, content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["1234567890123456.78", "999999999999999.99", "100", "0.5"])
def test_a_json_number_for_money_is_refused_on_its_field(underwriter, insured_a, number):
    body = json.dumps({**NEW_POLICY, "insured": insured_a.pk, "max_discretionary_limit": "X"})
    body = body.replace('"X"', number)
    response = _post_raw(underwriter, "/api/v1/policies/", body)
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["max_discretionary_limit"]
    assert response.json()["max_discretionary_limit"] == [str(ERROR_NOT_A_STRING)]
    assert not Policy.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("text", [t for t in NOT_AMOUNTS if t] + ["-1.00", "1.234"])
def test_the_policies_api_refuses_what_is_not_an_amount(underwriter, insured_a, text):
    response = api_as(underwriter).post(
        "/api/v1/policies/",
        {**NEW_POLICY, "insured": insured_a.pk, "limit_fee": text},
        format="json",
    )
    assert response.status_code == 400, (text, response.content)
    assert list(response.json()) == ["limit_fee"]


@pytest.mark.django_db
def test_eighteen_digits_pass_and_nineteen_do_not(underwriter, insured_a):
    client = api_as(underwriter)
    ok = client.post(
        "/api/v1/policies/",
        {**NEW_POLICY, "insured": insured_a.pk, "max_discretionary_limit": "9999999999999999.99"},
        format="json",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["max_discretionary_limit"] == "9999999999999999.99"
    too_big = client.post(
        "/api/v1/policies/",
        {**NEW_POLICY, "insured": insured_a.pk, "max_discretionary_limit": "10000000000000000"},
        format="json",
    )
    assert too_big.status_code == 400
    assert list(too_big.json()) == ["max_discretionary_limit"]


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["max_discretionary_limit", "limit_fee", "franchise"])
def test_a_negative_policy_amount_is_refused(underwriter, insured_a, field):
    response = api_as(underwriter).post(
        "/api/v1/policies/", {**NEW_POLICY, "insured": insured_a.pk, field: "-1.00"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["max_discretionary_limit", "limit_fee"])
def test_the_database_refuses_a_negative_policy_amount(insured_a, field):
    policy = PolicyFactory(insured=insured_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Policy.objects.filter(pk=policy.pk).update(**{field: Decimal("-1")})


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["1e3", "１２３", "١٢٣", "NaN", "-5"])
def test_the_buyers_api_refuses_what_is_not_an_amount(underwriter, text):
    response = api_as(underwriter).post(
        "/api/v1/buyers/",
        {
            "uscc": "91110000600037341L",
            "name": "北京测试有限公司",
            "industry": "C",
            "registered_capital": text,
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["registered_capital"]


@pytest.mark.django_db
def test_the_buyers_api_refuses_a_json_number_for_capital(underwriter):
    body = (
        '{"uscc": "91110000600037341L", "name": "北京测试有限公司", "industry": "C",'
        ' "registered_capital": 999999999999999.99}'
    )
    response = _post_raw(underwriter, "/api/v1/buyers/", body)
    assert response.status_code == 400
    assert list(response.json()) == ["registered_capital"]


@pytest.mark.django_db
def test_the_limits_api_refuses_a_json_number(personas):
    response = _post_raw(
        personas["insured_a"],
        "/api/v1/calculators/turnover/",
        '{"annual_credit_sales": 6000000.5, "credit_days": 60}',
    )
    assert response.status_code == 400
    assert list(response.json()) == ["annual_credit_sales"]


def _api_serializers():
    """Every serializer the router's viewsets answer or read with, with its nested ones."""
    from config.api_urls import router
    from limits.api import serializers as limit_serializers
    from policies.api import serializers as policy_serializers

    found = set()
    for module in (limit_serializers, policy_serializers):
        found |= {
            obj
            for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, serializers.BaseSerializer)
        }
    for _prefix, viewset, _basename in router.registry:
        for name in ("serializer_class",):
            if getattr(viewset, name, None):
                found.add(getattr(viewset, name))
    from buyers.api.serializers import BuyerSerializer, InsuredBuyerSerializer

    found |= {BuyerSerializer, InsuredBuyerSerializer}
    return sorted(found, key=lambda cls: cls.__qualname__)


def test_every_two_place_decimal_in_the_api_is_the_one_money_field():
    """ONE money field: no serializer falls back to DRF's DecimalField for an amount."""
    wrong = []
    for serializer_class in _api_serializers():
        if serializer_class.__module__.startswith("rest_framework"):
            continue
        try:
            fields = serializer_class().fields
        except (AssertionError, TypeError):
            continue
        for name, field in fields.items():
            if (
                isinstance(field, serializers.DecimalField)
                and field.decimal_places == 2
                and not isinstance(field, MoneySerializerField)
                and "percent" not in name
                and name != "indemnity_percentage"
            ):
                wrong.append(f"{serializer_class.__name__}.{name}")
    assert not wrong


# --- the forms ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_money_input_of_the_forms_is_the_one_money_field(personas):
    user = personas["insured_a"]
    forms_with_money = [
        PolicyForm(),
        BuyerForm(),
        LimitApplicationForm(user=user, can_submit=True),
        DecideForm(),
    ]
    wrong = [
        f"{type(form).__name__}.{name}"
        for form in forms_with_money
        for name, field in form.fields.items()
        if isinstance(field, forms.DecimalField)
        and field.decimal_places == 2
        and "percent" not in name
        and name != "indemnity_percentage"
        and not isinstance(field, MoneyFormField)
    ]
    assert not wrong


@pytest.mark.parametrize(
    "text",
    ["1 000,50", "1.000,50", "1,00", "12,34", "1,0000", "１２３", "١٢٣", "1e3", "NaN", "1_000"],
)
def test_a_form_refuses_ambiguous_or_foreign_amounts(text):
    field = MoneyFormField()
    with pytest.raises(forms.ValidationError):
        field.clean(text)


@pytest.mark.parametrize(
    "text,expected",
    [("1,000.50", "1000.50"), ("1,234,567", "1234567"), (" 1000.5 ", "1000.5"), ("0", "0")],
)
def test_a_form_reads_plain_amounts_and_thousands_commas(text, expected):
    assert MoneyFormField().clean(text) == Decimal(expected)


def test_a_form_refuses_a_negative_amount_by_default():
    with pytest.raises(forms.ValidationError):
        MoneyFormField().clean("-1")


@pytest.mark.django_db
def test_1_000_50_does_not_become_a_hundred_thousand_on_the_application_form(personas):
    policy = PolicyFactory(insured=personas["insured_a"].organisation, status="in_force")
    form = LimitApplicationForm(
        data={
            "policy": policy.pk,
            "buyer_uscc": BuyerFactory().uscc,
            "request_type": RequestType.NEW,
            "requested_amount": "1 000,50",
            "payment_terms_days": "60",
        },
        user=personas["insured_a"],
        can_submit=True,
    )
    assert not form.is_valid()
    assert "requested_amount" in form.errors


@pytest.mark.parametrize("amount", ["１２３", "1e3", "NaN", "1,00"])
def test_the_peak_calculator_refuses_foreign_digits_in_a_line(amount):
    form = PeakCalculatorForm(data={"movements": f"2026-01-05 invoice {amount}"})
    assert not form.is_valid()
    assert "movements" in form.errors
