from django.urls import path

from deadlines import views

app_name = "deadlines"
urlpatterns = [
    path("", views.DeadlineListView.as_view(), name="list"),
    path("calendar/", views.DeadlineCalendarView.as_view(), name="calendar"),
]
