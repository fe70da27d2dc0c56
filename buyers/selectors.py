"""Role-scoped reads of buyers and the buyer search (SPEC 4)."""

import re

from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import F, Func, IntegerField, QuerySet, Value

from buyers import search
from buyers.models import Buyer
from core import scope

USCC_PATTERN = re.compile(r"^[0-9A-Z]{2,18}$")
# Each candidate statement reads at most this many rows, in whatever order its index
# gives them (a LIMIT without ORDER BY): so no statement costs more than that, however
# common the query (66,878 names hold 机械制造 in 1,000,000; benchmarks/buyer_search.py).
SEARCH_CANDIDATES_PER_CONDITION = 200
# A looser kind of candidate is only looked for while the stricter ones found fewer.
ENOUGH_CANDIDATES = 10
# The ranked buyers a search returns: four pages of 50. A more specific query finds more.
SEARCH_RESULTS = 200


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


def buyer_search(qs: QuerySet[Buyer], query: str) -> QuerySet[Buyer]:
    """Exact or prefix USCC, else the buyers whose current or former names look most
    like the query, best first (`buyers.search.Ranking`), at most SEARCH_RESULTS.

    Names and query are compared normalised (`buyers.models.NormalisedName`: full-width
    characters, legal forms, 省/市). Candidates come in up to three rounds, each a few
    statements of at most SEARCH_CANDIDATES_PER_CONDITION rows through the indexes, the
    next round only while fewer than ENOUGH_CANDIDATES were found:

    1. the normalised name equal to or starting with the query (btree), and names
       holding every bigram of the query (GIN over `buyer_name_bigrams`);
    2. names holding the query's bigrams but one (`search.split_conditions`);
    3. names differing from it in one character (`search.one_wrong_character_conditions`),
       and where that leaves no bigram, in one character pronounced the same
       (`search.homophone_bigrams`: 瑞峰 finds 瑞丰).

    Only the candidates are ranked, in Python. Trade-off: a common query (机械制造) ranks
    a few hundred of its tens of thousands of matches, taken in index order, and paging
    stops there; ranking or counting every match took seconds (issue 10). The candidates
    are taken among the rows `qs` holds: apply the other filters and the user's scope
    first.
    """
    query = (query or "").strip()
    if not query:
        return qs
    upper = query.upper()
    if USCC_PATTERN.match(upper) and any(ch.isdigit() for ch in upper):
        if len(upper) == 18:
            return qs.filter(uscc=upper)
        return qs.filter(uscc__startswith=upper).order_by("name", "id")
    normalised = _normalised(query, qs.db)
    if not normalised:
        return qs.none()
    found: dict[int, search.Candidate] = {}
    for conditions in _candidate_rounds(normalised):
        found.update(_candidates(qs, conditions))
        if len(found) >= ENOUGH_CANDIDATES:
            break
    ranked = sorted(found.values(), key=search.Ranking(query, normalised).key)
    ids = [candidate.id for candidate in ranked[:SEARCH_RESULTS]]
    position = Func(
        Value(ids, output_field=ArrayField(IntegerField())),
        F("pk"),
        function="array_position",
        output_field=IntegerField(),
    )
    return qs.filter(pk__in=ids).order_by(position)


def _normalised(query: str, alias: str) -> str:
    """The query normalised by the same SQL function as the names in the index."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT buyer_normalised_name(%s)", [query])
        return cursor.fetchone()[0]


# The candidate reads, by kind, on the indexed expressions (migration 0005). Raw SQL: the
# ORM took longer to compile a round's UNION (about 15 ms) than PostgreSQL to run it.
CANDIDATE_CONDITIONS = {
    "prefix": "buyer_normalised_name(name) LIKE %s",
    "all_of": "buyer_name_bigrams(name, former_names) @> %s::text[]",
    "any_of": "buyer_name_bigrams(name, former_names) && %s::text[]",
}
# Most buyers have no former name: for those the inlined buyer_normalised_name alone (the
# function over all names has a subquery, is not inlined and costs a call per row).
CANDIDATE_READ = (
    "(SELECT id, name, CASE WHEN former_names = '' THEN ARRAY[buyer_normalised_name(name)] "
    "ELSE buyer_normalised_names(name, former_names) END FROM buyers_buyer "
    "WHERE {condition}{scope} LIMIT %s)"
)


def _candidate_rounds(normalised: str):
    """Each round's conditions, (kind, value) of CANDIDATE_CONDITIONS (see buyer_search)."""
    prefix = re.sub(r"([\\%_])", r"\\\1", normalised) + "%"
    if len(normalised) < 2:
        yield [("prefix", prefix)]
        return
    yield [("prefix", prefix), ("all_of", search.bigrams(normalised))]
    yield [("all_of", c) for c in search.split_conditions(normalised)]
    wrong = [("all_of", c) for c in search.one_wrong_character_conditions(normalised)]
    pieces = len(normalised) - 1
    for position in range(len(normalised)):
        if all(i in (position - 1, position) for i in range(pieces)):
            variants = search.homophone_bigrams(normalised, position)
            if variants:
                wrong.append(("any_of", variants))
    yield wrong


def _candidates(qs: QuerySet[Buyer], conditions: list) -> dict[int, search.Candidate]:
    """The buyers of `qs` meeting any of the conditions, each condition read up to its
    LIMIT, in one statement (UNION ALL of the bounded reads)."""
    if not conditions:
        return {}
    scope, scope_params = "", ()
    if qs.query.where:
        # The user's scope and the other filters, as the subquery the ORM writes for them.
        scope_sql, scope_params = qs.order_by().values("pk").query.sql_with_params()
        scope = f" AND id IN ({scope_sql})"
    reads, params = [], []
    for kind, value in conditions:
        reads.append(CANDIDATE_READ.format(condition=CANDIDATE_CONDITIONS[kind], scope=scope))
        params += [value, *scope_params, SEARCH_CANDIDATES_PER_CONDITION]
    with connections[qs.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(reads), params)
        rows = cursor.fetchall()
    return {pk: search.Candidate(pk, name, tuple(names)) for pk, name, names in rows}
