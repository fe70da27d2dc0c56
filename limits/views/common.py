"""Shared pieces of the credit-limit screens (SPEC 5), thin views over limits.selectors and
limits.services.

Every object is looked up through a role-scoped selector, after the role check in
`dispatch`, so anything outside a user's scope is the same 404 as an unknown id (SPEC 2);
every write is one service call, whose ValidationErrors come back onto the form.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404

from core.mixins import apply_validation_error
from limits import services
from limits.choices import (
    ResponseCode,
)
from limits.tables import RESPONSE_BADGES
from limits.texts import decision_outcome

# Who may do what inside an insured (SPEC 2): the services check the same sets.
SUBMITTER_ROLES = frozenset(services.SUBMITTER_ROLES)
PREPARER_ROLES = frozenset(services.PREPARER_ROLES)
NOTICE_RESPONSES = frozenset({ResponseCode.REDUCTION, ResponseCode.CANCELLATION})
QUEUE_PAGE_SIZE = 100


@contextmanager
def service_call() -> Iterator[None]:
    """A service refusing a role on an object the user can see answers 404, like the rest."""
    try:
        yield
    except (PermissionError, ObjectDoesNotExist) as error:
        raise Http404 from error


def apply_service_error(form, error: ValidationError, aliases: dict | None = None) -> None:
    """Put a service's ValidationError on the form, renaming the service's field names
    to the form's where they differ (the service's `buyer` is the form's USCC); errors
    on names the form does not have (`status`, `limit`) go to the top of the form."""
    if aliases and hasattr(error, "error_dict"):
        renamed: dict = {}
        for field, errors in error.error_dict.items():
            renamed.setdefault(aliases.get(field, field), []).extend(errors)
        error = ValidationError(renamed)
    apply_validation_error(form, error)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def age_in_days(application, now) -> int | None:
    """Days since submission, up to the decision (SPEC 5 service level: 21 days)."""
    if application.submitted_at is None:
        return None
    end = application.decided_at or now
    return (end - application.submitted_at).days


def user_acts_for_insured(user, policy, roles) -> bool:
    return user.is_insured_user and user.organisation_id == policy.insured_id and user.role in roles


def show_decision(decision, user) -> None:
    """What a decision shows on a page: its outcome in words and colour, and the
    explanation its reader may see (insureds never see the insurer's workings)."""
    decision.outcome_text, decision.outcome_tone = decision_outcome(decision)
    decision.badge = decision.outcome_tone or RESPONSE_BADGES.get(
        decision.response_code, "secondary"
    )
    decision.explanation_shown = (
        decision.explanation_text if user.is_insurer_staff else decision.explanation_for_insured
    )
