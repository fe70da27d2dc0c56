from django.urls import path

from claims.views import claims, notices

app_name = "claims"
urlpatterns = [
    # Staff: the claims queue (SPEC 7, 11).
    path("", claims.ClaimQueueView.as_view(), name="queue"),
    # Overdue notices: the list, the form, the draft and its transitions.
    path("notices/", notices.NoticeListView.as_view(), name="notices"),
    path("notices/new/", notices.NoticeCreateView.as_view(), name="notice_new"),
    path("notices/<int:pk>/", notices.NoticeDetailView.as_view(), name="notice"),
    path("notices/<int:pk>/edit/", notices.NoticeEditView.as_view(), name="notice_edit"),
    path("notices/<int:pk>/file/", notices.NoticeFileView.as_view(), name="notice_file"),
    path("notices/<int:pk>/return/", notices.NoticeReturnView.as_view(), name="notice_return"),
    path("notices/<int:pk>/discard/", notices.NoticeDiscardView.as_view(), name="notice_discard"),
    path("notices/<int:pk>/plan/", notices.RepaymentPlanView.as_view(), name="plan_new"),
    path("notices/<int:pk>/open-claim/", notices.ClaimOpenView.as_view(), name="claim_open"),
    path("invoices/<int:pk>/extend/", notices.ExtensionView.as_view(), name="invoice_extend"),
    path("invoices/<int:pk>/dispute/", claims.InvoiceDisputeView.as_view(), name="invoice_dispute"),
    path(
        "instalments/<int:pk>/paid/",
        notices.InstalmentPaidView.as_view(),
        name="instalment_paid",
    ),
    # The claim and each step of its assessment.
    path("<int:pk>/", claims.ClaimDetailView.as_view(), name="claim"),
    path("<int:pk>/documents/", claims.DocumentUploadView.as_view(), name="document_upload"),
    path(
        "<int:pk>/documents/request/",
        claims.DocumentsRequestView.as_view(),
        name="documents_request",
    ),
    path(
        "<int:pk>/documents/complete/",
        claims.DocumentsCompleteView.as_view(),
        name="documents_complete",
    ),
    path("documents/<int:pk>/download/", claims.DocumentDownloadView.as_view(), name="document"),
    path("<int:pk>/debt-admitted/", claims.DebtAdmittedView.as_view(), name="debt_admitted"),
    path("<int:pk>/dispute/", claims.ClaimDisputeView.as_view(), name="dispute"),
    path("<int:pk>/resolve/", claims.ClaimResolveView.as_view(), name="resolve"),
    path("<int:pk>/worksheet/", claims.WorksheetComputeView.as_view(), name="worksheet"),
    path("<int:pk>/approve/", claims.ClaimApproveView.as_view(), name="approve"),
    path("<int:pk>/return/", claims.ClaimReturnView.as_view(), name="return"),
    path("<int:pk>/decline/", claims.ClaimDeclineView.as_view(), name="decline"),
    path("<int:pk>/pay/", claims.IndemnityPayView.as_view(), name="pay"),
    path("<int:pk>/recoveries/", claims.RecoveryRecordView.as_view(), name="recovery"),
]
