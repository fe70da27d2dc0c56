"""B4 timers (issue 10): 100,000 waiting periods and deadlines falling due at once, swept by
the real Celery worker.

Builds its own database (tci_bench_timers, or tci_bench_timers_<x> for POSTGRES_DB=tci_<x>):
`manage.py scale_data` at a small scale with `--claims` claims, then, as of today, puts
half of the due items in the claims' five-month waiting period, ended yesterday, and the
other half as declaration deadlines of the insureds (`Deadline`, due yesterday, open),
and gives every portal user an e-mail address so that each notice also writes an e-mail.

Then it starts a worker (`celery worker --pool=prefork --concurrency 4`, as `make run`;
its own Redis database, the in-memory e-mail backend) and sends the two daily sweeps twice each
(`claims.tasks.sweep_claims`, `deadlines.tasks.sweep_deadlines`): two sweepers of each
kind run at once, as when beat and an operator start one together. It measures:

- the time until every claim is in assessment and every deadline missed (and the sweep
  tasks have returned), and the worker's CPU seconds;
- the time until the e-mails they wrote have left the outbox;
- duplicates: status-change rows, missed reminders, notifications and e-mails per item
  (each must be exactly one per item and recipient).

Baseline from the same run: the same writes as set-based SQL in one transaction (rolled
back): UPDATE ... RETURNING of every due row, INSERT ... SELECT of their status-change
rows, missed reminders and notifications joined to the recipients.

    .venv/bin/python benchmarks/timers.py                   # 100,000 due items
    .venv/bin/python benchmarks/timers.py --items 10000     # quick
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("POSTGRES_CONNECT_AS", "admin")  # its own throwaway database

from benchmarks.documents_render import group_cpu_seconds  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"
WORKER_LOG = ROOT / "var" / "benchmark-timers-worker.log"
QUEUE = "bench-timers"


def default_database() -> str:
    suffix = os.environ.get("POSTGRES_DB", "tci").removeprefix("tci").lstrip("_")
    return f"tci_bench_timers_{suffix}" if suffix else "tci_bench_timers"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=default_database(), help="default: %(default)s")
    parser.add_argument("--items", type=int, default=100_000, help="due items, half of each")
    parser.add_argument("--sweepers", type=int, default=2, help="sweeps of each kind at once")
    parser.add_argument(
        "--concurrency", type=int, default=4, help="worker pool processes (as make run)"
    )
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    if not args.database.startswith("tci_bench"):
        parser.error("--database must start with tci_bench: this script drops it")
    return args


def pg(dbname: str, *, autocommit: bool = True):
    import psycopg

    return psycopg.connect(
        host=os.environ.get("POSTGRES_HOST", "127.0.0.1"),
        port=int(os.environ.get("POSTGRES_PORT", "5432")),
        user=os.environ.get("POSTGRES_USER", "postgres"),
        password=os.environ.get("POSTGRES_PASSWORD", ""),
        dbname=dbname,
        autocommit=autocommit,
    )


def env_for(args) -> dict:
    return {
        **os.environ, "POSTGRES_DB": args.database, "CELERY_BROKER_URL": args.broker,
        "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "0",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "benchmark-only-not-a-secret"),
    }  # fmt: skip


def load(args) -> float:
    """A fresh database with the scale data; returns the seconds it took."""
    from psycopg import sql

    started = time.monotonic()
    with pg("postgres") as conn:
        name = sql.Identifier(args.database)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    claims = args.items // 2
    scale = ["--buyers", str(claims * 4), "--policies", str(max(1, claims // 25)),
             "--limits", str(claims * 4), "--applications", "0", "--declarations", "0",
             "--notices", str(claims * 3 // 2), "--claims", str(claims)]  # fmt: skip
    for command in (["migrate", "--noinput", "-v", "0"], ["scale_data", *scale]):
        print(f"manage.py {' '.join(command)}", file=sys.stderr, flush=True)
        subprocess.run([str(PYTHON), "manage.py", *command], cwd=ROOT, env=env_for(args),  # noqa: S603
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return time.monotonic() - started


def make_due(conn, *, claims: int, deadlines: int, today) -> dict:
    """Everything falls due at once: `claims` claims whose waiting period ended yesterday
    and `deadlines` insured declaration deadlines due yesterday (written as the data loader
    writes, with the triggers off: this is the world as the night before, not a move)."""
    yesterday = today - timedelta(days=1)
    with conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        moved = conn.execute(
            """UPDATE claims_claim SET status = 'waiting', cause = 'protracted_default',
                   documents_complete_on = %s, waiting_ends_on = %s, decision_due_on = %s
               WHERE id IN (SELECT id FROM claims_claim ORDER BY id LIMIT %s)""",
            [yesterday - timedelta(days=153), yesterday, yesterday + timedelta(days=30), claims],
        ).rowcount
        policy_type = conn.execute(
            "SELECT id FROM django_content_type WHERE app_label = 'policies' AND model = 'policy'"
        ).fetchone()[0]
        created = conn.execute(
            """INSERT INTO deadlines_deadline (kind, party, policy_id, subject_type_id,
                   subject_id, key, detail, url, private, due_on, status, created_at, updated_at)
               SELECT 'declaration', 'insured', p.id, %s, p.id, 'B' || n, 'Q3 ' || n,
                      '/policies/' || p.id || '/', false, %s, 'open', now(), now()
               FROM generate_series(1, %s) AS n
               JOIN LATERAL (SELECT id FROM policies_policy
                             ORDER BY id OFFSET (n %% (SELECT count(*) FROM policies_policy))
                             LIMIT 1) p ON true""",
            [policy_type, yesterday, deadlines],
        ).rowcount
        conn.execute(
            "UPDATE accounts_user SET email = username || '@bench.example' "
            "WHERE email = '' AND organisation_id IS NOT NULL"
        )
    conn.execute("ANALYZE")
    return {"claims": moved, "deadlines": created}


def high_water(conn) -> dict:
    tables = ("claims_claimstatuschange", "deadlines_deadlinestatuschange",
              "deadlines_deadlinereminder", "notifications_notification",
              "notifications_outboxmessage")  # fmt: skip
    return {
        t: conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0]  # noqa: S608
        for t in tables
    }


def still_due(conn, today) -> int:
    return conn.execute(
        """SELECT (SELECT count(*) FROM claims_claim WHERE status = 'waiting'
                     AND cause = 'protracted_default' AND waiting_ends_on < %s)
                + (SELECT count(*) FROM deadlines_deadline WHERE status = 'open'
                     AND due_on < %s)""",
        [today, today],
    ).fetchone()[0]


def outbox_pending(conn) -> int:
    return conn.execute(
        "SELECT count(*) FROM notifications_outboxmessage WHERE status <> 'sent'"
    ).fetchone()[0]


RECIPIENTS = """JOIN policies_policy p ON p.id = x.policy_id
    JOIN accounts_user u ON u.organisation_id = p.insured_id AND u.is_active
         AND u.role IN ('insured_admin', 'approver', 'clerk')"""


def baseline(conn, today) -> float:
    """The same writes as set-based SQL, one transaction, rolled back: seconds."""
    started = time.perf_counter()
    with conn.transaction(force_rollback=True):
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(
            """CREATE TEMP TABLE moved_claims ON COMMIT DROP AS
               WITH m AS (UPDATE claims_claim SET status = 'assessment', updated_at = now()
                          WHERE status = 'waiting' AND cause = 'protracted_default'
                            AND waiting_ends_on <= %s RETURNING id, policy_id, reference)
               SELECT * FROM m""",
            [today],
        )
        conn.execute(
            """INSERT INTO claims_claimstatuschange (claim_id, action, from_status, to_status,
                   job, reason, created_at)
               SELECT id, 'end_waiting', 'waiting', 'assessment', 'claims.waiting-period', '', now()
               FROM moved_claims"""
        )
        conn.execute(
            """CREATE TEMP TABLE moved_deadlines ON COMMIT DROP AS
               WITH m AS (UPDATE deadlines_deadline SET status = 'missed', updated_at = now()
                          WHERE status = 'open' AND due_on < %s RETURNING id, policy_id)
               SELECT * FROM m""",
            [today],
        )
        conn.execute(
            """INSERT INTO deadlines_deadlinestatuschange (deadline_id, action, from_status,
                   to_status, job, reason, created_at)
               SELECT id, 'miss', 'open', 'missed', 'deadlines.sweep', '', now()
               FROM moved_deadlines"""
        )
        conn.execute(
            """INSERT INTO deadlines_deadlinereminder (deadline_id, offset_days, sent_at)
               SELECT id, -1, now() FROM moved_deadlines"""
        )
        for source in ("moved_claims", "moved_deadlines"):
            conn.execute(
                f"""INSERT INTO notifications_notification (recipient_id, subject, body,
                        subject_code, body_code, params, url, created_at)
                    SELECT u.id, 'subject', 'body', 'code', '', '{{}}'::jsonb, '/x/', now()
                    FROM {source} x {RECIPIENTS}"""  # noqa: S608 (fixed names)
            )
            conn.execute(
                f"""INSERT INTO notifications_outboxmessage (kind, payload, status, attempts,
                        available_at, created_at, last_error)
                    SELECT 'email', jsonb_build_object('to', u.email), 'pending', 0, now(),
                           now(), ''
                    FROM {source} x {RECIPIENTS} WHERE u.email <> ''"""  # noqa: S608
            )
    return time.perf_counter() - started


def expected_notices(conn, today) -> int:
    """Notifications the sweeps must write: one per due item and recipient."""
    return conn.execute(
        f"""SELECT (SELECT count(*) FROM claims_claim x {RECIPIENTS}
                    WHERE x.status = 'waiting' AND x.waiting_ends_on < %s)
                 + (SELECT count(*) FROM deadlines_deadline x {RECIPIENTS}
                    WHERE x.status = 'open' AND x.due_on < %s)""",  # noqa: S608
        [today, today],
    ).fetchone()[0]


def duplicates(conn, marks: dict) -> dict:
    def one(sql: str, *params) -> int:
        return conn.execute(sql, params).fetchone()[0]

    return {
        "claims_moved": one(
            "SELECT count(DISTINCT claim_id) FROM claims_claimstatuschange "
            "WHERE id > %s AND action = 'end_waiting'", marks["claims_claimstatuschange"]),
        "claims_moved_twice": one(
            "SELECT count(*) FROM (SELECT claim_id FROM claims_claimstatuschange WHERE id > %s "
            "AND action = 'end_waiting' GROUP BY claim_id HAVING count(*) > 1) d",
            marks["claims_claimstatuschange"]),
        "deadlines_missed": one(
            "SELECT count(DISTINCT deadline_id) FROM deadlines_deadlinestatuschange "
            "WHERE id > %s AND action = 'miss'", marks["deadlines_deadlinestatuschange"]),
        "deadlines_missed_twice": one(
            "SELECT count(*) FROM (SELECT deadline_id FROM deadlines_deadlinestatuschange "
            "WHERE id > %s AND action = 'miss' GROUP BY deadline_id HAVING count(*) > 1) d",
            marks["deadlines_deadlinestatuschange"]),
        "notifications": one(
            "SELECT count(*) FROM notifications_notification WHERE id > %s",
            marks["notifications_notification"]),
        "notifications_twice": one(
            "SELECT count(*) FROM (SELECT recipient_id, url, subject_code, params::text "
            "FROM notifications_notification WHERE id > %s GROUP BY 1, 2, 3, 4 "
            "HAVING count(*) > 1) d", marks["notifications_notification"]),
        "emails": one(
            "SELECT count(*) FROM notifications_outboxmessage WHERE id > %s",
            marks["notifications_outboxmessage"]),
        "emails_sent_twice": one(
            "SELECT count(*) FROM notifications_outboxmessage WHERE id > %s AND attempts > 1",
            marks["notifications_outboxmessage"]),
    }  # fmt: skip


def start_worker(args) -> subprocess.Popen:
    WORKER_LOG.parent.mkdir(exist_ok=True)
    return subprocess.Popen(
        [str(PYTHON), "-m", "celery", "-A", "config", "worker", "--pool=prefork",
         f"--concurrency={args.concurrency}", "--loglevel=WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--queues", f"{QUEUE},celery",
         "--hostname", f"{QUEUE}@%h"],
        cwd=ROOT, env=env_for(args), stdout=subprocess.DEVNULL,
        stderr=open(WORKER_LOG, "w"), start_new_session=True,  # noqa: SIM115
    )  # fmt: skip


def stop_worker(worker: subprocess.Popen) -> None:
    import signal

    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)


def measure(args) -> dict:
    from celery import Celery

    loaded_s = load(args)
    from datetime import date

    today = date.today()
    report = {"items_asked": args.items, "load_s": round(loaded_s, 1)}
    with pg(args.database) as conn:
        report["due"] = make_due(
            conn, claims=args.items // 2, deadlines=args.items - args.items // 2, today=today
        )
        report["expected_notifications"] = expected_notices(conn, today)
        report["baseline_sql_s"] = round(baseline(conn, today), 2)
        marks = high_water(conn)
        app = Celery(broker=args.broker)
        app.connection().default_channel.client.flushdb()
        worker = start_worker(args)
        try:
            deadline = time.monotonic() + 120
            while not any(QUEUE in n for r in app.control.ping(timeout=0.5) for n in r):
                if time.monotonic() > deadline or worker.poll() is not None:
                    raise SystemExit(f"the worker did not start: see {WORKER_LOG}")
            cpu0, started = group_cpu_seconds(worker.pid), time.monotonic()
            sweeps = ["claims.tasks.sweep_claims", "deadlines.tasks.sweep_deadlines"]
            results = [app.send_task(name, queue=QUEUE) for name in sweeps * args.sweepers]
            while still_due(conn, today) and time.monotonic() - started < args.timeout:
                time.sleep(0.2)
            swept_s = time.monotonic() - started
            cpu_swept = group_cpu_seconds(worker.pid) - cpu0
            while outbox_pending(conn) and time.monotonic() - started < args.timeout:
                time.sleep(0.5)
            delivered_s = time.monotonic() - started
            cpu_all = group_cpu_seconds(worker.pid) - cpu0
            left = still_due(conn, today)
        finally:
            stop_worker(worker)
        del results  # sent without a result backend: completion is read off the database
        checks = duplicates(conn, marks)
    items = report["due"]["claims"] + report["due"]["deadlines"]
    report |= {
        "swept_s": round(swept_s, 2),
        "items_per_s": round(items / swept_s, 1),
        "worker_cpu_s_swept": round(cpu_swept, 1),
        "emails_delivered_s": round(delivered_s, 2),
        "worker_cpu_s_with_delivery": round(cpu_all, 1),
        "left_due": left,
        "checks": checks,
        "ratio_to_baseline": round(swept_s / report["baseline_sql_s"], 1),
        "target_s": 60,
        "met": args.items >= 100_000 and left == 0 and swept_s <= 60 and not any(
            v for k, v in checks.items() if k.endswith("twice")
        ),
    }  # fmt: skip
    return report


def main() -> None:
    args = parse_args()
    print(json.dumps(measure(args), indent=2))


if __name__ == "__main__":
    main()
