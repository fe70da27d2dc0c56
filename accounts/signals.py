"""What the security log hears from Django and django-axes (issue 11 item 7, ASVS 5.0
V16.3: authentication events, lockouts; accounts.security writes the lines)."""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.authentication import TOKEN_CREDENTIALS
from accounts.security import security_event


@receiver(user_login_failed, dispatch_uid="accounts.security.login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    # Django hands the credentials over with the password already masked; only the
    # username is written, in any case.
    if credentials == TOKEN_CREDENTIALS:
        security_event("api_token_refused", request, username="-")
    else:
        security_event("login_failed", request, username=credentials.get("username"))


@receiver(user_locked_out, dispatch_uid="accounts.security.locked_out")
def log_locked_out(sender, request, username, ip_address, **kwargs):
    if username == TOKEN_CREDENTIALS["username"]:
        security_event("api_token_locked_out", request, username="-")
    else:
        security_event("locked_out", request, username=username)


@receiver(user_logged_in, dispatch_uid="accounts.security.logged_in")
def log_logged_in(sender, request, user, **kwargs):
    security_event("login", request, username=user.get_username(), level=logging.INFO)


@receiver(user_logged_out, dispatch_uid="accounts.security.logged_out")
def log_logged_out(sender, request, user, **kwargs):
    username = user.get_username() if user is not None else None
    security_event("logout", request, username=username, level=logging.INFO)
