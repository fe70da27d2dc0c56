"""The premium account through HTTP (SPEC 2, 6): thin viewsets over premiums.selectors
and premiums.services.

Every queryset comes from a scoped selector: insured B never finds insured A's
declarations (404), a bank finds none of this (empty lists, 404), staff do not see an
insured's drafts. A role that may not act answers 403: at once on list-level writes,
on an object only once it was found (limits.api.views.ActionRoles). Services raise
ValidationError (400 naming the fields) or PermissionError (403), see core.api.
"""

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import GenericViewSet
from core.filters import FilterSet, IdFilter, KnownQueryParameters
from core.scope import visible
from limits.api.views import ActionRoles
from limits.services import PREPARER_ROLES, SUBMITTER_ROLES
from policies.selectors import policies_visible_to
from premiums import services
from premiums.api.serializers import (
    DebitNoteCancelSerializer,
    DebitNoteDetailSerializer,
    DebitNoteSerializer,
    DeclarationCreateSerializer,
    DeclarationDetailSerializer,
    DeclarationReturnSerializer,
    DeclarationSerializer,
    DeclarationUpdateSerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
    PremiumAccountSerializer,
)
from premiums.choices import DebitNoteKind, DebitNoteStatus, DeclarationStatus
from premiums.models import DebitNote, Declaration, DeclarationStatusChange, Payment
from premiums.selectors import (
    debit_notes_visible_to,
    declarations_visible_to,
    lines_visible_to,
    payments_visible_to,
    premium_position,
    quarter_rows,
)
from premiums.services.common import PREMIUM_STAFF_ROLES

# --- who may call what -------------------------------------------------------------------


def is_premium_staff(user) -> bool:
    """Insurer staff who enter paper declarations and record payments (SPEC 2, 6)."""
    return user.is_insurer_staff and user.role in PREMIUM_STAFF_ROLES


def is_preparer(user) -> bool:
    """Prepares a declaration: an insured's clerk, approver or administrator, or staff."""
    return is_premium_staff(user) or (user.is_insured_user and user.role in PREPARER_ROLES)


def is_submitter(user) -> bool:
    """Submits or returns a draft: an insured's approver or administrator (SPEC 2)."""
    return is_premium_staff(user) or (user.is_insured_user and user.role in SUBMITTER_ROLES)


ERRORS = {
    400: OpenApiResponse(description="Refused: the body names each field and why."),
    403: OpenApiResponse(description="Your role does not allow this."),
    404: OpenApiResponse(description="Not found among the objects you may see."),
}


def _answers(ok: dict, *errors: int) -> dict:
    return {**ok, **{code: ERRORS[code] for code in errors}}


class _PremiumsViewSet(GenericViewSet):
    permission_classes = [ActionRoles]
    action_roles: dict = {}

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body.validated_data


# --- filters --------------------------------------------------------------------------------


class DeclarationFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=DeclarationStatus.choices)
    submitted_from = django_filters.DateFilter(field_name="submitted_on", lookup_expr="gte")
    submitted_to = django_filters.DateFilter(field_name="submitted_on", lookup_expr="lte")

    class Meta:
        model = Declaration
        fields = ["policy", "quarter", "status", "upload", "submitted_from", "submitted_to"]


class DebitNoteFilterSet(FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=DebitNoteKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=DebitNoteStatus.choices)
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = DebitNote
        fields = ["policy", "kind", "status", "due_after", "due_before"]


class PaymentFilterSet(FilterSet):
    policy = IdFilter(field_name="debit_note__policy")
    paid_from = django_filters.DateFilter(field_name="paid_on", lookup_expr="gte")
    paid_to = django_filters.DateFilter(field_name="paid_on", lookup_expr="lte")

    class Meta:
        model = Payment
        fields = ["debit_note", "policy", "paid_from", "paid_to"]


# --- declarations ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses=DeclarationSerializer(many=True)),
    retrieve=extend_schema(responses=_answers({200: DeclarationDetailSerializer}, 404)),
)
class DeclarationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _PremiumsViewSet):
    """Turnover declarations by policy quarter (SPEC 6), every version. A clerk prepares,
    an approver submits (SPEC 2); a correction is a new declaration of a declared quarter
    with `correction_reason`, and supersedes the one before, which stays visible.

    Insured users see their own, drafts included; staff see what was declared.
    """

    filterset_class = DeclarationFilterSet
    ordering_fields = [
        "quarter", "version", "due_on", "submitted_on", "turnover", "days_late", "created_at",
        "policy__policy_number",
    ]  # fmt: skip
    ordering = ["policy__policy_number", "quarter", "-version"]
    action_roles = {
        "create": is_preparer,
        "partial_update": is_preparer,
        "submit": is_submitter,
        "return_to_preparer": is_submitter,
        "discard": is_preparer,
    }

    def get_queryset(self):
        return declarations_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return DeclarationSerializer
        return DeclarationDetailSerializer

    def _answer(self, declaration: Declaration, code=status.HTTP_200_OK):
        """The declaration as the caller now sees it after a write."""
        return self._detail(self.get_queryset().get(pk=declaration.pk), code)

    def _detail(self, declaration: Declaration, code=status.HTTP_200_OK):
        """The declaration with the other versions of its quarter and its history."""
        user = self.request.user
        declaration.other_versions = list(
            declarations_visible_to(user)
            .filter(policy_id=declaration.policy_id, quarter=declaration.quarter)
            .exclude(pk=declaration.pk)
            .order_by("-version")
        )
        declaration.history = list(
            visible(user, DeclarationStatusChange)
            .filter(declaration=declaration)
            .select_related("actor")
            .order_by("created_at", "id")
        )
        return Response(DeclarationDetailSerializer(declaration).data, status=code)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @extend_schema(
        request=DeclarationCreateSerializer,
        responses=_answers({201: DeclarationDetailSerializer}, 400, 403),
        summary="Declare a quarter, or correct a declared one (insured clerks prepare, "
        "approvers and insurer staff declare)",
    )
    def create(self, request):
        body = dict(self._body(DeclarationCreateSerializer))
        policy = body.pop("policy")
        declaration = services.declaration_prepare(actor=request.user, policy_id=policy.pk, **body)
        return self._answer(declaration, status.HTTP_201_CREATED)

    @extend_schema(
        request=DeclarationUpdateSerializer,
        responses=_answers({200: DeclarationDetailSerializer}, 400, 403, 404),
        summary="Change a draft before it is submitted",
    )
    def partial_update(self, request, pk=None):
        declaration = self.get_object()
        body = self._body(DeclarationUpdateSerializer)
        # What is left out stays: a turnover sent alone is a non-nil declaration.
        nil = body.get("nil", False if "turnover" in body else declaration.nil)
        turnover = body.get("turnover", None if nil else declaration.turnover)
        declaration = services.declaration_update(
            actor=request.user, declaration_id=declaration.pk, turnover=turnover, nil=nil,
            correction_reason=body.get("correction_reason"),
        )  # fmt: skip
        return self._answer(declaration)

    @extend_schema(
        request=None,
        responses=_answers({200: DeclarationDetailSerializer}, 400, 403, 404),
        summary="Submit a draft (insured approvers): it becomes the quarter's declaration",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        declaration = services.declaration_submit(
            actor=request.user, declaration_id=self.get_object().pk
        )
        return self._answer(declaration)

    @extend_schema(
        request=DeclarationReturnSerializer,
        responses=_answers({200: DeclarationDetailSerializer}, 400, 403, 404),
        summary="Return a draft to its preparer with a comment (insured approvers)",
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_preparer(self, request, pk=None):
        declaration = self.get_object()
        declaration = services.declaration_return(
            actor=request.user,
            declaration_id=declaration.pk,
            **self._body(DeclarationReturnSerializer),
        )
        return self._answer(declaration)

    @extend_schema(
        request=None,
        responses=_answers({200: DeclarationDetailSerializer}, 400, 403, 404),
        summary="Discard a draft",
    )
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        declaration = services.declaration_discard(
            actor=request.user, declaration_id=self.get_object().pk
        )
        return self._answer(declaration)


# --- debit notes ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses=DebitNoteSerializer(many=True)),
    retrieve=extend_schema(responses=_answers({200: DebitNoteDetailSerializer}, 404)),
)
class DebitNoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _PremiumsViewSet):
    """Debit and credit notes (SPEC 6): issued once, never edited; a correction is a new
    note. Their lines and payments are on the note's own answer."""

    filterset_class = DebitNoteFilterSet
    ordering_fields = ["due_on", "issued_on", "amount", "number", "status"]
    ordering = ["due_on", "number"]
    action_roles = {"cancel": is_premium_staff}

    def get_queryset(self):
        return debit_notes_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return DebitNoteSerializer
        return DebitNoteDetailSerializer

    def _with_lines(self, queryset):
        user = self.request.user
        return queryset.prefetch_related(
            Prefetch("lines", queryset=lines_visible_to(user).order_by("position")),
            Prefetch("payments", queryset=payments_visible_to(user).order_by("paid_on", "id")),
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action == "retrieve":
            queryset = self._with_lines(queryset)
        return queryset

    @extend_schema(
        request=DebitNoteCancelSerializer,
        responses=_answers({200: DebitNoteDetailSerializer}, 400, 403, 404),
        summary="Cancel an unpaid note issued in error (premium staff)",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        note = self.get_object()
        services.debit_note_cancel(
            actor=request.user, debit_note_id=note.pk, **self._body(DebitNoteCancelSerializer)
        )
        fresh = self._with_lines(self.get_queryset()).get(pk=note.pk)
        return Response(
            DebitNoteDetailSerializer(fresh, context=self.get_serializer_context()).data
        )


# --- payments ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses=PaymentSerializer(many=True)),
    retrieve=extend_schema(responses=_answers({200: PaymentSerializer}, 404)),
)
class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _PremiumsViewSet):
    """Payments recorded against debit notes (SPEC 6): a record, never edited."""

    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet
    ordering_fields = ["paid_on", "amount", "created_at"]
    ordering = ["-paid_on", "-id"]
    action_roles = {"create": is_premium_staff}

    def get_queryset(self):
        return payments_visible_to(self.request.user)

    @extend_schema(
        request=PaymentCreateSerializer,
        responses=_answers({201: PaymentSerializer}, 400, 403),
        summary="Record a payment (premium staff): partial payments are taken, an "
        "overpayment is refused on `amount`",
    )
    def create(self, request):
        body = dict(self._body(PaymentCreateSerializer))
        note = body.pop("debit_note")
        payment = services.payment_record(actor=request.user, debit_note_id=note.pk, **body)
        payment = self.get_queryset().get(pk=payment.pk)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


# --- a policy's premium account ---------------------------------------------------------------


class PremiumAccountViewSet(mixins.RetrieveModelMixin, GenericViewSet):
    """A policy's premium position and its declarations by quarter (SPEC 6), by the
    policy's id. The insured's and the insurer's business only: a bank finds none."""

    serializer_class = PremiumAccountSerializer
    filter_backends = [KnownQueryParameters]

    def get_queryset(self):
        user = self.request.user
        policies = policies_visible_to(user)
        if not (
            getattr(user, "is_insurer_staff", False) or getattr(user, "is_insured_user", False)
        ):
            return policies.none()
        return policies

    @extend_schema(
        responses=_answers({200: PremiumAccountSerializer}, 404),
        summary="A policy's premium position and its quarters (the id is the policy's)",
    )
    def retrieve(self, request, pk=None):
        policy = self.get_object()
        user, today = request.user, timezone.localdate()
        account = {
            "policy": policy,
            "position": premium_position(policy, user=user),
            "quarters": quarter_rows(policy, user=user, today=today),
        }
        return Response(PremiumAccountSerializer(account).data)
