"""DRF plumbing shared by every app's API: the viewset bases, the model serializer base
and the exception handler (the JSON parser is in core.parsers) (SPEC 11: bad input answers
400 naming the field, never 5xx)."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import exceptions, serializers, viewsets
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core import idempotency, money, preconditions
from core.constraints import error_for_integrity_error

UPDATES = ("PUT", "PATCH")
ETAG_ACTIONS = ("retrieve", "update", "partial_update")


class RequestGuards:
    """Applied to every API view through the bases below (tests/core/test_idempotency.py
    checks that every registered viewset has it): `Idempotency-Key` on POST
    (core.idempotency), `ETag` on detail reads and updates and `If-Match` on updates
    (core.preconditions)."""

    _idempotency_key_id = None
    _etag_object = None

    def dispatch(self, request, *args, **kwargs):
        if request.method in UPDATES and "HTTP_IF_MATCH" in request.META:
            # The If-Match check locks the row; the update runs under the same lock.
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticated, permitted, throttled
        if request.method == "POST" and (key := idempotency.key_of(request)) is not None:
            self._idempotency_key_id = idempotency.begin(request, key)
        elif request.method in UPDATES and (if_match := request.headers.get("If-Match")):
            preconditions.check_if_match(self.get_object(), if_match)

    def get_object(self):
        obj = super().get_object()
        self._etag_object = obj
        return obj

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        try:
            return super().handle_exception(exc)
        except Exception:
            self._release_key()
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotency_key_id is not None:
            idempotency.finish(self._idempotency_key_id, response)
            self._idempotency_key_id = None
        obj = self._etag_object
        if (
            obj is not None
            and getattr(self, "action", None) in ETAG_ACTIONS
            and 200 <= response.status_code < 300
            and preconditions.has_etag(type(obj))
        ):
            # A read answers the row it loaded; an update's row was saved since: read again.
            if request.method in UPDATES:
                response["ETag"] = preconditions.current_etag(obj)
            else:
                response["ETag"] = preconditions.etag(type(obj), obj.pk, obj.updated_at)
        return response

    def _release_key(self):
        if self._idempotency_key_id is not None:
            idempotency.release(self._idempotency_key_id)
            self._idempotency_key_id = None


class GenericViewSet(RequestGuards, viewsets.GenericViewSet):
    """The base of every API viewset with a queryset."""


class ViewSet(RequestGuards, viewsets.ViewSet):
    """The base of every API viewset without a queryset (calculators)."""


class ModelSerializer(serializers.ModelSerializer):
    """Every app's model serializers: a model `MoneyField` becomes the one API money field."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        money.MoneyField: money.MoneySerializerField,
    }

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        # DRF drops allow_blank from a read-only field; a blank choice ("no outcome yet")
        # is still answered, and the schema must say so (an enum without "" is untrue).
        blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if blank and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs


def _detail(error: DjangoValidationError) -> dict:
    """A Django ValidationError as DRF's body: messages by field, `non_field_errors` for
    what belongs to no field (Django's own key, `__all__`, means nothing to a client)."""
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: [str(m) for m in error.messages]}
    detail = {}
    for field, errors in error.error_dict.items():
        key = api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field
        detail.setdefault(key, []).extend(str(m) for e in errors for m in e.messages)
    return detail


def _sent_fields(context) -> set[str] | None:
    request = context.get("request")
    if request is None:
        return None
    try:
        data = request.data
    except exceptions.APIException:  # an unparsable body: nothing was sent
        return None
    return set(data.keys()) if hasattr(data, "keys") else None


def _on_sent_fields(detail: dict, sent: set[str], aliases: dict[str, str]) -> dict:
    """A service names its own fields (`buyer`, `status`, `limit`, the `amount` a capacity
    check computed); the answer names only fields the client sent, through the view's
    `service_error_fields` aliases (`buyer` -> `buyer_uscc`), else `non_field_errors`."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    answer = {}
    for key, messages in detail.items():
        if key != non_field and key not in sent:
            key = aliases[key] if aliases.get(key) in sent else non_field
        answer.setdefault(key, []).extend(messages)
    return answer


def exception_handler(exc, context):
    """Services raise Django's ValidationError; answer it as a 400 naming the fields the
    client sent (what else went wrong is `non_field_errors`).

    A constraint that only the database caught (a race between two requests) is answered
    with the same field and message as if validation had caught it (core.constraints).
    """
    if isinstance(exc, IntegrityError):
        error = error_for_integrity_error(exc)
        if error is None:
            return None  # not one of ours: a bug, DRF re-raises it
        exc = error
    if isinstance(exc, DjangoValidationError):
        detail = _detail(exc)
        sent = _sent_fields(context)
        if sent is not None:
            aliases = getattr(context.get("view"), "service_error_fields", {})
            detail = _on_sent_fields(detail, sent, aliases)
        exc = serializers.ValidationError(detail)
    elif isinstance(exc, PermissionError):
        # A service refused the actor's role on an object the actor can see.
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)
