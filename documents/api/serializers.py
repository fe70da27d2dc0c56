"""Documents through HTTP (SPEC 9): what was issued, with its hash and where to get it."""

from django.urls import reverse
from rest_framework import serializers

from core.api import ModelSerializer
from core.text import LONG_TEXT_MAX_LENGTH
from documents.models import Document


class DocumentSerializer(ModelSerializer):
    """One version of one generated PDF. `download_url` is null until it is issued;
    `superseded_by` names the newer version that corrects it, if any."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    subject_type = serializers.SerializerMethodField(
        help_text="The kind of row the document is about, as app_label.model."
    )
    requested_by = serializers.StringRelatedField(allow_null=True)  # null: a job or reaction
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id", "kind", "kind_display", "reference", "version", "status", "status_display",
            "subject_type", "subject_id", "policy", "buyer", "filename", "sha256", "size",
            "page_count", "requested_by", "reissue_reason", "superseded_by", "issued_at",
            "attempts", "created_at", "download_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_subject_type(self, document) -> str:
        return f"{document.subject_type.app_label}.{document.subject_type.model}"

    def get_download_url(self, document) -> str | None:
        if not document.is_issued:
            return None
        return reverse("document-download", args=[document.pk])


class DocumentReissueSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH)
