"""The pure parts of the buyer name search (SPEC 4): pieces of a normalised name, the
candidate conditions a query gives, homophones and the ranking. No ORM here; the
selector (`buyers.selectors.buyer_search`) runs the conditions and ranks what they find.

Names are compared normalised (`buyers.models.NormalisedName`, one SQL function, so that
the index and the query agree). Their two-character pieces (bigrams) are what the GIN
index holds: a name contains a query only if it holds all of the query's bigrams, and
one wrong character in a query spoils at most the two bigrams it is part of.
"""

from dataclasses import dataclass
from functools import cache

from pypinyin import Style, lazy_pinyin


def bigrams(text: str) -> list[str]:
    """The distinct two-character pieces of `text`, in order of first appearance."""
    return list(dict.fromkeys(text[i : i + 2] for i in range(len(text) - 1)))


def split_conditions(query: str) -> list[list[str]]:
    """For each place between two characters, the query's bigrams but the one across it:
    names holding both sides of the query with something between them or one character
    left out of the query (苏州医药 → 苏州…医药; 苏州瑞丰医公司 → 苏州瑞丰医药)."""
    pieces = [query[i : i + 2] for i in range(len(query) - 1)]
    if len(pieces) < 2:
        return []
    return _distinct([pieces[:j] + pieces[j + 1 :] for j in range(len(pieces))])


def one_wrong_character_conditions(query: str) -> list[list[str]]:
    """For each character, the query's bigrams but the (up to) two it is part of: names
    that differ from the query in that one character. Positions left without any bigram
    (both characters of a two-character query, the middle one of three) give none; for
    those see `homophone_bigrams`."""
    pieces = [query[i : i + 2] for i in range(len(query) - 1)]
    conditions = []
    for j in range(len(query)):
        kept = [p for i, p in enumerate(pieces) if i not in (j - 1, j)]
        if kept:
            conditions.append(kept)
    return _distinct(conditions)


def _distinct(conditions: list[list[str]]) -> list[list[str]]:
    seen, result = set(), []
    for condition in conditions:
        key = frozenset(condition)
        if key not in seen:
            seen.add(key)
            result.append(sorted(key))
    return result


@cache
def syllable(char: str) -> str:
    """The toneless pinyin of a character's first reading, or the character itself."""
    if not "\u4e00" <= char <= "\u9fff":
        return char
    return lazy_pinyin(char, style=Style.NORMAL)[0]


@cache
def _common_characters_by_syllable() -> dict[str, str]:
    """The 3,755 first-level characters of GB 2312 (the common ones) by syllable."""
    by_syllable: dict[str, str] = {}
    for first in range(0xB0, 0xD8):
        for second in range(0xA1, 0xFF):
            try:
                char = bytes([first, second]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            by_syllable[syllable(char)] = by_syllable.get(syllable(char), "") + char
    return by_syllable


def homophones(char: str) -> str:
    """Common characters pronounced as `char` (tones aside), not `char` itself: what a
    pinyin input method puts in its place (峰, 锋, 风 ... for 丰)."""
    return _common_characters_by_syllable().get(syllable(char), "").replace(char, "")


def homophone_bigrams(query: str, position: int) -> list[str]:
    """The bigrams of `query` that hold its character at `position`, with that character
    replaced by each of its homophones (瑞峰, position 1 → 瑞丰, 瑞风, 瑞锋 ...)."""
    variants = []
    for other in homophones(query[position]):
        changed = query[:position] + other + query[position + 1 :]
        variants += [
            changed[i : i + 2] for i in (position - 1, position) if 0 <= i < len(query) - 1
        ]
    return sorted(set(variants))


def phonetic(text: str) -> tuple[str, ...]:
    return tuple(syllable(char) for char in text)


@dataclass(frozen=True)
class Candidate:
    """A buyer found for a query: its id, registered name and normalised names (the
    current one first, then the former ones)."""

    id: int
    name: str
    normalised: tuple[str, ...]


class Ranking:
    """The order of a query's candidates, best first (`key`): the name as typed; the
    normalised name equal to the query's, starting with it, containing it; a former name
    containing it; then the names holding most of the query (`coverage`), closest in
    length to it; then by name.

    苏州医药 therefore lists 苏州医药集团, then 江苏苏州医药销售, then 苏州瑞丰医药 (both
    of its parts), before 苏州中联电子 (only 苏州)."""

    def __init__(self, query: str, normalised_query: str):
        self.query = query
        self.normalised = normalised_query
        self.pieces = [normalised_query[i : i + 2] for i in range(len(normalised_query) - 1)]
        self.sounds = [phonetic(piece) for piece in self.pieces]

    def key(self, candidate: Candidate) -> tuple:
        q = self.normalised
        current, *former = candidate.normalised or ("",)
        if candidate.name == self.query:
            tier = 0
        elif current == q:
            tier = 1
        elif current.startswith(q):
            tier = 2
        elif q in current:
            tier = 3
        elif any(q in name for name in former):
            tier = 4
        else:
            tier = 5
        coverage = max(self.coverage(name) for name in candidate.normalised or ("",))
        return (tier, -coverage, abs(len(current) - len(q)), candidate.name, candidate.id)

    def coverage(self, name: str) -> float:
        """How much of the query the name holds: each character of the query counts 1 if
        a bigram it is part of is in the name, half if one only sounds the same; then the
        bigrams themselves the same way, as a tie-breaker (扬州…新能源 holds all of
        扬州新能源, 杭州新能源 only 州新能源; 瑞丰 half of 瑞峰)."""
        held = {name[i : i + 2] for i in range(len(name) - 1)}
        weights = [1.0 if piece in held else 0.0 for piece in self.pieces]
        if not all(weights):
            sounds = {phonetic(piece) for piece in held}
            weights = [
                w or (0.5 if s in sounds else 0.0)
                for w, s in zip(weights, self.sounds, strict=True)
            ]
        characters = sum(
            max([weights[i] for i in (j - 1, j) if 0 <= i < len(weights)], default=0.0)
            for j in range(len(self.normalised))
        )
        return characters + sum(weights) / (len(weights) + 1)
