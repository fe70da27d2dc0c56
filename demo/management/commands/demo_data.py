from django.core.management.base import BaseCommand
from django.utils import timezone

from demo.data import DEMO_PASSWORD, DEMO_USERS, load_demo_data


class Command(BaseCommand):
    help = "Create demo organisations, users (one per role), buyers and policies. Idempotent."

    def handle(self, *args, **options):
        created = load_demo_data(today=timezone.localdate())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready (created: {created})."))
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for username, role, org_key, _authority, _name in DEMO_USERS:
            self.stdout.write(f"  {username:<14} {role.label:<22} {org_key}")
