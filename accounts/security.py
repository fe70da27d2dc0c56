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
