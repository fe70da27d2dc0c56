from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404


class StaffRequiredMixin(LoginRequiredMixin):
    """Insurer staff only; anyone else gets the same 404 as for an unknown object."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_insurer_staff:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class UnderwriterRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (user.is_underwriter or user.is_superuser):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def apply_validation_error(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, on the named fields where they exist."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
