"""Generic list page: filter (django-filter), sort, page and export (SPEC 11)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import ListView

from core.exports import EXPORT_ROW_CAP, export_csv, export_xlsx
from core.pagination import CappedPaginator


class FilteredListView(LoginRequiredMixin, ListView):
    """Subclasses set `filterset_class`, `columns`, `export_name` and `base_queryset()`.

    The queryset always starts from a role-scoped selector; filters, ordering and
    export all apply on top of it, so an export can never show more than the page.
    """

    filterset_class = None
    columns: list = []
    export_name = "export"
    default_ordering: tuple[str, ...] = ()
    paginate_by = 50
    paginator_class = CappedPaginator  # no exact COUNT over every match (B7)
    template_name = "core/list.html"
    title = ""

    def base_queryset(self):
        raise NotImplementedError

    def sort_key(self) -> str | None:
        requested = self.request.GET.get("sort", "")
        allowed = {c.sort for c in self.columns if c.sort}
        field = requested.lstrip("-")
        return requested if field in allowed else None

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.base_queryset(), request=self.request
        )
        qs = self.filterset.qs if self.filterset.is_bound else self.filterset.queryset
        sort = self.sort_key()
        if sort:
            qs = qs.order_by(sort, "pk")
        elif self.default_ordering and not qs.query.order_by:
            qs = qs.order_by(*self.default_ordering)
        return qs

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export:
            rows = self.get_queryset()[:EXPORT_ROW_CAP]
            if export == "csv":
                return export_csv(rows.iterator(chunk_size=2000), self.columns, self.export_name)
            if export == "xlsx":
                return export_xlsx(rows.iterator(chunk_size=2000), self.columns, self.export_name)
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query_without_page = self.request.GET.copy()
        query_without_page.pop("page", None)
        query_without_sort = query_without_page.copy()
        query_without_sort.pop("sort", None)
        context.update(
            filterset=self.filterset,
            columns=self.columns,
            current_sort=self.sort_key() or "",
            query_without_sort=query_without_sort.urlencode(),
            query_without_page=query_without_page.urlencode(),
            title=self.title,
            rows=[
                (obj, [(c, c.display(obj), c.tone(obj)) for c in self.columns])
                for obj in context["object_list"]
            ],
        )
        return context
