from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("", views.DocumentListView.as_view(), name="list"),
    path("<int:pk>/", views.DocumentDetailView.as_view(), name="detail"),
    path("<int:pk>/download/", views.DocumentDownloadView.as_view(), name="download"),
    path("<int:pk>/status/", views.DocumentStatusView.as_view(), name="status"),
    path("<int:pk>/reissue/", views.DocumentReissueView.as_view(), name="reissue"),
]
