"""One way to change state (STYLE: Oscar's `set_status`, generalised).

Every stateful model declares a `StateMachine` in its app's `choices.py`: rows of
(from-status, action, to-status). `transition()` is the only code that writes a status:

1. it locks the row (or, in a sweep, claims it by compare-and-set on the old status),
2. refuses a move the table does not have, with a named error on the `action` field,
3. writes the new status under a database flag that the status guard trigger checks
   (`status_guard()` below: an UPDATE of the status without the flag is refused, so no
   code path, the admin or raw SQL included, can move a status another way),
4. writes an append-only status-change row (who, or which job; when; from; to; why;
   the decision or document that caused it),
5. runs the consequences other apps registered for that move (`core.reactions`), in
   the same transaction; their side effects go through the outbox, sent on commit.

`create()` is the same for a row's first status: it inserts the row and its first
status-change row ("" -> initial status), so every status a row ever had is recorded.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pgtrigger
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core import reactions
from core.copy import copy_insert
from core.text import LONG_TEXT_MAX_LENGTH

GUARD_SETTING = "tci.transition"
ERROR_NOT_ALLOWED = gettext_lazy("'%(action)s' is not possible while the status is %(status)s.")
ERROR_UNKNOWN_ACTION = gettext_lazy("Unknown action.")
ERROR_REASON_TOO_LONG = gettext_lazy("Keep the reason within %(max)s characters.")


class TransitionNotAllowed(ValidationError):
    """The transition table has no such move from the row's current status."""


@dataclass(frozen=True)
class StateMachine:
    """A transition table: `rows` are (from-status, action, to-status); "" is 'new row'.

    `model` and `history` are "app_label.Model" strings, so that `choices.py` stays
    free of model imports; `history_fk` names the history model's foreign key to it.
    """

    name: str
    model: str
    history: str
    history_fk: str
    rows: tuple[tuple[str, str, str], ...]
    status_labels: dict = field(default_factory=dict, compare=False, hash=False)
    action_labels: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self):
        seen = set()
        for source, action, _target in self.rows:
            if (source, action) in seen:
                raise ValueError(f"{self.name}: two rows for ({source!r}, {action!r})")
            seen.add((source, action))

    def target(self, status: str, action: str) -> str | None:
        for source, row_action, target in self.rows:
            if source == status and row_action == action:
                return target
        return None

    def allowed_actions(self, status: str) -> list[str]:
        """Actions the table allows from `status`, in table order (for buttons)."""
        return [action for source, action, _ in self.rows if source == status]

    def sources(self, action: str) -> frozenset[str]:
        return frozenset(source for source, row_action, _ in self.rows if row_action == action)

    def actions(self) -> frozenset[str]:
        return frozenset(action for _, action, _ in self.rows)

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def history_class(self) -> type[models.Model]:
        return apps.get_model(self.history)

    def refusal(self, status: str, action: str) -> TransitionNotAllowed:
        if action not in self.actions():
            return TransitionNotAllowed({"action": ERROR_UNKNOWN_ACTION})
        return TransitionNotAllowed(
            {
                "action": ERROR_NOT_ALLOWED
                % {
                    "action": self.action_labels.get(action, action),
                    "status": self.status_labels.get(status, status),
                }
            },
            code="transition_not_allowed",
        )


@dataclass(frozen=True)
class Change:
    """What a consequence receives: the moved object and the recorded move."""

    machine: StateMachine
    instance: models.Model
    action: str
    from_status: str
    to_status: str
    actor: object | None
    job: str
    reason: str
    record: models.Model
    today: date


def _set_guard(on: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [GUARD_SETTING, "on" if on else ""])


def _guarded_update(model, pk, from_status: str, values: dict) -> bool:
    """One row's status (and `values`) written by one statement that carries the guard:
    the WHERE clause turns the flag on for the row it found, before the status guard
    trigger runs; RETURNING turns it off again once the row is written. So the flag is
    never on outside this statement, without two more round trips to set and clear it.
    False when the row is no longer in `from_status` (claimed meanwhile)."""
    fields = {f.name: f for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(fields[name].column)} = %s" for name in values)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608 (model's meta)
        f"WHERE {quote(model._meta.pk.column)} = %s AND {quote('status')} = %s "
        "AND set_config(%s, 'on', true) = 'on' RETURNING set_config(%s, '', true)"
    )
    prepared = [
        fields[name].get_db_prep_save(_plain(fields[name], value), connection)
        for name, value in values.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*prepared, pk, from_status, GUARD_SETTING, GUARD_SETTING])
        return cursor.rowcount == 1


def _plain(field, value):
    """A model instance given for a foreign key, as its key (what `.update()` accepts)."""
    if field.is_relation and isinstance(value, models.Model):
        return value.pk
    return value


def _cause_fields(cause) -> dict:
    if cause is None:
        return {}
    from django.contrib.contenttypes.models import ContentType

    return {
        "cause_type": ContentType.objects.get_for_model(cause, for_concrete_model=False),
        "cause_id": cause.pk,
    }


def _record(machine, instance, *, action, from_status, to_status, actor, job, reason, cause,
            history_fields) -> models.Model:  # fmt: skip
    """The status-change row. `history_fields` may be a function of the moved instance
    (called now, after the write), for figures or a cause that exist only after it."""
    if callable(history_fields):
        history_fields = history_fields(instance)
    history_fields = dict(history_fields or {})
    cause = history_fields.pop("cause", cause)
    reason = (reason or "").strip()
    if len(reason) > LONG_TEXT_MAX_LENGTH:
        # Forms and serializers refuse it first; this is the last line, never a truncation.
        raise ValidationError({"reason": ERROR_REASON_TOO_LONG % {"max": LONG_TEXT_MAX_LENGTH}})
    return machine.history_class().objects.create(
        **{machine.history_fk: instance},
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        job=job,
        reason=reason,
        **_cause_fields(cause),
        **(history_fields or {}),
    )


def _record_and_react(machine, instance, *, action, from_status, to_status, actor, job,
                      reason, cause, history_fields, today) -> None:  # fmt: skip
    """The status-change row, then the consequences other apps registered for the move."""
    record = _record(
        machine, instance, action=action, from_status=from_status, to_status=to_status,
        actor=actor, job=job, reason=reason, cause=cause, history_fields=history_fields,
    )  # fmt: skip
    reactions.emit(
        f"{machine.name}.{action}",
        change=Change(
            machine=machine,
            instance=instance,
            action=action,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            job=job,
            reason=reason,
            record=record,
            today=today,
        ),
    )


def transition(
    machine: StateMachine,
    instance: models.Model,
    action: str,
    *,
    actor=None,
    job: str = "",
    reason: str = "",
    cause=None,
    changes: dict | None = None,
    history_fields: dict | Callable | None = None,
    claim: bool = False,
    locked: bool = False,
    today: date | None = None,
):
    """Move `instance` by `action`; write `changes` (other fields) with the status.

    With `claim=True` (sweeps) the row is not locked first: one conditional UPDATE on
    the status the caller saw claims it, and None is returned when someone else moved
    it meanwhile (the sweep skips it). Otherwise the row is locked and re-read, and a
    move the table lacks raises `TransitionNotAllowed`.

    With `locked=True` the caller holds the row's lock in its own transaction (a
    service's `action()`) and read `instance.status` under it: the lock is not taken a
    second time, and no savepoint either, since the move is then part of the caller's
    unit of work: a refusal, a failed write or a failed consequence rolls back the
    caller's atomic block (to its savepoint, or as a whole), never the move alone.
    """
    model = machine.model_class()
    changes = dict(changes or {})
    today = today or timezone.localdate()
    with transaction.atomic(savepoint=not locked):
        if claim or locked:
            from_status = instance.status
        else:
            from_status = (
                model.objects.select_for_update(of=("self",))
                .values_list("status", flat=True)
                .get(pk=instance.pk)
            )
        to_status = machine.target(from_status, action)
        if to_status is None:
            if claim:
                return None
            raise machine.refusal(from_status, action)
        values = {"status": to_status, **changes}
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            values["updated_at"] = timezone.now()
        if not _guarded_update(model, instance.pk, from_status, values):
            return None  # claimed by someone else between our read and write
        for name, value in values.items():
            setattr(instance, name, value)
        _record_and_react(
            machine, instance, action=action, from_status=from_status, to_status=to_status,
            actor=actor, job=job, reason=reason, cause=cause, history_fields=history_fields,
            today=today,
        )  # fmt: skip
    return instance


def create(
    machine: StateMachine,
    instance: models.Model,
    action: str,
    *,
    actor=None,
    job: str = "",
    reason: str = "",
    cause=None,
    history_fields: dict | Callable | None = None,
    today: date | None = None,
):
    """Insert `instance` in the status the table gives `action` from "" (a new row)."""
    to_status = machine.target("", action)
    if to_status is None:
        raise machine.refusal("", action)
    today = today or timezone.localdate()
    with transaction.atomic():
        instance.status = to_status
        instance.save(force_insert=True)
        _record_and_react(
            machine, instance, action=action, from_status="", to_status=to_status,
            actor=actor, job=job, reason=reason, cause=cause, history_fields=history_fields,
            today=today,
        )  # fmt: skip
    return instance


def status_guard(name: str = "status_via_transition") -> pgtrigger.Trigger:
    """A trigger refusing any UPDATE of `status` not made by `transition()`."""
    return pgtrigger.Trigger(
        name=name,
        operation=pgtrigger.Update,
        when=pgtrigger.Before,
        condition=pgtrigger.Q(old__status__df=pgtrigger.F("new__status")),
        func=(
            f"IF coalesce(current_setting('{GUARD_SETTING}', true), '') <> 'on' THEN "
            "RAISE EXCEPTION 'status of % changed outside the transition mechanism', "
            "TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation'; "
            "END IF; RETURN NEW;"
        ),
    )


def append_only(name: str = "status_change_append_only") -> pgtrigger.Protect:
    """Status-change rows are records: no UPDATE, no DELETE, also from raw SQL."""
    return pgtrigger.Protect(name=name, operation=pgtrigger.Update | pgtrigger.Delete)


def create_many(
    machine: StateMachine,
    instances: list[models.Model],
    action: str,
    *,
    actor=None,
    job: str = "",
    reason: str = "",
    today: date | None = None,
    batch_size: int = 2000,
) -> list[models.Model]:
    """`create()` for many new rows at once (a bulk upload): the same first status for
    each, one status-change row for each, the same consequences for each; inserted with
    a few multi-row INSERTs instead of two statements per row. All or nothing."""
    to_status = machine.target("", action)
    if to_status is None:
        raise machine.refusal("", action)
    today = today or timezone.localdate()
    model, history = machine.model_class(), machine.history_class()
    with transaction.atomic():
        for instance in instances:
            instance.status = to_status
        copy_insert(model, instances)
        records = _record_many(
            machine, instances, action=action, from_statuses=[""] * len(instances),
            to_status=to_status, actor=actor, job=job, reason=reason, history=history,
            batch_size=batch_size,
        )  # fmt: skip
        _react_many(
            machine,
            instances,
            records,
            action=action,
            from_statuses=[""] * len(instances),
            to_status=to_status,
            actor=actor,
            job=job,
            reason=reason,
            today=today,
        )
    return instances


def transition_many(
    machine: StateMachine,
    instances: list[models.Model],
    action: str,
    *,
    actor=None,
    job: str = "",
    reason: str = "",
    changes: dict | None = None,
    today: date | None = None,
    batch_size: int = 2000,
) -> list[models.Model]:
    """`transition()` for many rows moved by the same action with the same `changes`:
    a move the table lacks for any of them refuses them all; the rows are claimed by
    compare-and-set, one conditional UPDATE per source status (`WHERE status = old`)
    under the guard, whose row count must be the whole group, else everything is refused
    (a row moved meanwhile); each row gets its status-change row and consequences.

    The conditional UPDATE is the claim (as `transition(claim=True)`), so there is no
    SELECT ... FOR UPDATE of every row first: one statement per batch instead of two."""
    if not instances:
        return instances
    model, history = machine.model_class(), machine.history_class()
    changes = dict(changes or {})
    today = today or timezone.localdate()
    by_pk = {instance.pk: instance for instance in instances}
    with transaction.atomic():
        current = {}
        pks = sorted(by_pk)
        for start in range(0, len(pks), batch_size):
            current.update(
                model.objects.filter(pk__in=pks[start : start + batch_size]).values_list(
                    "pk", "status"
                )
            )
        groups: dict[str, list[int]] = {}
        for pk in by_pk:
            from_status = current[pk]
            if machine.target(from_status, action) is None:
                raise machine.refusal(from_status, action)
            groups.setdefault(from_status, []).append(pk)
        moved, from_statuses = [], []
        for from_status, pks in groups.items():
            to_status = machine.target(from_status, action)
            values = {"status": to_status, **changes}
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                values["updated_at"] = timezone.now()
            _set_guard(True)
            try:
                for start in range(0, len(pks), batch_size):
                    chunk = pks[start : start + batch_size]
                    updated = model.objects.filter(pk__in=chunk, status=from_status).update(
                        **values
                    )
                    if updated != len(chunk):  # some moved meanwhile: all or nothing
                        raise machine.refusal(from_status, action)
            finally:
                _set_guard(False)
            for pk in pks:
                instance = by_pk[pk]
                for name, value in values.items():
                    setattr(instance, name, value)
                moved.append(instance)
                from_statuses.append(from_status)
        targets = {source: machine.target(source, action) for source in groups}
        for source in groups:
            group = [i for i, f in zip(moved, from_statuses, strict=True) if f == source]
            records = _record_many(
                machine, group, action=action, from_statuses=[source] * len(group),
                to_status=targets[source], actor=actor, job=job, reason=reason,
                history=history, batch_size=batch_size,
            )  # fmt: skip
            _react_many(machine, group, records, action=action,
                        from_statuses=[source] * len(group), to_status=targets[source],
                        actor=actor, job=job, reason=reason, today=today)  # fmt: skip
    return moved


def _record_many(machine, instances, *, action, from_statuses, to_status, actor, job, reason,
                 history, batch_size) -> list[models.Model]:  # fmt: skip
    reason = (reason or "").strip()
    if len(reason) > LONG_TEXT_MAX_LENGTH:
        raise ValidationError({"reason": ERROR_REASON_TOO_LONG % {"max": LONG_TEXT_MAX_LENGTH}})
    actor = actor if getattr(actor, "pk", None) else None
    uniform = len(set(from_statuses)) <= 1
    if uniform and not reactions.registered(f"{machine.name}.{action}"):
        inserted = _insert_records(
            history, machine.history_fk, [i.pk for i in instances], action=action,
            from_status=from_statuses[0] if from_statuses else "", to_status=to_status,
            actor=actor, job=job, reason=reason, batch_size=batch_size,
        )  # fmt: skip
        if inserted:
            return []  # no consequence needs the record objects
    records = [
        history(
            **{machine.history_fk: instance},
            action=action,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            job=job,
            reason=reason,
        )  # fmt: skip
        for instance, from_status in zip(instances, from_statuses, strict=True)
    ]
    copy_insert(history, records)
    return records


# The fields every status-change row has (core.models.StatusChange), besides its key.
_BASE_RECORD_FIELDS = frozenset(
    {"id", "action", "from_status", "to_status", "actor", "job", "reason", "cause_type",
     "cause_id", "created_at"}
)  # fmt: skip


def _insert_records(history, fk_name, pks, *, action, from_status, to_status, actor, job, reason,
                    batch_size) -> bool:  # fmt: skip
    """The status-change rows of many moves that differ only by their object, written by
    one INSERT ... SELECT unnest(ids) per batch, without a model instance per row (for a
    100,000-row upload the instances cost more than the database). False, and nothing
    written, for a history model with figures of its own: those go through bulk_create."""
    fields = {f.name: f for f in history._meta.concrete_fields}
    if set(fields) - _BASE_RECORD_FIELDS != {fk_name}:
        return False
    table = connection.ops.quote_name(history._meta.db_table)
    columns = [fields[fk_name].column, "action", "from_status", "to_status", "actor_id", "job",
               "reason", "created_at"]  # fmt: skip
    column_sql = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = (
        f"INSERT INTO {table} ({column_sql}) "  # noqa: S608 (names from the model's meta)
        "SELECT unnest(%s::bigint[]), %s, %s, %s, %s, %s, %s, %s"
    )
    now = timezone.now()
    actor_id = getattr(actor, "pk", None)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), batch_size * 5):
            cursor.execute(
                sql,
                [pks[start : start + batch_size * 5], action, from_status, to_status, actor_id,
                 job, reason, now],
            )  # fmt: skip
    return True


def _react_many(machine, instances, records, *, action, from_statuses, to_status, actor, job,
                reason, today) -> None:  # fmt: skip
    event = f"{machine.name}.{action}"
    if not reactions.registered(event):
        return
    reactions.emit_many(event, [
        Change(
            machine=machine, instance=instance, action=action, from_status=from_status,
            to_status=to_status, actor=actor, job=job, reason=reason, record=record,
            today=today,
        )
        for instance, record, from_status in zip(instances, records, from_statuses, strict=True)
    ])  # fmt: skip


def transition_where(
    machine: StateMachine,
    action: str,
    *,
    from_status: str,
    where: str,
    params: list,
    using: str = "",
    using_params: list | None = None,
    changes: dict | None = None,
    actor=None,
    job: str = "",
    reason: str = "",
) -> list[int]:
    """`transition_many` for rows chosen by SQL, without loading them: one conditional
    UPDATE (`WHERE status = from_status AND <where>`, with `using` as extra FROM items,
    e.g. an `unnest()` of keys) under the guard, RETURNING the ids, whose status-change
    rows follow. For bulk moves nobody reacts to (a consequence needs instances: then
    use `transition_many`). `where` and `using` are the caller's SQL with %s placeholders,
    filled from `params` and `using_params`."""
    to_status = machine.target(from_status, action)
    if to_status is None:
        raise machine.refusal(from_status, action)
    if reactions.registered(f"{machine.name}.{action}"):
        raise ValueError(f"{machine.name}.{action} has consequences: use transition_many")
    model, history = machine.model_class(), machine.history_class()
    fields = {f.name: f for f in model._meta.concrete_fields}
    values = {"status": to_status, **(changes or {})}
    if "updated_at" in fields:
        values["updated_at"] = timezone.now()
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(fields[name].column)} = %s" for name in values)
    table = quote(model._meta.db_table)
    sql = (
        f"UPDATE {table} SET {assignments} "  # noqa: S608 (names from the model's meta)
        + (f"FROM {using} " if using else "")
        + f"WHERE {table}.{quote('status')} = %s AND ({where}) RETURNING {table}.{quote('id')}"
    )
    prepared = [fields[name].get_db_prep_save(value, connection) for name, value in values.items()]
    with transaction.atomic():
        _set_guard(True)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, [*prepared, *(using_params or []), from_status, *params])
                ids = [row[0] for row in cursor.fetchall()]
        finally:
            _set_guard(False)
        reason = (reason or "").strip()
        if len(reason) > LONG_TEXT_MAX_LENGTH:
            raise ValidationError({"reason": ERROR_REASON_TOO_LONG % {"max": LONG_TEXT_MAX_LENGTH}})
        recorded = _insert_records(
            history, machine.history_fk, ids, action=action, from_status=from_status,
            to_status=to_status, actor=actor, job=job, reason=reason, batch_size=2000,
        )  # fmt: skip
        if not recorded:  # a history with figures of its own: one instance per row
            _record_many(
                machine, [model(pk=pk) for pk in ids], action=action,
                from_statuses=[from_status] * len(ids), to_status=to_status, actor=actor,
                job=job, reason=reason, history=history, batch_size=2000,
            )  # fmt: skip
    return ids
