"""Bulk loading by COPY for scale data (issue 10): ids drawn from the tables' sequences,
rows streamed with psycopg 3's `cursor.copy`, secondary indexes rebuilt once at the end.

Row triggers are skipped (`session_replication_role = replica`, set by the caller for its
transaction): pghistory's audit copies are for user actions, not for generated reference
data, as in `benchmarks/decisions_api.py` (whose `copy_rows` does the same per table; it
is left as it is while that benchmark is being reworked). The same setting also skips
the foreign-key triggers, so the generator must only write ids it has reserved; the
check constraints and unique indexes still hold every row.
"""

import time
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils import timezone


def reserve_ids(model: type[models.Model], count: int) -> int:
    """Take `count` consecutive ids from the model's sequence; returns the first."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s)", [sequence])
        (first,) = cursor.fetchone()
        if count > 1:
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's indexes that no constraint (primary key,
    unique, exclusion) owns: these can be dropped and rebuilt from their definitions."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = %s::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY i.relname
            """,
            [table],
        )
        return cursor.fetchall()


class Copier:
    """COPY rows into one model's table. The caller names the columns it gives (db column
    names, `id` first); every other column takes the field's default, NULL or '', as the
    ORM would write it (auto_now fields: the load's timestamp)."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.model = model
        self.table = model._meta.db_table
        given = set(columns)
        now = timezone.now()
        rest, constants = [], []
        for field in model._meta.concrete_fields:
            if field.column in given:
                continue
            rest.append(field.column)
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                constants.append(now)
            elif field.has_default():
                value = field.get_default()
                constants.append("{}" if isinstance(field, models.JSONField) else value)
            elif field.null:
                constants.append(None)
            elif isinstance(field, models.CharField | models.TextField):
                constants.append("")
            else:
                raise ValueError(f"{model.__name__}.{field.name} needs a value")
        unknown = given - {f.column for f in model._meta.concrete_fields}
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        self.columns = [*columns, *rest]
        self.constants = tuple(constants)

    def copy(self, rows: Iterable[Sequence]) -> int:
        """Stream the rows; returns their number."""
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in self.columns)
        constants = self.constants
        count = 0
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {quote(self.table)} ({names}) FROM STDIN") as copy,
        ):
            write = copy.write_row
            for row in rows:
                write((*row, *constants))
                count += 1
        return count


def load_table(model, columns, rows, *, report) -> int:
    """Drop the table's secondary indexes, COPY the rows, rebuild the indexes, ANALYZE;
    `report(table, rows, seconds, index_seconds)` is told how long each part took."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    indexes = secondary_indexes(table)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    count = Copier(model, columns).copy(rows)
    copied = time.perf_counter()
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"ANALYZE {quote(table)}")
    report(table, count, copied - started, time.perf_counter() - copied)
    return count
