"""Who is knocking, and what the security log says about it (issue 11 item 7, ASVS 5.0
V6 authentication and V16 security logging).

The client's address is read once, here, for the login lockout (django-axes,
`AXES_CLIENT_IP_CALLABLE`) and for the security log alike, so that both name the same
address.
"""

import ipaddress
import logging

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

log = logging.getLogger("tci.security")

LOCKED_OUT = gettext_noop("Too many failed login attempts. Try again in {minutes} minutes.")


def client_ip(request) -> str:
    """The address the request came from.

    gunicorn serves the application directly (scripts/run.sh, Dockerfile): REMOTE_ADDR is
    the peer of the TCP connection, which the client cannot choose. X-Forwarded-For is
    written by whoever sends the request, so it is read only when
    `TRUSTED_PROXY_COUNT` (DJANGO_TRUSTED_PROXY_COUNT) says that many reverse proxies
    stand in front: each appends the address it saw, so the client is the N-th address
    from the right; everything left of it may be forged. A header shorter than that, or
    not an address, means the request did not come through the proxies: REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote
    return candidate


def cool_off_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out username and address (`AXES_LOCKOUT_CALLABLE`):
    429 with Retry-After; JSON for the API, the login page's look for a browser."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    message = _(LOCKED_OUT).format(minutes=cool_off_minutes())
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _printable(value, limit: int = 150) -> str:
    """A value the client chose (a username, a path) as one line of the log: control
    characters escaped, so nobody can write a line of their own into it."""
    text = str(value or "-")[:limit]
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def security_event(event: str, request, username=None, level=logging.WARNING, **details):
    """One line of the security log: the event, who (the username given or the logged-in
    user), from where, on what. Never a password or a token: callers pass names only."""
    if username is None:
        user = getattr(request, "user", None)
        username = user.get_username() if user is not None and user.is_authenticated else None
    fields = {
        "user": username,
        "ip": client_ip(request) if request is not None else None,
        "method": getattr(request, "method", None),
        "path": getattr(request, "path", None),
        **details,
    }
    log.log(level, "%s %s", event, " ".join(f"{k}={_printable(v)}" for k, v in fields.items()))


class PermissionRefusalLogMiddleware:
    """Writes every 403 to the security log, whoever refused it (a view, DRF, the CSRF
    check): near the top of the chain, so that it sees them all; it reads the user after
    the view, when DRF has put the API's token user on the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            security_event("permission_denied", request)
        return response
