"""Benchmark: limit decisions through the HTTP API under concurrent underwriters.

Creates its own database (default tci_bench) with the migrations, loads a buyer register
and a limit portfolio with COPY, starts gunicorn on a free loopback port, and lets N
client threads decide submitted applications with
`POST /api/v1/limit-applications/{id}/decide/` (Token auth). Applications come in
groups of one buyer asked for by several policies, more than its capacity allows, and
the clients take them in that order: several underwriters decide on the same buyer at
the same moment, which is the race SPEC 4 forbids to win ("no decision may take the
exposure above it, also when two underwriters decide at the same moment").

Prints decisions per second, p50/p95 latency, the counts (granted, refused for
capacity, other) and checks at the end that no buyer's aggregate exposure exceeds its
capacity. Stops the server it started and drops its database (unless --keep-db).

    .venv/bin/python benchmarks/decisions_api.py            # 100k buyers, 100k limits
    .venv/bin/python benchmarks/decisions_api.py --buyers 20000 --limits 20000 \\
        --clients 16 --decisions 4000 --workers 4

Only loopback traffic: the server binds 127.0.0.1 and the clients call 127.0.0.1.
"""

import argparse
import json
import os
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


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=100_000)
    parser.add_argument("--limits", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--decisions", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--database", default="tci_bench")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look")
    parser.add_argument(
        "--order",
        choices=["grouped", "spread"],
        default="grouped",
        help="grouped: the clients take one buyer's applications together (the capacity "
        "race, decisions on a buyer wait for each other); spread: round-robin over buyers",
    )
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    if not args.database.startswith("tci_bench"):
        parser.error("--database must start with tci_bench: this script drops and recreates it")
    if args.decisions > args.buyers * APPLICANT_POLICIES or args.decisions < 1:
        parser.error("--decisions must be between 1 and buyers × 10")
    return args


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


# --- database ----------------------------------------------------------------------------


def pg_params() -> dict:
    return {
        "host": os.environ.get("POSTGRES_HOST", "127.0.0.1"),
        "port": int(os.environ.get("POSTGRES_PORT", "5432")),
        "user": os.environ.get("POSTGRES_USER", "postgres"),
        "password": os.environ.get("POSTGRES_PASSWORD", ""),
    }


def recreate_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(dbname="postgres", autocommit=True, **pg_params()) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(dbname="postgres", autocommit=True, **pg_params()) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def server_env(database: str) -> dict:
    env = dict(os.environ)
    env.update(
        POSTGRES_DB=database,
        DJANGO_SETTINGS_MODULE="config.settings",
        # Production-like: no DEBUG query log, persistent connections.
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="benchmark-only-not-a-secret-" + "x" * 32,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="ERROR",  # a capacity refusal is an expected 400
        POSTGRES_CONN_MAX_AGE="60",
        # Side effects stay in-process: nothing reaches the shared Redis or a mail server.
        CELERY_TASK_ALWAYS_EAGER="1",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    return env


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
            return row[field.name]
        if field.attname in row:
            return row[field.attname]
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
        raw.execute(f'ANALYZE "{model._meta.db_table}"')
    return count


def load(args) -> dict:
    """The register, the portfolio, the applicant policies, applications and users."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.choices import OrganisationKind, Role
    from accounts.models import Organisation, User
    from buyers.models import Buyer, BuyerCapacity
    from core.uscc import uscc_with_check
    from limits.choices import ApplicationStatus, LimitSource, LimitStatus, RequestType
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

    # The insured under test first, then its fellow applicants on the same buyers.
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
    log(f"loaded {args.limits:,} credit limits in {time.perf_counter() - started:.1f} s")

    # Applications: for each buyer in turn, one per applicant policy, 1.0-2.5 M each,
    # so that about half fit under the capacity left by the portfolio.
    applications = []
    for k in range(args.decisions):
        policy, user = applicants[k % APPLICANT_POLICIES]
        applications.append(
            {
                "policy_id": policy.pk,
                "buyer_id": buyer_ids[k // APPLICANT_POLICIES],
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
    copy_rows(LimitApplication, applications, triggers=True)
    queue = list(
        LimitApplication.objects.filter(status=ApplicationStatus.SUBMITTED)
        .order_by("buyer_id", "id")
        .values_list("id", "requested_amount")
    )
    if args.order == "spread":
        # k-th application of every buyer, then the (k+1)-th: neighbours differ in buyer.
        queue = [row for k in range(APPLICANT_POLICIES) for row in queue[k::APPLICANT_POLICIES]]

    tokens = []
    for n in range(args.clients):
        underwriter = User.objects.create(
            username=f"bench-underwriter-{n}",
            organisation=insurer,
            role=Role.UNDERWRITER,
            authority_amount=Decimal("1000000000"),  # no four-eyes: every decision applies
        )
        tokens.append(Token.objects.create(user=underwriter).key)
    return {"queue": queue, "tokens": tokens}


# --- server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(args, port: int, log_file) -> subprocess.Popen:
    command = [
        str(VENV_BIN / "gunicorn"),
        "config.wsgi:application",
        "--workers", str(args.workers),
        "--bind", f"127.0.0.1:{port}",
        "--timeout", "60",
        "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        command, cwd=ROOT, env=server_env(args.database), stdout=log_file, stderr=log_file
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/", timeout=2)
        except urllib.error.HTTPError:
            return server  # 401 without a token: the app answers
        except OSError:
            time.sleep(0.3)
            continue
        return server
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- clients -----------------------------------------------------------------------------


def post(port: int, path: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept-Language": "en",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (http://127.0.0.1)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return error.code, json.loads(payload)
        except ValueError:
            return error.code, {"raw": payload[:200].decode(errors="replace")}


def warm_up(port: int, token: str, workers: int) -> None:
    for _ in range(workers * 3):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/limit-queue/",
            headers={"Authorization": f"Token {token}"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()


def run_clients(args, port: int, queue_rows, tokens) -> dict:
    work: Queue = Queue()
    rng = random.Random(args.seed + 1)
    for application_id, requested in queue_rows:
        if rng.random() < 0.5:
            body = {"outcome": "approve"}
        else:
            partial = (requested * PARTIAL_SHARE).quantize(Decimal("0.01"))
            body = {"outcome": "partial", "amount": str(partial)}
        work.put((application_id, body))

    latencies: list[float] = []
    outcomes: Counter = Counter()
    samples: list[str] = []
    lock = threading.Lock()

    def client(token: str) -> None:
        while True:
            try:
                application_id, body = work.get_nowait()
            except Empty:
                return
            path = f"/api/v1/limit-applications/{application_id}/decide/"
            started = time.perf_counter()
            status, payload = post(port, path, token, body)
            elapsed = time.perf_counter() - started
            if status == 200 and payload.get("status") == "decided":
                kind = "granted"
            elif status == 400 and set(payload) == {"amount"}:
                kind = "refused_capacity"
            else:
                kind = f"other_{status}"
            with lock:
                latencies.append(elapsed)
                outcomes[kind] += 1
                if kind.startswith("other") and len(samples) < 5:
                    samples.append(f"{status} {json.dumps(payload, ensure_ascii=False)[:300]}")

    threads = [
        threading.Thread(target=client, args=(tokens[i % len(tokens)],), daemon=True)
        for i in range(args.clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"latencies": latencies, "outcomes": outcomes, "samples": samples, "wall": wall}


# --- checks ------------------------------------------------------------------------------


def check_exposure() -> dict:
    """SPEC 4: no buyer's aggregate exposure above its capacity, and the decisions add up."""
    from django.db.models import Sum

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
    ).count()
    return {
        "buyers_over_capacity": len(over),
        "worst": over[:3],
        "granted_decisions": granted,
        "decided_applications": LimitApplication.objects.filter(
            status=ApplicationStatus.DECIDED
        ).count(),
        "still_submitted": LimitApplication.objects.filter(
            status=ApplicationStatus.SUBMITTED
        ).count(),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    args = parse_args()
    log(f"database {args.database}: create and migrate")
    recreate_database(args.database)
    server = None
    server_log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept open for the server)
        "w", prefix="decisions_api-gunicorn-", suffix=".log", delete=False
    )
    try:
        migrate(args.database)
        setup_django(args.database)
        data = load(args)
        port = free_port()
        log(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}, its log in {server_log.name}")
        server = start_server(args, port, server_log)
        warm_up(port, data["tokens"][0], args.workers)
        log(f"{args.clients} clients deciding {len(data['queue']):,} applications")
        result = run_clients(args, port, data["queue"], data["tokens"])
        stop_server(server)
        server = None
        check = check_exposure()
        latencies = result["latencies"]
        outcomes = result["outcomes"]
        print()
        print(f"buyers {args.buyers:,} · limits {args.limits:,} · clients {args.clients} · "
              f"gunicorn workers {args.workers} · decisions {len(latencies):,} · "
              f"order {args.order}")  # fmt: skip
        print(f"decisions per second   {len(latencies) / result['wall']:.1f}")
        print(f"latency p50            {statistics.median(latencies) * 1000:.1f} ms")
        print(f"latency p95            {percentile(latencies, 0.95) * 1000:.1f} ms")
        print(f"latency max            {max(latencies) * 1000:.1f} ms")
        print(f"granted                {outcomes['granted']:,}")
        print(f"refused for capacity   {outcomes['refused_capacity']:,}")
        others = {k: v for k, v in outcomes.items() if k.startswith("other")}
        print(f"other answers          {others or 0}")
        for sample in result["samples"]:
            print(f"    e.g. {sample}")
        print(f"buyers over capacity   {check['buyers_over_capacity']}")
        consistent = (
            check["granted_decisions"] == outcomes["granted"] == check["decided_applications"]
            and check["still_submitted"] == outcomes["refused_capacity"]
        )
        print(f"database agrees        {'yes' if consistent else 'NO'} ({check})")
        ok = check["buyers_over_capacity"] == 0 and consistent and not others
        print("RESULT                 " + ("PASS" if ok else "FAIL"))
        if ok:
            Path(server_log.name).unlink()
        else:
            print(f"server log kept in {server_log.name}")
        return 0 if ok else 1
    finally:
        if server is not None:
            stop_server(server)
        server_log.close()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep_db:
            drop_database(args.database)
            log(f"database {args.database} dropped")


if __name__ == "__main__":
    sys.exit(main())
