from django.urls import path

from premiums.views import pages

app_name = "premiums"
urlpatterns = [
    path("policies/<int:pk>/", pages.PolicyPremiumView.as_view(), name="policy"),
    path("declarations/<int:pk>/", pages.DeclarationDetailView.as_view(), name="declaration"),
    path("debit-notes/<int:pk>/", pages.DebitNoteDetailView.as_view(), name="debit_note"),
]
