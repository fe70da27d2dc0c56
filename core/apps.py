from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core import audit_context, lookups

        lookups.register()
        audit_context.install()
