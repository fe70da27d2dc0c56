"""Helpers every service uses: one transaction with the acting user in the audit trail."""

from collections.abc import Iterator
from contextlib import contextmanager

import pghistory
from django.db import transaction


@contextmanager
def action(actor, **context) -> Iterator[None]:
    """A durable write: one atomic block, every audit row tagged with who did it.

    Zulip's action functions have this shape; pghistory's context puts the user into
    the trigger-written event rows, whether the caller is a view, the API or a job.
    """
    with transaction.atomic(), pghistory.context(user=getattr(actor, "pk", None), **context):
        yield


class _RolledBack(Exception):
    def __init__(self, result):
        super().__init__("dry run")
        self.result = result


def dry_run(call):
    """What a service would do, without doing it: `call()` runs in a transaction that is
    then rolled back, so no row, audit event or notification survives and on-commit work
    (e-mails, tasks) is dropped. A refusal raises as it would for real.

    For confirmation steps: the page states the effect the service computed (the effective
    date it chose, whether four-eyes applies) before the user commits to it. The returned
    objects describe rows that no longer exist: read them, never save them.
    """
    try:
        with transaction.atomic():
            raise _RolledBack(call())
    except _RolledBack as done:
        return done.result
