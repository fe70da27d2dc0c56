"""Database constraints reach people as a message on the field, never as their name
(SPEC 11), in the forms, in the API and when only the database caught the problem."""

from datetime import date

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import translation

from core.api import exception_handler
from core.constraints import FieldCheckConstraint, FieldUniqueConstraint
from limits.choices import RequestType
from limits.forms import LimitApplicationForm
from policies.choices import PolicyStatus
from policies.models import Policy
from tests.conftest import api_as
from tests.factories import BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def _all_constraints():
    for model in apps.get_models():
        if model._meta.app_label in {"accounts", "buyers", "policies", "limits", "notifications"}:
            for constraint in model._meta.constraints:
                yield model, constraint


def test_every_constraint_names_a_field_of_its_model_and_has_a_message():
    wrong = []
    for model, constraint in _all_constraints():
        label = f"{model.__name__}.{constraint.name}"
        if not isinstance(constraint, FieldCheckConstraint | FieldUniqueConstraint):
            wrong.append(f"{label}: a plain Django constraint")
            continue
        field_names = {f.name for f in model._meta.get_fields()}
        if constraint.field not in field_names:
            wrong.append(f"{label}: no field {constraint.field}")
        message = str(constraint.get_violation_error_message())
        if constraint.name in message or "violated" in message:
            wrong.append(f"{label}: {message}")
    assert not wrong


def _application_form(user, policy, amount):
    return LimitApplicationForm(
        data={
            "policy": policy.pk,
            "buyer_uscc": BuyerFactory().uscc,
            "request_type": RequestType.NEW,
            "requested_amount": amount,
            "payment_terms_days": "60",
        },
        user=user,
        can_submit=True,
    )


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_the_application_form_names_the_amount_not_the_constraint(personas, amount):
    user = personas["insured_a"]
    policy = PolicyFactory(insured=user.organisation, status=PolicyStatus.IN_FORCE)
    with translation.override("zh-hans"):
        form = _application_form(user, policy, amount)
        assert not form.is_valid()
        shown = " ".join(str(m) for errors in form.errors.values() for m in errors)
    assert list(form.errors) == ["requested_amount"]
    assert "application_amount_positive" not in shown
    assert "约束" not in shown


def test_a_constraint_checked_by_a_service_is_answered_on_its_field(underwriter, insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.DRAFT)
    response = api_as(underwriter).patch(
        f"/api/v1/policies/{policy.pk}/", {"period_end": "2025-06-30"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["period_end"]
    assert "policy_period_positive" not in str(body)


def test_the_api_never_answers_under_all(underwriter, insured_a):
    """A refusal on no field is `non_field_errors`, DRF's key, never Django's `__all__`."""
    from django.core.exceptions import ValidationError

    response = exception_handler(ValidationError({"__all__": ["Nope."]}), {})
    assert response.data == {"non_field_errors": ["Nope."]}


@pytest.mark.parametrize(
    "field,value",
    [("limit_fee", -1), ("max_discretionary_limit", -1), ("period_end", date(2020, 1, 1))],
)
def test_a_violation_only_the_database_caught_is_a_400_on_the_field(insured_a, field, value):
    policy = PolicyFactory(insured=insured_a)
    try:
        with transaction.atomic():
            Policy.objects.filter(pk=policy.pk).update(**{field: value})
    except IntegrityError as error:
        with translation.override("zh-hans"):
            response = exception_handler(error, {})
    else:
        pytest.fail("the database let it through")
    assert response.status_code == 400
    assert list(response.data) == [field]
    assert "not_negative" not in str(response.data)
    assert "约束" not in str(response.data)


def test_a_unique_violation_only_the_database_caught_is_a_400_on_the_field(insured_a):
    policy = PolicyFactory(insured=insured_a)
    try:
        with transaction.atomic():
            PolicyFactory(insured=insured_a, policy_number=policy.policy_number)
    except IntegrityError as error:
        response = exception_handler(error, {})
    else:
        pytest.fail("the database let it through")
    assert response.status_code == 400
    assert list(response.data) == ["year_index"]
