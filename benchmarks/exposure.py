"""B3 exposure (issue 10): one buyer's aggregate exposure and the portfolio report.

On the scale data (`manage.py scale_data`, loaded into its own database unless it is
there already), times in one run:

- `limits.services.base.buyer_exposure` (what every decision reads under the buyer lock)
  for random buyers with limits and for the buyers with the most limits, beside the same
  sum through bare psycopg with a prepared statement;
- `limits.reports.portfolio_report` (exposure by grade, region, industry and the top 100
  buyers over all current limits), beside the bare SQL aggregate that any such report
  must at least do (one GROUP BY over the current limits joined to the buyers), and the
  same report built with the ORM's GROUP BYs for comparison.

Prints JSON: p50/p99 (ms) of each figure, its baseline and the ratio.

    .venv/bin/python benchmarks/exposure.py                        # load 1,000,000 if needed
    .venv/bin/python benchmarks/exposure.py --reload --buyers 2000000
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Throwaway databases, created and loaded with triggers off as the local superuser, as
# before the database roles (core/db_roles.py), whose application role can do neither.
os.environ.setdefault("POSTGRES_CONNECT_AS", "admin")
PYTHON = ROOT / ".venv" / "bin" / "python"


def default_database() -> str:
    """tci_bench_exposure, or tci_bench_exposure_<x> for POSTGRES_DB=tci_<x> (developers
    sharing one PostgreSQL never drop each other's)."""
    suffix = os.environ.get("POSTGRES_DB", "tci").removeprefix("tci").lstrip("_")
    return f"tci_bench_exposure_{suffix}" if suffix else "tci_bench_exposure"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=default_database(), help="default: %(default)s")
    parser.add_argument("--reload", action="store_true", help="drop, migrate and load again")
    parser.add_argument("--buyers", type=int, default=1_000_000, help="when loading")
    parser.add_argument("--limits", type=int, default=1_000_000, help="when loading")
    parser.add_argument("--samples", type=int, default=2_000, help="buyers timed")
    parser.add_argument("--runs", type=int, default=7, help="portfolio report runs")
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    if not args.database.startswith("tci_bench"):
        parser.error("--database must start with tci_bench: this script may drop it")
    return args


def pg(dbname: str):
    import psycopg

    return psycopg.connect(
        host=os.environ.get("POSTGRES_HOST", "127.0.0.1"),
        port=int(os.environ.get("POSTGRES_PORT", "5432")),
        user=os.environ.get("POSTGRES_ADMIN_USER", "postgres"),
        password=os.environ.get("POSTGRES_ADMIN_PASSWORD", ""),
        dbname=dbname,
        autocommit=True,
    )


def ensure_loaded(args) -> None:
    """Create, migrate and fill the database unless it holds a loaded world already."""
    from psycopg import sql

    with pg("postgres") as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database])
        if exists.fetchone() and not args.reload:
            return
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(args.database))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.database)))
    env = {**os.environ, "POSTGRES_DB": args.database, "DJANGO_SETTINGS_MODULE": "config.settings"}
    for command in (["migrate", "--noinput", "-v", "0"],
                    ["scale_data", "--buyers", str(args.buyers), "--limits", str(args.limits),
                     "--seed", str(args.seed)]):  # fmt: skip
        print(f"manage.py {' '.join(command)}", file=sys.stderr, flush=True)
        subprocess.run([str(PYTHON), "manage.py", *command], cwd=ROOT, env=env, check=True)  # noqa: S603


def percentiles(seconds: list[float]) -> dict:
    ordered = sorted(seconds)

    def at(share):
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 3)

    return {
        "p50_ms": at(0.5),
        "p99_ms": at(0.99),
        "max_ms": round(ordered[-1] * 1000, 3),
        "n": len(ordered),
    }


def timed(function, values) -> list[float]:
    times = []
    for value in values:
        started = time.perf_counter()
        function(value)
        times.append(time.perf_counter() - started)
    return times


def compare(figure: dict, baseline: dict, key: str) -> dict:
    return {"figure": figure, "baseline": baseline,
            "ratio": round(figure[key] / baseline[key], 2) if baseline[key] else None}  # fmt: skip


def orm_report(top: int = 100) -> dict:
    """The same report through the ORM: three GROUP BYs and the top buyers (comparison)."""
    from django.db.models import Count, Sum

    from limits.choices import EXPOSURE_STATUSES
    from limits.models import CreditLimit

    current = CreditLimit.objects.filter(status__in=EXPOSURE_STATUSES).order_by()
    groups = {
        dimension: list(
            current.values(f"buyer__{dimension}").annotate(total=Sum("amount"), n=Count("id"))
        )
        for dimension in ("risk_grade", "region", "industry")
    }
    groups["top"] = list(
        current.values("buyer_id", "buyer__name")
        .annotate(total=Sum("amount"))
        .order_by("-total", "buyer_id")[:top]
    )
    return groups


def main() -> None:
    args = parse_args()
    ensure_loaded(args)
    os.environ["POSTGRES_DB"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from psycopg import sql

    from limits.choices import EXPOSURE_STATUSES
    from limits.reports import portfolio_report
    from limits.services.base import buyer_exposure

    statuses = sorted(EXPOSURE_STATUSES)
    rng = random.Random(args.seed)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = ANY(%s)) FROM limits_creditlimit",
            [statuses],
        )
        limits, current = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM buyers_buyer")
        (buyers,) = cursor.fetchone()
        cursor.execute(
            "SELECT DISTINCT buyer_id FROM limits_creditlimit WHERE status = ANY(%s)", [statuses]
        )
        with_limits = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT buyer_id FROM limits_creditlimit WHERE status = ANY(%s) GROUP BY buyer_id "
            "ORDER BY count(*) DESC LIMIT 100",
            [statuses],
        )
        busiest = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        (size,) = cursor.fetchone()
    sample = rng.sample(with_limits, min(args.samples, len(with_limits)))
    bare = pg(args.database)
    current_sql = sql.SQL(", ").join(sql.Literal(s) for s in statuses)
    exposure_sql = sql.SQL(
        "SELECT coalesce(sum(amount), 0) FROM limits_creditlimit WHERE buyer_id = %s AND status IN ({})"
    ).format(current_sql)

    def bare_exposure(buyer_id):
        return bare.execute(exposure_sql, [buyer_id], prepare=True).fetchone()[0]

    def django_raw_exposure(buyer_id):
        # The same statement through Django's connection without the ORM: what the ORM's
        # query building costs on top of the driver.
        with connection.cursor() as cursor:
            cursor.execute(exposure_sql.as_string(bare), [buyer_id])
            return cursor.fetchone()[0]

    for buyer_id in sample[:50]:  # warm both paths and the cache alike
        assert bare_exposure(buyer_id) == buyer_exposure(buyer_id)
    result = {
        "world": {
            "buyers": buyers,
            "limits": limits,
            "current_limits": current,
            "buyers_with_limits": len(with_limits),
            "database_size": size,
        },  # fmt: skip
        "one_buyer_exposure": {},
        "portfolio_report": {},
    }
    for label, ids in (
        ("random buyers with limits", sample),
        ("100 buyers with the most limits", busiest * 5),
    ):
        # Interleaved: each buyer through the selector, then bare, so that load bursts
        # on the shared machine hit both alike.
        selector, baseline, raw = [], [], []
        for buyer_id in ids:
            selector += timed(buyer_exposure, [buyer_id])
            baseline += timed(bare_exposure, [buyer_id])
            raw += timed(django_raw_exposure, [buyer_id])
        figures = compare(percentiles(selector), percentiles(baseline), "p50_ms")
        figures["django_cursor_without_orm"] = percentiles(raw)
        result["one_buyer_exposure"][label] = figures

    bare_sql = sql.SQL(
        "SELECT b.risk_grade, sum(l.amount) FROM limits_creditlimit l JOIN buyers_buyer b ON b.id = l.buyer_id "
        "WHERE l.status IN ({}) GROUP BY b.risk_grade"
    ).format(current_sql)
    report_times, bare_times, orm_times = [], [], []
    for _ in range(args.runs):
        report_times += timed(lambda _x: portfolio_report(top=100), [None])
        bare_times += timed(lambda _x: bare.execute(bare_sql).fetchall(), [None])
        orm_times += timed(lambda _x: orm_report(100), [None])
    report = portfolio_report(top=100)
    result["portfolio_report"] = {
        "selector_vs_bare_group_by": compare(
            percentiles(report_times), percentiles(bare_times), "p50_ms"
        ),
        "orm_group_bys": percentiles(orm_times),
        "total_exposure": str(report.total.exposure),
        "largest_buyer": str(report.top_buyers[0].exposure) if report.top_buyers else None,
    }
    bare.close()
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(
        f"one buyer p99 {result['one_buyer_exposure']['random buyers with limits']['figure']['p99_ms']} ms "
        f"(target 2); portfolio report p50 {result['portfolio_report']['selector_vs_bare_group_by']['figure']['p50_ms']}"
        " ms (target 1000)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
