"""B7 (issue 10): every staff list and portal home at scale, through gunicorn with DEBUG off:
queries per page and server time, beside same-run baselines.

Builds its own database (tci_bench_b7, or tci_bench_b7_<x> for POSTGRES_DB=tci_<x>):
the premium book of `premium_pages.py` (N in-force policies over 500 insureds, their
declarations, instalment notes, payments and deadlines), N buyers with a credit limit
each, N submitted limit applications, N open limit reviews, N issued documents and N
notifications for each persona that reads the notifications list (all by COPY), then
`--units` units made through the services exactly as the query-count tests make them
(`tests/test_query_counts.add_unit`: a policy of the insured persona's with a paid claim,
a filed notice, an assignment agreement in force for the bank persona...). Then it
collects the static files, starts gunicorn (`DJANGO_DEBUG=0`, persistent connections,
`DJANGO_SERVER_TIMING=1` so that every answer carries `Server-Timing`: the time spent in
Django, the time spent in SQL and the number of queries, core/middleware.py), logs in
each role of the query-count table (a session cookie each) and requests every list
of that table (`PAGES`, `API_LISTS`) `--runs` times after two warm-ups.

Prints JSON: per page and role the queries, the server time p50/p95, and two baselines
from the same run: the page's own SQL time (what the database needs for it), and the
server time of a trivial page of the same role (the turnover calculator: session, user,
navigation and the base template, no rows), with the ratio of the page's p95 to it.

    .venv/bin/python benchmarks/pages.py                      # 50,000 rows per list
    .venv/bin/python benchmarks/pages.py --rows 5000 --units 4 --runs 10   # quick
    .venv/bin/python benchmarks/pages.py --keep-db            # keep the world ...
    .venv/bin/python benchmarks/pages.py --reuse              # ... and measure it again
"""

import argparse
import contextlib
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Throwaway databases, created and loaded with triggers off as the local superuser, as
# before the database roles (core/db_roles.py), whose application role can do neither.
os.environ.setdefault("POSTGRES_CONNECT_AS", "admin")

from benchmarks.decisions_api import (  # noqa: E402 (after the path)
    VENV_BIN,
    copy_rows,
    drop_database,
    free_port,
    recreate_database,
    server_env,
    start_gunicorn,
    stop_server,
)

TRIVIAL = "/limits/calculators/turnover/"  # a page with no rows: the baseline
TARGET_QUERIES, TARGET_P95_MS = 10, 100.0  # issue 10, B7
# The services' units are made on the test suite's business day, where their dates fit.
UNITS_DAY = datetime(2026, 9, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def default_database() -> str:
    suffix = os.environ.get("POSTGRES_DB", "tci").removeprefix("tci").lstrip("_")
    return f"tci_bench_b7_{suffix}" if suffix else "tci_bench_b7"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="policies, buyers, limits...")
    parser.add_argument("--units", type=int, default=10, help="units made by the services")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--database", default=default_database(), help="default: %(default)s")
    parser.add_argument("--keep-db", action="store_true", help="leave the database")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database again")
    args = parser.parse_args()
    if not args.database.startswith("tci_bench"):
        parser.error("--database must start with tci_bench: this script drops and recreates it")
    args.policies = args.rows  # for premium_pages.build_world
    return args


def environment(args, **extra) -> dict:
    env = server_env(args.database)
    env.update(
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_STATIC_ROOT=str(Path(tempfile.gettempdir()) / f"{args.database}_static"),
        **extra,
    )
    return env


def manage(args, *command: str) -> None:
    subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [str(VENV_BIN / "python"), "manage.py", *command], cwd=ROOT, env=environment(args),
        check=True,
    )  # fmt: skip


def create_migrated(args) -> None:
    """The database, migrated. Migrating from nothing takes minutes on a busy machine, so
    the first run keeps a migrated copy (`<database>_migrated`) and later runs start from
    it, applying only the migrations written since."""
    import psycopg
    from psycopg import sql

    from benchmarks.decisions_api import pg_params

    template = f"{args.database}_migrated"
    with psycopg.connect(dbname="postgres", autocommit=True, **pg_params()) as conn:
        have = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
    if have:
        log(f"creating {args.database} from {template}")
        drop_database(args.database)
        with psycopg.connect(dbname="postgres", autocommit=True, **pg_params()) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(args.database), sql.Identifier(template)
                )
            )
        manage(args, "migrate", "--noinput", "-v", "0")
        return
    log(f"creating and migrating {args.database}")
    recreate_database(args.database)
    manage(args, "migrate", "--noinput", "-v", "0")
    with psycopg.connect(dbname="postgres", autocommit=True, **pg_params()) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(template), sql.Identifier(args.database)
            )
        )


def load_lists(args, personas: dict) -> None:
    """N buyers with a limit each (on the book's policies in turn), N submitted
    applications, N open reviews, N issued documents, N notifications per reader."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from buyers.models import Buyer, BuyerCapacity
    from core.uscc import uscc_with_check
    from documents.models import Document
    from limits.choices import ApplicationStatus, LimitSource, LimitStatus, ReviewReason
    from limits.exposure import exposure_rebuild
    from limits.models import CreditLimit, LimitApplication, LimitReview
    from notifications.models import Notification
    from policies.models import Policy
    from tests.documents.samples import TINY_PDF as PDF

    today, now, n = timezone.localdate(), timezone.now(), args.rows
    for grade in range(1, 11):
        BuyerCapacity.objects.update_or_create(
            risk_grade=grade,
            defaults={"max_exposure": Decimal("50000000") if grade <= 7 else Decimal(0)},
        )
    copy_rows(Buyer, ({
        "uscc": uscc_with_check(f"913100{i:010d}3"[:17]), "name": f"页面基准买方{i:06d}电子有限公司",
        "region": "44", "industry": "C", "status": "active", "risk_grade": 1 + i % 7,
        "is_public_body": False,
    } for i in range(n)))  # fmt: skip
    buyers = list(Buyer.objects.order_by("id").values_list("id", flat=True))
    policies = list(Policy.objects.order_by("id").values_list("id", flat=True))
    copy_rows(CreditLimit, ({
        "policy_id": policies[i % len(policies)], "buyer_id": buyer, "amount": Decimal("500000"),
        "payment_terms_days": 60, "status": LimitStatus.ACTIVE, "source": LimitSource.INSURER,
        "effective_from": today - timedelta(days=1 + i % 300),
        "next_review_on": today + timedelta(days=30 + i % 300),
    } for i, buyer in enumerate(buyers)))  # fmt: skip
    exposure_rebuild()  # the buyers' stored totals: the COPY ran with triggers off
    applicant = personas["insured_a"]
    copy_rows(LimitApplication, ({
        "policy_id": policies[(i + 1) % len(policies)], "buyer_id": buyer,
        "request_type": "2", "status": ApplicationStatus.SUBMITTED,
        "requested_amount": Decimal("800000"), "payment_terms_days": 60,
        "overdue_amount": Decimal(0), "worst_delay_days": 0, "prepared_by_id": applicant.pk,
        "submitted_by_id": applicant.pk, "submitted_at": now - timedelta(hours=i % 500),
        "auto_note_params": {},
    } for i, buyer in enumerate(buyers)))  # fmt: skip
    limits = CreditLimit.objects.order_by("id").values_list("id", flat=True)
    copy_rows(LimitReview, ({
        "credit_limit_id": pk, "reason": ReviewReason.YEARLY,
        "due_on": today + timedelta(days=i % 60),
    } for i, pk in enumerate(limits)))  # fmt: skip
    policy_type = ContentType.objects.get_for_model(Policy)
    copy_rows(Document, ({
        "kind": "policy_schedule", "subject_type_id": policy_type.pk, "subject_id": pk,
        "policy_id": pk, "version": 1, "reference": f"PS-B7-{pk:08d}", "status": "issued",
        "filename": f"保险单-{pk}.pdf", "content": PDF, "size": len(PDF), "page_count": 1,
        "sha256": hashlib.sha256(PDF).hexdigest(), "issued_at": now,
    } for pk in policies))  # fmt: skip
    for reader in ("insured_a", "claims_handler"):
        copy_rows(Notification, ({
            "recipient_id": personas[reader].pk, "subject": f"通知 {i}", "url": "/",
            "params": {},
        } for i in range(n)))  # fmt: skip


def build(args) -> None:
    import time_machine
    from django.db import connection

    from accounts.choices import Role
    from benchmarks import premium_pages
    from tests.conftest import make_personas
    from tests.factories import BankFactory, InsurerFactory, OrganisationFactory, UserFactory
    from tests.test_query_counts import add_unit

    began = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # its log: stdout is the JSON's
        _staff, approver, _policy = premium_pages.build_world(args)
    personas = make_personas(
        insurer=InsurerFactory(), insured_a=approver.organisation,
        insured_b=OrganisationFactory(name="乙方被保险人有限公司"), bank_org=BankFactory(),
    )  # fmt: skip
    personas["insured_admin"] = UserFactory(
        username="insured_admin", organisation=approver.organisation, role=Role.INSURED_ADMIN,
        authority_amount=0,
    )  # fmt: skip
    log(f"premium book of {args.rows:,} policies in {time.perf_counter() - began:.0f} s")
    began = time.perf_counter()
    load_lists(args, personas)
    log(f"buyers, limits, applications, reviews, documents, notifications: "
        f"{time.perf_counter() - began:.0f} s")  # fmt: skip
    began = time.perf_counter()
    # The documents they ask for are rendered by the real renderers, eagerly on commit.
    with time_machine.travel(UNITS_DAY, tick=True):
        for i in range(args.units):
            add_unit(personas, i)
    log(f"{args.units} units through the services in {time.perf_counter() - began:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def world_counts() -> dict:
    from django.apps import apps

    labels = [
        "policies.Policy", "buyers.Buyer", "limits.CreditLimit", "limits.LimitApplication",
        "limits.LimitDecision", "limits.LimitReview", "premiums.Declaration",
        "premiums.DebitNote", "premiums.Payment", "deadlines.Deadline", "claims.OverdueNotice",
        "claims.Claim", "banks.AssignmentAgreement", "banks.BankEvent", "documents.Document",
        "notifications.Notification",
    ]  # fmt: skip
    return {label: apps.get_model(label).objects.count() for label in labels}


def session_cookies(roles) -> dict:
    """A logged-in session per role (as `login` leaves one), by its cookie."""
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    cookies = {}
    for role in roles:
        client = Client()
        client.force_login(User.objects.get(username=role))
        cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


def start_server(args, port: int, log_file) -> subprocess.Popen:
    return start_gunicorn(
        environment(args, DJANGO_SERVER_TIMING="1"), port, log_file, workers=args.workers,
        timeout=120, ready_path="/login/",
    )  # fmt: skip


def fetch(port: int, url: str, cookie: str) -> dict:
    """One request: the status, and the Server-Timing figures of the answer."""
    from django.conf import settings

    request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1)
        f"http://127.0.0.1:{port}{url}",
        headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            response.read()
            status, timing = response.status, response.headers["Server-Timing"]
    except urllib.error.HTTPError as error:
        return {"status": error.code}
    figures = {}
    for metric in timing.split(","):
        name, *parts = (part.strip() for part in metric.split(";"))
        for part in parts:
            key, _, value = part.partition("=")
            figures[f"{name}_{key}"] = value.strip('"')
    return {
        "status": status, "total_ms": float(figures["total_dur"]),
        "sql_ms": float(figures["sql_dur"]), "queries": int(figures["sql_desc"]),
    }  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(answers: list[dict]) -> dict:
    totals = [a["total_ms"] for a in answers]
    sqls = [a["sql_ms"] for a in answers]
    return {
        "queries": max(a["queries"] for a in answers),
        "server_p50_ms": round(statistics.median(totals), 1),
        "server_p95_ms": round(percentile(totals, 0.95), 1),
        "sql_p50_ms": round(statistics.median(sqls), 1),
        "sql_p95_ms": round(percentile(sqls, 0.95), 1),
    }


def measure(port: int, url: str, cookie: str, runs: int) -> dict:
    """`runs` requests of the page, each followed by one of the trivial page as the same
    user, so that both see the same moments of a noisy machine."""
    for _ in range(2):  # each worker process warm
        fetch(port, url, cookie)
        fetch(port, TRIVIAL, cookie)
    pairs = [(fetch(port, url, cookie), fetch(port, TRIVIAL, cookie)) for _ in range(runs)]
    bad = [a["status"] for pair in pairs for a in pair if a["status"] != 200]
    if bad:
        return {"status": bad[0]}
    page, trivial = summary([p for p, _t in pairs]), summary([t for _p, t in pairs])
    return {
        "status": 200,
        **page,
        "trivial_page_p50_ms": trivial["server_p50_ms"],
        "trivial_page_p95_ms": trivial["server_p95_ms"],
        "p95_over_trivial": round(page["server_p95_ms"] / trivial["server_p95_ms"], 1),
        "meets_target": page["queries"] <= TARGET_QUERIES
        and page["server_p95_ms"] <= TARGET_P95_MS,
    }


def main() -> int:
    args = parse_args()
    os.environ.update(environment(args))
    if not args.reuse:
        create_migrated(args)
    log("collecting the static files")
    manage(args, "collectstatic", "--noinput", "-v", "0")
    import django

    django.setup()
    from django.db import connection

    from tests.test_query_counts import API_LISTS, PAGES

    if not args.reuse:
        build(args)
    counts = world_counts()
    log(f"world: {counts}")
    cases = [(entry, role) for entry in PAGES + API_LISTS for role in entry.roles]
    cookies = session_cookies({role for _entry, role in cases})
    connection.close()
    port = free_port()
    with tempfile.NamedTemporaryFile(
        "w", prefix="pages-gunicorn-", suffix=".log", delete=False
    ) as server_log:
        server = start_server(args, port, server_log)
        log(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}, log {server_log.name}")
        try:
            pages = []
            for entry, role in cases:
                result = measure(port, entry.url, cookies[role], args.runs)
                pages.append({"url": entry.url, "role": role, **result})
                log(f"{role} {entry.url}: {result}")
        finally:
            stop_server(server)
    report = {
        "benchmark": "B7 pages",
        "database": args.database,
        "world": counts,
        "runs": args.runs,
        "gunicorn_workers": args.workers,
        "target": {"queries": TARGET_QUERIES, "server_p95_ms": TARGET_P95_MS},
        "baseline_trivial_page": TRIVIAL,
        "load_average": os.getloadavg(),
        "pages": pages,
        "failing": [f"{p['role']} {p['url']}" for p in pages if not p.get("meets_target")],
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if not args.keep_db and not args.reuse:
        drop_database(args.database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
