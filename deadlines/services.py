"""Writes of the deadline engine: apps record obligations here; the sweep reminds and
flags misses (SPEC 7 "Deadline reminders", 10).

An app calls `deadline_set` when it creates an obligation (idempotent: the same kind,
object and key is one row, whose date follows the obligation), `deadline_meet` when it is
fulfilled and `deadline_waive` when it falls away. `deadlines_sweep` runs daily.
"""

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.choices import CLAIMS_ROLES, Role
from accounts.models import User
from core import transitions
from core.sweeps import BATCH_SIZE, drain_batches
from deadlines import texts
from deadlines.choices import (
    DEADLINE_MACHINE,
    MISSED_OFFSET,
    DeadlineAction,
    DeadlineParty,
    DeadlineStatus,
)
from deadlines.models import Deadline, DeadlineReminder
from notifications.services import Message, notify_many

JOB = "deadlines.sweep"
# Portal roles reminded of the insured's deadlines (viewers only read).
INSURED_RECIPIENT_ROLES = {Role.INSURED_ADMIN, Role.APPROVER, Role.CLERK}
# Staff reminded of the insurer's own deadlines, by kind; claims kinds default to claims.
INSURER_RECIPIENT_ROLES: dict[str, set] = {}


def _subject_filter(subject) -> dict:
    return {
        "subject_type": ContentType.objects.get_for_model(subject, for_concrete_model=False),
        "subject_id": subject.pk,
    }


def deadline_set(
    *, kind: str, party: str, policy, subject, due_on: date, key: str = "", detail: str = "",
    url: str = "", buyer=None, actor=None, job: str = "", private: bool = False,
) -> Deadline:  # fmt: skip
    """The deadline of `kind` on `subject` (and `key`), created open or moved to `due_on`.

    A deadline already met or waived keeps its date: it is a record of what happened.
    `private` hides it from the insurer (the obligation of an insured's draft).
    """
    lookup = {"kind": kind, "key": key, **_subject_filter(subject)}
    with transaction.atomic():
        deadline = Deadline.objects.select_for_update().filter(**lookup).first()
        if deadline is None:
            deadline = Deadline(
                party=party, policy=policy, buyer=buyer, due_on=due_on, detail=detail, url=url,
                private=private, **lookup,
            )  # fmt: skip
            try:
                with transaction.atomic():
                    transitions.create(
                        DEADLINE_MACHINE, deadline, DeadlineAction.OPEN, actor=actor, job=job
                    )
            except IntegrityError:  # created meanwhile by a concurrent caller
                deadline = Deadline.objects.select_for_update().get(**lookup)
            else:
                return deadline
        if deadline.status == DeadlineStatus.OPEN and deadline.due_on != due_on:
            deadline.due_on = due_on
            deadline.save(update_fields=["due_on", "updated_at"])
            # A moved deadline is reminded again ahead of its new date.
            deadline.reminders.all().delete()
    return deadline


def _find(kind: str, subject, key: str) -> Deadline | None:
    return (
        Deadline.objects.select_for_update()
        .filter(kind=kind, key=key, **_subject_filter(subject))
        .first()
    )


def deadline_meet(*, kind: str, subject, on: date, key: str = "", actor=None, job: str = ""):
    """Record the obligation as fulfilled on `on` (late if after the due date)."""
    with transaction.atomic():
        deadline = _find(kind, subject, key)
        if deadline is None or deadline.status not in (DeadlineStatus.OPEN, DeadlineStatus.MISSED):
            return deadline
        action = (
            DeadlineAction.MEET
            if deadline.status == DeadlineStatus.OPEN
            else (DeadlineAction.MEET_LATE)
        )
        return transitions.transition(
            DEADLINE_MACHINE, deadline, action, actor=actor, job=job, changes={"met_on": on},
            today=on,
        )  # fmt: skip


def deadline_waive(*, kind: str, subject, key: str = "", actor=None, job: str = "", reason=""):
    """The obligation fell away (a cancelled debit note, a withdrawn notice)."""
    with transaction.atomic():
        deadline = _find(kind, subject, key)
        if deadline is None or deadline.status not in (DeadlineStatus.OPEN, DeadlineStatus.MISSED):
            return deadline
        return transitions.transition(
            DEADLINE_MACHINE, deadline, DeadlineAction.WAIVE, actor=actor, job=job, reason=reason
        )


def recipients_of_insured(organisation_id: int):
    """The insured's users who act on its obligations (preparers and approvers)."""
    return User.objects.filter(
        organisation_id=organisation_id, role__in=INSURED_RECIPIENT_ROLES, is_active=True
    )


def recipients_of_insureds(organisation_ids) -> dict[int, list]:
    """`recipients_of_insured` for many insureds in one query (a sweep's batch)."""
    found: dict[int, list] = {pk: [] for pk in organisation_ids}
    for user in User.objects.filter(
        organisation_id__in=found, role__in=INSURED_RECIPIENT_ROLES, is_active=True
    ).order_by("pk"):
        found[user.organisation_id].append(user)
    return found


def recipients(deadline: Deadline):
    """Who is reminded: the insured's preparers and approvers, or the insurer's staff."""
    if deadline.party == DeadlineParty.INSURED:
        return recipients_of_insured(deadline.policy.insured_id)
    roles = INSURER_RECIPIENT_ROLES.get(deadline.kind, CLAIMS_ROLES)
    return User.objects.filter(organisation__kind="insurer", role__in=roles, is_active=True)


def _params(deadline: Deadline, **extra) -> dict:
    return {
        "kind": deadline.kind,
        "detail": deadline.detail,
        "policy": str(deadline.policy),
        "due_on": deadline.due_on.isoformat(),
        **extra,
    }


class _Recipients:
    """`recipients()` for a sweep's batch: the insureds' users in one query, the insurer's
    staff once per kind."""

    def __init__(self, deadlines: list[Deadline]):
        self.insureds = recipients_of_insureds(
            {d.policy.insured_id for d in deadlines if d.party == DeadlineParty.INSURED}
        )
        self.staff: dict[str, list] = {}

    def __call__(self, deadline: Deadline) -> list:
        if deadline.party == DeadlineParty.INSURED:
            return self.insureds[deadline.policy.insured_id]
        if deadline.kind not in self.staff:
            self.staff[deadline.kind] = list(recipients(deadline))
        return self.staff[deadline.kind]


def _sent(deadline_ids: list[int]) -> dict[int, set[int]]:
    sent: dict[int, set[int]] = {}
    for deadline_id, offset in DeadlineReminder.objects.filter(
        deadline_id__in=deadline_ids
    ).values_list("deadline_id", "offset_days"):
        sent.setdefault(deadline_id, set()).add(offset)
    return sent


def _remind(deadline_ids: list[int], *, offsets: list[int], today: date) -> int:
    """One batch of reminders, its open deadlines locked by `drain_batches`: each gets the
    one reminder now due; every offset it covers is recorded, so that a deadline created a
    day before its date gets one reminder, not two."""
    deadlines = list(Deadline.objects.select_related("policy").filter(pk__in=deadline_ids))
    sent, users = _sent(deadline_ids), _Recipients(deadlines)
    reminders, messages = [], []
    for deadline in deadlines:
        days_left = (deadline.due_on - today).days
        due = {d for d in offsets if 0 <= days_left <= d}
        new = due - sent.get(deadline.pk, set())
        if not new:
            continue
        reminders += [DeadlineReminder(deadline=deadline, offset_days=d) for d in sorted(new)]
        messages.append(
            Message(users=users(deadline), subject_code=texts.REMINDER_SUBJECT.code,
                    body_code=texts.REMINDER_BODY.code, params=_params(deadline, days=days_left),
                    url=deadline.url)
        )  # fmt: skip
    DeadlineReminder.objects.bulk_create(reminders)
    notify_many(messages)
    return len(messages)


def _miss(deadline_ids: list[int], *, today: date) -> int:
    """One batch of misses, its open deadlines past their date locked by `drain_batches`:
    all flagged missed in bulk, and each owner told once (the missed reminder row)."""
    deadlines = list(Deadline.objects.select_related("policy").filter(pk__in=deadline_ids))
    moved = transitions.transition_many(
        DEADLINE_MACHINE, deadlines, DeadlineAction.MISS, job=JOB, today=today
    )
    told = _sent(deadline_ids)
    fresh = [d for d in moved if MISSED_OFFSET not in told.get(d.pk, set())]
    users = _Recipients(fresh)
    DeadlineReminder.objects.bulk_create(
        [DeadlineReminder(deadline=d, offset_days=MISSED_OFFSET) for d in fresh]
    )
    notify_many(
        Message(users=users(d), subject_code=texts.MISSED_SUBJECT.code,
                body_code=texts.MISSED_BODY.code, params=_params(d), url=d.url)
        for d in fresh
    )  # fmt: skip
    return len(moved)


def deadlines_sweep(
    *, today: date, reminder_days: list[int] | None = None, batch_size: int = BATCH_SIZE
) -> dict:
    """Daily: flag open deadlines whose date has passed as missed (telling their owners
    once), and send each reminder ahead of a deadline once (SPEC 7, 10). A locked batch
    per transaction (`core.sweeps.drain_batches`): safe to run twice, or two at once."""
    offsets = sorted(
        reminder_days if reminder_days is not None else settings.DEADLINE_REMINDER_DAYS
    )
    missed = drain_batches(
        Deadline.objects.filter(status=DeadlineStatus.OPEN, due_on__lt=today),
        lambda ids: _miss(ids, today=today),
        batch_size=batch_size,
    )
    reminded = 0
    if offsets:
        window = Q(
            due_on__gte=today, due_on__lte=date.fromordinal(today.toordinal() + max(offsets))
        )
        reminded = drain_batches(
            Deadline.objects.filter(window, status=DeadlineStatus.OPEN),
            lambda ids: _remind(ids, offsets=offsets, today=today),
            batch_size=batch_size,
        )
    return {"missed": missed, "reminded": reminded}


def deadlines_meet_many(
    *, kind: str, subject_model, keys: set[tuple[int, str]], on: date, actor=None, job: str = ""
) -> int:
    """`deadline_meet` for many (subject id, key) pairs of one kind and subject model at
    once (a bulk upload of declarations): each open or missed one is met on `on` through
    the transition mechanism, in bulk. Returns how many were met."""
    if not keys:
        return 0
    subject_type = ContentType.objects.get_for_model(subject_model, for_concrete_model=False)
    pairs = sorted(keys)
    table = Deadline._meta.db_table
    met = 0
    with transaction.atomic():
        # One UPDATE per source status joined to the (subject, key) pairs: no row is read
        # into Python (a 100,000-row upload meets 100,000 deadlines).
        for status, action_name in (
            (DeadlineStatus.OPEN, DeadlineAction.MEET),
            (DeadlineStatus.MISSED, DeadlineAction.MEET_LATE),
        ):
            met += len(
                transitions.transition_where(
                    DEADLINE_MACHINE,
                    action_name,
                    from_status=status,
                    using="unnest(%s::bigint[], %s::text[]) AS pair(subject_id, key)",
                    where=(
                        f"{table}.kind = %s AND {table}.subject_type_id = %s "
                        f"AND {table}.subject_id = pair.subject_id AND {table}.key = pair.key"
                    ),
                    using_params=[[p[0] for p in pairs], [p[1] for p in pairs]],
                    params=[kind, subject_type.pk],
                    changes={"met_on": on},
                    actor=actor,
                    job=job,
                )  # fmt: skip
            )
    return met
