"""Role-scoped reads of buyers and the buyer search (SPEC 4)."""

import re
from contextlib import contextmanager

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connections, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from buyers.models import Buyer
from core import scope

USCC_PATTERN = re.compile(r"^[0-9A-Z]{2,18}$")
# Legal-form suffixes shared by nearly every name: left in a query, they make every
# company look similar (a typo'd full name took seconds over 1,000,000 buyers).
LEGAL_FORM_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
WHOLE_NAME_LENGTH = 8
# Two-character fragments (common in Chinese names) need a scan; from three on, the
# trigram index serves ILIKE too.
MIN_SUBSTRING_LENGTH = 2
TRIGRAM_LENGTH = 3
# Each kind of match contributes at most this many candidates to be ranked (see
# buyer_search); a page can therefore go at most this deep into one kind.
SEARCH_CANDIDATES_PER_KIND = 200
# A GIN scan whose every trigram is common returns a random sample of about this many
# rows instead of all of them (PostgreSQL's gin_fuzzy_search_limit): 机械制造 matches
# 66,878 of 1,000,000 names, 415 ms to collect in full, 41 ms sampled (benchmarks/).
GIN_SAMPLE_ROWS = 5000
# Nearly a whole name (WHOLE_NAME_LENGTH on) is looked for among names holding at least
# half of its trigrams somewhere (word similarity): one wrong character costs three of
# them. The connection's 0.3, right for fragments, lets in every name sharing the first
# three characters (1,658 for 苏州华星金城医药), too many to rank a sample of.
WHOLE_NAME_WORD_SIMILARITY = "0.5"
# Ranking counts the query's two-character pieces found in a name; a long query is cut.
MAX_RANKING_PIECES = 12


def exact_uscc(query: str) -> str | None:
    """The USCC a query names exactly (18 characters, any case), or None."""
    upper = (query or "").strip().upper()
    if len(upper) == 18 and USCC_PATTERN.match(upper) and any(ch.isdigit() for ch in upper):
        return upper
    return None


def buyers_visible_to(user) -> QuerySet[Buyer]:
    """Staff see the whole register; an insured, the buyers it holds limits on or has
    applied for; a bank, the buyers its assignment agreements cover (core.scope)."""
    return scope.visible(user, Buyer)


@contextmanager
def _trigram_index_scans(alias: str, **extra_settings: str):
    """Within the block, PostgreSQL reads buyers through the GIN trigram indexes only.

    Its row estimate for `ILIKE '%q%'` over Chinese names does not depend on q (10,101 of
    1,000,000 for any four characters, measured), so with a LIMIT it often chose a
    sequential scan expecting to stop early, and read 200,000 rows (1.5 s) for a
    fragment with 1,100 matches, or all of them for one with none. The index answers a
    rare fragment in milliseconds and, sampled (GIN_SAMPLE_ROWS), a common one in tens.
    Settings are transaction-local and put back on leaving.
    """
    settings = {
        "enable_seqscan": "off",
        "enable_indexscan": "off",  # else it walks the name btree, as slow as a scan
        "enable_indexonlyscan": "off",
        "gin_fuzzy_search_limit": str(GIN_SAMPLE_ROWS),
        **{name.replace("__", "."): value for name, value in extra_settings.items()},
    }
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in settings))
        previous = dict(zip(settings, cursor.fetchone(), strict=True))
        for name, value in settings.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        try:
            yield
        finally:
            for name, value in previous.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def buyer_search(qs: QuerySet[Buyer], query: str) -> QuerySet[Buyer]:
    """Exact or prefix USCC, else name search over current and former names, best first.

    Candidates, each kind found through an index: the name equal to the query; names
    starting with it; from two characters on, names and former names containing it;
    then, only while those leave fewer than SEARCH_CANDIDATES_PER_KIND, the names that
    look like it: for a long query (nearly a whole name) by whole-name trigram
    similarity (`name % q`), for a shorter one the names starting with its first two
    characters (what word similarity, `q <% name`, effectively adds for a Chinese
    fragment: they share its two leading trigrams; 苏州医药 → 苏州…).

    Ranked: equal name, then starting with the query, containing it, a former name
    containing it, the rest; within each, names holding more of the query's
    two-character pieces first (苏州瑞丰医药 before 苏州中联电子 for 苏州医药, where
    trigram similarity sees only the shared 苏州), then word similarity, then name.

    Trade-off: only a bounded candidate set is ranked. Each kind gives at most
    SEARCH_CANDIDATES_PER_KIND rows, in whatever order its index yields them (a LIMIT
    without ORDER BY; a very common fragment is sampled, see GIN_SAMPLE_ROWS), and only
    those are sorted. Ranking every match sorts them all first: 2.4 s for a common
    fragment over 1,000,000 buyers, and counting them 0.6 s (benchmarks/). So a common
    fragment ranks a few hundred of its tens of thousands of matches, and paging stops
    there; a more specific query finds the rest. The candidates are computed when this
    is called, among the rows `qs` holds: apply the other filters first.
    """
    query = (query or "").strip()
    if not query:
        return qs
    upper = query.upper()
    if USCC_PATTERN.match(upper) and any(ch.isdigit() for ch in upper):
        if len(upper) == 18:
            return qs.filter(uscc=upper)
        return qs.filter(uscc__startswith=upper).order_by("name", "id")
    whole = query
    for suffix in LEGAL_FORM_SUFFIXES:
        if query.endswith(suffix) and len(query) > len(suffix) + 1:
            query = query.removesuffix(suffix)
            break

    equal = Q(name__in=list(dict.fromkeys([whole, query])))
    prefix = Q(name__startswith=query)
    contains = Q(name__ilike_contains=query)
    former_contains = Q(former_names__ilike_contains=query)

    def candidates(condition) -> list[int]:
        rows = qs.filter(condition).order_by().values_list("pk", flat=True)
        return list(rows[:SEARCH_CANDIDATES_PER_KIND])

    ids = set(candidates(equal))  # the name btree
    substring = []  # (condition, tier)
    with _trigram_index_scans(qs.db):
        ids.update(candidates(prefix))
        if len(query) >= TRIGRAM_LENGTH:
            substring = [(contains, 2), (former_contains, 3)]
            for condition, _tier in substring:
                ids.update(candidates(condition))
    if len(query) == MIN_SUBSTRING_LENGTH:
        # No trigram inside two characters: a scan, which stops early for the common
        # ones, as two-character fragments mostly are. Not over the former names, which
        # are mostly empty: that scan never stops early (0.5 s over 1,000,000 buyers).
        substring = [(contains, 2)]
        ids.update(candidates(contains))
    if len(ids) < SEARCH_CANDIDATES_PER_KIND:
        # Too few matches as written: add the names that look like the query. (With
        # enough, these would only rank below them.)
        threshold = {}
        if len(query) >= WHOLE_NAME_LENGTH:
            alike = [
                Q(name__trigram_word_similar=query),
                Q(former_names__trigram_word_similar=query),
            ]
            threshold = {"pg_trgm__word_similarity_threshold": WHOLE_NAME_WORD_SIMILARITY}
        else:
            alike = [Q(name__startswith=query[:2])] if len(query) > MIN_SUBSTRING_LENGTH else []
        with _trigram_index_scans(qs.db, **threshold):
            for condition in alike:
                ids.update(candidates(condition))

    tiers = [When(equal, then=0), When(prefix, then=1)]
    tiers += [When(condition, then=tier) for condition, tier in substring]
    pieces = list(dict.fromkeys(query[i : i + 2] for i in range(len(query) - 1)))
    pieces_found = sum(
        (
            Case(When(name__contains=piece, then=1), default=0, output_field=IntegerField())
            for piece in pieces[:MAX_RANKING_PIECES]
        ),
        start=Value(0),
    )
    similarity = Greatest(
        TrigramWordSimilarity(query, "name"), TrigramWordSimilarity(query, "former_names")
    )
    return (
        qs.filter(pk__in=sorted(ids))
        .annotate(
            search_tier=Case(*tiers, default=4, output_field=IntegerField()),
            search_pieces=pieces_found,
            search_similarity=similarity,
        )
        .order_by("search_tier", "-search_pieces", "-search_similarity", "name", "id")
    )
