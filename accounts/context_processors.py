"""Navigation per role, built once per request for the base template."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role


def _items(user):
    if user.is_insurer_staff:
        items = [
            (_("Home"), "home"),
            (_("Policies"), "policies:list"),
            (_("Buyers"), "buyers:list"),
        ]
        items.append((_("Credit limits"), "limits:list"))
        if user.is_underwriter:
            items.append((_("Limit queue"), "limits:queue"))
            items.append((_("Reviews"), "limits:reviews"))
            items.append((_("Assignment agreements"), "banks:agreements"))
        items.append((_("Declarations"), "premiums:overview"))
        if user.is_underwriter:
            items.append((_("Upload declarations"), "premiums:uploads"))
        items.append((_("Overdue debit notes"), "premiums:overdue"))
        if user.is_claims_staff:
            items.append((_("Claims"), "claims:queue"))
            items.append((_("Overdue notices"), "claims:notices"))
        items.append((_("Deadlines"), "deadlines:list"))
        if user.is_staff:
            items.append((_("Administration"), "admin:index"))
        return items
    if user.is_insured_user:
        items = [
            (_("Home"), "home"),
            (_("Our policies"), "policies:list"),
            (_("Our buyers"), "buyers:list"),
            (_("Credit limits"), "limits:list"),
            (_("Limit applications"), "limits:applications"),
            (_("Declarations"), "premiums:overview"),
            (_("Overdue notices & claims"), "claims:notices"),
            (_("Assignment agreements"), "banks:agreements"),
            (_("Due next"), "deadlines:list"),
        ]
        if user.role in (Role.APPROVER, Role.INSURED_ADMIN):
            items.insert(-1, (_("Upload declarations"), "premiums:uploads"))
        if user.role == Role.INSURED_ADMIN:
            items.append((_("Company users"), "company-users"))
        return items
    if user.is_bank_user:
        return [
            (_("Home"), "home"),
            (_("What changed"), "bank:feed"),
            (_("Assigned policies"), "policies:list"),
        ]
    return []


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    current = request.path
    items = [(label, reverse(name)) for label, name in _items(user)]
    # The longest matching entry is the active one: /limits/queue/ is the queue, not
    # also "Credit limits" at /limits/.
    matches = [
        url for _label, url in items if current == url or (url != "/" and current.startswith(url))
    ]
    active = max(matches, key=len, default=None)
    nav = [{"label": label, "url": url, "active": url == active} for label, url in items]
    # A page that counted them with its other figures (the home) left the number here.
    unread = getattr(request, "unread_notifications", None)
    if unread is None:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_items": nav, "unread_notifications": unread}
