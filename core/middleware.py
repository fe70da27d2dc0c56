"""Server-Timing on every answer, for the page benchmark (benchmarks/pages.py, issue 10
B7). Installed only when DJANGO_SERVER_TIMING=1 (config/settings.py)."""

import time

from django.db import connection


class ServerTimingMiddleware:
    """`Server-Timing: total;dur=<ms>, sql;dur=<ms>;desc="<queries>"`: the time the request
    spent in Django after this middleware (the rest of the chain, the view, the template)
    and, of it, in SQL statements, counted by a database execute wrapper. First in the
    chain, so that the session and user lookups count too. A streamed answer's rows (the
    exports) are read after it returns and are not in the figures."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sql = {"queries": 0, "seconds": 0.0}

        def timed(execute, statement, params, many, context):
            began = time.perf_counter()
            try:
                return execute(statement, params, many, context)
            finally:
                sql["queries"] += 1
                sql["seconds"] += time.perf_counter() - began

        began = time.perf_counter()
        with connection.execute_wrapper(timed):
            response = self.get_response(request)
        total = time.perf_counter() - began
        response["Server-Timing"] = (
            f"total;dur={total * 1000:.2f}, "
            f'sql;dur={sql["seconds"] * 1000:.2f};desc="{sql["queries"]}"'
        )
        return response
