"""`Idempotency-Key` on API POSTs (issue 11 item 4; IETF draft-ietf-httpapi-idempotency-
key-header, Stripe's API; SPEC 11: a client's retry never writes twice).

The key row is inserted, and committed, before the view runs (INSERT ... ON CONFLICT DO
NOTHING): of concurrent duplicates exactly one inserts it and runs; the others read the
row and answer 409 while it runs, the first answer once it is done, 422 when the same key
came with another request. An answer of 5xx, or an exception, deletes the key so that the
client may retry. Keys are kept `IDEMPOTENCY_KEY_TTL` (24 hours) and then purged.
"""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status

from core.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# A running key whose request died with its process (no answer, no delete) is taken over
# after this long, rather than answering 409 until the purge.
RUNNING_TIMEOUT = timedelta(minutes=10)
# Headers of the first answer that a replay repeats (the body's type, a created object).
KEPT_HEADERS = ("Content-Type", "Location", "Content-Disposition")

ERROR_KEY_TOO_LONG = _("The Idempotency-Key header must be 1 to 255 characters.")
ERROR_KEY_REUSED = _("This Idempotency-Key was used with another request.")
ERROR_KEY_RUNNING = _("A request with this Idempotency-Key is still running; retry later.")


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = ERROR_KEY_REUSED
    default_code = "idempotency_key_reused"


class KeyRunning(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = ERROR_KEY_RUNNING
    default_code = "idempotency_key_running"


class Replay(Exception):
    """Raised from the view's `initial` to answer with the stored first response."""

    def __init__(self, response: HttpResponse):
        super().__init__()
        self.response = response


def _part(value):
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return [value.name, value.size, digest.hexdigest()]
    return value


def fingerprint(request) -> str:
    """sha256 of method, path with query and the parsed body. Parsed, not raw: a form's
    multipart boundary differs between two sends of the same fields and file."""
    data = request.data
    if hasattr(data, "lists"):
        body = sorted((name, [_part(v) for v in values]) for name, values in data.lists())
    else:
        body = data
    text = json.dumps([request.method, request.get_full_path(), body], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def key_of(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH:
        raise exceptions.ValidationError({HEADER: [ERROR_KEY_TOO_LONG]})
    return key


def _insert(user_id, key, method, path, digest) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {IdempotencyKey._meta.db_table} "  # noqa: S608 - our table name
            "(user_id, key, method, path, fingerprint, state, response_body, "
            "response_headers, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, '', '{}', %s) "
            "ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
            [user_id, key, method, path, digest, IdempotencyKey.State.RUNNING, timezone.now()],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _take_over_stale(row: IdempotencyKey) -> bool:
    """A running key older than RUNNING_TIMEOUT: one caller takes it over (a guarded update)."""
    now = timezone.now()
    return bool(
        IdempotencyKey.objects.filter(
            pk=row.pk,
            state=IdempotencyKey.State.RUNNING,
            fingerprint=row.fingerprint,
            created_at__lt=now - RUNNING_TIMEOUT,
        ).update(created_at=now)
    )


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(row.response_body), status=row.response_status)
    for name, value in row.response_headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def begin(request, key: str) -> int:
    """Claim `key` for this request and return the key row's id, or raise: `Replay` with
    the first answer, `KeyRunning` (409), `KeyReused` (422).

    Runs outside the view's transaction (ATOMIC_REQUESTS is off), so that the insert is
    committed and seen by concurrent duplicates at once."""
    digest = fingerprint(request)
    user_id = request.user.pk
    for _attempt in range(3):
        key_id = _insert(user_id, key, request.method, request.get_full_path(), digest)
        if key_id is not None:
            return key_id
        row = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
        if row is None:
            continue  # the first request failed and released the key meanwhile: claim again
        if row.fingerprint != digest:
            raise KeyReused()
        if row.state == IdempotencyKey.State.DONE:
            raise Replay(_replay(row))
        if _take_over_stale(row):
            return row.pk
        raise KeyRunning()
    raise KeyRunning()


def finish(key_id: int, response) -> None:
    """Keep the answer for replays; a server error or a streamed answer releases the key."""
    if response.status_code >= 500 or response.streaming:
        release(key_id)
        return
    if hasattr(response, "render"):
        response.render()
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    IdempotencyKey.objects.filter(pk=key_id).update(
        state=IdempotencyKey.State.DONE,
        response_status=response.status_code,
        response_body=response.content,
        response_headers=headers,
    )


def release(key_id: int) -> None:
    IdempotencyKey.objects.filter(pk=key_id).delete()


def purge(now=None) -> int:
    """Delete keys older than IDEMPOTENCY_KEY_TTL (a beat task runs this hourly)."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_KEY_TTL
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
