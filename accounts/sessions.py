"""Sessions that end (issue 11 item 7, ASVS 5.0 V7.3): after a time without activity,
and in all some hours after the login, whatever the activity.

Insurer staff, who can decide limits and release payments, end after 30 minutes idle;
portal users (insureds, banks) after 60; everybody 12 hours after logging in. The limits
are written into the session at login, so that checking them costs no query for the user.
"""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.security import security_event

LOGGED_IN_AT = "tci_logged_in_at"
SEEN_AT = "tci_seen_at"
IDLE_LIMIT = "tci_idle_limit"

# Activity is noted at most once a minute: saving the session on every request would be
# one more UPDATE per page and API call. An idle session ends within a minute of its limit.
SEEN_RESOLUTION = 60

# Pages that refresh themselves (the decision queue, an upload's progress) send this
# header: a page left open is not a user at work, and must not keep the session alive.
POLL_HEADER = "X-TCI-Poll"

ENDED_IDLE = gettext_noop("You were logged out after {minutes} minutes without activity.")
ENDED_LIFETIME = gettext_noop(
    "You were logged out {hours} hours after logging in. Please log in again."
)


def idle_limit_for(user) -> int:
    """Seconds without activity after which the user's session ends."""
    if user.is_insurer_staff:
        return int(settings.SESSION_IDLE_TIMEOUT_STAFF.total_seconds())
    return int(settings.SESSION_IDLE_TIMEOUT_PORTAL.total_seconds())


@receiver(user_logged_in, dispatch_uid="accounts.sessions.start")
def start_session_clock(sender, request, user, **kwargs):
    now = int(time.time())
    request.session[LOGGED_IN_AT] = now
    request.session[SEEN_AT] = now
    request.session[IDLE_LIMIT] = idle_limit_for(user)


def session_end_reason(session, now: int) -> str | None:
    """Why this logged-in session is over, or None while it is still good.

    A session from before the clocks existed has none of them: it ends, once, rather
    than living on with the old two weeks."""
    if SESSION_KEY not in session:
        return None
    try:
        logged_in_at, seen_at, idle = session[LOGGED_IN_AT], session[SEEN_AT], session[IDLE_LIMIT]
    except KeyError:
        return ENDED_LIFETIME
    if now - logged_in_at > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
        return ENDED_LIFETIME
    if now - seen_at > idle:
        return ENDED_IDLE
    return None


class SessionTimeoutMiddleware:
    """After the authentication and message middlewares: ends a session that is over, as
    a logout, and notes the activity of one that is not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = int(time.time())
        reason = session_end_reason(request.session, now)
        if reason is not None:
            return self.end(request, reason)
        session = request.session
        if (
            SESSION_KEY in session
            and POLL_HEADER not in request.headers
            and now - session[SEEN_AT] >= SEEN_RESOLUTION
        ):
            session[SEEN_AT] = now
        return self.get_response(request)

    def end(self, request, reason):
        """Log out, and carry on as an anonymous request: a page asks for the login (with
        a message saying why), the API answers as to a request without credentials."""
        idle = request.session.get(IDLE_LIMIT, 0)
        ended = "idle" if reason == ENDED_IDLE else "lifetime"
        security_event("session_ended", request, level=logging.INFO, reason=ended)
        logout(request)
        if request.path.startswith("/api/"):
            return self.get_response(request)
        hours = int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600)
        messages.warning(request, _(reason).format(minutes=idle // 60, hours=hours))
        if "HX-Request" in request.headers:
            # A fragment would get the login page swapped into it: htmx loads it whole.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = redirect_to_login(request.get_full_path()).url
            return response
        return self.get_response(request)
