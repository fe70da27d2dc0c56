"""Bulk upload of declarations (SPEC 6, issue 7): a 100,000-row file checked and loaded.

Creates its own database (tci_bench_upload, or tci_bench_upload_<x> for POSTGRES_DB=tci_<x>),
runs the migrations, loads N in-force policies over a few hundred insureds with their
declaration deadlines (bulk INSERTs, audit triggers running as in production), writes a
declarations file for them (CSV or XLSX) and runs `premiums.uploads.upload_process` on
it: the code the Celery task runs, as an underwriter entering paper declarations. Prints
the wall time of reading, checking and loading, and the peak memory (ru_maxrss of the
process, and optionally tracemalloc's peak of Python allocations, which slows Python down
and is therefore a separate run), then checks that every row was declared, each with its
status-change row, and every deadline met.

    .venv/bin/python benchmarks/declaration_upload.py                    # 50,000 x Q1-Q2
    .venv/bin/python benchmarks/declaration_upload.py --policies 25000 --quarters 4
    .venv/bin/python benchmarks/declaration_upload.py --format xlsx --tracemalloc

With `--quarters 2` (the default) the policy year runs 2026 and the business day is
2026-09-15: the first two quarters are due. With `--quarters 4` the year is 2025 and
ended, so every policy's year-end adjustment is computed and invoiced too (SPEC 6), which
is most of the time of that run.
"""

import argparse
import cProfile
import csv
import io
import os
import pstats
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Throwaway databases, created and loaded with triggers off as the local superuser, as
# before the database roles (core/db_roles.py), whose application role can do neither.
os.environ.setdefault("POSTGRES_CONNECT_AS", "admin")
INSUREDS = 500
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


def default_database() -> str:
    own = os.environ.get("POSTGRES_DB", "tci")
    suffix = own.removeprefix("tci").lstrip("_")
    return f"tci_bench_upload_{suffix}" if suffix else "tci_bench_upload"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=50_000)
    parser.add_argument("--quarters", type=int, choices=[1, 2, 3, 4], default=2)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python's peak")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top 30")
    parser.add_argument(
        "--database", default=default_database(), help="default: %(default)s (from POSTGRES_DB)"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look")
    args = parser.parse_args()
    if not args.database.startswith("tci_bench"):
        parser.error("--database must start with tci_bench: this script drops and recreates it")
    return args


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def build_world(args):
    from accounts.choices import Role
    from deadlines.choices import DeadlineKind, DeadlineParty
    from deadlines.models import Deadline
    from policies.choices import PolicyStatus
    from policies.models import Policy
    from premiums import rules
    from tests.factories import InsurerFactory, OrganisationFactory, PolicyFactory, UserFactory

    year = 2025 if args.quarters == 4 else 2026
    insurer = InsurerFactory()
    staff = UserFactory(username="bench_underwriter", organisation=insurer, role=Role.UNDERWRITER)
    insureds = [OrganisationFactory() for _ in range(INSUREDS)]
    status = PolicyStatus.EXPIRED if args.quarters == 4 else PolicyStatus.IN_FORCE
    policies = [
        PolicyFactory.build(
            insured=insureds[i % INSUREDS],
            policy_number=f"TCI{year}{i:07d}",
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            status=status,
            estimated_annual_turnover=Decimal("50000000"),
            premium_rate_percent=Decimal("0.5"),
        )  # fmt: skip
        for i in range(args.policies)
    ]
    Policy.objects.bulk_create(policies, batch_size=5000)
    from django.contrib.contenttypes.models import ContentType

    policy_type = ContentType.objects.get_for_model(Policy)
    deadlines = []
    for policy in policies:
        for q in rules.policy_quarters(
            period_start=policy.period_start, period_end=policy.period_end
        ):
            deadlines.append(
                Deadline(
                    kind=DeadlineKind.DECLARATION,
                    party=DeadlineParty.INSURED,
                    policy=policy,
                    subject_type=policy_type,
                    subject_id=policy.pk,
                    key=q.label,
                    detail=f"{q.label} {q.start} – {q.end}",
                    due_on=rules.declaration_due_on(quarter_end=q.end, deadline_days=15),
                )  # fmt: skip
            )
    Deadline.objects.bulk_create(deadlines, batch_size=5000)
    return staff, policies, year


def build_file(args, policies) -> bytes:
    rows = [
        (
            p.policy_number,
            "1",
            str(q),
            f"{(i * 7919) % 90_000_000 + 10_000:,}.{i % 100:02d}",
            "0",
            "",
        )
        for i, p in enumerate(policies)
        for q in range(1, args.quarters + 1)
    ]
    header = ["policy_number", "policy_year", "quarter", "turnover", "nil", "correction_reason"]
    if args.format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(header)
        for row in rows:
            sheet.append(list(row))
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def main():
    args = parse_args()
    os.environ["POSTGRES_DB"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Nothing leaves the machine: no task reaches a broker, no mail a server.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    host = os.environ.get("POSTGRES_HOST", "127.0.0.1")
    subprocess.run(
        ["dropdb", "-h", host, "-U", "postgres", "--if-exists", args.database], check=True
    )
    subprocess.run(["createdb", "-h", host, "-U", "postgres", args.database], check=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from deadlines.choices import DeadlineKind, DeadlineStatus
    from deadlines.models import Deadline
    from premiums import uploads
    from premiums.models import Declaration, DeclarationStatusChange, DeclarationUpload

    try:
        log(f"migrating {args.database}")
        call_command("migrate", verbosity=0)
        staff, policies, year = build_world(args)
        log(f"loaded {len(policies):,} policies over {INSUREDS} insureds, year {year}")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        content = build_file(args, policies)
        rows = len(policies) * args.quarters
        log(f"file: {rows:,} rows, {len(content) / 2**20:.1f} MiB {args.format.upper()}")
        today = date(2026, 1, 20) if args.quarters == 4 else date(2026, 9, 15)
        name = f"declarations.{args.format}"

        # The row upload_create writes, made here so that the eager task does not run it
        # on commit: the run below is the task's body, timed alone.
        upload = DeclarationUpload.objects.create(
            organisation_id=staff.organisation_id, uploaded_by=staff, filename=name,
            content=content, state=DeclarationUpload.State.CHECKING,
        )  # fmt: skip
        del policies
        baseline = rss_mib()
        if args.tracemalloc:
            tracemalloc.start()
        # Wall time of each phase, by wrapping the functions upload_process calls.
        phases: dict[str, float] = {}

        def timed_phase(module, name, label):
            original = getattr(module, name)

            def wrapper(*a, **kw):
                began = time.perf_counter()
                try:
                    return original(*a, **kw)
                finally:
                    phases[label] = phases.get(label, 0.0) + time.perf_counter() - began

            setattr(module, name, wrapper)

        timed_phase(uploads, "read_file", "read the file")
        timed_phase(uploads, "check_rows", "check every row (incl. reading policies)")
        timed_phase(uploads, "_lock_policies", "lock the policies")
        timed_phase(uploads, "histories_for", "read the quarters' declarations")
        timed_phase(uploads, "deadlines_meet_many", "meet the deadlines")
        timed_phase(uploads.transitions, "create_many", "create the declarations")
        profile = cProfile.Profile() if args.profile else None
        sql_times: dict[str, list] = {}

        def timed(execute, sql, params, many, context):
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                entry = sql_times.setdefault(sql[:90], [0, 0.0])
                entry[0] += 1
                entry[1] += time.perf_counter() - began

        if args.profile:
            connection.execute_wrappers.append(timed)
        started = time.perf_counter()
        if profile:
            profile.enable()
        upload = uploads.upload_process(upload_id=upload.pk, today=today)
        total_s = time.perf_counter() - started
        if profile:
            profile.disable()
            connection.execute_wrappers.remove(timed)
            for sql, (count, seconds) in sorted(sql_times.items(), key=lambda i: -i[1][1])[:15]:
                print(f"{seconds:8.2f} s {count:6d} x {sql}")
            pstats.Stats(profile).sort_stats(
                os.environ.get("BENCH_SORT", "cumulative")
            ).print_stats(30)
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
        if args.tracemalloc:
            tracemalloc.stop()
        peak = rss_mib()
        run_phases = dict(phases)  # the run's alone: the dry runs below add to `phases`
        log(f"upload_process: {upload.state}, {upload.rows_loaded:,} rows loaded")
        assert upload.state == DeclarationUpload.State.LOADED, upload.errors[:5]

        # The parts alone, after the run (so that they do not raise its peak): reading the
        # file and checking it, without writing (the quarters are declared now, so the
        # check is of corrections without a reason: same work, every row refused).
        started = time.perf_counter()
        parsed = uploads.read_file(content, name)
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        uploads.check_rows(parsed, actor=staff, today=today)
        check_s = time.perf_counter() - started
        del parsed
        log(f"read {read_s:.2f} s, checked {check_s:.2f} s (dry, after the run)")

        declarations = Declaration.objects.filter(upload=upload).count()
        changes = DeclarationStatusChange.objects.filter(declaration__upload=upload).count()
        met = Deadline.objects.filter(
            kind=DeadlineKind.DECLARATION, status=DeadlineStatus.MET, met_on=today
        ).count()
        print()
        print(f"rows                      {rows:>12,}")
        print(f"format                    {args.format:>12}")
        print(f"read + check + load       {total_s:>10.2f} s   (upload_process, one run)")
        print(f"of which read (dry)       {read_s:>10.2f} s")
        print(f"of which check (dry)      {check_s:>10.2f} s")
        for label, seconds in run_phases.items():
            print(f"  {label:<42}{seconds:>7.2f} s")
        print(f"peak RSS                  {peak:>10.0f} MiB (before the run: {baseline:.0f} MiB)")
        if traced is not None:
            print(f"tracemalloc peak          {traced:>10.0f} MiB (run slowed by tracing)")
        print(f"declarations written      {declarations:>12,}")
        print(f"status-change rows        {changes:>12,}")
        print(f"deadlines met             {met:>12,}")
        ok = declarations == rows and changes == rows and met == rows
        print("all rows declared, recorded and met" if ok else "MISMATCH")
        sys.exit(0 if ok else 1)
    finally:
        connection.close()
        if not args.keep_db:
            subprocess.run(
                ["dropdb", "-h", host, "-U", "postgres", "--if-exists", args.database], check=False
            )


if __name__ == "__main__":
    main()
