from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404


class RoleRequiredMixin(LoginRequiredMixin):
    """Only users for whom `allows(user)` holds; anyone else gets a 404 (SPEC 2).

    Checked in `dispatch` before any object is looked up, so an anonymous user is sent to
    the login page and a wrong role learns nothing about which ids exist.
    """

    def allows(self, user) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.allows(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class StaffRequiredMixin(RoleRequiredMixin):
    def allows(self, user) -> bool:
        return user.is_insurer_staff


class UnderwriterRequiredMixin(RoleRequiredMixin):
    def allows(self, user) -> bool:
        return user.is_underwriter or user.is_superuser


class InsuredRoleRequiredMixin(RoleRequiredMixin):
    """Insured users holding one of `allowed_roles`."""

    allowed_roles: frozenset = frozenset()

    def allows(self, user) -> bool:
        return user.is_insured_user and user.role in self.allowed_roles


def apply_validation_error(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, on the named fields where they exist."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_error_messages(form) -> list[str]:
    """A form's errors as sentences naming their field ("Reason: …"), for a button's form
    whose errors are shown as messages on the next page."""
    shown = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else None
        shown += [f"{label}: {message}" if label else message for message in errors]
    return shown


def message_form_errors(request, form) -> None:
    for message in form_error_messages(form):
        messages.error(request, message)


def message_errors(request, error: ValidationError) -> None:
    """A service's refusal of a button's action, shown as messages on the next page."""
    for message in error.messages:
        messages.error(request, message)


@dataclass
class Confirmation:
    """A binding action stated before it is taken (the page shows it as a dialog).

    `effects` say in the reader's words what will happen, with the figures the service
    computed in a dry run; confirming posts `fields` again to `action` with `confirmed=1`.
    """

    title: str
    effects: list[str]
    action: str
    fields: list[tuple[str, str]]
    button: str
    back_url: str
    tone: str = "primary"
    reason_label: str = ""  # ask for a reason in the dialog itself


CONFIRMED = "confirmed"


def is_confirmed(request) -> bool:
    return request.POST.get(CONFIRMED) == "1"


def posted_fields(request, *, leave_out=()) -> list[tuple[str, str]]:
    """The submitted form's values, to post them again once confirmed."""
    skip = {"csrfmiddlewaretoken", CONFIRMED, *leave_out}
    return [(name, value) for name, value in request.POST.items() if name not in skip]
