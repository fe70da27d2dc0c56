"""Periodic jobs drain what is due in bounded batches (SPEC 10, STYLE: readthedocs)."""

from collections.abc import Callable

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
