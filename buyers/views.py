from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView

from buyers import services
from buyers.filtersets import BuyerFilterSet
from buyers.forms import BuyerForm, NegativeEventForm
from buyers.selectors import buyers_visible_to, exact_uscc
from buyers.tables import BUYER_COLUMNS
from core import reactions
from core.audit import history_for
from core.mixins import StaffRequiredMixin, UnderwriterRequiredMixin, apply_validation_error
from core.pagination import NextPagePaginator
from core.views import FilteredListView


class BuyerListView(FilteredListView):
    filterset_class = BuyerFilterSet
    columns = BUYER_COLUMNS
    export_name = "buyers"
    default_ordering = ("name",)
    # A search never waits for COUNT(*) over its matches; the register without one shows
    # its total as every list does.
    search_paginator_class = NextPagePaginator

    @property
    def title(self):
        return _("Buyers")

    def base_queryset(self):
        return buyers_visible_to(self.request.user)

    def get(self, request, *args, **kwargs):
        # An exact USCC names one company: open its page, if this user may see it.
        uscc = exact_uscc(request.GET.get("q", ""))
        if uscc and not request.GET.get("export"):
            buyer = buyers_visible_to(request.user).filter(uscc=uscc).first()
            if buyer is not None:
                return redirect(buyer)
        return super().get(request, *args, **kwargs)

    def get_paginator(self, queryset, per_page, **kwargs):
        if self.request.GET.get("q", "").strip():
            return self.search_paginator_class(queryset, per_page, **kwargs)
        return super().get_paginator(queryset, per_page, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.is_underwriter:
            context["create_url"] = reverse("buyers:create")
        return context


class BuyerDetailView(LoginRequiredMixin, DetailView):
    template_name = "buyers/detail.html"
    context_object_name = "buyer"

    def get_queryset(self):
        return buyers_visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        buyer = self.object
        user = self.request.user
        context["events"] = buyer.negative_events.all()
        # Apps below add what they know of the buyer (limits: its exposure).
        reactions.emit("buyers.buyer_page", context=context, buyer=buyer, user=user)
        if user.is_insurer_staff:
            context["history"] = history_for(buyer)
            context["related_parties"] = buyer.related_parties.select_related("insured")
            context["event_form"] = NegativeEventForm()
        return context


class BuyerCreateView(UnderwriterRequiredMixin, FormView):
    template_name = "core/form.html"
    form_class = BuyerForm

    def form_valid(self, form):
        try:
            buyer = services.buyer_create(actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Buyer registered."))
        return redirect("buyers:detail", pk=buyer.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Register a buyer"), **kwargs)


class BuyerUpdateView(UnderwriterRequiredMixin, FormView):
    template_name = "core/form.html"
    form_class = BuyerForm

    @cached_property
    def buyer(self):
        # Looked up after the role check in dispatch, so anonymous users are sent to login.
        return get_object_or_404(buyers_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.buyer}

    def form_valid(self, form):
        try:
            services.buyer_update(
                actor=self.request.user, buyer_id=self.buyer.pk, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Buyer updated."))
        return redirect("buyers:detail", pk=self.buyer.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit buyer"), **kwargs)


class NegativeEventCreateView(StaffRequiredMixin, FormView):
    form_class = NegativeEventForm
    template_name = "core/form.html"

    def form_valid(self, form):
        buyer = get_object_or_404(buyers_visible_to(self.request.user), pk=self.kwargs["pk"])
        services.negative_event_record(
            actor=self.request.user, buyer_id=buyer.pk, **form.cleaned_data
        )
        messages.success(self.request, _("Negative event recorded; its limits will be reviewed."))
        return redirect("buyers:detail", pk=buyer.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Record a negative event"), **kwargs)
