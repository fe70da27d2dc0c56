"""The notifications page: paged, each opens its object, read one by one, ticked or all."""

import pytest
from django.test import Client

from limits import texts
from notifications.models import Notification
from notifications.services import notify_users
from notifications.views import PAGE_SIZE

pytestmark = pytest.mark.django_db


def _notify(user, n=1, url="/limits/1/"):
    for i in range(n):
        notify_users(
            users=[user],
            subject_code=texts.EXPIRY_WARNING.code,
            params={"buyer": f"买方{i}", "date": "2026-12-31"},
            url=url,
        )
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_is_paged_newest_first(personas):
    _notify(personas["insured_a"], n=PAGE_SIZE + 3)
    client = client_for(personas["insured_a"])
    first = client.get("/notifications/")
    assert first.context["page_obj"].paginator.num_pages == 2
    assert first.content.decode().count('data-testid="notification"') == PAGE_SIZE
    assert "买方22" in first.content.decode()  # the newest
    second = client.get("/notifications/?page=2")
    assert second.content.decode().count('data-testid="notification"') == 3


def test_opening_one_marks_it_read_and_goes_to_its_object(personas):
    (notification,) = _notify(personas["insured_a"], url="/limits/applications/")
    response = client_for(personas["insured_a"]).post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302 and response.url == "/limits/applications/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_ticked_ones_are_marked_read_and_only_the_users_own(personas):
    mine = _notify(personas["insured_a"], n=3)
    theirs = _notify(personas["insured_b"])
    client = client_for(personas["insured_a"])
    client.post("/notifications/read/", {"ids": [mine[0].pk, mine[2].pk, theirs[0].pk]})
    unread = set(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True))
    assert unread == {mine[1].pk, theirs[0].pk}


def test_mark_all_read(personas):
    _notify(personas["insured_a"], n=4)
    other = _notify(personas["insured_b"])
    client = client_for(personas["insured_a"])
    response = client.post("/notifications/read/", {"all": "1", "page": "1"})
    assert response.url == "/notifications/?page=1"
    assert list(Notification.objects.filter(read_at__isnull=True)) == other
    page = client.get("/")
    assert page.context["unread_notifications"] == 0
