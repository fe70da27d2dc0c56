"""What the claims API's viewsets share: who may call what, the documented refusals and
the base viewset (SPEC 2, 7)."""

from drf_spectacular.utils import OpenApiResponse

from claims.services.common import INSURED_FILERS, INSURED_PREPARERS, is_claims_staff
from core.api import GenericViewSet
from limits.api.views import ActionRoles

# --- who may call what -------------------------------------------------------------------
# The services check again, on the object (PermissionError: 403); these refuse a role at
# once on list-level writes and, on an object, once it was found (limits.api.views).


def is_claims_handler(user) -> bool:
    """Claims handlers, claims managers and administrators of the insurer (SPEC 2)."""
    return is_claims_staff(user)


def is_notice_preparer(user) -> bool:
    """Prepares a notice: the insured's clerk, approver or administrator, or claims
    staff entering a paper notice."""
    return is_claims_staff(user) or (user.is_insured_user and user.role in INSURED_PREPARERS)


def is_notice_filer(user) -> bool:
    """Files, returns or discards a notice: the insured's approver or administrator, or
    claims staff (SPEC 2: a clerk's submission waits for an approver)."""
    return is_claims_staff(user) or (user.is_insured_user and user.role in INSURED_FILERS)


ERRORS = {
    400: OpenApiResponse(description="Refused: the body names each field and why."),
    403: OpenApiResponse(description="Your role does not allow this."),
    404: OpenApiResponse(description="Not found among the objects you may see."),
}


def answers(ok: dict, *errors: int) -> dict:
    return {**ok, **{code: ERRORS[code] for code in errors}}


class ClaimsViewSet(GenericViewSet):
    permission_classes = [ActionRoles]
    action_roles: dict = {}

    def body(self, serializer_class, **context):
        body = serializer_class(
            data=self.request.data, context={**self.get_serializer_context(), **context}
        )
        body.is_valid(raise_exception=True)
        return body.validated_data
