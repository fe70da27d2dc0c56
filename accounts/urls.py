from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("company/users/", views.CompanyUserListView.as_view(), name="company-users"),
    path("company/users/new/", views.CompanyUserCreateView.as_view(), name="company-user-create"),
    path(
        "company/users/<int:pk>/active/",
        views.CompanyUserActiveView.as_view(),
        name="company-user-active",
    ),
    path("i18n/setlang/", views.LanguageView.as_view(), name="set_language"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url="/password/done/"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
