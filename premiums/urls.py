from django.urls import path, re_path

from premiums.views import account, declarations, lists, pages, uploads

app_name = "premiums"
urlpatterns = [
    path("policies/<int:pk>/", pages.PolicyPremiumView.as_view(), name="policy"),
    path("declarations/<int:pk>/", pages.DeclarationDetailView.as_view(), name="declaration"),
    path("debit-notes/<int:pk>/", pages.DebitNoteDetailView.as_view(), name="debit_note"),
    # Declarations (SPEC 2, 6): prepare or declare, edit a draft, submit, return, discard.
    path("policies/<int:pk>/declare/", declarations.DeclareView.as_view(), name="declare"),
    path(
        "declarations/<int:pk>/edit/",
        declarations.DeclarationEditView.as_view(),
        name="declaration_edit",
    ),
    path(
        "declarations/<int:pk>/submit/",
        declarations.DeclarationSubmitView.as_view(),
        name="declaration_submit",
    ),
    path(
        "declarations/<int:pk>/return/",
        declarations.DeclarationReturnView.as_view(),
        name="declaration_return",
    ),
    path(
        "declarations/<int:pk>/discard/",
        declarations.DeclarationDiscardView.as_view(),
        name="declaration_discard",
    ),
    path("declarations/", lists.DeclarationOverviewView.as_view(), name="overview"),
    # The premium account (staff): payments, cancellation, overdue notes.
    path("policies/<int:pk>/account/", account.PremiumAccountView.as_view(), name="account"),
    path(
        "debit-notes/<int:pk>/cancel/",
        account.DebitNoteCancelView.as_view(),
        name="debit_note_cancel",
    ),
    path("debit-notes/overdue/", lists.OverdueDebitNoteListView.as_view(), name="overdue"),
    path("uploads/", uploads.UploadListView.as_view(), name="uploads"),
    path("uploads/new/", uploads.UploadCreateView.as_view(), name="upload_new"),
    re_path(
        r"^uploads/template\.(?P<kind>csv|xlsx)$",
        uploads.UploadTemplateView.as_view(),
        name="upload_template",
    ),
    path("uploads/<int:pk>/", uploads.UploadDetailView.as_view(), name="upload"),
    path("uploads/<int:pk>/status/", uploads.UploadStatusView.as_view(), name="upload_status"),
    path("uploads/<int:pk>/errors.csv", uploads.UploadErrorsView.as_view(), name="upload_errors"),
]
