"""The bank portal, at /bank/ (SPEC 2, 8): read-only pages of the bank users."""

from django.urls import path

from banks.views import portal

app_name = "bank"
urlpatterns = [
    path("", portal.PortalView.as_view(), name="portal"),
    path(
        "policies/<int:policy_id>/buyers/<int:buyer_id>/",
        portal.CoveredBuyerView.as_view(),
        name="buyer",
    ),
    path("feed/", portal.FeedView.as_view(), name="feed"),
    path("feed/seen/", portal.FeedSeenView.as_view(), name="feed-seen"),
    path("agreements/<int:pk>/signed-copy/", portal.SignedCopyView.as_view(), name="signed-copy"),
]
