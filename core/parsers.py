"""The API's JSON parser (settings REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

Its own module: DRF reads its settings' parser classes while `rest_framework.views` is
imported, so this must not import that (core.api does).
"""

import json
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

# Our bodies nest three deep at most (a list of movements in an object); 32 leaves room
# and keeps every later recursive walk (validation, rendering) far from Python's limit.
MAX_JSON_DEPTH = 32
ERROR_TOO_DEEP = _("JSON nested more than %(depth)s levels deep.")
ERROR_JSON = _("The body is not valid JSON.")


def _depth_exceeds(value, limit: int) -> bool:
    """Whether `value` nests containers deeper than `limit`; iterative, so never recursing."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with 400 what it would answer with 500.

    `json.loads` recurses once per nesting level: a 40 KB body of `[[[…]]]` raises
    RecursionError, which DRF does not catch. Bodies deeper than MAX_JSON_DEPTH are
    refused as well, before any serializer walks them. Non-finite constants (NaN,
    Infinity) are not JSON and are refused too. Numbers with a fraction are read as
    Decimal, never through a float (amounts are refused as numbers by their field anyway,
    see core.money; percentages stay exact).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
            data = json.loads(text, parse_constant=_refuse_constant, parse_float=Decimal)
        except RecursionError:
            raise exceptions.ParseError(ERROR_TOO_DEEP % {"depth": MAX_JSON_DEPTH}) from None
        except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, NaN
            raise exceptions.ParseError(f"{ERROR_JSON} {error}") from None
        if _depth_exceeds(data, MAX_JSON_DEPTH):
            raise exceptions.ParseError(ERROR_TOO_DEEP % {"depth": MAX_JSON_DEPTH})
        return data


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")
