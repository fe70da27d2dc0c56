from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisations and users")

    def ready(self):
        # Receivers: the session clocks start at login; the security log's lines.
        from accounts import sessions, signals  # noqa: F401
