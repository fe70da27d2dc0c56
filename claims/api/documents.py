"""The claim file through HTTP (SPEC 7, 9): documents' metadata, and their bytes only to
those who may see them (the claim file is the insured's and the insurer's, never a
bank's: core.scope). Uploads are an action of the claim (claims.api.claims)."""

import django_filters
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from claims import selectors
from claims.api.common import ClaimsViewSet, answers
from claims.api.serializers import ClaimDocumentSerializer
from claims.choices import DocumentKind
from claims.models import ClaimDocument
from core.filters import FilterSet
from core.scope import visible
from core.uploads import ERROR_TOO_BIG, MAX_UPLOAD_BYTES

# SPEC 7: the claim file's documents are scans and office files of at most 20 MB; the
# service checks size and type by content. The size is checked here too, on what Django
# already knows, so that a larger body is refused before its bytes are read into memory.
MAX_DOCUMENT_BYTES = MAX_UPLOAD_BYTES
DOWNLOAD_TYPES = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)


def read_upload(file) -> bytes:
    """The bytes of an uploaded file, refused on `file` above the size limit."""
    if file.size > MAX_DOCUMENT_BYTES:
        raise serializers.ValidationError(
            {"file": [str(ERROR_TOO_BIG % {"mb": MAX_DOCUMENT_BYTES // 2**20})]}
        )
    return file.read()


class ClaimDocumentFilterSet(FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=DocumentKind.choices)

    class Meta:
        model = ClaimDocument
        fields = ["claim", "kind"]


@extend_schema_view(
    list=extend_schema(responses=ClaimDocumentSerializer(many=True)),
    retrieve=extend_schema(responses=answers({200: ClaimDocumentSerializer}, 404)),
)
class ClaimDocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ClaimsViewSet):
    """Documents of the claim file, without their bytes; `download` gives the file."""

    serializer_class = ClaimDocumentSerializer
    filterset_class = ClaimDocumentFilterSet
    ordering_fields = ["uploaded_at", "kind", "filename", "size"]
    ordering = ["claim", "kind", "uploaded_at", "id"]

    def get_queryset(self):
        user = self.request.user
        if self.action == "download":
            # The bytes are read for this one row only; the lists defer them.
            return visible(user, ClaimDocument)
        return selectors.claim_documents_visible_to(user).select_related("uploaded_by")

    @extend_schema(
        responses={
            **{(200, media_type): OpenApiTypes.BINARY for media_type in DOWNLOAD_TYPES},
            **answers({}, 404),
        },
        summary="The document's file, as uploaded",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        content = bytes(document.content)
        response = HttpResponse(content, content_type=document.content_type)
        response["Content-Disposition"] = content_disposition_header(True, document.filename)
        response["Content-Length"] = str(len(content))
        # The claim file is confidential: no shared cache keeps a copy.
        response["Cache-Control"] = "private, no-store"
        return response
