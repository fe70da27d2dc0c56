"""Declaration uploads in the API (SPEC 6, 11): the same import path as the portal page
(premiums.uploads). POST a multipart `file`; the answer is 202 with the upload, which is
then checked and loaded (or refused) by a worker: GET it for its state and errors."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import GenericViewSet, ModelSerializer
from premiums import uploads
from premiums.models import DeclarationUpload
from premiums.selectors import uploads_visible_to


class UploadErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="The line in the file (1 = header).")
    column = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class DeclarationUploadSerializer(ModelSerializer):
    errors = UploadErrorSerializer(
        many=True, read_only=True, help_text=f"The first {uploads.MAX_STORED_ERRORS:,}."
    )
    uploaded_by = serializers.StringRelatedField()

    class Meta:
        model = DeclarationUpload
        fields = [
            "id", "filename", "state", "uploaded_by", "rows_total", "rows_checked",
            "rows_loaded", "error_count", "errors", "created_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class DeclarationUploadRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8 or GB18030) or XLSX with the template's columns: "
        + ", ".join(uploads.COLUMNS)
        + f"; at most {uploads.MAX_BYTES // 2**20} MB and {uploads.MAX_ROWS:,} rows."
    )


ERRORS = {
    400: OpenApiResponse(description="Refused: the body names each field and why."),
    403: OpenApiResponse(description="Your role does not allow this."),
}


@extend_schema_view(
    list=extend_schema(summary="Declaration uploads you may see"),
    retrieve=extend_schema(
        summary="One upload: its state, progress and errors",
        responses={
            200: DeclarationUploadSerializer,
            404: OpenApiResponse(description="Not found among the uploads you may see."),
        },
    ),
)
class DeclarationUploadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Bulk upload of declarations: checked as a whole, loaded entirely or not at all."""

    serializer_class = DeclarationUploadSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["state"]
    ordering_fields = ["created_at", "state"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return uploads_visible_to(self.request.user).defer("content")

    @extend_schema(
        summary="Upload a file of declarations",
        request={"multipart/form-data": DeclarationUploadRequestSerializer},
        responses={202: DeclarationUploadSerializer, **ERRORS},
    )
    def create(self, request):
        uploads.require_uploader(request.user)
        body = DeclarationUploadRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        file = body.validated_data["file"]
        if file.size > uploads.MAX_BYTES:
            raise serializers.ValidationError(
                {"file": [str(uploads.ERROR_TOO_BIG % {"mb": uploads.MAX_BYTES // 2**20})]}
            )
        upload = uploads.upload_create(actor=request.user, filename=file.name, content=file.read())
        return Response(DeclarationUploadSerializer(upload).data, status=status.HTTP_202_ACCEPTED)
