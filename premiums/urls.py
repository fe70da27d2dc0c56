from django.urls import path, re_path

from premiums.views import pages, uploads

app_name = "premiums"
urlpatterns = [
    path("policies/<int:pk>/", pages.PolicyPremiumView.as_view(), name="policy"),
    path("declarations/<int:pk>/", pages.DeclarationDetailView.as_view(), name="declaration"),
    path("debit-notes/<int:pk>/", pages.DebitNoteDetailView.as_view(), name="debit_note"),
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
