"""Premium and deadline pages (SPEC 6, 7, 10, 11) over a year's book of 50,000 policies.

Creates its own database (tci_bench_pages, or tci_bench_pages_<x> for POSTGRES_DB=tci_<x>),
runs the migrations and loads a policy year in force: N policies over 500 insureds
(2026-01-01 to 2026-12-31) and what `premiums.services.premium_account_open` writes for
each (four declaration deadlines; four instalment debit notes, each with its line and its
payment deadline), about half the quarters declared (submitted declarations, their
deadlines met, one in ten late), the other ended quarters missed, and the instalments paid
except the last one of one policy in ten, overdue. Then, on 2026-12-02 (time_machine), it
requests the pages through Django's test client, logged in as an underwriter and as an
approver of one insured, and prints for each page the median wall time of 5 requests after
a warm-up and the SQL queries of one request.

    .venv/bin/python benchmarks/premium_pages.py                    # 50,000 policies
    .venv/bin/python benchmarks/premium_pages.py --policies 5000    # quick
    .venv/bin/python benchmarks/premium_pages.py --keep-db          # leave the world
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Throwaway databases, created and loaded with triggers off as the local superuser, as
# before the database roles (core/db_roles.py), whose application role can do neither.
os.environ.setdefault("POSTGRES_CONNECT_AS", "admin")
INSUREDS = 500
YEAR = 2026
TODAY = date(2026, 12, 2)
# 10:00 in Beijing: the same business day in UTC and in the project's time zone.
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
# Quarters declared of the three ended ones (Q1-Q3), by policy index modulo 4: half of
# all quarters declared, a quarter missing, Q4 (due 2027-01-15) not yet due.
DECLARED = (3, 2, 2, 1)
EXPORT_ROWS = 10_000
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


def default_database() -> str:
    own = os.environ.get("POSTGRES_DB", "tci")
    suffix = own.removeprefix("tci").lstrip("_")
    return f"tci_bench_pages_{suffix}" if suffix else "tci_bench_pages"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page")
    parser.add_argument(
        "--database", default=default_database(), help="default: %(default)s (from POSTGRES_DB)"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look")
    args = parser.parse_args()
    if not args.database.startswith("tci_bench"):
        parser.error("--database must start with tci_bench: this script drops and recreates it")
    return args


def set_environment(database: str) -> None:
    os.environ.update(
        POSTGRES_DB=database,
        DJANGO_SETTINGS_MODULE="config.settings",
        # Production-like: no DEBUG template checks or query log.
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="benchmark-only-not-a-secret-" + "x" * 32,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_ALLOWED_HOSTS="testserver",
        # Nothing leaves the machine: no task reaches a broker, no mail a server.
        CELERY_TASK_ALWAYS_EAGER="1",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )


def sequence_values(sequence_sql: str, count: int) -> list[int]:
    """`count` values of a sequence (a table's ids, or the debit note numbers)."""
    from django.db import connection

    with connection.cursor() as cursor:
        sql = f"SELECT nextval({sequence_sql}) FROM generate_series(1, %s)"  # noqa: S608 (ours)
        cursor.execute(sql, [count])
        return [row[0] for row in cursor.fetchall()]


def reserve_ids(model, count: int) -> list[int]:
    table = model._meta.db_table
    return sequence_values(f"pg_get_serial_sequence('\"{table}\"', 'id')", count)


def copy_rows(model, rows: list[dict], *, triggers: bool = True) -> int:
    """COPY dict rows (with their `id` if they have one) into the model's table. Columns
    the rows leave out take the field's default, NULL or '' as the ORM would write them.
    With `triggers=False` the row triggers (pghistory's audit copies) are skipped."""
    from django.db import connection, models
    from django.utils import timezone

    now = timezone.now()
    with_id = bool(rows) and "id" in rows[0]
    fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]

    def value(field, row):
        for name in (field.name, field.attname):
            if name in row:
                return row[name]
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return now
        if field.has_default():
            return field.get_default()
        if field.null:
            return None
        if isinstance(field, models.CharField | models.TextField):
            return ""
        raise ValueError(f"{model.__name__}.{field.name} needs a value")

    columns = ", ".join(f'"{f.column}"' for f in fields)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if not triggers:
            raw.execute("SET session_replication_role = replica")
        try:
            with raw.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([value(f, row) for f in fields])
                    count += 1
        finally:
            if not triggers:
                raw.execute("SET session_replication_role = DEFAULT")
    return count


def build_world(args):
    from django.contrib.contenttypes.models import ContentType
    from django.core.serializers.json import DjangoJSONEncoder
    from django.urls import reverse

    from accounts.choices import Role
    from deadlines.choices import DeadlineKind, DeadlineParty, DeadlineStatus
    from deadlines.models import Deadline
    from policies.choices import PolicyStatus
    from policies.models import Policy
    from premiums import rules, texts
    from premiums.choices import DebitNoteKind, DebitNoteStatus, DeclarationStatus
    from premiums.models import DebitNote, DebitNoteLine, Declaration, Payment
    from tests.factories import InsurerFactory, OrganisationFactory, PolicyFactory, UserFactory

    insurer = InsurerFactory()
    staff = UserFactory(username="bench_underwriter", organisation=insurer, role=Role.UNDERWRITER)
    insureds = [OrganisationFactory() for _ in range(INSUREDS)]
    approver = UserFactory(username="bench_approver", organisation=insureds[0], role=Role.APPROVER)
    policies = [
        PolicyFactory.build(
            insured=insureds[i % INSUREDS],
            policy_number=f"TCI{YEAR}{i:07d}",
            period_start=date(YEAR, 1, 1),
            period_end=date(YEAR, 12, 31),
            status=PolicyStatus.IN_FORCE,
            estimated_annual_turnover=Decimal("50000000"),
            premium_rate_percent=Decimal("0.5"),
        )  # fmt: skip
        for i in range(args.policies)
    ]
    Policy.objects.bulk_create(policies, batch_size=5000)
    log(f"policies: {len(policies):,} over {INSUREDS} insureds (bulk_create, audited)")

    policy_type = ContentType.objects.get_for_model(Policy)
    note_type = ContentType.objects.get_for_model(DebitNote)
    policy_url = reverse("premiums:policy", args=[999999999]).replace("999999999", "{}")
    note_url = reverse("premiums:debit_note", args=[999999999]).replace("999999999", "{}")
    issued_on = date(YEAR, 1, 1)  # the account opened at inception

    # Declaration deadlines and declarations, as premium_account_open and the
    # declarations since (declaration_submit meets the deadline) leave them.
    deadlines, declarations = [], []
    for i, policy in enumerate(policies):
        preparer = approver if policy.insured_id == approver.organisation_id else staff
        quarters = rules.policy_quarters(
            period_start=policy.period_start, period_end=policy.period_end
        )
        for q in quarters:
            due_on = rules.declaration_due_on(
                quarter_end=q.end, deadline_days=policy.declaration_deadline_days
            )
            row = {
                "kind": DeadlineKind.DECLARATION,
                "party": DeadlineParty.INSURED,
                "policy_id": policy.pk,
                "subject_type_id": policy_type.pk,
                "subject_id": policy.pk,
                "key": q.label,
                "detail": f"{q.label} {q.start} – {q.end}",
                "url": policy_url.format(policy.pk),
                "due_on": due_on,
            }
            if q.index <= DECLARED[i % 4]:
                late = (i + q.index) % 10 == 0
                met_on = due_on + timedelta(days=6) if late else due_on - timedelta(days=4)
                row.update(status=DeadlineStatus.MET, met_on=met_on)
                declarations.append(
                    {
                        "policy_id": policy.pk,
                        "quarter": q.index,
                        "quarter_start": q.start,
                        "quarter_end": q.end,
                        "due_on": due_on,
                        "version": 1,
                        "turnover": Decimal(
                            10_000_000 + (i * 7919 + q.index * 104_729) % 5_000_000
                        ),
                        "nil": False,
                        "is_correction": False,
                        "correction_reason": "",
                        "status": DeclarationStatus.SUBMITTED,
                        "prepared_by_id": preparer.pk,
                        "submitted_by_id": preparer.pk,
                        "submitted_on": met_on,
                        "days_late": max(0, (met_on - due_on).days),
                        "upload_id": None,
                    }
                )
            elif due_on < TODAY:
                row["status"] = DeadlineStatus.MISSED  # the daily sweep flagged it
            else:
                row["status"] = DeadlineStatus.OPEN
            deadlines.append(row)

    # The instalment notes (note_issue: number from the sequence, one line, a payment
    # deadline); paid when due, but the last one of one policy in ten is overdue.
    plans = [
        rules.instalments(
            minimum_premium=p.minimum_premium,
            count=p.instalment_count,
            period_start=p.period_start,
            period_end=p.period_end,
        )
        for p in policies
    ]
    count = sum(len(plan) for plan in plans)
    ids = iter(reserve_ids(DebitNote, count))
    numbers = iter(sequence_values("'debit_note_number_seq'", count))
    notes, lines, payments = [], [], []
    for i, (policy, plan) in enumerate(zip(policies, plans, strict=True)):
        for instalment in plan:
            pk = next(ids)
            number = f"DN{issued_on:%Y}{next(numbers):07d}"
            due_on = max(instalment.due_on, issued_on)
            overdue = i % 10 == 0 and instalment.sequence == len(plan)
            notes.append(
                {
                    "id": pk,
                    "number": number,
                    "policy_id": policy.pk,
                    "kind": DebitNoteKind.INSTALMENT,
                    "sequence": instalment.sequence,
                    "issued_on": issued_on,
                    "due_on": due_on,
                    "amount": instalment.amount,
                    "paid_amount": Decimal(0) if overdue else instalment.amount,
                    "status": DebitNoteStatus.OVERDUE if overdue else DebitNoteStatus.PAID,
                    "corrects_id": None,
                }
            )
            text = texts.LINE_INSTALMENT(
                sequence=instalment.sequence, count=len(plan), minimum=policy.minimum_premium
            )
            lines.append(
                {
                    "debit_note_id": pk,
                    "position": 1,
                    "text_code": text.code,
                    "text_params": json.dumps(text.params, cls=DjangoJSONEncoder),
                    "amount": instalment.amount,
                    "policy_id": policy.pk,
                    "fee_buyer_id": None,
                }
            )
            row = {
                "kind": DeadlineKind.INSTALMENT,
                "party": DeadlineParty.INSURED,
                "policy_id": policy.pk,
                "subject_type_id": note_type.pk,
                "subject_id": pk,
                "key": "",
                "detail": number,
                "url": note_url.format(pk),
                "due_on": due_on,
            }
            if overdue:
                row["status"] = DeadlineStatus.MISSED
            else:
                paid_on = due_on + timedelta(days=i % 20)
                row.update(status=DeadlineStatus.MET, met_on=paid_on)
                payments.append(
                    {
                        "debit_note_id": pk,
                        "amount": instalment.amount,
                        "paid_on": paid_on,
                        "reference": f"BANK{pk:09d}",
                        "recorded_by_id": staff.pk,
                    }
                )
            deadlines.append(row)

    for model, rows, triggers in (
        (Deadline, deadlines, True),
        (Declaration, declarations, True),  # statement-level audit trigger: kept
        (DebitNote, notes, False),  # row-level audit trigger: skipped, reference data
        (DebitNoteLine, lines, True),
        (Payment, payments, True),
    ):
        began = time.perf_counter()
        copy_rows(model, rows, triggers=triggers)
        log(f"{model.__name__}: {len(rows):,} rows by COPY in {time.perf_counter() - began:.1f} s")
    return staff, approver, policies[0]


def world_counts() -> list[tuple[str, int]]:
    from django.db.models import Count

    from accounts.models import Organisation
    from deadlines.models import Deadline
    from policies.models import Policy
    from premiums.models import DebitNote, DebitNoteLine, Declaration, Payment

    rows = [
        ("organisations (insurer + insureds)", Organisation.objects.count()),
        ("policies", Policy.objects.count()),
        ("declarations (submitted)", Declaration.objects.count()),
        ("debit notes", DebitNote.objects.count()),
        ("debit note lines", DebitNoteLine.objects.count()),
        ("payments", Payment.objects.count()),
        ("deadlines", Deadline.objects.count()),
    ]
    by_kind = (
        Deadline.objects.order_by()
        .values_list("kind", "status")
        .annotate(n=Count("pk"))
        .order_by("kind", "status")
    )
    rows += [(f"  deadlines {kind} {status}", n) for kind, status, n in by_kind]
    rows += [
        (f"  debit notes {status}", n)
        for status, n in DebitNote.objects.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by("status")
    ]
    return rows


def measure(client, url: str, runs: int, check=None) -> tuple[float, int, int]:
    """Median wall time (ms) of `runs` requests after a warm-up, the SQL queries of one
    more request, and the size of the answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if response.streaming:
            return b"".join(response.streaming_content)
        return response.content

    body = get()  # warm-up
    if check:
        check(body)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        get()
        times.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as queries:
        get()
    return statistics.median(times), len(queries), len(body)


def main():
    args = parse_args()
    set_environment(args.database)
    host = os.environ.get("POSTGRES_HOST", "127.0.0.1")
    subprocess.run(
        ["dropdb", "-h", host, "-U", "postgres", "--if-exists", args.database], check=True
    )
    subprocess.run(["createdb", "-h", host, "-U", "postgres", args.database], check=True)
    import django

    django.setup()
    import time_machine
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings

    import core.views

    # No collectstatic output here: the pages' {% static %} from the app directories.
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    traveller = time_machine.travel(NOW, tick=True)
    traveller.start()
    try:
        log(f"migrating {args.database}")
        call_command("migrate", verbosity=0)
        log("migrated")
        staff, approver, policy = build_world(args)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        counts = world_counts()
        log("world loaded and analysed")

        underwriter, insured = Client(), Client()
        underwriter.force_login(staff)
        insured.force_login(approver)

        exported = min(EXPORT_ROWS, 4 * args.policies)

        def export_check(body: bytes) -> None:
            lines = body.decode("utf-8-sig").count("\n")
            assert lines == exported + 1, f"export of {lines - 1} rows, not {exported}"

        overview = "/premiums/declarations/"
        export = f"… ?export=csv (first {EXPORT_ROWS:,} rows)"
        pages = [
            ("underwriter", "declarations overview", overview),
            ("underwriter", "… ?state=missing", f"{overview}?state=missing"),
            ("underwriter", "… ?sort=-declared_turnover", f"{overview}?sort=-declared_turnover"),
            ("underwriter", export, f"{overview}?export=csv"),
            ("underwriter", "overdue debit notes", "/premiums/debit-notes/overdue/"),
            ("underwriter", "deadlines", "/deadlines/"),
            ("underwriter", "deadline calendar (December: empty)", "/deadlines/calendar/"),
            # 50,000 instalments due on 1 October and 50,000 declarations on 15 October.
            ("underwriter", "… ?month=2026-10", "/deadlines/calendar/?month=2026-10"),
            ("underwriter", "home", "/"),
            ("insured approver", "home", "/"),
            ("insured approver", "policy premium page", f"/premiums/policies/{policy.pk}/"),
        ]
        clients = {"underwriter": underwriter, "insured approver": insured}
        results = []
        for who, label, url in pages:
            cap, check = core.views.EXPORT_ROW_CAP, None
            if label == export:
                check = export_check
                # The export's cap is 100,000 rows: the first 10,000 here.
                core.views.EXPORT_ROW_CAP = EXPORT_ROWS
            try:
                median, queries, size = measure(clients[who], url, args.runs, check)
            finally:
                core.views.EXPORT_ROW_CAP = cap
            log(f"{who}: {label}: {median:.0f} ms, {queries} queries")
            results.append((who, label, url, median, queries, size))

        print()
        print(f"World ({args.policies:,} policies, today {TODAY}):")
        for label, n in counts:
            print(f"  {label:<40}{n:>10,}")
        print()
        print(f"Pages (median of {args.runs} after a warm-up, wall clock, test client):")
        print(f"  {'as':<17}{'page':<42}{'median ms':>10}{'queries':>9}{'KiB':>8}")
        for who, label, _url, median, queries, size in results:
            print(f"  {who:<17}{label:<42}{median:>10.1f}{queries:>9}{size / 1024:>8.0f}")
    finally:
        traveller.stop()
        connection.close()
        if not args.keep_db:
            subprocess.run(
                ["dropdb", "-h", host, "-U", "postgres", "--if-exists", args.database], check=False
            )
    log("done")


if __name__ == "__main__":
    main()
