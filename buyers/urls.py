from django.urls import path

from buyers import views

app_name = "buyers"
urlpatterns = [
    path("", views.BuyerListView.as_view(), name="list"),
    path("new/", views.BuyerCreateView.as_view(), name="create"),
    path("<int:pk>/", views.BuyerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.BuyerUpdateView.as_view(), name="update"),
    path("<int:pk>/events/new/", views.NegativeEventCreateView.as_view(), name="event-create"),
]
