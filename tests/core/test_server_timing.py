"""The page benchmark's Server-Timing header (core.middleware, benchmarks/pages.py)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

TIMING = re.compile(r'^total;dur=([\d.]+), sql;dur=([\d.]+);desc="(\d+)"$')


def test_the_header_counts_every_query_of_the_request_and_times_them(underwriter, settings):
    settings.MIDDLEWARE = ["core.middleware.ServerTimingMiddleware", *settings.MIDDLEWARE]
    client = Client()
    client.force_login(underwriter)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/policies/")
    total, sql, queries = TIMING.match(response["Server-Timing"]).groups()
    assert int(queries) == len(captured) > 0
    assert 0 < float(sql) <= float(total)


def test_it_is_off_unless_asked_for(underwriter):
    client = Client()
    client.force_login(underwriter)
    assert "Server-Timing" not in client.get("/policies/")
