"""The policy page: actions that end or stop cover (suspend, expire, cancel) sit in a menu,
state their effect and are taken only once confirmed, with a reason where one is due."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from limits.models import CreditLimit
from policies.choices import PolicyStatus
from tests.factories import BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    for amount in ("1000000", "400000"):
        CreditLimit.objects.create(
            policy=policy,
            buyer=BuyerFactory(),
            amount=Decimal(amount),
            payment_terms_days=60,
            source="insurer",
            effective_from=date(2026, 1, 1),
        )
    return policy


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_terminating_actions_are_in_a_menu_not_buttons_beside_the_title(personas, live):
    page = client_for(personas["underwriter"]).get(live.get_absolute_url()).content.decode()
    menu = page[page.index('data-testid="terminating-actions"') :]
    for action in ("suspend", "expire", "cancel"):
        assert f'href="?confirm={action}"' in menu
        assert f'<button class="btn btn-sm text-nowrap btn-primary" data-action="{action}"' not in (
            page
        )


def test_cancelling_states_its_effect_and_needs_confirmation_and_a_reason(personas, live):
    client = client_for(personas["underwriter"])
    url = reverse("policies:transition", args=[live.pk])
    # A POST that skipped the dialog is sent to it, nothing changes.
    response = client.post(url, {"action": "cancel", "reason": "欺诈"})
    assert response.status_code == 302 and response.url.endswith("?confirm=cancel")
    live.refresh_from_db()
    assert live.status == PolicyStatus.IN_FORCE

    dialog = client.get(response.url)
    assert 'data-testid="confirm-dialog"' in dialog.content.decode()
    assert "其 2 个当前信用限额（合计 1,400,000.00）随之终止" in text(dialog)
    assert 'name="reason"' in dialog.content.decode()

    missing = client.post(url, {"action": "cancel", "reason": " ", "confirmed": "1"})
    assert missing.url.endswith("?confirm=cancel")
    live.refresh_from_db()
    assert live.status == PolicyStatus.IN_FORCE

    client.post(url, {"action": "cancel", "reason": "欺诈", "confirmed": "1"})
    live.refresh_from_db()
    assert live.status == PolicyStatus.CANCELLED
    assert not CreditLimit.objects.filter(policy=live, status="active").exists()


def test_suspending_says_new_shipments_are_not_covered(personas, live):
    page = client_for(personas["underwriter"]).get(f"{live.get_absolute_url()}?confirm=suspend")
    assert "不予承保" in text(page)
    assert "对此前的出运继续有效" in text(page)


def test_an_action_the_status_does_not_allow_shows_no_dialog(personas, insured_a):
    draft = PolicyFactory(insured=insured_a)
    page = client_for(personas["underwriter"]).get(f"{draft.get_absolute_url()}?confirm=expire")
    assert 'data-testid="confirm-dialog"' not in page.content.decode()


def test_the_insured_sees_no_actions_and_no_dialog(personas, live):
    page = client_for(personas["insured_a"]).get(f"{live.get_absolute_url()}?confirm=cancel")
    assert page.status_code == 200
    assert 'data-testid="confirm-dialog"' not in page.content.decode()
    assert 'data-testid="terminating-actions"' not in page.content.decode()
