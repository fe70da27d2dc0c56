"""Benchmark B1: limit decisions through the HTTP API, beside the same SQL through bare psycopg.

Creates its own database, loads a buyer register and a limit portfolio with COPY, starts
gunicorn on a free loopback port, and lets client threads decide submitted applications
with `POST /api/v1/limit-applications/{id}/decide/` (Token auth), in three runs:

- `grouped`: the clients take one buyer's ten applications together, so several
  underwriters decide on the same buyer at the same moment: the race SPEC 4 forbids to
  win ("no decision may take the exposure above it, also when two underwriters decide
  at the same moment");
- `spread`: round-robin over buyers, no two clients on one buyer;
- `rate`: a fixed rate of requests (default 100/s, spread order), latency measured from
  each request's scheduled time, so that a slow answer delays nothing unmeasured.

Beside each run stands a baseline measured in the same run: the SQL statements that the
API sent for decisions of the same kind (captured in this process through the same
view, on a copy of the database) replayed through bare psycopg, each decision as
BEGIN, its statements, ROLLBACK, from as many threads (or at the same rate), so that
the replays lock the same rows and wait for each other as the API's decisions do. The
ratio API / baseline is what holds on a noisy machine.

Prints one JSON document; checks at the end that no buyer's aggregate exposure exceeds
its capacity, that every granted answer has exactly its limit and decision, that no
request failed and that PostgreSQL counted no deadlock. Exit status 0 only if all holds.

    .venv/bin/python benchmarks/decisions_api.py                       # 100k buyers
    .venv/bin/python benchmarks/decisions_api.py --buyers 20000 --limits 20000 --decisions 1000

Only loopback traffic: the server binds 127.0.0.1 and the clients call 127.0.0.1.
"""

import argparse
import cProfile
import http.client
import json
import os
import pstats
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from queue import Empty, Queue

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
CAPACITY = Decimal("10000000.00")  # every grade 1-7 (SPEC 4 capacity by grade)
APPLICANT_POLICIES = 10  # applications per buyer: one from each applicant policy
PORTFOLIO_POLICIES = 20  # policies holding the loaded limits
PARTIAL_SHARE = Decimal("0.6")
CAPTURE_WARM_UP = 20  # decisions made in-process before the captured ones (caches, imports)
# Throwaway databases, created and loaded with triggers off as the local superuser, as
# before the database roles (core/db_roles.py), whose application role can do neither.
os.environ.setdefault("POSTGRES_CONNECT_AS", "admin")
# A Redis database of the developer's own (tests use it too), never another's.
BROKER = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
TARGETS = {"decisions_per_s": 250, "p99_ms_at_rate": 50}


def default_database() -> str:
    """tci_bench_decisions, or tci_bench_decisions_<x> for POSTGRES_DB=tci_<x>."""
    own = os.environ.get("POSTGRES_DB", "tci")
    suffix = own.removeprefix("tci_") if own.startswith("tci_") else ""
    suffix = "".join(c if c.isalnum() else "_" for c in suffix)
    return f"tci_bench_decisions_{suffix}" if suffix else "tci_bench_decisions"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=100_000)
    parser.add_argument("--limits", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--decisions", type=int, default=2_000, help="per run")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--rate", type=float, default=100.0, help="requests/s of the rate run")
    parser.add_argument("--rate-seconds", type=float, default=10.0, help="length of the rate run")
    parser.add_argument("--capture", type=int, default=200, help="decisions captured for replay")
    parser.add_argument("--runs", default="grouped,spread,rate")
    parser.add_argument("--database", default=default_database(), help="default: %(default)s")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look")
    parser.add_argument(
        "--reuse-migrated",
        action="store_true",
        help="start from <database>_migrated (made on the first such run, kept; migrate "
        "still runs on the copy) instead of migrating an empty database",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print cProfile's top functions of the captured decisions (in-process) to stderr",
    )
    parser.add_argument(
        "--statements-out", help="write the captured statements of each decision (JSON) here"
    )
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    args.runs = [run.strip() for run in args.runs.split(",") if run.strip()]
    if not set(args.runs) <= {"grouped", "spread", "rate"}:
        parser.error("--runs takes grouped, spread and rate")
    if not args.database.startswith("tci_bench"):
        parser.error("--database must start with tci_bench: this script drops and recreates it")
    args.rate_decisions = int(args.rate * args.rate_seconds)
    needed = (
        args.decisions * sum(run != "rate" for run in args.runs)
        + args.rate_decisions * ("rate" in args.runs)
        + args.capture
        + CAPTURE_WARM_UP
    )
    if needed > args.buyers * APPLICANT_POLICIES:
        parser.error(f"{needed} applications need at least {needed // APPLICANT_POLICIES} buyers")
    return args


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


# --- database ----------------------------------------------------------------------------


def pg_params() -> dict:
    return {
        "host": os.environ.get("POSTGRES_HOST", "127.0.0.1"),
        "port": int(os.environ.get("POSTGRES_PORT", "5432")),
        "user": os.environ.get("POSTGRES_ADMIN_USER", "postgres"),
        "password": os.environ.get("POSTGRES_ADMIN_PASSWORD", ""),
    }


def admin_execute(*statements) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **pg_params()) as conn:
        for statement in statements:
            conn.execute(statement)


def drop_database(name: str) -> None:
    from psycopg import sql

    admin_execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **pg_params()) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def recreate_database(name: str, *, template: str | None = None) -> None:
    from psycopg import sql

    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        create = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)
        )
    drop_database(name)
    admin_execute(create)


def server_env(database: str) -> dict:
    env = dict(os.environ)
    env.update(
        POSTGRES_DB=database,
        DJANGO_SETTINGS_MODULE="config.settings",
        # Production-like: no DEBUG query log, persistent connections.
        DJANGO_DEBUG="0",
        POSTGRES_CONN_MAX_AGE="60",
        DJANGO_SECRET_KEY="benchmark-only-not-a-secret-" + "x" * 32,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="ERROR",  # a capacity refusal is an expected 400
        # As in production, a decision queues its letter's rendering and its e-mails for
        # the worker (none runs here): on this run's broker, purged at the end.
        CELERY_BROKER_URL=BROKER,
        CELERY_TASK_ALWAYS_EAGER="0",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    return env


def purge_broker() -> None:
    """Drop the tasks the decisions queued (letters, e-mails): no worker takes them here."""
    from config.celery import app

    app.control.purge()


def migrate(database: str) -> None:
    subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server_env(database),
        check=True,
    )


def setup_django(database: str) -> None:
    os.environ.update(server_env(database))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def copy_rows(model, rows, *, triggers: bool = False) -> int:
    """COPY dict rows into the model's table. Columns the caller leaves out take the
    field's default, NULL, or '' (text), as the ORM would write them. With
    `triggers=False` the row triggers (pghistory's audit copies) are skipped: a bulk
    load of reference data, not user actions."""
    from django.db import connection, models
    from django.utils import timezone

    now = timezone.now()
    with connection.cursor() as cursor:
        existing = {
            col.name
            for col in connection.introspection.get_table_description(cursor, model._meta.db_table)
        }
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.column in existing]

    def value(field, row):
        if field.name in row:
            found = row[field.name]
        elif field.attname in row:
            found = row[field.attname]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            found = now
        elif field.has_default():
            found = field.get_default()
        elif field.null:
            found = None
        elif isinstance(field, models.CharField | models.TextField):
            found = ""
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value")
        if isinstance(field, models.JSONField):
            return field.get_db_prep_save(found, connection)
        return found

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
        raw.execute(f'ANALYZE "{model._meta.db_table}"')
    return count


def load(args) -> dict:
    """The register, the portfolio, the applicant policies, applications and users.

    Each run decides the applications of its own buyers (ten per buyer, one from each
    applicant policy, 1.0-2.5 million each, so that about half fit under the capacity
    the portfolio leaves); the captured decisions have buyers of their own too."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.choices import OrganisationKind, Role
    from accounts.models import Organisation, User
    from buyers.models import Buyer, BuyerCapacity
    from core.uscc import uscc_with_check
    from limits.choices import ApplicationStatus, LimitSource, LimitStatus, RequestType
    from limits.exposure import exposure_rebuild
    from limits.models import CreditLimit, LimitApplication
    from policies.choices import PolicyStatus
    from policies.models import Policy
    from policies.rules import maximum_liability, minimum_premium

    rng = random.Random(args.seed)
    today = timezone.localdate()
    now = timezone.now()

    for grade in range(1, 11):
        BuyerCapacity.objects.create(
            risk_grade=grade, max_exposure=CAPACITY if grade <= 7 else Decimal(0)
        )

    started = time.perf_counter()
    copy_rows(
        Buyer,
        (
            {
                "uscc": uscc_with_check(f"914403{n:010d}2"[:17]),
                "name": f"基准测试买方{n:06d}电子有限公司",
                "region": "44",
                "industry": "C",
                "status": "active",
                "risk_grade": 1 + n % 7,
                "is_public_body": False,
            }
            for n in range(args.buyers)
        ),
    )
    buyer_ids = list(Buyer.objects.order_by("id").values_list("id", flat=True))
    log(f"loaded {len(buyer_ids):,} buyers in {time.perf_counter() - started:.1f} s")

    insurer = Organisation.objects.create(kind=OrganisationKind.INSURER, name="基准保险公司")
    serial = iter(range(1, 10_000))

    def insured_with_policy(label: str):
        n = next(serial)
        insured = Organisation.objects.create(
            kind=OrganisationKind.INSURED,
            name=f"基准{label}{n:03d}有限公司",
            uscc=uscc_with_check(f"913301{n:010d}1"[:17]),
            region="33",
            industry="C",
        )
        turnover = Decimal("50000000")
        premium = minimum_premium(
            estimated_annual_turnover=turnover, premium_rate_percent=Decimal("0.5")
        )
        policy = Policy.objects.create(
            insured=insured,
            policy_number=f"BENCH{n:06d}",
            status=PolicyStatus.IN_FORCE,
            period_start=today - timedelta(days=30),
            period_end=today + timedelta(days=334),
            estimated_annual_turnover=turnover,
            premium_rate_percent=Decimal("0.5"),
            annual_credit_turnover=Decimal("60000000"),
            buyer_count=100,
            minimum_premium=premium,
            max_liability=maximum_liability(minimum_premium=premium, multiple=50),
        )
        # No e-mail address: a decision notifies in-app only, no outbox delivery.
        user = User.objects.create(
            username=f"bench-insured-{n}", organisation=insured, role=Role.APPROVER, email=""
        )
        return policy, user

    applicants = [insured_with_policy("被保险人") for _ in range(APPLICANT_POLICIES)]
    portfolio = [insured_with_policy("组合被保险人")[0] for _ in range(PORTFOLIO_POLICIES)]

    # Each buyer carries up to half its capacity in the portfolio, over all its limits.
    per_buyer = -(-args.limits // len(buyer_ids))
    max_cents = int(min(Decimal("3000000"), CAPACITY / 2 / per_buyer) * 100)
    started = time.perf_counter()
    copy_rows(
        CreditLimit,
        (
            {
                "policy_id": portfolio[(i // len(buyer_ids)) % PORTFOLIO_POLICIES].pk,
                "buyer_id": buyer_ids[i % len(buyer_ids)],
                "amount": Decimal(rng.randint(5_000_000, max_cents)) / 100,
                "payment_terms_days": 60,
                "status": LimitStatus.ACTIVE,
                "source": LimitSource.INSURER,
                "effective_from": today - timedelta(days=rng.randint(1, 300)),
                "next_review_on": today + timedelta(days=rng.randint(30, 365)),
            }
            for i in range(args.limits)
        ),
    )
    exposure_rebuild()  # the buyers' stored totals: the COPY ran with triggers off
    log(f"loaded {args.limits:,} credit limits in {time.perf_counter() - started:.1f} s")

    blocks = [(run, args.rate_decisions if run == "rate" else args.decisions) for run in args.runs]
    blocks.append(("capture", CAPTURE_WARM_UP + args.capture))
    applications, first_buyer, block_of_buyer = [], 0, {}
    for run, count in blocks:
        for k in range(count):
            policy, user = applicants[k % APPLICANT_POLICIES]
            buyer_id = buyer_ids[first_buyer + k // APPLICANT_POLICIES]
            block_of_buyer[buyer_id] = run
            applications.append(
                {
                    "policy_id": policy.pk,
                    "buyer_id": buyer_id,
                    "request_type": RequestType.NEW,
                    "status": ApplicationStatus.SUBMITTED,
                    "requested_amount": Decimal(rng.randint(100_000_000, 250_000_000)) / 100,
                    "payment_terms_days": 60,
                    "overdue_amount": Decimal(0),
                    "worst_delay_days": 0,
                    "prepared_by_id": user.pk,
                    "submitted_by_id": user.pk,
                    "submitted_at": now - timedelta(days=rng.randint(0, 20)),
                }
            )
        first_buyer += -(-count // APPLICANT_POLICIES)
    copy_rows(LimitApplication, applications, triggers=True)
    queues: dict[str, list] = {run: [] for run, _count in blocks}
    for row in (
        LimitApplication.objects.filter(status=ApplicationStatus.SUBMITTED)
        .order_by("buyer_id", "id")
        .values_list("id", "buyer_id", "requested_amount")
    ):
        queues[block_of_buyer[row[1]]].append((row[0], row[2]))
    for run in ("spread", "rate"):
        if run in queues:  # k-th application of every buyer, then the (k+1)-th
            queue = queues[run]
            queues[run] = [
                r for k in range(APPLICANT_POLICIES) for r in queue[k::APPLICANT_POLICIES]
            ]

    tokens = []
    for n in range(args.clients):
        underwriter = User.objects.create(
            username=f"bench-underwriter-{n}",
            organisation=insurer,
            role=Role.UNDERWRITER,
            authority_amount=Decimal("1000000000"),  # no four-eyes: every decision applies
        )
        tokens.append(Token.objects.create(user=underwriter).key)
    return {"queues": queues, "tokens": tokens}


def decision_body(rng: random.Random, requested: Decimal) -> dict:
    """Half approved in full, half partially (60%)."""
    if rng.random() < 0.5:
        return {"outcome": "approve"}
    return {
        "outcome": "partial",
        "amount": str((requested * PARTIAL_SHARE).quantize(Decimal("0.01"))),
    }


# --- the statements of a decision, captured --------------------------------------------------


def capture_statements(args, queue, token: str) -> list[dict]:
    """The SQL the API sends for each decision, as sent (literal values, the audit
    context included), captured in this process through the same URL, view and
    settings as the server's, on a throw-away copy of the database: the applications
    stay submitted in the benchmark's own database, where the replays lock and write
    the same rows and roll back."""
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    connections.close_all()
    copy = f"{args.database}_capture"
    recreate_database(copy, template=args.database)
    connection.settings_dict["NAME"] = copy
    rng = random.Random(args.seed + 7)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    captured = []
    profile = cProfile.Profile() if args.profile else None
    try:
        for n, (application_id, requested) in enumerate(queue):
            if profile and n == CAPTURE_WARM_UP:
                profile.enable()
            url = f"/api/v1/limit-applications/{application_id}/decide/"
            body = decision_body(rng, requested)
            with CaptureQueriesContext(connection) as queries:
                response = client.post(url, body, content_type="application/json")
            if n < CAPTURE_WARM_UP:
                continue
            granted = response.status_code == 200
            if not granted and response.status_code != 400:
                raise RuntimeError(f"capture: {response.status_code} {response.content[:300]!r}")
            statements = [q["sql"] for q in queries.captured_queries]
            # Django logs BEGIN and COMMIT among the queries: the replay rolls back instead.
            statements = ["ROLLBACK" if sql == "COMMIT" else sql for sql in statements]
            captured.append({"granted": granted, "statements": statements})
        advance_sequences(source=copy, target=args.database)
    finally:
        if profile:
            profile.disable()
            stats = pstats.Stats(profile, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(30)
        connections.close_all()
        connection.settings_dict["NAME"] = args.database
        drop_database(copy)
    return captured


def advance_sequences(*, source: str, target: str) -> None:
    """The captured statements name the ids and references the copy drew (documents'
    LL-2026-000014...): the benchmark's database draws past them, so that the API's own
    rows never take a value a replayed INSERT writes."""
    import psycopg

    with psycopg.connect(dbname=source, autocommit=True, **pg_params()) as conn:
        drawn = conn.execute(
            "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences "
            "WHERE last_value IS NOT NULL"
        ).fetchall()
    with psycopg.connect(dbname=target, autocommit=True, **pg_params()) as conn:
        for name, value in drawn:
            conn.execute("SELECT setval(%s::regclass, %s)", [name, value])


# --- server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, log_file, *, workers: int, timeout: int = 60,
                   ready_path: str = "/api/v1/") -> subprocess.Popen:  # fmt: skip
    """gunicorn from the virtualenv on 127.0.0.1:`port`, returned once the application
    answers `ready_path` (any HTTP status: a 401 without a token is the app answering).
    The benchmarks that go through HTTP share it (buyer_search.py, pages.py)."""
    command = [
        str(VENV_BIN / "gunicorn"), "config.wsgi:application", "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}", "--timeout", str(timeout), "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        command, cwd=ROOT, env=env, stdout=log_file, stderr=log_file
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=2)  # noqa: S310
        except urllib.error.HTTPError:
            return server
        except OSError:
            time.sleep(0.3)
            continue
        return server
    raise RuntimeError("gunicorn did not answer within 60 s")


def start_server(args, port: int, log_file) -> subprocess.Popen:
    return start_gunicorn(server_env(args.database), port, log_file, workers=args.workers)


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def warm_up(port: int, token: str, workers: int) -> None:
    for _ in range(workers * 3):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/limit-queue/",
            headers={"Authorization": f"Token {token}"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()


# --- running the work --------------------------------------------------------------------


def run_work(jobs: list, do, *, threads: int, rate: float | None = None) -> dict:
    """Run `do(job, worker)` for every job from `threads` threads. Without `rate` each
    thread takes the next job as soon as it is done (closed loop); with `rate` job k is
    due at k / rate seconds and its latency counts from then (open loop)."""
    work: Queue = Queue()
    for index, job in enumerate(jobs):
        work.put((index, job))
    latencies: list[float] = []
    outcomes: Counter = Counter()
    samples: list[str] = []
    lock = threading.Lock()
    started = time.perf_counter()

    def worker(n: int) -> None:
        while True:
            try:
                index, job = work.get_nowait()
            except Empty:
                return
            due = started + index / rate if rate else time.perf_counter()
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                kind, detail = do(job, n)
            except Exception as error:  # noqa: BLE001 (counted and shown, never hidden)
                kind, detail = "error", repr(error)[:300]
            elapsed = time.perf_counter() - due
            with lock:
                latencies.append(elapsed)
                outcomes[kind] += 1
                if detail and len(samples) < 5:
                    samples.append(detail)

    pool = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - started
    return summary(latencies, wall, outcomes, samples)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(latencies, wall, outcomes, samples) -> dict:
    return {
        "decisions": len(latencies),
        "decisions_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "outcomes": dict(outcomes),
        **({"examples": samples} if samples else {}),
    }


def is_capacity_refusal(payload: dict) -> bool:
    """SPEC 4's refusal: on `amount` when the body gave one, else beside the fields."""
    return (
        len(payload) == 1
        and set(payload) <= {"amount", "non_field_errors"}
        and "capacity" in json.dumps(payload)
    )


def api_decider(port: int, tokens: list[str]):
    def decide(job, worker: int):
        application_id, body = job
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(
                "POST",
                f"/api/v1/limit-applications/{application_id}/decide/",
                body=json.dumps(body),
                headers={
                    "Authorization": f"Token {tokens[worker % len(tokens)]}",
                    "Content-Type": "application/json",
                    "Accept-Language": "en",
                },
            )
            response = connection.getresponse()
            status, raw = response.status, response.read()
        finally:
            connection.close()
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = {"raw": raw[:200].decode(errors="replace")}
        if status == 200 and payload.get("status") == "decided":
            return "granted", ""
        if status == 400 and is_capacity_refusal(payload):
            return "refused_capacity", ""
        return f"other_{status}", f"{status} {json.dumps(payload, ensure_ascii=False)[:300]}"

    return decide


def bare_replayer(database: str, threads: int):
    """Each thread its own psycopg connection (client-side binding, as Django's), each
    decision its captured statements in their order, BEGIN included, its COMMIT turned
    into ROLLBACK: the same locks, writes, triggers and round trips, none of the Python
    around them, and the database left as it was."""
    import psycopg

    connections = [
        psycopg.connect(
            dbname=database,
            autocommit=True,
            cursor_factory=psycopg.ClientCursor,
            options="-c pg_trgm.word_similarity_threshold=0.3",
            **pg_params(),
        )
        for _ in range(threads)
    ]

    def replay(statements, worker: int):
        connection = connections[worker]
        with connection.cursor() as cursor:
            try:
                for statement in statements:
                    cursor.execute(statement)
                    while cursor.nextset():
                        pass
            finally:
                if connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    cursor.execute("ROLLBACK")
        return "replayed", ""

    def close():
        for connection in connections:
            connection.close()

    return replay, close


def replay_jobs(captured: list[dict], count: int, *, grouped: bool) -> list[list[str]]:
    """`count` decisions' statements from the captured ones, in the run's order: with
    `grouped` each captured decision ten times in a row (the threads on one buyer at
    once, as the API's clients on one buyer's ten applications), else round-robin."""
    if grouped:
        return [
            captured[(k // APPLICANT_POLICIES) % len(captured)]["statements"] for k in range(count)
        ]
    return [captured[k % len(captured)]["statements"] for k in range(count)]


# --- checks ------------------------------------------------------------------------------


def check_database(database: str) -> dict:
    """SPEC 4: no buyer's aggregate exposure above its capacity; every granted decision
    has its limit with the decided amount (no lost or doubled write); counts."""
    from django.db import connection
    from django.db.models import F, Sum

    from buyers.models import BuyerCapacity
    from limits.choices import EXPOSURE_STATUSES, ApplicationStatus, ResponseCode
    from limits.models import CreditLimit, LimitApplication, LimitDecision

    capacity = dict(BuyerCapacity.objects.values_list("risk_grade", "max_exposure"))
    over = [
        row
        for row in CreditLimit.objects.filter(status__in=EXPOSURE_STATUSES)
        .order_by()
        .values("buyer_id", "buyer__risk_grade")
        .annotate(total=Sum("amount"))
        .iterator(chunk_size=10_000)
        if row["total"] > capacity.get(row["buyer__risk_grade"], Decimal(0))
    ]
    granted = LimitDecision.objects.filter(
        application__isnull=False,
        response_code__in=[ResponseCode.APPROVED, ResponseCode.PARTLY_APPROVED],
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = %s", [database])
        deadlocks = cursor.fetchone()[0]
    return {
        "buyers_over_capacity": len(over),
        "worst": [{k: str(v) for k, v in row.items()} for row in over[:3]],
        "granted_decisions": granted.count(),
        "granted_without_their_limit": granted.exclude(credit_limit__amount=F("amount")).count(),
        "decided_applications": LimitApplication.objects.filter(
            status=ApplicationStatus.DECIDED
        ).count(),
        "deadlocks": deadlocks,
    }


def statement_counts(captured: list[dict]) -> dict:
    def mean(rows):
        return round(statistics.mean(len(r["statements"]) for r in rows), 1) if rows else None

    granted = [r for r in captured if r["granted"]]
    refused = [r for r in captured if not r["granted"]]
    return {
        "granted": mean(granted),
        "refused": mean(refused),
        "all": mean(captured),
        "captured_decisions": len(captured),
        "note": "round trips to PostgreSQL per decision, BEGIN and COMMIT included",
    }


def main() -> int:
    args = parse_args()
    log(f"database {args.database}: create and migrate")
    migrated = f"{args.database}_migrated"
    reuse = args.reuse_migrated and database_exists(migrated)
    recreate_database(args.database, template=migrated if reuse else None)
    server = None
    server_log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept open for the server)
        "w", prefix="decisions_api-gunicorn-", suffix=".log", delete=False
    )
    try:
        migrate(args.database)
        if args.reuse_migrated and not reuse:
            recreate_database(migrated, template=args.database)
        setup_django(args.database)
        data = load(args)
        log(f"capturing the statements of {args.capture} decisions (copy of the database)")
        captured = capture_statements(args, data["queues"]["capture"], data["tokens"][0])
        if args.statements_out:
            Path(args.statements_out).write_text(json.dumps(captured, indent=1, ensure_ascii=False))
        port = free_port()
        log(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}, its log in {server_log.name}")
        server = start_server(args, port, server_log)
        warm_up(port, data["tokens"][0], args.workers)
        rng = random.Random(args.seed + 1)
        decide = api_decider(port, data["tokens"])
        report = {
            "scale": {
                "buyers": args.buyers, "limits": args.limits, "clients": args.clients,
                "gunicorn_workers": args.workers, "decisions_per_run": args.decisions,
            },
            "statements_per_decision": statement_counts(captured),
        }  # fmt: skip
        replay, close_replay = bare_replayer(args.database, args.clients)
        try:
            for run in args.runs:
                queue = data["queues"][run]
                jobs = [(application_id, decision_body(rng, req)) for application_id, req in queue]
                rate = args.rate if run == "rate" else None
                log(f"{run}: {len(jobs):,} decisions through the API")
                api = run_work(jobs, decide, threads=args.clients, rate=rate)
                log(f"{run}: the same number replayed through bare psycopg")
                bare = run_work(
                    replay_jobs(captured, len(jobs), grouped=run == "grouped"),
                    replay,
                    threads=args.clients,
                    rate=rate,
                )
                report[run] = {
                    "api": api,
                    "bare_baseline": bare,
                    "ratio_api_to_bare": {
                        "decisions_per_s": round(
                            api["decisions_per_s"] / bare["decisions_per_s"], 2
                        ),
                        "p50": round(api["p50_ms"] / bare["p50_ms"], 2),
                        "p99": round(api["p99_ms"] / bare["p99_ms"], 2),
                    },
                    **({"rate_per_s": args.rate} if rate else {}),
                }
        finally:
            close_replay()
        stop_server(server)
        server = None
        check = check_database(args.database)
        api_runs = [report[run]["api"] for run in args.runs]
        answered = sum(
            run["outcomes"].get("granted", 0) + run["outcomes"].get("refused_capacity", 0)
            for run in api_runs
        )
        granted = sum(run["outcomes"].get("granted", 0) for run in api_runs)
        report["checks"] = {
            **check,
            "api_answers_other_than_granted_or_refused": sum(r["decisions"] for r in api_runs)
            - answered,
            "database_agrees": check["granted_decisions"]
            == granted
            == check["decided_applications"],
        }
        closed = [
            report[run]["api"]["decisions_per_s"] for run in ("grouped", "spread") if run in report
        ]
        report["targets"] = {
            "decisions_per_s_at_least": TARGETS["decisions_per_s"],
            "decisions_per_s_met": bool(closed) and min(closed) >= TARGETS["decisions_per_s"],
            **(
                {
                    "p99_ms_at_rate_at_most": TARGETS["p99_ms_at_rate"],
                    "p99_at_rate_met": report["rate"]["api"]["p99_ms"] <= TARGETS["p99_ms_at_rate"],
                }
                if "rate" in report
                else {}
            ),
        }
        checks = report["checks"]
        ok = (
            checks["buyers_over_capacity"] == 0
            and checks["granted_without_their_limit"] == 0
            and checks["deadlocks"] == 0
            and checks["api_answers_other_than_granted_or_refused"] == 0
            and checks["database_agrees"]
            and all(
                report[run]["bare_baseline"]["outcomes"].keys() == {"replayed"} for run in args.runs
            )
        )
        report["result"] = "PASS" if ok else "FAIL"
        if ok:
            Path(server_log.name).unlink()
        else:
            report["server_log"] = server_log.name
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0 if ok else 1
    finally:
        if server is not None:
            stop_server(server)
        server_log.close()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
            purge_broker()
        if not args.keep_db:
            drop_database(args.database)
            log(f"database {args.database} dropped")


if __name__ == "__main__":
    sys.exit(main())
