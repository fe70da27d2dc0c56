"""Buyer search on a large register (SPEC 4, issue 2): exact USCC and fuzzy Chinese names.

Creates its own database (default tci_bench_search), loads N buyers with COPY, then
times `buyers.selectors.buyer_search` (the code the list page and the API run) for
several kinds of query and prints p50/p95/p99 in milliseconds.

    .venv/bin/python benchmarks/buyer_search.py --buyers 1000000
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CITIES = [
    "深圳",
    "上海",
    "北京",
    "杭州",
    "苏州",
    "青岛",
    "武汉",
    "成都",
    "厦门",
    "长沙",
    "宁波",
    "无锡",
    "佛山",
    "东莞",
    "南京",
    "天津",
    "重庆",
    "西安",
    "郑州",
    "合肥",
]
WORDS = [
    "华星",
    "金诚",
    "宏达",
    "鑫源",
    "瑞丰",
    "永盛",
    "天成",
    "汇通",
    "博远",
    "中联",
    "新锐",
    "恒泰",
    "嘉禾",
    "润和",
    "盛世",
    "东方",
    "远大",
    "隆基",
    "海川",
    "锦程",
    "明德",
    "国泰",
    "龙腾",
    "凯旋",
    "正通",
    "鼎盛",
    "信达",
    "万家",
    "同心",
    "百川",
]
TRADES = [
    "电子科技",
    "建材贸易",
    "食品",
    "物流",
    "医药",
    "纺织",
    "信息技术",
    "汽车零部件",
    "机械制造",
    "化工",
    "五金",
    "家具",
    "服装",
    "包装材料",
    "新能源",
]


def default_database() -> str:
    """tci_bench_search, or tci_bench_search_<x> for a developer working on POSTGRES_DB=tci_<x>.

    Several developers share one PostgreSQL; each one's benchmark drops and reloads its own
    database, never another's.
    """
    own = os.environ.get("POSTGRES_DB", "tci")
    suffix = own.removeprefix("tci").lstrip("_")
    return f"tci_bench_search_{suffix}" if suffix else "tci_bench_search"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--database", default=default_database(), help="default: %(default)s (from POSTGRES_DB)"
    )
    parser.add_argument("--keep", action="store_true", help="reuse the loaded database")
    args = parser.parse_args()
    if not args.database.startswith("tci_bench"):
        parser.error("--database must start with tci_bench: this script drops and recreates it")
    return args


def percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * share))]


def main():
    args = parse_args()
    os.environ["POSTGRES_DB"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    host = os.environ.get("POSTGRES_HOST", "127.0.0.1")
    if not args.keep:
        subprocess.run(
            ["dropdb", "-h", host, "-U", "postgres", "--if-exists", args.database], check=True
        )
        subprocess.run(["createdb", "-h", host, "-U", "postgres", args.database], check=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.request import Request
    from rest_framework.settings import api_settings
    from rest_framework.test import APIRequestFactory

    from buyers.models import Buyer
    from buyers.selectors import buyer_search
    from core.uscc import uscc_with_check

    rng = random.Random(7)
    call_command("migrate", verbosity=0)
    if not args.keep:
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.connection.cursor().copy(
                "COPY buyers_buyer (uscc, name, former_names, address, region, industry, status, "
                "risk_grade, is_public_body, created_at, updated_at) FROM STDIN"
            ) as copy,
        ):
            for i in range(args.buyers):
                name = (
                    f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(WORDS)}"
                    f"{rng.choice(TRADES)}有限公司"
                )
                copy.write_row(
                    (
                        uscc_with_check(f"91440300{i:09d}"),
                        name,
                        "",
                        "",
                        "44",
                        "C",
                        "active",
                        rng.randint(1, 10),
                        False,
                        "2026-01-01",
                        "2026-01-01",
                    )
                )
        print(f"loaded {args.buyers:,} buyers in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE buyers_buyer")
    total = Buyer.objects.count()
    sample = list(Buyer.objects.order_by("?").values_list("uscc", "name")[: args.queries])
    kinds = {
        "exact USCC": [u for u, _ in sample],
        "USCC prefix (12)": [u[:12] for u, _ in sample],
        "rare 4-char fragment": [n[2:6] for _, n in sample],
        "common 4-char fragment (机械制造)": ["机械制造"] * args.queries,
        "city + trade (苏州医药)": [n[:2] + rng.choice(TRADES) for _, n in sample],
        "2-char fragment": [n[2:4] for _, n in sample],
        "typo'd full name": [n[:-5] + "公司" for _, n in sample],
    }
    # The list page pages its queryset with the view's paginator (Django's counts every
    # match first); the API with its pagination class. Both are timed for the first page.
    from buyers.api.views import BuyerViewSet
    from buyers.views import BuyerListView

    list_paginator = getattr(BuyerListView, "search_paginator_class", BuyerListView.paginator_class)
    api_paginator = BuyerViewSet.pagination_class or api_settings.DEFAULT_PAGINATION_CLASS
    factory = APIRequestFactory()

    def list_page(q):
        return list(list_paginator(buyer_search(Buyer.objects.all(), q), 50).page(1))

    def api_page(q):
        request = Request(factory.get("/api/v1/buyers/", {"q": q}))
        paginator = api_paginator()
        return paginator.paginate_queryset(buyer_search(Buyer.objects.all(), q), request)

    print(f"buyer_search over {total:,} buyers, first page of 50, {args.queries} queries each")
    print(
        f"selector: the first 50 rows; list page: {list_paginator.__name__}; API: {api_paginator.__name__}"
    )
    print(
        f"{'query':<34}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'hits p50':>10}"
        f"{'list p50':>10}{'list p95':>10}{'API p50':>9}{'API p95':>9}"
    )
    for kind, queries in kinds.items():
        times, hits, list_times, api_times = [], [], [], []
        for q in queries:
            started = time.perf_counter()
            rows = list(buyer_search(Buyer.objects.all(), q)[:50])
            times.append((time.perf_counter() - started) * 1000)
            hits.append(len(rows))
        for q in queries[: max(10, len(queries) // 4)]:
            started = time.perf_counter()
            list_page(q)
            list_times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            api_page(q)
            api_times.append((time.perf_counter() - started) * 1000)
        times.sort()
        list_times.sort()
        api_times.sort()
        print(
            f"{kind:<34}{percentile(times, 0.5):>9.1f}{percentile(times, 0.95):>9.1f}"
            f"{percentile(times, 0.99):>9.1f}"
            f"{statistics.median(hits):>10.0f}"
            f"{percentile(list_times, 0.5):>10.1f}{percentile(list_times, 0.95):>10.1f}"
            f"{percentile(api_times, 0.5):>9.1f}{percentile(api_times, 0.95):>9.1f}"
        )


if __name__ == "__main__":
    main()
