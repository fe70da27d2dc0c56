"""The bank portal (SPEC 2, 8): read-only. The policies assigned to the bank across all
its borrowers, each covered buyer with its financing capacity, one page per covered
buyer, and the feed of what changed since the bank user last looked. Everything is read
through `banks.selectors`, so a buyer no agreement in force covers is a 404."""

from datetime import datetime

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from banks import selectors, services
from banks.choices import ADVERSE_EVENTS, BankEventKind
from banks.filtersets import FeedFilterSet, PositionFilterSet
from banks.tables import FEED_COLUMNS, POSITION_COLUMNS
from core.exports import EXPORT_ROW_CAP, export_csv, export_xlsx
from core.mixins import RoleRequiredMixin
from core.texts import render_text, text_entry
from core.views import FilteredListView

POSITIONS_PER_PAGE = 50
EXPORTS = {"csv": export_csv, "xlsx": export_xlsx}


# What a bank is glad to hear: shown in green on the feed (the adverse ones in red).
GOOD_NEWS = frozenset(
    {BankEventKind.CLAIM_PAID, BankEventKind.POLICY_REINSTATED, BankEventKind.AGREEMENT_ACTIVE}
)


def _tone(event) -> str:
    if event.is_adverse:
        return "danger"
    if event.kind in GOOD_NEWS:
        return "success"
    entry = text_entry(event.subject_code) if event.subject_code else None
    return (entry.tone if entry else "") or "info"


class BankUserMixin(RoleRequiredMixin):
    """The portal is the bank users'; any other role gets a 404 (SPEC 2)."""

    def allows(self, user) -> bool:
        return user.is_bank_user


def _sorted(rows: list, columns, requested: str) -> tuple[list, str]:
    """The positions sorted by a column's computed value (empty values last either way)."""
    keys = {column.sort: column for column in columns if column.sort}
    column = keys.get(requested.lstrip("-"))
    if column is None:
        return rows, ""
    present = [row for row in rows if column.raw(row) is not None]
    missing = [row for row in rows if column.raw(row) is None]
    present.sort(key=column.raw, reverse=requested.startswith("-"))
    return present + missing, requested


class PortalView(BankUserMixin, TemplateView):
    """The bank user's home: the assigned policies, the key figures, and one row per
    covered buyer (filtered, sorted, paged and exported, SPEC 11)."""

    template_name = "banks/portal_overview.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        self.filterset = PositionFilterSet(
            request.GET or None, queryset=selectors.covered_visible_to(user), request=request
        )
        covered = self.filterset.qs if self.filterset.is_bound else self.filterset.queryset
        self.all_rows = selectors.bank_positions(user)
        filtered = self.filterset.is_bound and bool(self.filterset.form.changed_data)
        rows = selectors.bank_positions(user, covered) if filtered else self.all_rows
        self.rows, self.sort = _sorted(rows, POSITION_COLUMNS, request.GET.get("sort", ""))
        export = request.GET.get("export")
        if export:
            if export not in EXPORTS:
                raise Http404
            return EXPORTS[export](self.rows[:EXPORT_ROW_CAP], POSITION_COLUMNS, "bank-positions")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        query = self.request.GET.copy()
        query.pop("page", None)
        without_sort = query.copy()
        without_sort.pop("sort", None)
        page = Paginator(self.rows, POSITIONS_PER_PAGE).get_page(self.request.GET.get("page"))
        agreements = list(selectors.portal_agreements(user))
        return {
            **super().get_context_data(**kwargs),
            "title": _("Bank portal"),
            "agreements": agreements,
            "policy_count": len({a.policy_id for a in agreements if a.status == "active"}),
            "totals": selectors.positions_totals(self.all_rows),
            "feed": selectors.feed_summary(user),
            "filterset": self.filterset,
            "columns": POSITION_COLUMNS,
            "page_obj": page,
            "rows": [
                (row, [(c, c.display(row)) for c in POSITION_COLUMNS]) for row in page.object_list
            ],
            "current_sort": self.sort,
            "query_without_page": query.urlencode(),
            "query_without_sort": without_sort.urlencode(),
        }


class CoveredBuyerView(BankUserMixin, TemplateView):
    """One covered buyer of one policy: its limit and decisions, notices, claims, the
    indemnities payable and paid, and its documents. 404 when no agreement covers it."""

    template_name = "banks/portal_buyer.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        file = selectors.covered_buyer_file(
            user, policy_id=kwargs["policy_id"], buyer_id=kwargs["buyer_id"]
        )
        if file is None:
            raise Http404
        position = file.position
        return {
            **super().get_context_data(**kwargs),
            "title": position.buyer.name,
            "file": file,
            "position": position,
            "agreement": position.agreement,
            "policy": position.policy,
            "buyer": position.buyer,
            "today": timezone.localdate(),
        }


class FeedView(BankUserMixin, FilteredListView):
    """What changed on the financed policies, newest first; rows after the user last
    looked are marked new, adverse ones highlighted (SPEC 8)."""

    filterset_class = FeedFilterSet
    columns = FEED_COLUMNS
    export_name = "bank-feed"
    template_name = "banks/portal_feed.html"

    @property
    def title(self):
        return _("What changed")

    def base_queryset(self):
        # Read once: the rows' `is_new` and the summary above them use the same moment.
        self.seen = selectors.feed_seen_until(self.request.user)
        return selectors.feed_for(self.request.user, seen=self.seen)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = list(context["object_list"])
        for event in events:
            event.text = render_text(event.subject_code, event.params)
            event.tone = _tone(event)
        newest = selectors.bank_feed(self.request.user).values_list("occurred_at", flat=True)
        context.update(
            events=events,
            adverse_kinds=ADVERSE_EVENTS,
            summary=selectors.feed_summary(self.request.user, seen=self.seen),
            newest=next(iter(newest[:1]), None),
        )
        return context


class FeedSeenView(BankUserMixin, View):
    """POST: everything up to the newest row the page showed is read (a row that came in
    after the page was drawn stays new)."""

    http_method_names = ["post"]

    def post(self, request):
        until = parse_datetime(request.POST.get("until", "") or "")
        now = timezone.now()
        if not isinstance(until, datetime) or timezone.is_naive(until) or until > now:
            until = now
        services.feed_mark_seen(user=request.user, until=until)
        return redirect("bank:feed")


class SignedCopyView(RoleRequiredMixin, View):
    """The copy of the agreement the three parties signed, for whoever may read the
    agreement (the insurer's staff, the insured, the named bank); anyone else 404."""

    def allows(self, user) -> bool:
        return user.is_insurer_staff or user.is_insured_user or user.is_bank_user

    def get(self, request, pk):
        agreement = get_object_or_404(selectors.agreements_visible_to(request.user), pk=pk)
        if not agreement.signed_sha256:
            raise Http404
        response = HttpResponse(
            bytes(agreement.signed_content), content_type=agreement.signed_content_type
        )
        response["Content-Disposition"] = content_disposition_header(
            True, agreement.signed_filename
        )
        response["Cache-Control"] = "private, no-store"
        return response
