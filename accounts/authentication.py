"""API token authentication that counts wrong tokens (issue 11 item 7, ASVS 5.0 V6.3).

DRF authenticates before it throttles, and a wrong token ends the request with 401
there: the throttles never see it, so a client could try tokens without limit. Each
wrong token is a failed login for django-axes instead, under one pseudo-username, so
that the address that sent `AXES_FAILURE_LIMIT` of them is refused for the cool-off,
like a browser that guessed passwords; addresses elsewhere are not affected.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header

from accounts.security import LOCKED_OUT, cool_off_minutes, security_event

# Not a username anyone can have: Django's username validator refuses ":".
TOKEN_CREDENTIALS = {"username": "api-token:"}


class Throttled(exceptions.Throttled):
    """429 with Retry-After, as the login pages answer a locked-out client."""

    def __init__(self):
        super().__init__(detail=_(LOCKED_OUT).format(minutes=cool_off_minutes()))
        # Set after: given to the constructor, DRF appends "Expected available in 900
        # seconds." to a message that already says when.
        self.wait = settings.AXES_COOLOFF_TIME.total_seconds()


class LockoutTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        http_request = request._request
        if AxesProxyHandler.is_locked(http_request, TOKEN_CREDENTIALS):
            security_event("api_token_refused", http_request, username="-", locked="yes")
            raise Throttled()
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            user_login_failed.send(
                sender=__name__, credentials=TOKEN_CREDENTIALS, request=http_request
            )
            if http_request.axes_locked_out:
                raise Throttled() from None
            raise
