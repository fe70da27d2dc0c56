from django.urls import path

from banks.views import agreements

app_name = "banks"
urlpatterns = [
    path("agreements/", agreements.AgreementListView.as_view(), name="agreements"),
    path("agreements/new/", agreements.AgreementCreateView.as_view(), name="agreement_new"),
    path("agreements/<int:pk>/", agreements.AgreementDetailView.as_view(), name="agreement"),
    path(
        "agreements/<int:pk>/edit/",
        agreements.AgreementUpdateView.as_view(),
        name="agreement_edit",
    ),  # fmt: skip
    path(
        "agreements/<int:pk>/sign/",
        agreements.AgreementSignView.as_view(),
        name="agreement_sign",
    ),  # fmt: skip
    path(
        "agreements/<int:pk>/activate/",
        agreements.AgreementActivateView.as_view(),
        name="agreement_activate",
    ),  # fmt: skip
    path(
        "agreements/<int:pk>/amend/",
        agreements.AgreementAmendView.as_view(),
        name="agreement_amend",
    ),  # fmt: skip
    path(
        "agreements/<int:pk>/terminate/",
        agreements.AgreementTerminateView.as_view(),
        name="agreement_terminate",
    ),  # fmt: skip
    path(
        "agreements/<int:pk>/withdraw/",
        agreements.AgreementWithdrawView.as_view(),
        name="agreement_withdraw",
    ),  # fmt: skip
    path(
        "agreements/<int:pk>/receivables/",
        agreements.ReceivablesReportView.as_view(),
        name="agreement_receivables",
    ),  # fmt: skip
    path(
        "agreements/<int:pk>/signed/",
        agreements.SignedCopyView.as_view(),
        name="agreement_signed",
    ),  # fmt: skip
    path(
        "consents/<int:pk>/letter/",
        agreements.ConsentLetterView.as_view(),
        name="consent_letter",
    ),  # fmt: skip
]
