"""Claims through HTTP (SPEC 2, 7): the claim with its file, clocks, worksheet, decision
and payment; worksheets read-only. Thin viewsets over claims.selectors and
claims.services: every transition is a POST action calling one service.

Insured users see their own claims; staff every claim; a bank the claims its assignment
agreements cover, without the claim file. A draft worksheet is the insurer's working
paper: only staff see it (core.scope). Refusals: 400 naming the field (a transition the
status does not allow, on `non_field_errors` as everywhere in this API), 403 for a role
that may not act on a claim it sees, 404 for a claim it does not see.
"""

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from claims import selectors, services
from claims.api.common import (
    ClaimsViewSet,
    answers,
    is_claims_handler,
    is_notice_filer,
    is_notice_preparer,
)
from claims.api.documents import read_upload
from claims.api.notices import notice_invoices
from claims.api.serializers import (
    AdmitDebtSerializer,
    ClaimApproveSerializer,
    ClaimDeclineSerializer,
    ClaimDetailSerializer,
    ClaimDisputeSerializer,
    ClaimDocumentSerializer,
    ClaimDocumentUploadSerializer,
    ClaimOpenSerializer,
    ClaimResolveSerializer,
    ClaimReturnSerializer,
    ClaimSerializer,
    DocumentsRequestSerializer,
    IndemnityPaymentSerializer,
    IndemnityPaySerializer,
    InvoiceDisputeSerializer,
    RecoveryCreateSerializer,
    RecoverySerializer,
    WorksheetComputeSerializer,
    WorksheetSerializer,
)
from claims.choices import ClaimCause, ClaimStatus, WorksheetStatus
from claims.models import (
    Claim,
    ClaimDocument,
    ClaimStatusChange,
    DocumentRequest,
    IndemnityPayment,
    Recovery,
    Worksheet,
)
from core.filters import FilterSet
from core.scope import visible


class ClaimFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ClaimStatus.choices)
    cause = django_filters.ChoiceFilter(choices=ClaimCause.choices)
    opened_from = django_filters.DateFilter(field_name="opened_on", lookup_expr="gte")
    opened_to = django_filters.DateFilter(field_name="opened_on", lookup_expr="lte")

    class Meta:
        model = Claim
        fields = ["status", "cause", "policy", "buyer", "notice", "opened_from", "opened_to"]


class WorksheetFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=WorksheetStatus.choices)

    class Meta:
        model = Worksheet
        fields = ["claim", "status"]


def _lines(user) -> Prefetch:
    return Prefetch(
        "lines",
        queryset=selectors.worksheet_lines_visible_to(user).order_by(
            "shipment_date", "number", "id"
        ),
    )


def _claim_rows(queryset):
    return queryset.select_related("notice", "policy__insured", "buyer", "handler", "opened_by")


@extend_schema_view(
    list=extend_schema(
        responses=ClaimSerializer(many=True),
        summary="Claims you may see (?status=waiting&status=assessment for the open ones)",
    ),
    retrieve=extend_schema(responses=answers({200: ClaimDetailSerializer}, 404)),
)
class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ClaimsViewSet):
    """Claims opened from filed notices (SPEC 7): the document checklist and the waiting
    period, the worksheet and its approval (four-eyes above the handler's authority,
    SPEC 2), the payment, and recoveries before and after it."""

    filterset_class = ClaimFilterSet
    ordering_fields = [
        "opened_on", "waiting_ends_on", "decision_due_on", "payment_due_on", "reference",
        "status", "created_at", "updated_at",
    ]  # fmt: skip
    ordering = ["-opened_on", "-id"]
    action_roles = {
        "create": is_notice_filer,
        "documents": is_notice_preparer,
        "request_documents": is_claims_handler,
        "complete": is_claims_handler,
        "admit_debt": is_claims_handler,
        "dispute": is_claims_handler,
        "resolve": is_claims_handler,
        "invoice_dispute": is_claims_handler,
        "compute_worksheet": is_claims_handler,
        "approve": is_claims_handler,
        "return_to_assessment": is_claims_handler,
        "decline": is_claims_handler,
        "pay": is_claims_handler,
        "recoveries": is_claims_handler,
    }

    def get_queryset(self):
        return selectors.claims_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return ClaimSerializer
        return ClaimDetailSerializer

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action in ("list", "retrieve"):
            queryset = _claim_rows(queryset)
        return queryset

    # --- the claim as the reader sees it ------------------------------------------------------

    def _detail(self, claim: Claim, code=status.HTTP_200_OK):
        user, today = self.request.user, timezone.localdate()
        claim.notice.invoices_shown = notice_invoices(claim.notice, user)
        documents = list(
            selectors.claim_documents_visible_to(user)
            .filter(claim=claim)
            .select_related("uploaded_by")
            .order_by("kind", "uploaded_at", "id")
        )
        claim.visible_documents = documents
        # The checklist's files are those the reader may see (a bank sees no claim file).
        claim.checklist = [
            {
                "kind": item.kind,
                "label": item.label,
                "required": item.required,
                "documents": [d for d in documents if d.kind == item.kind],
            }
            for item in selectors.claim_checklist(claim, user)
        ]
        claim.visible_document_request = (
            visible(user, DocumentRequest)
            .filter(claim=claim)
            .select_related("requested_by")
            .first()
        )
        claim.visible_recoveries = list(
            selectors.recoveries_visible_to(user)
            .filter(claim=claim)
            .select_related("recorded_by")
            .order_by("received_on", "id")
        )
        worksheet = selectors.current_worksheet(claim, user)
        claim.current_worksheet = (
            None
            if worksheet is None
            else selectors.worksheets_visible_to(user)
            .select_related("computed_by")
            .prefetch_related(_lines(user))
            .filter(pk=worksheet.pk)
            .first()
        )
        claim.visible_decisions = list(
            selectors.decisions_visible_to(user).filter(claim=claim).order_by("decided_at", "id")
        )
        claim.visible_payment = (
            selectors.payments_visible_to(user)
            .filter(claim=claim)
            .select_related("claim", "paid_by")
            .first()
        )
        claim.history = list(
            visible(user, ClaimStatusChange)
            .filter(claim=claim)
            .select_related("actor")
            .order_by("created_at", "id")
        )
        claim.clocks = selectors.claim_clocks(claim, today=today, user=user)
        claim.allowed_actions = list(selectors.allowed_claim_actions(claim, user))
        data = ClaimDetailSerializer(claim, context=self.get_serializer_context()).data
        return Response(data, status=code)

    def _answer(self, claim: Claim, code=status.HTTP_200_OK):
        """The claim as the caller now sees it after a write."""
        return self._detail(_claim_rows(self.get_queryset()).get(pk=claim.pk), code)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    def _transition(self, service, serializer_class=None, **extra):
        """Call `service` on the claim found in the caller's scope; answer the claim."""
        claim = self.get_object()
        body = self.body(serializer_class, notice=claim.notice) if serializer_class else {}
        claim = service(actor=self.request.user, claim_id=claim.pk, **body, **extra)
        return self._answer(claim)

    # --- opening and the claim file -------------------------------------------------------------

    @extend_schema(
        request=ClaimOpenSerializer,
        responses=answers({201: ClaimDetailSerializer}, 400, 403),
        summary="Open the claim of a filed notice (once per notice) for its cause",
    )
    def create(self, request):
        body = self.body(ClaimOpenSerializer)
        claim = services.claim_open(
            actor=request.user, notice_id=body["notice"].pk, cause=body["cause"]
        )
        return self._answer(claim, status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": ClaimDocumentUploadSerializer},
        responses=answers({201: ClaimDocumentSerializer}, 400, 403, 404),
        summary="Upload a document of the claim file (multipart: kind and file)",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request, pk=None):
        claim = self.get_object()
        body = self.body(ClaimDocumentUploadSerializer)
        file = body["file"]
        document = services.claim_document_upload(
            actor=request.user, claim_id=claim.pk, kind=body["kind"], filename=file.name,
            content=read_upload(file),
        )  # fmt: skip
        document = (
            ClaimDocument.objects.defer("content").select_related("uploaded_by").get(pk=document.pk)
        )
        return Response(ClaimDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DocumentsRequestSerializer,
        responses=answers({200: ClaimDetailSerializer}, 400, 403, 404),
        summary="Ask for every missing document at once (claims staff; once per claim)",
    )
    @action(detail=True, methods=["post"], url_path="request-documents")
    def request_documents(self, request, pk=None):
        claim = self.get_object()
        services.claim_documents_request(
            actor=request.user, claim_id=claim.pk, **self.body(DocumentsRequestSerializer)
        )
        return self._answer(claim)

    @extend_schema(
        request=None,
        responses=answers({200: ClaimDetailSerializer}, 400, 403, 404),
        summary="Mark the documents complete: the waiting period starts (claims staff)",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._transition(services.claim_documents_complete)

    @extend_schema(
        request=AdmitDebtSerializer,
        responses=answers({200: ClaimDetailSerializer}, 400, 403, 404),
        summary="Record the administrator's acceptance of the debt (insolvency; claims staff)",
    )
    @action(detail=True, methods=["post"], url_path="admit-debt")
    def admit_debt(self, request, pk=None):
        return self._transition(services.claim_debt_admitted, AdmitDebtSerializer)

    @extend_schema(
        request=ClaimDisputeSerializer,
        responses=answers({200: ClaimDetailSerializer}, 400, 403, 404),
        summary="Suspend the claim for a commercial dispute (claims staff)",
    )
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        return self._transition(services.claim_dispute, ClaimDisputeSerializer)

    @extend_schema(
        request=ClaimDisputeSerializer,
        responses=answers({200: ClaimDetailSerializer}, 400, 403, 404),
        summary="Record why no advance can be paid yet (art. 25; claims staff): the "
        "advance-payment clock is waived with the reason",
    )
    @action(detail=True, methods=["post"], url_path="advance-none")
    def advance_none(self, request, pk=None):
        return self._transition(services.claim_advance_none, ClaimDisputeSerializer)

    @extend_schema(
        request=ClaimResolveSerializer,
        responses=answers({200: ClaimDetailSerializer}, 400, 403, 404),
        summary="Record the judgment or award that ends a dispute (claims staff)",
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._transition(services.claim_resolve, ClaimResolveSerializer)

    @extend_schema(
        request=InvoiceDisputeSerializer,
        responses=answers({200: ClaimDetailSerializer}, 400, 403, 404),
        summary="Mark an invoice of the notice disputed by the buyer, or not (claims staff, "
        "during the assessment): a disputed invoice is out of the covered debt",
    )
    @action(detail=True, methods=["post"], url_path="invoice-dispute")
    def invoice_dispute(self, request, pk=None):
        claim = self.get_object()
        body = self.body(InvoiceDisputeSerializer, notice=claim.notice)
        services.invoice_dispute_set(
            actor=request.user, invoice_id=body["invoice"].pk, disputed=body["disputed"]
        )
        return self._answer(claim)

    # --- the worksheet and the decision -----------------------------------------------------------

    @extend_schema(
        request=WorksheetComputeSerializer,
        responses=answers({201: WorksheetSerializer}, 400, 403, 404),
        summary="Compute a new version of the indemnity worksheet (claims staff, assessment)",
    )
    @action(detail=True, methods=["post"], url_path="compute-worksheet")
    def compute_worksheet(self, request, pk=None):
        claim = self.get_object()
        worksheet = services.worksheet_compute(
            actor=request.user, claim_id=claim.pk, **self.body(WorksheetComputeSerializer)
        )
        worksheet = (
            Worksheet.objects.select_related("claim", "computed_by")
            .prefetch_related(_lines(request.user))
            .get(pk=worksheet.pk)
        )
        return Response(WorksheetSerializer(worksheet).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ClaimApproveSerializer,
        responses=answers({200: ClaimDetailSerializer}, 400, 403, 404),
        summary="Approve the latest worksheet (claims staff); above the approver's authority "
        "the claim waits for a second approver with enough authority, never the same person",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(services.claim_approve, ClaimApproveSerializer)

    @extend_schema(
        request=ClaimReturnSerializer,
        responses=answers({200: ClaimDetailSerializer}, 400, 403, 404),
        summary="Send a claim awaiting second approval back to assessment (claims staff)",
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_assessment(self, request, pk=None):
        return self._transition(services.claim_return, ClaimReturnSerializer)

    @extend_schema(
        request=ClaimDeclineSerializer,
        responses=answers({200: ClaimDetailSerializer}, 400, 403, 404),
        summary="Decline the claim with its reasons (claims staff)",
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._transition(services.claim_decline, ClaimDeclineSerializer)

    # --- money ------------------------------------------------------------------------------------

    @extend_schema(
        request=IndemnityPaySerializer,
        responses=answers(
            {
                201: IndemnityPaymentSerializer,
                200: OpenApiResponse(
                    IndemnityPaymentSerializer,
                    description="The claim was paid already: the same payment, nothing new.",
                ),
            },
            400,
            403,
            404,
        ),
        summary="Pay the approved indemnity (claims staff), to the insured or to the bank of "
        "an assignment agreement covering the buyer. Safe to repeat: a retried request "
        "answers 200 with the payment already made.",
        description="Idempotent: a claim is paid once. The first request answers 201 with "
        "the payment; any later one (a retry, a double click) answers 200 with the same "
        "payment and changes nothing. Two requests arriving at the same instant may both "
        "answer 201, always with the same payment id.",
    )
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        claim = self.get_object()
        body = self.body(IndemnityPaySerializer)
        paid_before = IndemnityPayment.objects.filter(claim_id=claim.pk).exists()
        payment = services.indemnity_pay(actor=request.user, claim_id=claim.pk, **body)
        payment = IndemnityPayment.objects.select_related(
            "claim", "payee_organisation", "paid_by"
        ).get(pk=payment.pk)
        code = status.HTTP_200_OK if paid_before else status.HTTP_201_CREATED
        return Response(IndemnityPaymentSerializer(payment).data, status=code)

    @extend_schema(
        request=RecoveryCreateSerializer,
        responses=answers({201: RecoverySerializer}, 400, 403, 404),
        summary="Record money recovered from the buyer (claims staff): before payment it "
        "reduces the loss, after it is shared in the indemnity percentage",
    )
    @action(detail=True, methods=["post"])
    def recoveries(self, request, pk=None):
        claim = self.get_object()
        recovery = services.recovery_record(
            actor=request.user, claim_id=claim.pk, **self.body(RecoveryCreateSerializer)
        )
        recovery = Recovery.objects.select_related("recorded_by").get(pk=recovery.pk)
        return Response(RecoverySerializer(recovery).data, status=status.HTTP_201_CREATED)


# --- worksheets ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses=WorksheetSerializer(many=True)),
    retrieve=extend_schema(responses=answers({200: WorksheetSerializer}, 404)),
)
class WorksheetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ClaimsViewSet):
    """Indemnity worksheets, every version, with their lines (SPEC 7); read-only. The
    approved one is the record of the decision; drafts are the insurer's working paper,
    seen by staff only."""

    serializer_class = WorksheetSerializer
    filterset_class = WorksheetFilterSet
    ordering_fields = ["computed_at", "version", "indemnity"]
    ordering = ["claim", "-version"]

    def get_queryset(self):
        user = self.request.user
        return (
            selectors.worksheets_visible_to(user)
            .select_related("computed_by")
            .prefetch_related(_lines(user))
        )
