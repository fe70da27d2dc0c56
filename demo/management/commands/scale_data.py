"""`manage.py scale_data`: fill a freshly migrated database with a portfolio at scale."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from accounts.models import Organisation
from buyers.models import Buyer
from demo.scale import Scale, World
from limits.models import CreditLimit
from policies.models import Policy


class Command(BaseCommand):
    help = (
        "Load a realistic portfolio with COPY (issue 10): buyers with valid USCCs and Chinese "
        "names, policies, limits with their decisions, applications, declarations, overdue "
        "notices and claims. Refuses a database that already holds data unless --force."
    )

    def add_arguments(self, parser):
        defaults = Scale()
        for name in ("buyers", "policies", "limits", "applications", "declarations", "notices",
                     "claims"):  # fmt: skip
            parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name),
                                help=f"default {getattr(defaults, name):,}")  # fmt: skip
        parser.add_argument("--seed", type=int, default=20261202, help="same seed, same data")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                            help="the business day the data is as of (default today)")  # fmt: skip
        parser.add_argument("--force", action="store_true", help="add to a database with data")

    def handle(self, *args, **options):
        scale = Scale(**{name: options[name] for name in Scale.__dataclass_fields__})
        if any(value < 0 for value in vars(scale).values()) or scale.policies < 1:
            raise CommandError("Counts cannot be negative, and there is at least one policy.")
        if scale.claims > scale.notices:
            raise CommandError("Claims are opened on filed notices: --claims <= --notices.")
        with connection.cursor() as cursor:
            # The load skips row triggers (demo/bulk.py): a superuser's or, as `db_roles`
            # grants it, the owner's right; never the application's (core/db_roles.py).
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
            if not cursor.fetchone()[0]:
                raise CommandError(
                    "scale_data loads with triggers off, which only the database owner may "
                    "do: run it as POSTGRES_CONNECT_AS=owner manage.py scale_data."
                )
        holds_data = (
            any(model.objects.exists() for model in (Buyer, Policy, CreditLimit))
            or Organisation.objects.exclude(kind="insurer").exists()
        )
        if holds_data and not options["force"]:
            raise CommandError(
                "This database already holds data; scale_data fills a freshly migrated one. "
                "Use --force to add to it anyway."
            )
        started = time.perf_counter()
        tables = []

        def report(table, rows, copy_seconds, index_seconds):
            tables.append(table)
            self.stdout.write(
                f"{table:<32}{rows:>12,} rows  COPY {copy_seconds:7.1f} s  "
                f"indexes {index_seconds:6.1f} s"
            )

        World(
            scale=scale, seed=options["seed"], as_of=options["as_of"] or timezone.localdate(),
            report=report,
        ).load()  # fmt: skip
        with connection.cursor() as cursor:
            if not connection.in_atomic_block:  # VACUUM cannot run in a caller's transaction
                # Sets the visibility map, without which the exposure reads cannot be
                # index-only scans until autovacuum comes by (benchmarks/exposure.py).
                vacuum_started = time.perf_counter()
                for table in dict.fromkeys(tables):
                    cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
                self.stdout.write(f"VACUUM (ANALYZE) {time.perf_counter() - vacuum_started:.1f} s")
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            (size,) = cursor.fetchone()
        self.stdout.write(
            self.style.SUCCESS(f"Loaded in {time.perf_counter() - started:.1f} s; database {size}.")
        )
