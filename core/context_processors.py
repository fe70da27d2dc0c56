"""Navigation per role, built once per request for the base template."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _items(user):
    if user.is_insurer_staff:
        items = [
            (_("Home"), "home"),
            (_("Policies"), "policies:list"),
            (_("Buyers"), "buyers:list"),
        ]
        items.append((_("Credit limits"), "limits:list"))
        if user.is_staff:
            items.append((_("Administration"), "admin:index"))
        return items
    if user.is_insured_user:
        return [
            (_("Home"), "home"),
            (_("Our policies"), "policies:list"),
            (_("Our buyers"), "buyers:list"),
            (_("Credit limits"), "limits:list"),
        ]
    if user.is_bank_user:
        return [(_("Home"), "home"), (_("Assigned policies"), "policies:list")]
    return []


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    current = request.path
    nav = []
    for label, name in _items(user):
        url = reverse(name)
        active = current == url or (url != "/" and current.startswith(url))
        nav.append({"label": label, "url": url, "active": active})
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_items": nav, "unread_notifications": unread}
