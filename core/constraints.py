"""Database constraints that speak to people (SPEC 11: bad input gets a clear message
naming the field).

Django's own constraints report a violation as "Constraint “name” is violated." on no
field at all. Every constraint in the project is one of the two below instead: it names
the field its message belongs on and says what is wrong in the user's words. The same
message reaches the user three ways:

- a ModelForm or a service's `full_clean()` runs `validate()` below: the error is keyed on
  the field, so the form shows it under that input and the API under that key;
- a race that only the database catches raises IntegrityError; `error_for_integrity_error`
  finds the constraint by the name PostgreSQL reports and gives the same field and
  message (used by `core.api.exception_handler`).

To migrations they are plain Django constraints (see `deconstruct`), so naming a field
never needs a migration; the message is a migration-only change (AlterConstraint).
"""

from functools import cache

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models


class _FieldConstraintMixin:
    django_path: str

    def __init__(self, *args, field: str, violation_error_message, **kwargs):
        self.field = field
        super().__init__(*args, violation_error_message=violation_error_message, **kwargs)

    def validate(self, model, instance, exclude=None, **kwargs):
        try:
            super().validate(model, instance, exclude=exclude, **kwargs)
        except ValidationError:
            raise self.error() from None

    def error(self) -> ValidationError:
        code = self.violation_error_code or self.name
        return ValidationError(
            {self.field: [ValidationError(self.get_violation_error_message(), code=code)]}
        )

    def deconstruct(self):
        _path, args, kwargs = super().deconstruct()
        return self.django_path, args, kwargs

    def clone(self):
        _path, args, kwargs = self.deconstruct()
        return type(self)(*args, field=self.field, **kwargs)


class FieldCheckConstraint(_FieldConstraintMixin, models.CheckConstraint):
    """`CheckConstraint(condition=…, name=…, field=…, violation_error_message=…)`."""

    django_path = "django.db.models.CheckConstraint"


class FieldUniqueConstraint(_FieldConstraintMixin, models.UniqueConstraint):
    """`UniqueConstraint(fields=…, name=…, field=…, violation_error_message=…)`."""

    django_path = "django.db.models.UniqueConstraint"


@cache
def constraints_by_name() -> dict[str, models.BaseConstraint]:
    """Every constraint of every installed model, by its (database-wide unique) name."""
    return {
        constraint.name: constraint
        for model in apps.get_models()
        for constraint in model._meta.constraints
    }


def error_for_constraint(name: str) -> ValidationError | None:
    """The user's error for a violation of the constraint called `name`, if it is ours."""
    constraint = constraints_by_name().get(name)
    if constraint is None:
        return None
    if isinstance(constraint, _FieldConstraintMixin):
        return constraint.error()
    return ValidationError({NON_FIELD_ERRORS: [constraint.get_violation_error_message()]})


def error_for_integrity_error(error) -> ValidationError | None:
    """The user's error for an IntegrityError naming one of our constraints, else None."""
    diag = getattr(getattr(error, "__cause__", None), "diag", None)
    name = getattr(diag, "constraint_name", None)
    return error_for_constraint(name) if name else None
