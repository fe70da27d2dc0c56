"""How an upstream app reaches the apps below it without importing them (STYLE).

An app registers plain functions in its `AppConfig.ready()` for the events it cares
about ("policies.policy.expire", "buyers.buyer.defaulted", ...); the upstream code
emits the event inside its transaction, so every reaction commits or rolls back with
the change that caused it. No Django signals: the registrations are explicit and the
order is the order of `INSTALLED_APPS`.
"""

from collections import defaultdict
from collections.abc import Callable

_reactions: dict[str, list[Callable]] = defaultdict(list)
_batch_forms: dict[Callable, Callable] = {}


def react(event: str, function: Callable, *, many: Callable | None = None) -> None:
    """Call `function(**payload)` whenever `event` is emitted (registering twice is a no-op).

    `many`, if given, is the same reaction for a bulk move: `emit_many` calls it once with
    every row's change (`many(changes=[...])`) instead of `function` once a row, so that
    a sweep of thousands asks its question in one query, not one per row."""
    if function not in _reactions[event]:
        _reactions[event].append(function)
    if many is not None:
        _batch_forms[function] = many


def emit(event: str, **payload) -> None:
    for function in list(_reactions.get(event, ())):
        function(**payload)


def emit_many(event: str, changes: list) -> None:
    """`emit(event, change=c)` for each of `changes`, through each reaction's batch form
    where it has one."""
    for function in list(_reactions.get(event, ())):
        if function in _batch_forms:
            _batch_forms[function](changes=changes)
        else:
            for change in changes:
                function(change=change)


def registered(event: str) -> list[Callable]:
    return list(_reactions.get(event, ()))


def collect(event: str, **payload) -> list:
    """Call every function registered for `event` and return their answers (those that
    are not None), for a question an upstream app asks the apps beside or above it."""
    answers = (function(**payload) for function in list(_reactions.get(event, ())))
    return [answer for answer in answers if answer is not None]
