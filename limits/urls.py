from django.urls import path

from limits import views

app_name = "limits"
urlpatterns = [
    path("", views.CreditLimitListView.as_view(), name="list"),
    path("<int:pk>/", views.CreditLimitDetailView.as_view(), name="detail"),
    path("<int:pk>/reduce/", views.LimitReduceView.as_view(), name="reduce"),
    path("<int:pk>/cancel/", views.LimitCancelView.as_view(), name="cancel"),
    path("discretionary/", views.DiscretionaryLimitView.as_view(), name="discretionary"),
    path("applications/", views.LimitApplicationListView.as_view(), name="applications"),
    path(
        "applications/new/",
        views.LimitApplicationCreateView.as_view(),
        name="application-create",
    ),
    path(
        "applications/<int:pk>/",
        views.LimitApplicationDetailView.as_view(),
        name="application-detail",
    ),
    path(
        "applications/<int:pk>/submit/",
        views.ApplicationSubmitView.as_view(),
        name="application-submit",
    ),
    path(
        "applications/<int:pk>/withdraw/",
        views.ApplicationWithdrawView.as_view(),
        name="application-withdraw",
    ),
    path(
        "applications/<int:pk>/decide/",
        views.ApplicationDecideView.as_view(),
        name="application-decide",
    ),
    path(
        "applications/<int:pk>/approve/",
        views.ApplicationApproveView.as_view(),
        name="application-approve",
    ),
    path(
        "applications/<int:pk>/edit/",
        views.ApplicationEditView.as_view(),
        name="application-edit",
    ),
    path(
        "applications/<int:pk>/return/",
        views.ApplicationReturnView.as_view(),
        name="application-return",
    ),
    path(
        "applications/<int:pk>/send-back/",
        views.ApplicationSendBackView.as_view(),
        name="application-send-back",
    ),
    path("queue/", views.DecisionQueueView.as_view(), name="queue"),
    path("portfolio/", views.PortfolioReportView.as_view(), name="portfolio"),
    path("reviews/", views.ReviewListView.as_view(), name="reviews"),
    path("reviews/<int:pk>/", views.ReviewCompleteView.as_view(), name="review-complete"),
    path(
        "decisions/<int:pk>/pending-orders/",
        views.PendingOrdersRequestView.as_view(),
        name="pending-orders",
    ),
    path("calculators/turnover/", views.TurnoverCalculatorView.as_view(), name="calc-turnover"),
    path("calculators/peak/", views.PeakCalculatorView.as_view(), name="calc-peak"),
]
