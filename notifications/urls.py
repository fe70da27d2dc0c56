from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("read/", views.NotificationsMarkReadView.as_view(), name="mark-read"),
    path("<int:pk>/read/", views.NotificationReadView.as_view(), name="read"),
]
