from django.urls import path

from banks.views import agreements

app_name = "banks"
urlpatterns = [
    path("agreements/<int:pk>/", agreements.AgreementDetailView.as_view(), name="agreement"),
]
