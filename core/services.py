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
