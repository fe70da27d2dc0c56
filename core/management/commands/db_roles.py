"""Create or correct the database roles and grant the application's (core/db_roles.py).

Idempotent. Run as the admin before the first migrate (it creates the roles and hands the
database to the owner), as the owner or the admin after any migrate to re-grant;
scripts/services.sh `ensure_database` does both for run, dev and test.
"""

from django.core.management.base import BaseCommand

from core import db_roles


class Command(BaseCommand):
    help = "Create the application and owner roles and grant by model metadata."

    def add_arguments(self, parser):
        parser.add_argument(
            "--owner-createdb",
            action="store_true",
            help="let the owner create databases (the test runner's test databases)",
        )

    def handle(self, *args, owner_createdb, **options):
        for line in db_roles.apply(owner_createdb=owner_createdb):
            if options["verbosity"] > 0:
                self.stdout.write(line)
