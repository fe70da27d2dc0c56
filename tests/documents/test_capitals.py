"""Amounts in Chinese capitals on documents (SPEC 9: 人民币壹佰万元整), as cn2an writes them."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from documents.templatetags.documents import rmb_capitals


@pytest.mark.parametrize(
    "amount, capitals",
    [
        (Decimal("1000000.00"), "人民币壹佰万元整"),
        (Decimal("850000.50"), "人民币捌拾伍万元伍角"),
        (Decimal("3000.01"), "人民币叁仟元零壹分"),
        (Decimal("0.05"), "人民币伍分"),
        (Decimal("12345678.90"), "人民币壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角"),
        (Decimal("1001.00"), "人民币壹仟零壹元整"),
        (Decimal("0"), "人民币零元整"),
    ],
)
def test_amounts_are_written_in_capitals(amount, capitals):
    assert rmb_capitals(amount) == capitals


def test_an_amount_is_rounded_to_the_cent_half_up_first():
    assert rmb_capitals(Decimal("0.125")) == "人民币壹角叁分"


def test_text_and_whole_numbers_are_read_as_amounts():
    assert rmb_capitals("900000") == rmb_capitals(900000) == "人民币玖拾万元整"


def test_the_largest_amount_a_money_field_holds_is_written():
    assert rmb_capitals(Decimal("9999999999999999.99")).endswith("玖元玖角玖分")


def test_a_float_is_refused_money_is_never_a_float():
    with pytest.raises(TypeError):
        rmb_capitals(0.1)


def test_nothing_shows_nothing():
    assert rmb_capitals(None) == ""


def test_the_filter_is_loaded_with_the_library_templates_use():
    template = Template("{% load documents ui %}{{ amount|money }} {{ amount|rmb_capitals }}")
    rendered = template.render(Context({"amount": Decimal("850000.50")}))
    assert rendered == "850,000.50 人民币捌拾伍万元伍角"
