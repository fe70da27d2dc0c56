"""Several counts and sums in one statement (issue 10, B7: a home page ≤ 10 queries).

A home page shows a figure from every app; a COUNT each is a round trip each. These
subqueries let one statement carry them all: `gather(user, buyers=Counted(qs), ...)`
reads the user's own row once with every figure beside it, so that a new figure costs
no new query. Each queryset stays the app's own role-scoped selector.
"""

from django.db.models import DecimalField, F, IntegerField, QuerySet, Subquery


class Counted(Subquery):
    """The number of rows of a queryset, as a subquery; with `cap`, at most cap + 1 of
    them are counted (show it with core.pagination.capped_text)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet, *, cap: int | None = None):
        rows = queryset.order_by().values("pk")
        super().__init__(rows if cap is None else rows[: cap + 1])


class Summed(Subquery):
    """The sum of one field over a queryset's rows (0 when there are none)."""

    template = "(SELECT COALESCE(SUM(summed.value), 0) FROM (%(subquery)s) AS summed)"

    def __init__(self, queryset: QuerySet, field: str):
        decimal = isinstance(queryset.model._meta.get_field(field), DecimalField)
        output = DecimalField() if decimal else IntegerField()
        super().__init__(queryset.order_by().values(value=F(field)), output_field=output)


def gather(user, **figures) -> dict:
    """Every figure in one query, beside the user's row (which always exists)."""
    return user._meta.model.objects.filter(pk=user.pk).values(**figures).get()
