from django.urls import path

from policies import views

app_name = "policies"
urlpatterns = [
    path("", views.PolicyListView.as_view(), name="list"),
    path("new/", views.PolicyCreateView.as_view(), name="create"),
    path("<int:pk>/", views.PolicyDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.PolicyUpdateView.as_view(), name="update"),
    path("<int:pk>/transition/", views.PolicyTransitionView.as_view(), name="transition"),
    path("<int:pk>/override/", views.PolicyOverrideView.as_view(), name="override"),
    path("<int:pk>/non-renewal/", views.PolicyNonRenewalView.as_view(), name="non-renewal"),
    path(
        "<int:pk>/accept-renewal/",
        views.PolicyAcceptRenewalView.as_view(),
        name="accept-renewal",
    ),
]
