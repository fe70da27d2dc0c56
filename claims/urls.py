from django.urls import path

from claims.views import pages

app_name = "claims"
urlpatterns = [
    path("notices/<int:pk>/", pages.NoticeDetailView.as_view(), name="notice"),
    path("<int:pk>/", pages.ClaimDetailView.as_view(), name="claim"),
]
