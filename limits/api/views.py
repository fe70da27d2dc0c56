"""Credit limits through HTTP (SPEC 5): thin viewsets over the selectors and services.

Every queryset comes from a role-scoped selector, so an object outside the caller's scope
answers 404. A wrong role answers 403: on list and create endpoints at once, on an
object's action only once the object is found (the object-level permission below runs
inside `get_object()`, after the selector). Transitions are POST actions calling one
service each; the services check roles again and raise ValidationError (400 naming the
fields) or PermissionError (403), see `core.api.exception_handler`.
"""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from core.api import GenericViewSet, ViewSet
from core.filters import KnownQueryParameters
from limits import rules, services
from limits.api.serializers import (
    ApplicationApproveSerializer,
    ApplicationDecideSerializer,
    ApplicationEditSerializer,
    ApplicationReturnSerializer,
    ApplicationSendBackSerializer,
    CreditLimitChangeSerializer,
    CreditLimitSerializer,
    DecisionQueueEntrySerializer,
    DiscretionaryLimitSerializer,
    InsuredLimitApplicationSerializer,
    InsuredLimitDecisionSerializer,
    LimitApplicationCreateSerializer,
    LimitApplicationSerializer,
    LimitCancelSerializer,
    LimitDecisionSerializer,
    LimitReduceSerializer,
    LimitReinstateSerializer,
    LimitReviewSerializer,
    PeakOutstandingCalculatorSerializer,
    PeakOutstandingResultSerializer,
    PendingOrdersCoverSerializer,
    PendingOrdersRequestSerializer,
    ReviewCompleteSerializer,
    TurnoverCalculatorSerializer,
    TurnoverResultSerializer,
)
from limits.filtersets import CreditLimitFilterSet
from limits.models import LimitApplication, LimitDecision
from limits.selectors import (
    applications_visible_to,
    credit_limits_visible_to,
    decision_queue,
    decisions_visible_to,
    limit_history,
    reviews_visible_to,
)

# --- who may call what -------------------------------------------------------------------


def is_underwriter(user) -> bool:
    return user.is_underwriter or user.is_superuser


def is_insurer_staff(user) -> bool:
    return user.is_insurer_staff


def is_insured_preparer(user) -> bool:
    """Clerk, approver or the company administrator of an insured (SPEC 2)."""
    return user.is_insured_user and user.role in services.PREPARER_ROLES


def is_insured_submitter(user) -> bool:
    """Approver or company administrator: submits, sets discretionary limits."""
    return user.is_insured_user and user.role in services.SUBMITTER_ROLES


class ActionRoles(BasePermission):
    """`view.action_roles` maps an action to the test its caller must pass.

    List-level actions are refused at once (403); object actions only after the object
    was found among those the caller may see, so an invisible one stays a 404.
    """

    def _allowed(self, request, view) -> bool:
        check = getattr(view, "action_roles", {}).get(view.action)
        return check is None or check(request.user)

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return getattr(view, "detail", False) or self._allowed(request, view)

    def has_object_permission(self, request, view, obj):
        return self._allowed(request, view)


def _is_insured_caller(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and not user.is_insurer_staff)


ERRORS = {
    400: OpenApiResponse(description="Refused: the body names each field and why."),
    403: OpenApiResponse(description="Your role does not allow this."),
    404: OpenApiResponse(description="Not found among the objects you may see."),
}


def _answers(ok: dict, *errors: int) -> dict:
    return {**ok, **{code: ERRORS[code] for code in errors}}


def _decisions_prefetch() -> Prefetch:
    return Prefetch(
        "decisions",
        queryset=LimitDecision.objects.select_related(
            "policy", "buyer", "decided_by", "approved_by"
        ).order_by("created_at", "id"),
    )


class _LimitsViewSet(GenericViewSet):
    permission_classes = [ActionRoles]
    action_roles: dict = {}

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body.validated_data


# --- credit limits -----------------------------------------------------------------------


class CreditLimitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _LimitsViewSet):
    """Credit limits as each role may see them (SPEC 2, 5); reductions and cancellations
    are actions of their own."""

    serializer_class = CreditLimitSerializer
    filterset_class = CreditLimitFilterSet
    ordering_fields = ["amount", "effective_from", "expires_on", "updated_at", "buyer__name"]
    ordering = ["-updated_at", "-id"]
    action_roles = {
        "reduce": is_underwriter,
        "cancel": is_underwriter,
        "reinstate": is_underwriter,
        "discretionary": is_insured_submitter,
    }
    service_error_fields = {"buyer": "buyer_uscc"}  # see core.api.exception_handler

    def get_queryset(self):
        return credit_limits_visible_to(self.request.user)

    @extend_schema(
        request=LimitReduceSerializer,
        responses=_answers({200: LimitDecisionSerializer}, 400, 403, 404),
        summary="Reduce a limit (underwriters): an amount above zero and below the current one",
    )
    @action(detail=True, methods=["post"])
    def reduce(self, request, pk=None):
        limit = self.get_object()
        decision = services.limit_reduce(
            actor=request.user, limit_id=limit.pk, **self._body(LimitReduceSerializer)
        )
        return Response(LimitDecisionSerializer(decision).data)

    @extend_schema(
        request=LimitCancelSerializer,
        responses=_answers({200: LimitDecisionSerializer}, 400, 403, 404),
        summary="Cancel a limit with notice (underwriters)",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        limit = self.get_object()
        decision = services.limit_cancel(
            actor=request.user, limit_id=limit.pk, **self._body(LimitCancelSerializer)
        )
        return Response(LimitDecisionSerializer(decision).data)

    @extend_schema(
        request=LimitReinstateSerializer,
        responses=_answers({200: CreditLimitSerializer}, 400, 403, 404),
        summary="Lift a limit's suspension once its cause is gone (underwriters)",
    )
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        limit = self.get_object()
        services.limit_reinstate(
            actor=request.user, limit_id=limit.pk, **self._body(LimitReinstateSerializer)
        )
        return Response(CreditLimitSerializer(self.get_queryset().get(pk=limit.pk)).data)

    @extend_schema(responses=CreditLimitChangeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """The limit's history (SPEC 5): every change of its amount or status, in date order."""
        changes = limit_history(self.get_object(), request.user)
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(CreditLimitChangeSerializer(page, many=True).data)

    @extend_schema(
        request=DiscretionaryLimitSerializer,
        responses=_answers({201: CreditLimitSerializer}, 400, 403),
        summary="Set a discretionary limit (insured approvers and administrators)",
    )
    @action(detail=False, methods=["post"])
    def discretionary(self, request):
        body = self._body(DiscretionaryLimitSerializer)
        limit = services.discretionary_limit_set(
            actor=request.user,
            policy_id=body["policy"].pk,
            buyer_id=body["buyer"].pk,
            amount=body["amount"],
            payment_terms_days=body["payment_terms_days"],
        )
        limit = self.get_queryset().get(pk=limit.pk)
        return Response(CreditLimitSerializer(limit).data, status=status.HTTP_201_CREATED)


# --- applications ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses=LimitApplicationSerializer(many=True)),
    retrieve=extend_schema(responses=_answers({200: LimitApplicationSerializer}, 404)),
)
class LimitApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _LimitsViewSet):
    """Limit applications (SPEC 5). Insured users prepare and submit; underwriters decide,
    above their authority a second underwriter approves (four-eyes, SPEC 2).

    Insured users see their own, drafts included; staff see every submitted one.
    """

    filterset_fields = ["status", "request_type", "policy", "buyer"]
    ordering_fields = ["created_at", "submitted_at", "requested_amount"]
    ordering = ["-created_at", "-id"]
    action_roles = {
        "create": is_insured_preparer,
        "submit": is_insured_submitter,
        "withdraw": is_insured_preparer,
        "decide": is_underwriter,
        "approve": is_underwriter,
        "send_back": is_underwriter,
        "edit": is_insured_preparer,
        "return_to_preparer": is_insured_submitter,
    }
    service_error_fields = {"buyer": "buyer_uscc"}  # see core.api.exception_handler

    def get_queryset(self):
        return applications_visible_to(self.request.user)

    @staticmethod
    def _with_what_is_shown(queryset):
        return queryset.select_related(
            "prepared_by", "submitted_by", "proposed_by"
        ).prefetch_related(_decisions_prefetch())

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action in ("list", "retrieve"):
            # An action only needs the row to find it (or answer 404): no prefetch there.
            queryset = self._with_what_is_shown(queryset)
        return queryset

    def get_serializer_class(self):
        if _is_insured_caller(self.request):
            return InsuredLimitApplicationSerializer
        return LimitApplicationSerializer

    def _answer(self, application, code=status.HTTP_200_OK):
        fresh = self._with_what_is_shown(self.get_queryset()).get(pk=application.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def _decision_request(self, pk, serializer_class) -> dict:
        """The arguments of a decision service, without reading the application first:
        the service locks it among those the caller may see (`within`), so it is read
        once. A caller who is no underwriter, or whose body is invalid, gets the same
        answer as from `get_object()` first: 404 for what they cannot see, then 403 or
        the fields' 400."""
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        if not (is_underwriter(self.request.user) and body.is_valid()):
            self.get_object()
            body.is_valid(raise_exception=True)
        try:
            application_id = int(pk)
        except ValueError:
            raise Http404 from None
        return {
            "application_id": application_id,
            "within": self.get_queryset(),
            **body.validated_data,
        }

    def _answer_decided(self, application):
        """The application as the decision service left it, locked and read with what
        the answer shows (policy, buyer, users, the decision just recorded): serialised
        from memory, not read again."""
        return Response(self.get_serializer(application).data)

    def handle_exception(self, exc):
        if isinstance(exc, LimitApplication.DoesNotExist):
            exc = Http404()  # not among those the caller may see (`within`)
        return super().handle_exception(exc)

    @extend_schema(
        request=LimitApplicationCreateSerializer,
        responses=_answers({201: LimitApplicationSerializer}, 400, 403),
        summary="Apply for a limit (insured clerks, approvers and administrators)",
    )
    def create(self, request):
        body = dict(self._body(LimitApplicationCreateSerializer))
        policy = body.pop("policy")
        application = services.application_create(actor=request.user, policy_id=policy.pk, **body)
        return self._answer(application, status.HTTP_201_CREATED)

    @extend_schema(
        request=None, responses=_answers({200: LimitApplicationSerializer}, 400, 403, 404)
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        application = services.application_submit(
            actor=request.user, application_id=self.get_object().pk
        )
        return self._answer(application)

    @extend_schema(
        request=None, responses=_answers({200: LimitApplicationSerializer}, 400, 403, 404)
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = services.application_withdraw(
            actor=request.user, application_id=self.get_object().pk
        )
        return self._answer(application)

    @extend_schema(
        request=ApplicationDecideSerializer,
        responses=_answers({200: LimitApplicationSerializer}, 400, 403, 404),
        summary="Decide an application (underwriters; above authority it awaits a second one)",
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        application = services.application_decide(
            actor=request.user, **self._decision_request(pk, ApplicationDecideSerializer)
        )
        return self._answer_decided(application)

    @extend_schema(
        request=ApplicationApproveSerializer,
        responses=_answers({200: LimitApplicationSerializer}, 400, 403, 404),
        summary="Approve a proposed decision, or amend its amount (a second underwriter, "
        "never the proposer)",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        application = services.application_approve(
            actor=request.user, **self._decision_request(pk, ApplicationApproveSerializer)
        )
        return self._answer_decided(application)

    @extend_schema(
        request=ApplicationEditSerializer,
        responses=_answers({200: LimitApplicationSerializer}, 400, 403, 404),
        summary="Edit a draft (insured clerks, approvers and administrators)",
    )
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        application = services.application_update(
            actor=request.user,
            application_id=self.get_object().pk,
            **self._body(ApplicationEditSerializer),
        )
        return self._answer(application)

    @extend_schema(
        request=ApplicationReturnSerializer,
        responses=_answers({200: LimitApplicationSerializer}, 400, 403, 404),
        summary="Return a draft to its preparer with a comment (insured approvers)",
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_preparer(self, request, pk=None):
        application = services.application_return(
            actor=request.user,
            application_id=self.get_object().pk,
            **self._body(ApplicationReturnSerializer),
        )
        return self._answer(application)

    @extend_schema(
        request=ApplicationSendBackSerializer,
        responses=_answers({200: LimitApplicationSerializer}, 400, 403, 404),
        summary="Send a proposed decision back to the queue (a second underwriter)",
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        application = self.get_object()
        application = services.application_send_back(
            actor=request.user,
            application_id=application.pk,
            **self._body(ApplicationSendBackSerializer),
        )
        return self._answer(application)


# --- decisions ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses=LimitDecisionSerializer(many=True)),
    retrieve=extend_schema(responses=_answers({200: LimitDecisionSerializer}, 404)),
)
class LimitDecisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _LimitsViewSet):
    """Decisions, immutable (SPEC 5): a limit's history is their chain."""

    filterset_fields = ["credit_limit", "application", "policy", "buyer", "response_code"]
    ordering_fields = ["created_at", "amount"]
    ordering = ["-created_at", "-id"]
    action_roles = {"pending_orders": is_insured_submitter}

    def get_queryset(self):
        return decisions_visible_to(self.request.user)

    def get_serializer_class(self):
        if _is_insured_caller(self.request):
            return InsuredLimitDecisionSerializer
        return LimitDecisionSerializer

    @extend_schema(
        request=PendingOrdersRequestSerializer,
        responses=_answers({201: PendingOrdersCoverSerializer}, 400, 403, 404),
        summary="Ask for pending-orders cover after a reduction or cancellation (SPEC 5)",
        description="A refused request is recorded with its reasons and answered with 400 "
        "naming the fields that failed (requested_on, contract_signed_on, buyer).",
    )
    @action(detail=True, methods=["post"], url_path="pending-orders")
    def pending_orders(self, request, pk=None):
        decision = self.get_object()
        cover = services.pending_orders_request(
            actor=request.user,
            decision_id=decision.pk,
            **self._body(PendingOrdersRequestSerializer),
        )
        return Response(PendingOrdersCoverSerializer(cover).data, status=status.HTTP_201_CREATED)


# --- reviews -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses=_answers({200: LimitReviewSerializer(many=True)}, 403))
)
class LimitReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _LimitsViewSet):
    """Limit reviews (SPEC 5), the insurer's own work: staff only."""

    serializer_class = LimitReviewSerializer
    filterset_fields = ["status", "reason", "credit_limit"]
    ordering_fields = ["due_on", "created_at"]
    ordering = ["due_on", "id"]
    action_roles = {"list": is_insurer_staff, "complete": is_underwriter}

    def get_queryset(self):
        return reviews_visible_to(self.request.user)

    @extend_schema(
        request=ReviewCompleteSerializer,
        responses=_answers({200: LimitReviewSerializer}, 400, 403, 404),
        summary="Complete a review: confirm, reduce or cancel (underwriters)",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        review = services.limit_review_complete(
            actor=request.user,
            review_id=self.get_object().pk,
            **self._body(ReviewCompleteSerializer),
        )
        return Response(LimitReviewSerializer(self.get_queryset().get(pk=review.pk)).data)


# --- the underwriters' queue ---------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses=_answers({200: DecisionQueueEntrySerializer(many=True)}, 403))
)
class DecisionQueueViewSet(mixins.ListModelMixin, _LimitsViewSet):
    """Open applications oldest first, with exposure and capacity beside each (SPEC 5)."""

    serializer_class = DecisionQueueEntrySerializer
    # The queue's order is its age, oldest first: no filter, no ordering parameter.
    filter_backends = [KnownQueryParameters]
    action_roles = {"list": is_underwriter}

    def get_queryset(self):
        return decision_queue(self.request.user).select_related("proposed_by")


# --- calculators ---------------------------------------------------------------------------


class CalculatorViewSet(ViewSet):
    """The limit calculators shown next to an application (SPEC 5): any logged-in user."""

    @extend_schema(
        request=TurnoverCalculatorSerializer,
        responses=_answers({200: TurnoverResultSerializer}, 400),
        summary="Turnover method: annual credit sales ÷ (360 ÷ credit days)",
    )
    @action(detail=False, methods=["post"])
    def turnover(self, request):
        body = TurnoverCalculatorSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        limit = rules.turnover_method_limit(**body.validated_data)
        return Response(TurnoverResultSerializer({"limit": limit}).data)

    @extend_schema(
        request=PeakOutstandingCalculatorSerializer,
        responses=_answers({200: PeakOutstandingResultSerializer}, 400),
        summary="Peak-outstanding method: the highest balance replaying invoices and payments",
    )
    @action(detail=False, methods=["post"], url_path="peak-outstanding")
    def peak_outstanding(self, request):
        body = PeakOutstandingCalculatorSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        movements = [rules.Movement(**row) for row in body.validated_data["movements"]]
        peak, peak_on = rules.peak_outstanding(movements)
        return Response(PeakOutstandingResultSerializer({"peak": peak, "peak_on": peak_on}).data)
