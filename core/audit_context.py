"""The audit context (who acts, from which URL) set once per transaction, not per statement.

pghistory's triggers read the acting user from two transaction-local settings
(`pghistory.context_id`, `pghistory.context_metadata`). Inside `pghistory.context()` its
execute wrapper prefixes *every* writing statement with `SELECT set_config(...)`: a
granted limit decision sent the same two settings twenty times, each parsed and run by
PostgreSQL, and the prefix makes every write a two-statement query.

The settings are `SET LOCAL`: they hold until the transaction ends. So this wrapper
prefixes only the first writing statement of each transaction, and again only when the
context changed (a nested `pghistory.context(...)` adding metadata) or may have been
undone (`ROLLBACK TO SAVEPOINT` takes the setting back with it). Outside a transaction
(autocommit) every write is its own transaction and is prefixed, as before.

Whether a statement starts a new transaction is read from the driver: psycopg reports
the connection IDLE until the transaction's first statement has run. The trigger side
(`_pgh_attach_context()`) is unchanged, so every audit row still carries the context.
This replaces a private function of pghistory's, whose version is pinned in
pyproject.toml; tests/core/test_audit_context.py fails if an upgrade changes the contract.
"""

import json

import pghistory.runtime
from pghistory import config
from psycopg.pq import TransactionStatus

# Transaction control and savepoints write no row: they never need the context.
_NOT_WRITES = ("savepoint", "release", "rollback", "commit", "end", "prepare")
_MARKER = "_tci_audit_context"  # on the connection: the context set in this transaction


def _first_word(sql: str) -> str:
    return sql.lstrip()[:12].lower()


def inject_once_per_transaction(execute, sql, params, many, context):
    """An execute wrapper for `pghistory.context()`, in place of pghistory's own."""
    is_bytes = isinstance(sql, bytes)
    text = sql.decode() if is_bytes else sql
    cursor, db = context["cursor"], context["connection"]
    if cursor.connection.info.transaction_status == TransactionStatus.IDLE:
        setattr(db, _MARKER, None)  # this statement starts a transaction (or autocommits)
    start = _first_word(text)
    if start.startswith("rollback"):
        setattr(db, _MARKER, None)  # a rolled-back savepoint may take the setting with it
    if not pghistory.runtime._can_inject_variable(cursor, text) or start.startswith(_NOT_WRITES):
        return pghistory.runtime._execute_wrapper(execute(sql, params, many, context))
    tracked = pghistory.runtime._tracker.value
    metadata = json.dumps(tracked.metadata, cls=config.json_encoder())
    wanted = (str(tracked.id), metadata)
    if getattr(db, _MARKER, None) == wanted:
        return pghistory.runtime._execute_wrapper(execute(sql, params, many, context))
    if isinstance(params, dict):
        params = {
            **params,
            "pghistory__context_id": wanted[0],
            "pghistory__context_metadata": metadata,
        }
        prefix = (
            "SELECT set_config('pghistory.context_id', %(pghistory__context_id)s, true), "
            "set_config('pghistory.context_metadata', %(pghistory__context_metadata)s, true); "
        )
    else:
        params = (*wanted, *(params or ()))
        prefix = (
            "SELECT set_config('pghistory.context_id', %s, true), "
            "set_config('pghistory.context_metadata', %s, true); "
        )
    text = prefix + text
    result = pghistory.runtime._execute_wrapper(
        execute(text.encode() if is_bytes else text, params, many, context)
    )
    if cursor.connection.info.transaction_status != TransactionStatus.IDLE:
        setattr(db, _MARKER, wanted)  # in a transaction: the settings hold until its end
    return result


def install() -> None:
    """Make `pghistory.context()` use this wrapper (it looks the name up on entering)."""
    pghistory.runtime._inject_history_context = inject_once_per_transaction
