"""ETags and `If-Match` on the API's detail and update endpoints (issue 11 item 4, RFC 9110
13.1.1: a stale `If-Match` answers 412, so that an update made on an old read is refused
rather than silently overwriting a colleague's change).

An object's ETag is derived from its model, id and `updated_at` (every editable record
has one, auto_now), so it changes on every save, also on saves made outside the API.
Objects without `updated_at` are immutable records and carry no ETag.
"""

import hashlib

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status

ERROR_STALE = _(
    "The object changed since you read it (If-Match does not match its ETag); read it again."
)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = ERROR_STALE
    default_code = "precondition_failed"


def has_etag(model) -> bool:
    return any(field.name == "updated_at" for field in model._meta.concrete_fields)


def etag(model, pk, updated_at) -> str:
    text = f"{model._meta.label_lower}:{pk}:{updated_at.isoformat()}"
    return f'"{hashlib.sha256(text.encode()).hexdigest()[:32]}"'


def current_etag(obj, *, lock: bool = False) -> str:
    """The stored row's ETag, read again (a service may have saved it since `obj` was
    loaded); `lock` holds the row until the caller's transaction ends, so that the check
    and the update that follows it are one step."""
    rows = type(obj)._base_manager.filter(pk=obj.pk)
    if lock:
        rows = rows.select_for_update()
    return etag(type(obj), obj.pk, rows.values_list("updated_at", flat=True).get())


def matches(if_match: str, current: str) -> bool:
    """`If-Match: *` or a list of entity tags, compared strongly (RFC 9110 13.1.1)."""
    tags = [tag.strip() for tag in if_match.split(",")]
    return "*" in tags or current in tags


def check_if_match(obj, if_match: str) -> None:
    if has_etag(type(obj)) and not matches(if_match, current_etag(obj, lock=True)):
        raise PreconditionFailed()
