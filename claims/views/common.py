"""Shared pieces of the claims pages (SPEC 2, 7): who reaches which page at all, how a
service's refusal reaches the page, and the amount in words when it can be had. The services and the
selectors' allowed_*_actions decide what each user may do; these only gate the pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.template import engines

from claims.services.common import INSURED_PREPARERS
from core.mixins import RoleRequiredMixin, apply_validation_error

# The documents app's filter for amounts in Chinese capitals (人民币壹佰万元整), when it is
# installed: looked up in the template engine's libraries, as a template would load it.
WORDS_LIBRARY, WORDS_FILTER = "documents", "rmb_capitals"


class ClaimsReaderMixin(RoleRequiredMixin):
    """Notices and claims are the insured's, the insurer's and (through an assignment
    agreement) the bank's; the scope of each object decides the rest (SPEC 2)."""

    def allows(self, user) -> bool:
        return user.is_insurer_staff or user.is_insured_user or user.is_bank_user


class NoticePreparerMixin(RoleRequiredMixin):
    """The insured's clerks, approvers and administrators prepare notices (SPEC 2)."""

    def allows(self, user) -> bool:
        return user.is_insured_user and user.role in INSURED_PREPARERS


class NoticeWriterMixin(RoleRequiredMixin):
    """Insured users and claims staff (who enter a paper notice); the service decides."""

    def allows(self, user) -> bool:
        return user.is_insured_user or user.is_claims_staff


class ClaimsStaffMixin(RoleRequiredMixin):
    def allows(self, user) -> bool:
        return user.is_insurer_staff and user.is_claims_staff


class StaffReaderMixin(RoleRequiredMixin):
    def allows(self, user) -> bool:
        return user.is_insurer_staff


def amount_in_words(amount) -> str | None:
    """The amount in Chinese capitals if the documents app provides the filter, else None."""
    if amount is None:
        return None
    library = engines["django"].engine.template_libraries.get(WORDS_LIBRARY)
    words = library.filters.get(WORDS_FILTER) if library is not None else None
    return words(amount) if words is not None else None


def apply_errors(form, error: ValidationError, *, formset=None, formset_field="") -> None:
    """A service's ValidationError onto the form's fields; the errors keyed on the
    formset's name (the notice's "invoices") onto the formset, above its rows."""
    if formset is not None and hasattr(error, "error_dict") and formset_field in error.error_dict:
        errors = dict(error.error_dict)
        formset.non_form_errors().extend(
            message for e in errors.pop(formset_field) for message in e.messages
        )
        if not errors:
            return
        error = ValidationError(errors)
    apply_validation_error(form, error)


def message_non_field_errors(request, form) -> None:
    """A refusal that names no field of the form (the claim's status, its documents) is
    shown at the top of the page the form comes back on."""
    for message in form.non_field_errors():
        messages.error(request, message)
