"""Document pages (SPEC 9): the list, one document, its download, its status as JSON and
the staff's correction. Thin views over documents.selectors and documents.services;
a document whose subject the user may not see is a 404 like one that does not exist."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.mixins import StaffRequiredMixin, message_errors, message_form_errors
from core.views import FilteredListView
from documents import services
from documents.choices import DocumentStatus
from documents.filtersets import DocumentFilterSet
from documents.forms import ReissueForm
from documents.models import Document
from documents.selectors import document_for, document_history, documents_visible_to
from documents.tables import DOCUMENT_COLUMNS


def pdf_response(document: Document) -> HttpResponse:
    """The issued file as an attachment under its name; its hash as the ETag."""
    response = HttpResponse(bytes(document.content), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, document.filename)
    response["ETag"] = f'"{document.sha256}"'
    response["Cache-Control"] = "private, no-store"
    return response


def status_body(document: Document) -> dict:
    issued = document.status == DocumentStatus.ISSUED
    return {
        "status": document.status,
        "status_label": document.get_status_display(),
        "badge": document.status_badge,
        "pending": document.is_pending,
        "reference": document.reference,
        "version": document.version,
        "sha256": document.sha256,
        "download_url": document.download_url if issued else None,
    }


class DocumentListView(FilteredListView):
    filterset_class = DocumentFilterSet
    columns = DOCUMENT_COLUMNS
    export_name = "documents"
    default_ordering = ("-created_at", "-id")

    @property
    def title(self):
        return _("Documents")

    def base_queryset(self):
        return documents_visible_to(self.request.user).select_related("policy", "buyer")


class DocumentDetailView(LoginRequiredMixin, TemplateView):
    template_name = "documents/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        document = document_for(user, kwargs["pk"])
        versions = list(
            documents_visible_to(user)
            .filter(
                kind=document.kind,
                subject_type=document.subject_type,
                subject_id=document.subject_id,
            )
            .order_by("-version")
        )
        may_reissue = user.is_insurer_staff and document.is_issued and versions[0].pk == document.pk
        return super().get_context_data(
            title=f"{document.get_kind_display()} {document.reference}",
            document=document,
            versions=versions,
            history=document_history(user, document),
            reissue_form=ReissueForm() if may_reissue else None,
            **kwargs,
        )


class DocumentDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        document = document_for(request.user, pk, with_content=True)
        if document.status != DocumentStatus.ISSUED:
            raise Http404
        return pdf_response(document)


class DocumentStatusView(LoginRequiredMixin, View):
    """What the page polls while a document is made (static/js/documents.js)."""

    def get(self, request, pk):
        return JsonResponse(status_body(document_for(request.user, pk)))


class DocumentReissueView(StaffRequiredMixin, View):
    """A correction: the next version, made anew from the subject (insurer staff)."""

    def post(self, request, pk):
        document = document_for(request.user, pk)
        form = ReissueForm(request.POST)
        if not form.is_valid():
            message_form_errors(request, form)
            return redirect(document)
        try:
            new = services.document_reissue(
                actor=request.user, document_id=document.pk, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            message_errors(request, error)
            return redirect(document)
        messages.success(
            request, _("Version %(version)s is being generated.") % {"version": new.version}
        )
        return redirect(new)
