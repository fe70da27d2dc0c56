"""Bulk upload of declarations (SPEC 6): the form with the template, the upload's page
with its progress and error report. The work is in premiums.uploads."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from accounts.choices import UNDERWRITING_ROLES
from core.mixins import RoleRequiredMixin, apply_validation_error
from core.pagination import CappedPaginator
from limits.services import PREPARER_ROLES
from premiums import uploads
from premiums.models import DeclarationUpload
from premiums.selectors import uploads_visible_to


class UploadRoleMixin(RoleRequiredMixin):
    """Premium staff and the insured's preparers and approvers; anyone else gets a 404.
    A clerk sees the page and why it cannot upload (premiums.uploads)."""

    def allows(self, user) -> bool:
        if user.is_insurer_staff:
            return user.role in UNDERWRITING_ROLES
        return user.is_insured_user and user.role in PREPARER_ROLES


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Declarations file (CSV or XLSX)"),
        error_messages={"required": uploads.ERROR_NO_FILE},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > uploads.MAX_BYTES:
            raise ValidationError(uploads.ERROR_TOO_BIG % {"mb": uploads.MAX_BYTES // 2**20})
        if uploads.file_format(upload.name) is None:
            raise ValidationError(uploads.ERROR_KIND)
        return upload


def _uploads(user):
    return uploads_visible_to(user).defer("content")


class UploadCreateView(UploadRoleMixin, FormView):
    form_class = UploadForm
    template_name = "premiums/upload_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Upload declarations"),
            may_upload=uploads.may_upload(self.request.user),
            columns=[(code, uploads.COLUMN_LABELS[code]) for code in uploads.COLUMNS],
            max_mb=uploads.MAX_BYTES // 2**20,
            max_rows=uploads.MAX_ROWS,
            recent=_uploads(self.request.user)[:10],
            **kwargs,
        )

    def form_valid(self, form):
        file = form.cleaned_data["file"]
        try:
            upload = uploads.upload_create(
                actor=self.request.user, filename=file.name, content=file.read()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        except PermissionError as refused:
            messages.error(self.request, str(refused))
            return self.form_invalid(form)
        messages.success(self.request, _("The file is uploaded and being checked."))
        return redirect("premiums:upload", pk=upload.pk)


class UploadListView(UploadRoleMixin, ListView):
    template_name = "premiums/upload_list.html"
    context_object_name = "uploads"
    paginate_by = 50
    paginator_class = CappedPaginator

    def get_queryset(self):
        return _uploads(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Declaration uploads"), **kwargs)


class UploadDetailView(UploadRoleMixin, DetailView):
    context_object_name = "upload"

    def get_queryset(self):
        return _uploads(self.request.user)

    def get_template_names(self):
        # htmx polls the progress part while the file is checked.
        if self.request.headers.get("HX-Request"):
            return ["premiums/upload_progress.html"]
        return ["premiums/upload_detail.html"]

    def get_context_data(self, **kwargs):
        upload = self.object
        percent = 100 * upload.rows_checked // upload.rows_total if upload.rows_total else 0
        return super().get_context_data(
            title=_("Declaration upload"),
            percent=percent,
            checking=upload.state == DeclarationUpload.State.CHECKING,
            **kwargs,
        )


class UploadStatusView(UploadRoleMixin, View):
    """The upload's progress as a small JSON document (for scripts polling it)."""

    def get(self, request, pk):
        upload = get_object_or_404(_uploads(request.user), pk=pk)
        return JsonResponse(
            {
                "state": upload.state,
                "rows_total": upload.rows_total,
                "rows_checked": upload.rows_checked,
                "rows_loaded": upload.rows_loaded,
                "error_count": upload.error_count,
            }
        )


class UploadErrorsView(UploadRoleMixin, View):
    """The error report, one row per row and column of the file (CSV, UTF-8 with BOM so
    that Excel shows the Chinese messages)."""

    def get(self, request, pk):
        upload = get_object_or_404(_uploads(request.user), pk=pk)
        response = HttpResponse(uploads.errors_csv(upload), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="upload-{upload.pk}-errors.csv"'
        return response


class UploadTemplateView(UploadRoleMixin, View):
    kinds = {
        "csv": ("text/csv", uploads.template_csv),
        "xlsx": (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            uploads.template_xlsx,
        ),
    }

    def get(self, request, kind):
        content_type, build = self.kinds[kind]
        response = HttpResponse(build(), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="declarations-template.{kind}"'
        return response
