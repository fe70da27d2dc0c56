from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.core import checks
        from django.db.models.signals import post_migrate

        from core import audit_context, db_roles, lookups

        lookups.register()
        audit_context.install()
        # Once per migrate (every app's migrations have run by then): grants follow models.
        post_migrate.connect(db_roles.grant_after_migrate, sender=self)
        checks.register(db_roles.check_connected_role, checks.Tags.database, deploy=True)
