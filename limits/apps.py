from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LimitsConfig(AppConfig):
    name = "limits"
    verbose_name = _("Credit limits")

    def ready(self):
        from limits import reactions

        reactions.register()
