from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView

from core.pagination import CappedPaginator
from notifications.services import notification_mark_read, notifications_mark_read

PAGE_SIZE = 20


class NotificationListView(LoginRequiredMixin, ListView):
    """The user's notifications, newest first, paged; each opens its object."""

    template_name = "notifications/list.html"
    paginate_by = PAGE_SIZE
    paginator_class = CappedPaginator

    def get_queryset(self):
        return self.request.user.notifications.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unread_total"] = self.request.user.notifications.filter(
            read_at__isnull=True
        ).count()
        return context


class NotificationReadView(LoginRequiredMixin, View):
    """Open one notification: it is marked read and the user goes to its object."""

    def post(self, request, pk):
        notification = get_object_or_404(request.user.notifications, pk=pk)
        notification_mark_read(user=request.user, notification_id=notification.pk)
        return redirect(notification.url or "notifications:list")


class NotificationsMarkReadView(LoginRequiredMixin, View):
    """Mark the ticked notifications read, or all of them (`all=1`)."""

    def post(self, request):
        if request.POST.get("all") == "1":
            count = notifications_mark_read(user=request.user)
        else:
            ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
            if not ids:
                messages.info(request, _("Tick the notifications to mark as read."))
                return redirect(_back(request))
            count = notifications_mark_read(user=request.user, ids=ids)
        messages.success(
            request,
            ngettext(
                "%(count)s notification marked as read.",
                "%(count)s notifications marked as read.",
                count,
            )
            % {"count": count},
        )
        return redirect(_back(request))


def _back(request) -> str:
    page = request.POST.get("page", "")
    url = reverse("notifications:list")
    return f"{url}?page={page}" if page.isdigit() else url
