from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from config.home import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("", include("accounts.urls")),
    path("policies/", include("policies.urls")),
    path("buyers/", include("buyers.urls")),
    path("limits/", include("limits.urls")),
    path("premiums/", include("premiums.urls")),
    path("claims/", include("claims.urls")),
    path("banks/", include("banks.urls")),
    path("bank/", include("banks.portal_urls", namespace="bank")),
    path("deadlines/", include("deadlines.urls")),
    path("documents/", include("documents.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
