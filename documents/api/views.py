"""Documents in the API (SPEC 9): lists and answers scoped as the pages are, the file by
`download`, and a correction by `reissue` (insurer staff). Documents are made by the
system as the subjects move (documents.apps); nobody uploads or edits one."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api import GenericViewSet
from core.filters import FilterSet
from documents import services
from documents.api.serializers import DocumentReissueSerializer, DocumentSerializer
from documents.choices import DocumentKind, DocumentStatus
from documents.models import Document
from documents.selectors import document_for, documents_visible_to
from documents.views import pdf_response
from limits.api.views import ActionRoles


def is_staff(user) -> bool:
    return user.is_insurer_staff


NOT_FOUND = OpenApiResponse(description="Not found among the documents you may see.")


class DocumentFilterSet(FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=DocumentKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=DocumentStatus.choices)

    class Meta:
        model = Document
        fields = ["kind", "status", "policy", "buyer", "reference"]


@extend_schema_view(
    list=extend_schema(summary="Documents you may see"),
    retrieve=extend_schema(responses={200: DocumentSerializer, 404: NOT_FOUND}),
)
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Generated PDFs, every version: an issued one never changes (its SHA-256 is here);
    a correction is the next version."""

    serializer_class = DocumentSerializer
    permission_classes = [ActionRoles]
    action_roles = {"reissue": is_staff}
    filterset_class = DocumentFilterSet
    ordering_fields = ["created_at", "issued_at", "reference", "version", "kind", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        # `requested_by` is in every row of the answer: one join, not a query per row.
        return documents_visible_to(self.request.user).select_related("requested_by")

    @extend_schema(
        summary="The PDF of an issued document",
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment under its name."
            ),
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        document = document_for(request.user, document.pk, with_content=True)
        if not document.is_issued:
            raise NotFound
        return pdf_response(document)

    @extend_schema(
        summary="Make the next version of an issued document (insurer staff)",
        request=DocumentReissueSerializer,
        responses={
            201: DocumentSerializer,
            400: OpenApiResponse(description="Refused: the body names each field and why."),
            403: OpenApiResponse(description="Your role does not allow this."),
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        document = document_for(request.user, self.get_object().pk)
        body = DocumentReissueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        new = services.document_reissue(
            actor=request.user, document_id=document.pk, reason=body.validated_data["reason"]
        )
        new = self.get_queryset().get(pk=new.pk)
        return Response(DocumentSerializer(new).data, status=status.HTTP_201_CREATED)
