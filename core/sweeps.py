"""Periodic jobs drain what is due in bounded batches (SPEC 10, STYLE: readthedocs)."""

from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet

BATCH_SIZE = 500


def drain(due: QuerySet, process: Callable[[int], bool], *, batch_size: int = BATCH_SIZE) -> int:
    """Call `process(pk)` for every row of `due`, `batch_size` ids at a time, until none
    is left; return how many it processed (those for which it returned True).

    Keyset paging on the primary key: each batch starts after the last id seen, so a
    row that `process` leaves due (refused, or claimed by a concurrent run) is not read
    again and the loop always ends. `process` runs its own transaction per row, so a
    crash loses at most the row in hand, and a rerun continues from what is still due.
    """
    done, last = 0, 0
    while True:
        ids = list(due.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return done
        for pk in ids:
            if process(pk):
                done += 1
        last = ids[-1]


def drain_batches(
    due: QuerySet, process: Callable[[list[int]], int], *, batch_size: int = BATCH_SIZE
) -> int:
    """Call `process(ids)` for the rows of `due`, `batch_size` at a time, each batch in
    one transaction whose rows are locked first; return the sum of what it returned.

    For sweeps that fall due by the ten thousand (SPEC 10: waiting periods, deadlines):
    one transaction a batch instead of one a row, so `process` moves the batch with
    `transitions.transition_many` and writes its notifications in bulk. The lock is
    `FOR UPDATE SKIP LOCKED`: a second sweeper running at the same time takes the next
    batch instead of waiting for this one, and a row held by a user's transaction is left
    for the next run. A crash rolls back the batch in hand only; keyset paging as in
    `drain`, so a row that `process` leaves due is not read again and the loop ends.
    """
    done, last = 0, 0
    while True:
        with transaction.atomic():
            ids = list(
                due.filter(pk__gt=last)
                .order_by("pk")
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return done
            done += process(ids)
        last = ids[-1]
