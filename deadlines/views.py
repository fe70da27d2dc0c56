"""The deadline engine's pages (SPEC 7 "Deadline reminders", 10): what is due next as a
list with days left, and a month calendar. An insured sees its own, staff all; a bank
none (the premium account and the insured's obligations are not its business)."""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

import django_filters
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from core.mixins import RoleRequiredMixin
from core.tables import Column
from core.views import FilteredListView
from deadlines.choices import PENDING_STATUSES, DeadlineKind, DeadlineParty, DeadlineStatus
from deadlines.models import Deadline
from deadlines.selectors import deadlines_visible_to, due_next

HOME_ROWS = 5


def due_next_rows(user, *, today: date, policy=None, limit: int | None = HOME_ROWS):
    """`due_next` with what the pages print: days left, or days overdue once passed."""
    rows = due_next(user, today=today, policy=policy, limit=limit)
    for row in rows:
        row.days_overdue = max(0, -row.days_left)
    return rows


class DeadlineReaderMixin(RoleRequiredMixin):
    def allows(self, user) -> bool:
        return user.is_insurer_staff or user.is_insured_user


class DeadlineFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("Policy number or insured"), method="search")
    kind = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("What"), choices=DeadlineKind.choices
    )
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Status"), choices=DeadlineStatus.choices
    )
    party = django_filters.ChoiceFilter(label=gettext_lazy("Whose"), choices=DeadlineParty.choices)
    policy = django_filters.CharFilter(
        label=gettext_lazy("Policy number"), field_name="policy__policy_number"
    )
    due_from = django_filters.DateFilter(
        field_name="due_on", lookup_expr="gte", label=gettext_lazy("Due on or after")
    )
    due_to = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lte", label=gettext_lazy("Due on or before")
    )

    class Meta:
        model = Deadline
        fields = ["q", "kind", "status", "party", "policy", "due_from", "due_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(policy__policy_number__istartswith=value)
            | Q(policy__insured__name__icontains=value)
            | Q(detail__icontains=value)
        )


@dataclass(frozen=True)
class DaysLeftColumn(Column):
    """Days left until the due date (negative once passed); a missed one is red."""

    kind: str = "badge"

    def raw(self, obj):
        if obj.status not in PENDING_STATUSES:
            return None
        return (obj.due_on - timezone.localdate()).days

    def text(self, obj) -> str:
        value = self.raw(obj)
        return "" if value is None else str(value)

    def display(self, obj) -> str:
        value = self.raw(obj)
        if value is None:
            return ""
        if value < 0:
            return _("%(days)s days overdue") % {"days": -value}
        if value == 0:
            return _("today")
        return _("%(days)s days left") % {"days": value}

    def tone(self, obj) -> str:
        value = self.raw(obj)
        if value is None:
            return "light"
        if value < 0 or obj.status == DeadlineStatus.MISSED:
            return "danger"
        return "warning" if value <= 7 else "light"


DEADLINE_COLUMNS = [
    Column("kind", gettext_lazy("What"), sort="kind", choice=True, kind="link"),
    Column("detail", gettext_lazy("Detail")),
    Column("policy.policy_number", gettext_lazy("Policy"), sort="policy__policy_number"),
    Column("policy.insured.name", gettext_lazy("Insured"), sort="policy__insured__name"),
    Column("party", gettext_lazy("Whose"), sort="party", choice=True),
    Column("due_on", gettext_lazy("Due on"), sort="due_on", kind="date"),
    DaysLeftColumn("days_left", gettext_lazy("Days left"), testid="days-left"),
    Column("status", gettext_lazy("Status"), sort="status", kind="badge", choice=True),
    Column("met_on", gettext_lazy("Met on"), sort="met_on", kind="date"),
]


class DeadlineListView(DeadlineReaderMixin, FilteredListView):
    """What is due next: open and missed deadlines soonest first unless filtered."""

    filterset_class = DeadlineFilterSet
    export_name = "deadlines"
    default_ordering = ("due_on", "pk")
    template_name = "deadlines/list.html"

    @property
    def title(self):
        return _("Deadlines: what is due next")

    @property
    def columns(self):
        if self.request.user.is_insured_user:
            return [c for c in DEADLINE_COLUMNS if c.key not in ("policy.insured.name", "party")]
        return DEADLINE_COLUMNS

    def base_queryset(self):
        qs = deadlines_visible_to(self.request.user)
        if "status" not in self.request.GET:
            qs = qs.filter(status__in=PENDING_STATUSES)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for row in context["object_list"]:
            row.get_absolute_url = _link(row.url)
        return context


def _link(url: str):
    return lambda: url


@dataclass
class Day:
    on: date
    in_month: bool
    is_today: bool
    deadlines: list = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.deadlines)


def _month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _month(value: str, today: date) -> date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        return today.replace(day=1)


class DeadlineCalendarView(DeadlineReaderMixin, TemplateView):
    """A month of deadlines as a grid of weeks (Monday first), drawn on the server."""

    template_name = "deadlines/calendar.html"
    # A day shows its first few deadlines and links the rest to the list of that day.
    PER_DAY = 4

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        first = _month(self.request.GET.get("month", ""), today)
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
        start, end = weeks[0][0], weeks[-1][-1]
        shown = (
            deadlines_visible_to(self.request.user)
            .filter(due_on__gte=start, due_on__lte=end)
            .exclude(status=DeadlineStatus.WAIVED)
        )
        counts = dict(
            shown.order_by()
            .values_list("due_on")
            .annotate(n=Count("pk"))
            .values_list("due_on", "n")
        )
        by_status = dict(
            shown.filter(due_on__gte=first, due_on__lte=_month_end(first))
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        # The first few of each day: one query, numbered per day by a window function
        # over the ids alone; the joins are made for the few rows kept, not for the
        # month's every deadline (issue 10, B7).
        first_of_day = (
            shown.order_by()
            .annotate(
                rank=Window(RowNumber(), partition_by=[F("due_on")], order_by=[F("kind"), F("pk")])
            )
            .filter(rank__lte=self.PER_DAY)
            .values_list("pk", flat=True)
        )
        by_day: dict[date, list] = {}
        # Read apart: inside one statement the planner expects thousands of rows, not
        # the few dozen kept, and joins every policy by hash (EXPLAIN, issue 10).
        kept = list(first_of_day)
        for row in shown.filter(pk__in=kept).order_by("due_on", "kind", "pk"):
            by_day.setdefault(row.due_on, []).append(row)
        grid = [
            [
                Day(d, d.month == first.month, d == today, by_day.get(d, []), counts.get(d, 0))
                for d in week
            ]
            for week in weeks
        ]
        previous = (first - timedelta(days=1)).replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return super().get_context_data(
            title=_("Deadline calendar"),
            month=first,
            weeks=grid,
            weekdays=[WEEKDAYS_ABBR[i] for i in range(7)],
            previous=f"{previous:%Y-%m}",
            following=f"{following:%Y-%m}",
            this_month=f"{today:%Y-%m}",
            open_count=by_status.get(DeadlineStatus.OPEN, 0),
            missed_count=by_status.get(DeadlineStatus.MISSED, 0),
            **kwargs,
        )
