"""Overdue notices through HTTP (SPEC 2, 7): thin viewsets over claims.selectors and
claims.services.

An insured's draft is its own business (staff find it no more than insured B does, 404);
a clerk prepares, an approver files. While a draft the notice is the overdue account the
insured follows: extensions and a repayment plan move its deadline. Every write is one
service call; refusals are 400 naming the field, a role refusal 403 (core.api).
"""

import django_filters
from django.db.models import Count, F, Prefetch, Sum
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from claims import selectors, services
from claims.api.common import ClaimsViewSet, answers, is_notice_filer, is_notice_preparer
from claims.api.serializers import (
    ExtensionCreateSerializer,
    InstalmentPaidSerializer,
    InvoiceExtensionSerializer,
    NoticeReturnSerializer,
    OverdueNoticeCreateSerializer,
    OverdueNoticeDetailSerializer,
    OverdueNoticeSerializer,
    OverdueNoticeUpdateSerializer,
    PlanInstalmentSerializer,
    RepaymentPlanCreateSerializer,
    RepaymentPlanSerializer,
)
from claims.choices import NoticeStatus
from claims.models import (
    InvoiceExtension,
    NoticeInvoice,
    NoticeStatusChange,
    OverdueNotice,
    PlanInstalment,
    RepaymentPlan,
)
from core.filters import FilterSet
from core.scope import visible


class OverdueNoticeFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=NoticeStatus.choices)
    late = django_filters.BooleanFilter(method="filter_late", label="late")
    filed_from = django_filters.DateFilter(field_name="filed_on", lookup_expr="gte")
    filed_to = django_filters.DateFilter(field_name="filed_on", lookup_expr="lte")

    class Meta:
        model = OverdueNotice
        fields = ["status", "policy", "buyer", "late", "filed_from", "filed_to"]

    def filter_late(self, queryset, name, value):
        """Filed after the deadline (SPEC 7: accepted, but the claim may be declined)."""
        return queryset.filter(days_late__gt=0) if value else queryset.filter(days_late=0)


def notice_invoices(notice: OverdueNotice, user) -> list[NoticeInvoice]:
    """The notice's invoices with their extensions, as `user` may see them."""
    return list(
        selectors.invoices_visible_to(user)
        .filter(notice_id=notice.pk)
        .prefetch_related(
            Prefetch(
                "extensions",
                queryset=visible(user, InvoiceExtension)
                .select_related("recorded_by")
                .order_by("recorded_at", "id"),
            )
        )
        .order_by("original_due_date", "number", "id")
    )


def _with_list_figures(queryset):
    return queryset.select_related("policy__insured", "buyer", "prepared_by", "filed_by").annotate(
        invoice_count=Count("invoices"),
        total_amount=Sum("invoices__amount", default=0),
        claim_id=F("claim__id"),
    )


@extend_schema_view(
    list=extend_schema(
        responses=OverdueNoticeSerializer(many=True),
        summary="Overdue notices you may see (?late=true for those filed after the deadline)",
    ),
    retrieve=extend_schema(responses=answers({200: OverdueNoticeDetailSerializer}, 404)),
)
class OverdueNoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ClaimsViewSet):
    """Overdue-account notices (逾期账款通知书, SPEC 7). Insured users see their own, drafts
    included; staff see the filed ones; a bank, the filed notices its assignment
    agreements cover."""

    filterset_class = OverdueNoticeFilterSet
    ordering_fields = ["created_at", "filed_on", "deadline_on", "days_late", "reference"]
    ordering = ["-created_at", "-id"]
    action_roles = {
        "create": is_notice_preparer,
        "partial_update": is_notice_preparer,
        "file": is_notice_filer,
        "return_to_preparer": is_notice_filer,
        "discard": is_notice_filer,
        "extensions": is_notice_preparer,
        "repayment_plan": is_notice_preparer,
        "instalment_paid": is_notice_preparer,
    }

    def get_queryset(self):
        return selectors.notices_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return OverdueNoticeSerializer
        return OverdueNoticeDetailSerializer

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action in ("list", "retrieve"):
            # An action only needs the row to find it (or answer 404).
            queryset = _with_list_figures(queryset)
        return queryset

    def _detail(self, notice: OverdueNotice, code=status.HTTP_200_OK):
        """The notice with its invoices, plan, clocks and history as the reader sees them."""
        user, today = self.request.user, timezone.localdate()
        notice.invoices_shown = notice_invoices(notice, user)
        notice.plan = (
            visible(user, RepaymentPlan)
            .filter(notice=notice)
            .select_related("recorded_by")
            .prefetch_related(
                Prefetch(
                    "instalments",
                    queryset=visible(user, PlanInstalment).order_by("due_on", "id"),
                )
            )
            .first()
        )
        notice.clocks = selectors.notice_clocks(notice, today=today, user=user)
        notice.history = list(
            visible(user, NoticeStatusChange)
            .filter(notice=notice)
            .select_related("actor")
            .order_by("created_at", "id")
        )
        notice.allowed_actions = list(selectors.allowed_notice_actions(notice, user))
        data = OverdueNoticeDetailSerializer(
            notice, context={**self.get_serializer_context(), "today": today}
        ).data
        return Response(data, status=code)

    def _answer(self, notice: OverdueNotice, code=status.HTTP_200_OK):
        """The notice as the caller now sees it after a write."""
        return self._detail(_with_list_figures(self.get_queryset()).get(pk=notice.pk), code)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @extend_schema(
        request=OverdueNoticeCreateSerializer,
        responses=answers({201: OverdueNoticeDetailSerializer}, 400, 403),
        summary="Prepare an overdue notice on one buyer with its unpaid invoices (file: true "
        "files it at once: approvers, the insured's administrator, claims staff)",
    )
    def create(self, request):
        body = dict(self.body(OverdueNoticeCreateSerializer))
        policy, buyer = body.pop("policy"), body.pop("buyer")
        notice = services.notice_prepare(
            actor=request.user, policy_id=policy.pk, buyer_id=buyer.pk, **body
        )
        return self._answer(notice, status.HTTP_201_CREATED)

    @extend_schema(
        request=OverdueNoticeUpdateSerializer,
        responses=answers({200: OverdueNoticeDetailSerializer}, 400, 403, 404),
        summary="Change a draft: its invoices (the list sent replaces them) or its comment",
    )
    def partial_update(self, request, pk=None):
        notice = self.get_object()
        body = self.body(OverdueNoticeUpdateSerializer)
        notice = services.notice_update(
            actor=request.user, notice_id=notice.pk, invoices=body.get("invoices"),
            comment=body.get("comment"),
        )  # fmt: skip
        return self._answer(notice)

    @extend_schema(
        request=None,
        responses=answers({200: OverdueNoticeDetailSerializer}, 400, 403, 404),
        summary="File the notice (after its deadline it is accepted but marked late)",
    )
    @action(detail=True, methods=["post"])
    def file(self, request, pk=None):
        notice = services.notice_file(actor=request.user, notice_id=self.get_object().pk)
        return self._answer(notice)

    @extend_schema(
        request=NoticeReturnSerializer,
        responses=answers({200: OverdueNoticeDetailSerializer}, 400, 403, 404),
        summary="Return a draft to its preparer with a comment (insured approvers)",
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_preparer(self, request, pk=None):
        notice = self.get_object()
        notice = services.notice_return(
            actor=request.user, notice_id=notice.pk, **self.body(NoticeReturnSerializer)
        )
        return self._answer(notice)

    @extend_schema(
        request=None,
        responses=answers({200: OverdueNoticeDetailSerializer}, 400, 403, 404),
        summary="Discard a draft (the buyer paid, or it was a mistake)",
    )
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        notice = services.notice_discard(actor=request.user, notice_id=self.get_object().pk)
        return self._answer(notice)

    @extend_schema(
        request=ExtensionCreateSerializer,
        responses=answers({201: InvoiceExtensionSerializer}, 400, 403, 404),
        summary="Record an extension of one of the notice's invoices, within the maximum "
        "extension period (it moves the notice deadline)",
    )
    @action(detail=True, methods=["post"])
    def extensions(self, request, pk=None):
        notice = self.get_object()
        body = dict(self.body(ExtensionCreateSerializer, notice=notice))
        invoice = body.pop("invoice")
        extension = services.extension_record(actor=request.user, invoice_id=invoice.pk, **body)
        extension = InvoiceExtension.objects.select_related("recorded_by").get(pk=extension.pk)
        return Response(InvoiceExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RepaymentPlanCreateSerializer,
        responses=answers({201: RepaymentPlanSerializer}, 400, 403, 404),
        summary="Record the repayment plan agreed with the buyer (a missed instalment brings "
        "the notice deadline forward)",
    )
    @action(detail=True, methods=["post"], url_path="repayment-plan")
    def repayment_plan(self, request, pk=None):
        notice = self.get_object()
        body = self.body(RepaymentPlanCreateSerializer)
        plan = services.repayment_plan_record(
            actor=request.user, notice_id=notice.pk, agreed_on=body["agreed_on"],
            instalments=[dict(row) for row in body["instalments"]], note=body["note"],
        )  # fmt: skip
        plan = (
            RepaymentPlan.objects.select_related("recorded_by")
            .prefetch_related(
                Prefetch("instalments", queryset=PlanInstalment.objects.order_by("due_on", "id"))
            )
            .get(pk=plan.pk)
        )
        return Response(RepaymentPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=InstalmentPaidSerializer,
        responses=answers({200: PlanInstalmentSerializer}, 400, 403, 404),
        summary="Record that the buyer paid an instalment of the repayment plan",
    )
    @action(detail=True, methods=["post"], url_path="instalment-paid")
    def instalment_paid(self, request, pk=None):
        notice = self.get_object()
        body = self.body(InstalmentPaidSerializer, notice=notice)
        instalment = services.plan_instalment_paid(
            actor=request.user, instalment_id=body["instalment"].pk, paid_on=body["paid_on"]
        )
        return Response(PlanInstalmentSerializer(instalment).data)
