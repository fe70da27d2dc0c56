"""The OpenAPI schema's view of core.api.RequestGuards: every POST takes an optional
`Idempotency-Key`, every update an optional `If-Match` (issue 11 item 4)."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from core.api import UPDATES, RequestGuards
from core.idempotency import MAX_KEY_LENGTH

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        f"Optional, unique per request of this client (1 to {MAX_KEY_LENGTH} characters). A retry with the "
        "same key and body answers the first answer (header Idempotent-Replayed: true) and "
        "writes nothing; with another body 422; while the first still runs 409. Kept 24 hours."
    ),
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Optional: the ETag of the read this update is based on; stale answers 412.",
)


# The answers the guards add, so that a client (and a fuzzer) finds them documented.
POST_ANSWERS = {
    "409": {"description": "A request with this Idempotency-Key is still running."},
    "422": {"description": "This Idempotency-Key was used with another request."},
}
UPDATE_ANSWERS = {"412": {"description": "If-Match is stale: the object changed since."}}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if direction == "response" and isinstance(self.view, RequestGuards):
            extra = POST_ANSWERS if self.method == "POST" else {}
            extra = UPDATE_ANSWERS if self.method in UPDATES else extra
            bodies = {**bodies, **{code: a for code, a in extra.items() if code not in bodies}}
        return bodies

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if isinstance(self.view, RequestGuards):
            if self.method == "POST":
                parameters.append(IDEMPOTENCY_KEY)
            elif self.method in UPDATES:
                parameters.append(IF_MATCH)
        return parameters
