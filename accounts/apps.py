from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisations and users")

    def ready(self):
        # Receiver: the session clocks start at login.
        from accounts import sessions  # noqa: F401
