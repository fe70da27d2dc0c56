"""Free text is bounded (SPEC 11): a 2,000,000-character reason is refused on its field,
in the API and in the forms, and nothing is stored."""

import pytest

from buyers.forms import BuyerForm, NegativeEventForm
from core.text import LONG_TEXT_MAX_LENGTH
from limits.forms import DecideForm, LimitReduceForm, SendBackForm
from policies.choices import PolicyStatus
from policies.forms import OverrideForm, TransitionForm
from policies.models import PolicyTransition
from tests.conftest import api_as
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db

HUGE = "x" * 2_000_000  # under the request-size limit, far over any text field
JUST_RIGHT = "理" * LONG_TEXT_MAX_LENGTH


def test_a_huge_transition_reason_is_refused_through_the_api(underwriter, insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    response = api_as(underwriter).post(
        f"/api/v1/policies/{policy.pk}/transition/",
        {"action": "quote", "reason": HUGE},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert not PolicyTransition.objects.exists()


def test_a_reason_of_the_maximum_length_is_taken(underwriter, insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    response = api_as(underwriter).post(
        f"/api/v1/policies/{policy.pk}/transition/",
        {"action": "quote", "reason": JUST_RIGHT},
        format="json",
    )
    assert response.status_code == 200, response.content[:200]


def test_a_huge_override_reason_is_refused_through_the_api(underwriter, insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT, buyer_count=1)
    response = api_as(underwriter).post(
        f"/api/v1/policies/{policy.pk}/override-warning/",
        {"code": "few_buyers", "reason": HUGE},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]


@pytest.mark.parametrize(
    "url,body,field",
    [
        ("/api/v1/limit-applications/{app_submitted}/decide/", {"outcome": "refuse"}, "conditions"),
        ("/api/v1/limit-applications/{app_waiting}/send-back/", {}, "note"),
        ("/api/v1/credit-limits/{limit_a}/reduce/", {"reason_code": "12"}, "conditions"),
    ],
)
def test_huge_underwriter_texts_are_refused_through_the_api(personas, world, url, body, field):
    body = {**body, "notice_on": world["today"], field: HUGE}
    response = api_as(personas["underwriter"]).post(url.format(**world), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_huge_application_reason_is_refused_through_the_api(personas, world):
    response = api_as(personas["insured_a"]).post(
        "/api/v1/limit-applications/",
        {
            "policy": world["live_a"],
            "buyer_uscc": world["buyer_free_uscc"],
            "requested_amount": "300000.00",
            "reason": HUGE,
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]


def test_a_huge_buyer_former_names_is_refused_through_the_api(underwriter):
    response = api_as(underwriter).post(
        "/api/v1/buyers/",
        {"uscc": "91110000600037341L", "name": "北京测试有限公司", "industry": "C",
         "former_names": HUGE},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert list(response.json()) == ["former_names"]


@pytest.mark.parametrize(
    "form_class,data,field",
    [
        (TransitionForm, {"action": "quote"}, "reason"),
        (OverrideForm, {"code": "few_buyers"}, "reason"),
        (DecideForm, {"outcome": "refuse", "reason_code": "1"}, "conditions"),
        (LimitReduceForm, {"notice_on": "2026-01-01", "reason_code": "12"}, "conditions"),
        (SendBackForm, {}, "note"),
        (NegativeEventForm, {"kind": "court_judgment", "occurred_on": "2026-01-01"}, "description"),
        (BuyerForm, {}, "former_names"),
    ],
)
def test_every_free_text_input_of_the_forms_is_bounded(form_class, data, field):
    form = form_class(data={**data, field: HUGE})
    assert not form.is_valid()
    assert field in form.errors
    assert form.fields[field].max_length <= LONG_TEXT_MAX_LENGTH


def test_a_huge_reason_on_the_policy_page_is_refused_naming_the_field(underwriter, insured_a):
    from django.test import Client

    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    client = Client()
    client.force_login(underwriter)
    response = client.post(
        f"/policies/{policy.pk}/transition/", {"action": "quote", "reason": HUGE}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    assert not PolicyTransition.objects.exists()
    assert any(str(TransitionForm.base_fields["reason"].label) in m for m in shown), shown
    assert not any("Unknown action" in m for m in shown)


def test_a_long_send_back_note_on_the_page_is_refused_naming_the_field(personas, world):
    from django.test import Client

    client = Client()
    client.force_login(personas["underwriter"])
    url = f"/limits/applications/{world['app_waiting']}/send-back/"
    response = client.post(url, {"note": "x" * 501}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any(str(SendBackForm.base_fields["note"].label) in m for m in shown), shown
