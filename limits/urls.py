from django.urls import path

from limits import views

app_name = "limits"
urlpatterns = [
    path("", views.CreditLimitListView.as_view(), name="list"),
]
