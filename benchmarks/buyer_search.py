"""B2, buyer search on a large register (SPEC 4, issue 10): exact USCC and fuzzy Chinese names.

Creates its own database, loads N buyers with generated, realistic Chinese company names
(`COPY`), builds a fixed query set with known answers from them, and times each query
kind four ways, all in this run:

- bare: the best bare SQL for the kind through psycopg (the physical limit: one indexed
  statement, no ranking, no Django);
- selector: `buyers.selectors.buyer_search` for the first page (what the views run);
- api: `GET /api/v1/buyers/?q=` through gunicorn (DEBUG off, Token auth);
- page: `GET /buyers/?q=` through the same gunicorn (an underwriter's session).

and scores relevance over the query set (the expected company in the top 10, or for
fragments every one of the top 10 containing them). Prints JSON.

    .venv/bin/python benchmarks/buyer_search.py --buyers 1000000
    .venv/bin/python benchmarks/buyer_search.py --keep          # reuse the loaded database
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Throwaway databases, created and loaded with triggers off as the local superuser, as
# before the database roles (core/db_roles.py), whose application role can do neither.
os.environ.setdefault("POSTGRES_CONNECT_AS", "admin")

from benchmarks.decisions_api import free_port, start_gunicorn, stop_server  # noqa: E402

# --- realistic names -----------------------------------------------------------------------
# Region (province, city), trade name (字号), industry, legal form: the shape of nearly
# every registered name (企业名称登记管理规定). Each part is drawn with skewed weights, so
# some trade names and industries are very common and most are rare, as in a register.
PROVINCE_CITIES = {
    "广东": ["深圳", "广州", "东莞", "佛山", "珠海", "中山", "惠州", "汕头"],
    "江苏": ["苏州", "南京", "无锡", "常州", "南通", "扬州", "徐州", "连云港"],
    "浙江": ["杭州", "宁波", "温州", "绍兴", "嘉兴", "金华", "台州", "湖州"],
    "山东": ["青岛", "济南", "烟台", "潍坊", "临沂", "淄博", "威海"],
    "福建": ["厦门", "福州", "泉州", "漳州", "莆田"],
    "湖北": ["武汉", "宜昌", "襄阳", "荆州"],
    "湖南": ["长沙", "株洲", "湘潭", "岳阳", "张家界"],
    "四川": ["成都", "绵阳", "德阳", "宜宾", "攀枝花"],
    "河南": ["郑州", "洛阳", "新乡", "南阳", "平顶山"],
    "河北": ["石家庄", "唐山", "保定", "廊坊", "秦皇岛"],
    "安徽": ["合肥", "芜湖", "蚌埠", "马鞍山"],
    "辽宁": ["沈阳", "大连", "鞍山", "葫芦岛"],
    "黑龙江": ["哈尔滨", "大庆", "齐齐哈尔", "牡丹江"],
    "陕西": ["西安", "宝鸡", "咸阳"],
    "江西": ["南昌", "赣州", "景德镇"],
}
MUNICIPALITIES = ["北京", "上海", "天津", "重庆"]
TRADE_CHARS = (
    "华金鑫瑞丰恒泰宏达盛源通汇德信诚安康美新天海龙凯腾博远智创联合众益佳嘉永长兴旺隆昌利"
    "福祥和润泽明光辉星晨阳川山峰林森绿青蓝宇航锦程正大中东方南北西云瀚卓越优品尚雅伟业力"
    "亿万千百顺发荣乐欣怡悦睿思慧聚鼎铭贝尔奥特斯普迪威克赛飞扬帆舟国民生仁义礼勤诺亚欧环"
    "宝银玉晶彩艺雄豪杰英俊立建基成功胜冠君同心协盈富贵吉庆喜春秋夏冬梅兰竹菊松柏桥港湾城"
    "都邦家居田园农晟昊泓淼鹏翔骏驰鸿运通达朗逸臻致远拓展恒久弘毅泰然安顺"
)
COMMON_TRADES = [
    "华星", "金诚", "宏达", "鑫源", "瑞丰", "永盛", "天成", "汇通", "博远", "中联",
    "新锐", "恒泰", "嘉禾", "润和", "盛世", "东方", "远大", "隆基", "海川", "锦程",
]  # fmt: skip
INDUSTRIES = [
    ("科技", 12), ("电子科技", 8), ("贸易", 9), ("商贸", 6), ("机械制造", 5), ("医药", 4),
    ("建材", 3), ("建材贸易", 2), ("食品", 4), ("物流", 4), ("供应链管理", 2), ("纺织", 3),
    ("信息技术", 5), ("网络科技", 4), ("汽车零部件", 2), ("化工", 3), ("新材料", 3),
    ("五金", 2), ("家具", 2), ("服装", 2), ("包装材料", 1), ("新能源", 2), ("环保科技", 2),
    ("实业", 5), ("投资", 2), ("建设工程", 3), ("装饰工程", 2), ("电气", 2), ("精密机械", 1),
    ("塑胶制品", 1), ("光电", 1), ("生物科技", 2), ("农业发展", 1), ("文化传媒", 2),
    ("餐饮管理", 1), ("进出口", 2), ("钢铁", 1), ("印刷", 1), ("照明", 1), ("仪器仪表", 1),
]  # fmt: skip
LEGAL_FORMS = [
    ("有限公司", 70), ("有限责任公司", 12), ("股份有限公司", 8), ("集团有限公司", 3),
    ("厂", 2), ("有限公司分公司", 2),
]  # fmt: skip
# Homophones a pinyin input method confuses (the misspellings of the query set).
HOMOPHONES = {
    "丰": "峰锋风枫", "瑞": "锐睿", "华": "化花", "金": "今津", "鑫": "新欣心", "达": "大",
    "源": "元园圆", "通": "同彤", "恒": "衡", "泰": "太", "盛": "胜圣", "宏": "洪鸿红",
    "德": "得", "信": "新", "诚": "城成程", "康": "抗", "美": "梅", "天": "田添",
    "龙": "隆珑", "凯": "楷", "博": "波柏", "远": "源", "智": "志至", "联": "连莲",
    "嘉": "佳家", "永": "勇", "隆": "龙", "昌": "长", "利": "力立", "祥": "翔", "润": "闰",
    "明": "铭名", "辉": "晖", "星": "兴", "阳": "扬洋", "川": "船", "峰": "丰", "林": "霖",
    "程": "成诚", "成": "城诚", "汇": "惠慧", "锦": "金", "盈": "赢", "旺": "望", "晨": "辰",
    "海": "还", "创": "窗", "科": "可", "技": "机", "贸": "茂", "易": "亿", "医": "一",
    "药": "要", "电": "点", "子": "紫", "物": "务", "流": "留", "机": "鸡", "械": "谢",
}  # fmt: skip


def _zipf_weights(count: int, skew: float = 1.0) -> list[float]:
    return [1 / (rank + 1) ** skew for rank in range(count)]


class NameGenerator:
    """Company names with their parts, deterministic for a seed, with the duplicates and
    near-duplicates of a real register (one trade name in several cities and legal forms,
    the same name with and without 省/市, branches, former names)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        chars = list(TRADE_CHARS)
        self.rng.shuffle(chars)
        self.trade_chars = chars
        self.char_weights = _zipf_weights(len(chars), 0.8)
        cities = [(p, c) for p, cs in PROVINCE_CITIES.items() for c in cs]
        cities += [(m, m) for m in MUNICIPALITIES]
        self.rng.shuffle(cities)
        self.cities = cities
        self.city_weights = _zipf_weights(len(cities), 0.7)
        self.industries = [i for i, _ in INDUSTRIES]
        self.industry_weights = [w for _, w in INDUSTRIES]
        self.forms = [f for f, _ in LEGAL_FORMS]
        self.form_weights = [w for _, w in LEGAL_FORMS]

    def trade(self) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            return rng.choice(COMMON_TRADES)
        length = rng.choices([2, 3, 4], [75, 15, 10])[0]
        return "".join(rng.choices(self.trade_chars, self.char_weights, k=length))

    def parts(self) -> dict:
        rng = self.rng
        province, city = rng.choices(self.cities, self.city_weights)[0]
        form = rng.choices(self.forms, self.form_weights)[0]
        return {
            "province": province,
            "city": city,
            "trade": self.trade(),
            "industry": rng.choices(self.industries, self.industry_weights)[0],
            "form": form,
            "style": rng.choices(
                ["city", "city市", "省市", "province", "bracket", "latin"], [55, 14, 8, 12, 6, 5]
            )[0],  # fmt: skip
        }

    @staticmethod
    def name(parts: dict) -> str:
        province, city, trade = parts["province"], parts["city"], parts["trade"]
        industry, form, style = parts["industry"], parts["form"], parts["style"]
        branch = form.endswith("分公司")
        if branch:
            form = "有限公司"
        municipality = province == city
        if style == "city市" or (style == "省市" and municipality):
            region = f"{city}市"
        elif style == "省市":
            region = f"{province}省{city}市"
        elif style == "province":
            region = province
        else:
            region = city
        if style == "bracket":
            name = f"{trade}{industry}（{city}）{form}"
        elif style == "latin":
            name = f"{city}{parts['latin']}{trade}{industry}{form}"
        else:
            name = f"{region}{trade}{industry}{form}"
        return f"{name}{parts['branch_city']}分公司" if branch else name

    def rows(self, count: int):
        """(parts, name, former_names) for `count` buyers; 8% near-duplicates of earlier ones."""
        rng = self.rng
        recent: list[dict] = []
        for _ in range(count):
            if recent and rng.random() < 0.08:
                parts = dict(rng.choice(recent))
                change = rng.choice(["city", "form", "industry", "style"])
                fresh = self.parts()
                parts[change] = fresh[change]
                if change == "city":
                    parts["province"] = fresh["province"]
            else:
                parts = self.parts()
            if parts["style"] == "latin":
                parts.setdefault(
                    "latin", "".join(rng.choices("ABCDEFGHJKLMNPRSTWXYZ", k=rng.randint(2, 4)))
                )
            parts.setdefault("branch_city", rng.choice(self.cities)[1])
            if len(recent) < 5000:
                recent.append(parts)
            else:
                recent[rng.randrange(5000)] = parts
            name = self.name(parts)
            former = ""
            if rng.random() < 0.03:
                old = dict(parts, industry=rng.choice(self.industries), form="有限公司")
                former = self.name(old)
            yield parts, name, former


# --- the query set -----------------------------------------------------------------------


def full_width(text: str) -> str:
    """ASCII letters, digits and brackets as their full-width forms (ＡＢＣ１２３（）)."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def core_name(name: str) -> str:
    """The name without its legal form (the benchmark's own, independent of the search's)."""
    for form in (
        "有限公司分公司",
        "股份有限公司",
        "有限责任公司",
        "集团有限公司",
        "有限公司",
        "厂",
    ):
        if name.endswith(form):
            return name.removesuffix(form)
    return name


def build_queries(rows: list[tuple], per_kind: int, rng: random.Random) -> list[dict]:
    """A fixed query set with known answers: `expect_id` (that buyer in the top 10);
    `expect_all` (the top 10 hold as many names containing each of these strings, after
    NFKC, as there are, up to 10: all ten for a common fragment); `expect_any` (one of
    the top 10 contains it: 瑞峰 should bring up the 瑞丰 companies)."""
    fragment_counts = Counter()
    for _id, _uscc, parts, _name, _former in rows:
        fragment_counts[parts["trade"] + parts["industry"]] += 1
    trades = Counter(parts["trade"] for *_, parts, _n, _f in rows)
    sample = rng.sample(rows, min(len(rows), per_kind * 20))
    queries: list[dict] = []

    def add(kind, q, **expect):
        if sum(1 for query in queries if query["kind"] == kind) < per_kind:
            queries.append({"kind": kind, "q": q, **expect})

    for buyer_id, uscc, parts, name, _former in sample:
        trade, industry, city = parts["trade"], parts["industry"], parts["city"]
        add("exact USCC", uscc, expect_id=buyer_id)
        if fragment_counts[trade + industry] <= 3 and len(trade) >= 2:
            add("rare fragment (trade name + industry)", trade + industry, expect_id=buyer_id)
        if len(trade) == 2:
            add("2-character fragment", trade, expect_all=[trade])
            for position in (0, 1):
                for wrong in HOMOPHONES.get(trade[position], ""):
                    misspelt = trade[:position] + wrong + trade[position + 1 :]
                    if misspelt not in trades:
                        add(
                            "2 characters, one misspelt (瑞峰 for 瑞丰)", misspelt, expect_any=trade
                        )
                        break
        core = core_name(name)
        if parts["style"] in ("city", "province", "city市") and not parts["form"].endswith(
            "分公司"
        ):
            add("full name without legal form", core, expect_id=buyer_id)
            chars = [i for i, ch in enumerate(core) if ch in HOMOPHONES and i >= 2]
            if chars:
                i = rng.choice(chars)
                wrong = core[:i] + rng.choice(HOMOPHONES[core[i]]) + core[i + 1 :]
                add("misspelt full name (one homophone)", wrong + parts["form"], expect_id=buyer_id)
            i = rng.randrange(2, len(core))
            add("typo'd full name (one character left out)", core[:i] + core[i + 1 :] + "公司",
                expect_id=buyer_id)  # fmt: skip
            i = rng.randrange(2, len(core))
            other = rng.choice(TRADE_CHARS)
            add("misspelt full name (one character)", core[:i] + other + core[i + 1 :] + parts["form"],
                expect_id=buyer_id)  # fmt: skip
        if parts["style"] == "city" and parts["province"] != city:
            add("省/市 added", f"{parts['province']}省{city}市{name.removeprefix(city)}",
                expect_id=buyer_id)  # fmt: skip
        if parts["style"] == "省市":
            add(
                "省/市 left out", name.replace("省", "", 1).replace("市", "", 1), expect_id=buyer_id
            )
        if parts["style"] == "latin":
            add("full-width letters", full_width(core), expect_id=buyer_id)
        if parts["style"] == "bracket":
            add("ASCII brackets for full-width", name.replace("（", "(").replace("）", ")"),
                expect_id=buyer_id)  # fmt: skip
        add("city + industry (苏州医药)", city + industry, expect_all=[city, industry])
    for industry in ("机械制造", "电子科技", "信息技术", "科技", "贸易", "建设工程"):
        for _ in range(max(1, per_kind // 6)):
            add("common fragment (机械制造)", industry, expect_all=[industry])
    texts = [unicodedata.normalize("NFKC", f"{name}\n{former}") for *_, name, former in rows]
    counts = {}
    for query in queries:
        if "expect_all" in query:
            key = tuple(query["expect_all"])
            if key not in counts:
                first, *others = key
                holding = [t for t in texts if first in t]
                counts[key] = sum(1 for t in holding if all(o in t for o in others))
            query["expect_count"] = counts[key]
    return queries


def relevant(query: dict, top: list[tuple[int, str, str]]) -> bool:
    """Whether the top 10 (id, name, former names) answer the query as it expects."""
    if "expect_id" in query:
        return query["expect_id"] in [row[0] for row in top]
    texts = [unicodedata.normalize("NFKC", f"{name}\n{former}") for _, name, former in top]
    if "expect_any" in query:
        return any(query["expect_any"] in text for text in texts)
    holding = sum(1 for text in texts if all(s in text for s in query["expect_all"]))
    return holding >= min(10, query["expect_count"])


# --- plumbing ----------------------------------------------------------------------------


def default_database() -> str:
    """tci_bench_search, or tci_bench_search_<x> for a developer working on POSTGRES_DB=tci_<x>."""
    own = os.environ.get("POSTGRES_DB", "tci")
    suffix = own.removeprefix("tci").lstrip("_")
    return f"tci_bench_search_{suffix}" if suffix else "tci_bench_search"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=1_000_000)
    parser.add_argument("--per-kind", type=int, default=60, help="queries of each kind")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument(
        "--database", default=default_database(), help="default: %(default)s (from POSTGRES_DB)"
    )
    parser.add_argument("--keep", action="store_true", help="reuse the loaded database")
    parser.add_argument("--skip-http", action="store_true", help="no gunicorn: bare and selector")
    args = parser.parse_args()
    if not args.database.startswith("tci_bench"):
        parser.error("--database must start with tci_bench: this script drops and recreates it")
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentiles(times: list[float]) -> dict:
    ordered = sorted(times)

    def at(share):
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 2)

    return {"p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "n": len(ordered)}


def server_env(database: str) -> dict:
    env = dict(os.environ)
    env.update(
        POSTGRES_DB=database,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="benchmark-only-not-a-secret-" + "x" * 32,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="ERROR",
        POSTGRES_CONN_MAX_AGE="60",
        CELERY_TASK_ALWAYS_EAGER="1",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    return env


def start_server(database: str, workers: int, log_file) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**server_env(database), "DJANGO_STATIC_ROOT": os.environ["DJANGO_STATIC_ROOT"]}
    return start_gunicorn(env, port, log_file, workers=workers), port


def http_get(port: int, path: str, params: dict, headers: dict) -> tuple[int, bytes]:
    url = f"http://127.0.0.1:{port}{path}?{urllib.parse.urlencode(params)}"
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# --- loading -----------------------------------------------------------------------------


def load(args) -> list[tuple]:
    """Drop, create, migrate and COPY the buyers; returns (id, uscc, parts, name, former)."""
    from django.core.management import call_command
    from django.db import connection

    from core.uscc import uscc_with_check

    host = os.environ.get("POSTGRES_HOST", "127.0.0.1")
    if not args.keep:
        subprocess.run(["dropdb", "-h", host, "-U", "postgres", "--if-exists", "--force",
                        args.database], check=True)  # fmt: skip
        subprocess.run(["createdb", "-h", host, "-U", "postgres", args.database], check=True)
    call_command("migrate", verbosity=0)
    rows = []
    generator = NameGenerator(args.seed)
    for i, (parts, name, former) in enumerate(generator.rows(args.buyers), start=1):
        rows.append((i, uscc_with_check(f"91{i % 90 + 10:02d}0300{i:09d}"), parts, name, former))
    if args.keep:
        return rows
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # The search indexes are built after the COPY, as a bulk load would (and timed).
        cursor.execute("DROP INDEX buyer_name_bigrams, buyer_normalised_name")
        # Reference data: the audit trigger's copy of each row (pghistory) is skipped.
        cursor.execute("SET session_replication_role = replica")
        with cursor.connection.cursor().copy(
            "COPY buyers_buyer (id, uscc, name, former_names, address, region, industry, "
            "status, risk_grade, is_public_body, created_at, updated_at) FROM STDIN"
        ) as copy:
            for buyer_id, uscc, _parts, name, former in rows:
                copy.write_row((buyer_id, uscc, name, former, "", "44", "C", "active",
                                buyer_id % 10 + 1, False, "2026-01-01", "2026-01-01"))  # fmt: skip
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("SELECT setval('buyers_buyer_id_seq', %s)", [len(rows)])
        copied = time.perf_counter() - started
        log(f"COPY {len(rows):,} buyers: {copied:.1f} s")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for sql in (
            "CREATE INDEX buyer_name_bigrams ON buyers_buyer "
            "USING gin (buyer_name_bigrams(name, former_names))",
            "CREATE INDEX buyer_normalised_name ON buyers_buyer "
            "(buyer_normalised_name(name) text_pattern_ops)",
            "VACUUM ANALYZE buyers_buyer",
        ):
            step = time.perf_counter()
            cursor.execute(sql)
            log(f"{sql.split(' ON ')[0]}: {time.perf_counter() - step:.1f} s")
        log(f"loaded in {time.perf_counter() - started:.1f} s")
    return rows


# --- measuring ---------------------------------------------------------------------------

BARE_CONTAINS = (
    "SELECT id, name, former_names FROM buyers_buyer "
    "WHERE buyer_name_bigrams(name, former_names) @> %s::text[] LIMIT 10"
)
BARE_USCC = "SELECT id, name, former_names FROM buyers_buyer WHERE uscc = %s"


def bare_statement(query: str, normalised: str) -> tuple[str, list]:
    """The best single bare statement for a query: a unique-index lookup for a USCC; for
    a name, the first ten names holding all of the query's bigrams (GIN), or, for a query
    no name holds as typed, the first ten holding its bigrams but one or but the two of one
    character (a BitmapOr of GIN scans). No ranking: the floor any search pays."""
    from buyers import search
    from buyers.selectors import exact_uscc

    if exact_uscc(query):
        return BARE_USCC, [exact_uscc(query)]
    return BARE_CONTAINS, [search.bigrams(normalised)]


def bare_fuzzy_statement(normalised: str) -> tuple[str, list] | None:
    from buyers import search

    conditions = search.split_conditions(normalised) + search.one_wrong_character_conditions(
        normalised
    )
    if not conditions:
        return None
    # One bounded GIN read per condition (an OR of them is planned as a scan of the
    # whole table: minutes at 1,000,000 buyers).
    read = "(SELECT id, name, former_names FROM buyers_buyer "
    read += "WHERE buyer_name_bigrams(name, former_names) @> %s::text[] LIMIT 10)"
    union = " UNION ALL ".join([read] * len(conditions))
    return f"SELECT * FROM ({union}) AS found LIMIT 10", conditions  # noqa: S608 (fixed text)


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args)
    return (time.perf_counter() - started) * 1000, result


def make_users():
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from accounts.choices import OrganisationKind, Role
    from accounts.models import Organisation, User

    insurer = Organisation.objects.filter(kind=OrganisationKind.INSURER).first()
    insurer = insurer or Organisation.objects.create(kind=OrganisationKind.INSURER, name="基准保险")
    user, _ = User.objects.get_or_create(
        username="bench-search-underwriter",
        defaults={"organisation": insurer, "role": Role.UNDERWRITER},
    )
    token, _ = Token.objects.get_or_create(user=user)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return user, token.key, session.session_key


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    args = parse_args()
    os.environ.update(server_env(args.database))
    import django

    django.setup()
    import psycopg
    from django.db import connection

    from buyers.models import Buyer
    from buyers.selectors import buyer_search

    started = time.perf_counter()
    rows = load(args)
    log(f"generated and loaded: {time.perf_counter() - started:.1f} s")
    queries = build_queries(rows, args.per_kind, random.Random(args.seed))
    del rows
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), pg_total_relation_size('buyers_buyer') FROM buyers_buyer")
        total, table_bytes = cursor.fetchone()
        cursor.execute(
            "SELECT pg_relation_size('buyer_name_bigrams'), pg_relation_size('buyer_normalised_name')"
        )
        index_bytes = cursor.fetchone()
        for query in queries:
            cursor.execute("SELECT buyer_normalised_name(%s)", [query["q"]])
            query["normalised"] = cursor.fetchone()[0]
    _user, token, session_key = make_users()
    results = {kind: {} for kind in dict.fromkeys(q["kind"] for q in queries)}

    def record(kind, way, ms, top):
        entry = results[kind].setdefault(way, {"ms": [], "hits": 0})
        entry["ms"].append(ms)
        entry["hits"] += int(top)

    bare = psycopg.connect(dbname=args.database, host="127.0.0.1", user="postgres", autocommit=True)
    for query in queries:  # warm the caches the same for every way
        list(buyer_search(Buyer.objects.all(), query["q"])[:10])

    def run_bare(sql, params):
        return bare.execute(sql, params).fetchall()

    def run_selector(q):
        rows = buyer_search(Buyer.objects.all(), q).values_list("pk", "name", "former_names")
        return list(rows[:50])

    log(f"{len(queries)} queries; bare SQL and selector")
    for n, query in enumerate(queries):
        if n % 100 == 0:
            log(f"  {n} of {len(queries)}")
        sql, params = bare_statement(query["q"], query["normalised"])
        ms, top = timed(run_bare, sql, params)
        fuzzy = bare_fuzzy_statement(query["normalised"])
        if not top and fuzzy and not query["kind"].startswith("exact"):
            more, top = timed(run_bare, *fuzzy)
            ms += more
        record(query["kind"], "bare", ms, relevant(query, top))
        ms, found = timed(run_selector, query["q"])
        record(query["kind"], "selector", ms, relevant(query, found[:10]))
    if not args.skip_http:
        log("gunicorn: API and page")
        opener = urllib.request.build_opener(NoRedirect)
        urllib.request.install_opener(opener)
        server_log = Path(tempfile.gettempdir()) / f"buyer_search_{args.database}.log"
        # The page's {% static %} needs the manifest collectstatic writes (production's
        # storage); into a directory of this run's own.
        static_root = tempfile.mkdtemp(prefix="buyer_search_static_")
        os.environ["DJANGO_STATIC_ROOT"] = static_root
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT, env={**server_env(args.database), "DJANGO_STATIC_ROOT": static_root},
            check=True,
        )  # fmt: skip
        with server_log.open("w") as log_file:
            server, port = start_server(args.database, args.workers, log_file)
            try:
                api_headers = {"Authorization": f"Token {token}"}
                page_headers = {"Cookie": f"sessionid={session_key}"}
                for query in queries[:5]:
                    http_get(port, "/api/v1/buyers/", {"q": query["q"]}, api_headers)
                for n, query in enumerate(queries):
                    if n % 100 == 0:
                        log(f"  {n} of {len(queries)}")
                    ms, (status, body) = timed(
                        http_get, port, "/api/v1/buyers/", {"q": query["q"]}, api_headers
                    )
                    assert status == 200, (status, body[:300])
                    top = [
                        (r["id"], r["name"], r["former_names"]) for r in json.loads(body)["results"]
                    ]
                    record(query["kind"], "api", ms, relevant(query, top[:10]))
                    ms, (status, body) = timed(
                        http_get, port, "/buyers/", {"q": query["q"]}, page_headers
                    )
                    assert status in (200, 302), (status, body[:300])
                    record(query["kind"], "page", ms, status == 302 or relevant(query, top[:10]))
            finally:
                stop_server(server)
    bare.close()
    report = {
        "buyers": total,
        "table_and_indexes_mib": round(table_bytes / 2**20),
        "bigram_index_mib": round(index_bytes[0] / 2**20),
        "normalised_name_index_mib": round(index_bytes[1] / 2**20),
        "load_average": os.getloadavg(),
        "kinds": {},
    }
    hits = {"selector": 0, "bare": 0, "api": 0}
    for kind, ways in results.items():
        entry = {}
        for way, figures in ways.items():
            entry[way] = {**percentiles(figures["ms"]), "relevant": figures["hits"]}
            if way in hits:
                hits[way] += figures["hits"]
        for way in ("selector", "api", "page"):
            if way in entry:
                entry[f"{way}_p95_over_bare_p95"] = round(
                    entry[way]["p95"] / max(entry["bare"]["p95"], 0.01), 1
                )
        report["kinds"][kind] = entry
    report["relevance"] = {
        way: round(count / len(queries), 3) for way, count in hits.items() if count or way != "api"
    }
    report["queries"] = len(queries)
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
