"""Paging without counting every match (STYLE: search pages do not count before showing).

Django's Paginator and DRF's PageNumberPagination run `COUNT(*)` over the whole result
before the first page: for a buyer search over a common fragment that is most of the
time (ENVIRONMENT.md: 393 ms through the API against 12 ms in the selector). These fetch
one row more than a page instead, which is enough to know whether another page follows;
they know neither the total nor the number of pages.

`CappedPaginator` is the list pages' (issue 10, B7): it counts the matches only up to
`COUNT_CAP` (`COUNT(*)` over a LIMITed, unordered subquery), so that a list of 50,000
rows shows "1,000+" at the cost of reading 1,001 index entries, not 50,000 rows.
"""

import math

from django.core.paginator import EmptyPage, InvalidPage, Page, PageNotAnInteger, Paginator
from django.utils.formats import number_format
from django.utils.functional import cached_property
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class NextPage(Page):
    def __init__(self, object_list, number, paginator, *, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self):
        return self._has_next

    def end_index(self):
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0

    def start_index(self):
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0


class NextPagePaginator(Paginator):
    """A Paginator for ListView whose `count` and `num_pages` are None (never queried)."""

    count = None
    num_pages = None

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return NextPage(rows[: self.per_page], number, self, has_next=len(rows) > self.per_page)

    @property
    def page_range(self):
        raise NotImplementedError("NextPagePaginator does not know how many pages there are")


COUNT_CAP = 1000  # matches counted at most; beyond, a list shows "1,000+"


def capped_text(count: int, cap: int = COUNT_CAP) -> str:
    """A count of at most cap + 1 as a page shows it: "1,000+" once over the cap."""
    if count > cap:
        return f"{number_format(cap, force_grouping=True)}+"
    return number_format(count, force_grouping=True)


class CappedPaginator(NextPagePaginator):
    """Pages as NextPagePaginator does; `count` stops at COUNT_CAP + 1, and the number
    of pages is known (not None) only when the count did not reach the cap."""

    cap = COUNT_CAP

    @cached_property
    def count(self):
        rows = self.object_list
        if hasattr(rows, "order_by"):  # a queryset: the order does not change the count
            return rows.order_by()[: self.cap + 1].count()
        return min(len(rows), self.cap + 1)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_text(self) -> str:
        """The count as a list's heading shows it: "1,000+" once capped."""
        return capped_text(self.count, self.cap)

    @cached_property
    def num_pages(self):
        if self.capped:
            return None
        return max(1, math.ceil(self.count / self.per_page))


class NextPagePagination(PageNumberPagination):
    """DRF page-number pagination without the total: `{"next", "previous", "results"}`."""

    django_paginator_class = NextPagePaginator
    last_page_strings = ()

    def paginate_queryset(self, queryset, request, view=None):
        # DRF's own asks `paginator.num_pages` for the browsable API's page links.
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = self.django_paginator_class(queryset, page_size)
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as error:
            message = self.invalid_page_message.format(page_number=page_number, message=error)
            raise NotFound(message) from error
        return list(self.page)

    def get_paginated_response(self, data):
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema):
        full = super().get_paginated_response_schema(schema)
        full["properties"].pop("count", None)
        full["required"] = [name for name in full.get("required", []) if name != "count"]
        return full
