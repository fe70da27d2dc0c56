"""Lists count their matches only up to a cap (core.pagination, issue 10 B7)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.pagination import CappedPaginator
from notifications.models import Notification

pytestmark = pytest.mark.django_db


class SmallCap(CappedPaginator):
    cap = 5


def _notifications(user, n: int):
    Notification.objects.bulk_create(
        Notification(recipient=user, subject=f"通知 {i}", url="/") for i in range(n)
    )
    return Notification.objects.filter(recipient=user).order_by("-id")


def test_a_count_under_the_cap_is_exact_with_its_pages(personas):
    paginator = SmallCap(_notifications(personas["insured_a"], 4), 2)
    assert (paginator.count, paginator.count_text, paginator.num_pages) == (4, "4", 2)
    assert not paginator.page(2).has_next()


def test_a_count_over_the_cap_stops_there_and_pages_go_on(personas):
    paginator = SmallCap(_notifications(personas["insured_a"], 9), 2)
    with CaptureQueriesContext(connection) as captured:
        assert paginator.count == 6
    (count,) = captured.captured_queries
    assert "LIMIT 6" in count["sql"] and "ORDER BY" not in count["sql"]
    assert (paginator.count_text, paginator.num_pages) == ("5+", None)
    page = paginator.page(5)  # beyond the cap: the pages still follow the rows
    assert (len(page), page.has_next(), page.start_index()) == (1, False, 9)


def test_a_list_page_shows_a_capped_count(client, personas):
    """The notifications list counts 1,001 of 1,200 and says "1000+" (the locale's)."""
    user = personas["insured_a"]
    _notifications(user, 1200)
    client.force_login(user)
    response = client.get("/notifications/")
    paginator = response.context["paginator"]
    assert (paginator.count, paginator.num_pages) == (1001, None)
    assert paginator.count_text.replace(",", "") == "1000+"
    assert paginator.count_text in response.content.decode()
