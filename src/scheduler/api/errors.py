"""One table from errors to HTTP statuses, and the one shape of every error body.

    {"error": "therapist_busy", "detail": "<what was wrong and how to fix it>",
     "request_id": "...", "fields": [...]}           # fields: only for malformed requests

Status table (first match wins): NotFound 404; the domain's `Conflict`s (the calendar
changed under the request: slot taken, day full, writers colliding…) 409; every other
SchedulingError 422; the use-case layer's Forbidden 403 and Unavailable 503; account
errors 404/409/401/422; the API's own errors carry their status. The `error` code is
the error's own `code` (`cadence`, `in_the_past`, `therapist_busy`…). Domain and account
errors keep their own message as `detail`; an unexpected error answers 500 with no
detail and is logged by type and stack only (its message could hold a patient's data).
"""

# Error names follow the clinic's words (STYLE.md: `SlotTaken(BookingError)`), no suffix.

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

from scheduler.accounts import (
    AccountError,
    AccountExists,
    InvalidAccount,
    InvalidCredentials,
    LinkGone,
    UnknownAccount,
)
from scheduler.api.context import request_id
from scheduler.domain.errors import Conflict, NotFound, SchedulingError
from scheduler.usecases.errors import Forbidden, Unavailable

log = logging.getLogger("scheduler.api")


class ApiError(Exception):
    """Raised by the API itself (not the domain) to answer with `status` and `code`."""

    status = 400
    code = "bad_request"

    def __init__(self, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class Unauthenticated(ApiError):
    """Raised when a route needs a sign-in and the token is missing, tampered or expired."""

    status, code = 401, "not_authenticated"


class Missing(ApiError):
    """Raised when a record named in the path does not exist (or the id is malformed)."""

    status, code = 404, "not_found"


class IdempotencyKeyReused(ApiError):
    """Raised when an Idempotency-Key is sent again with a different request body."""

    status, code = 422, "idempotency_key_reused"


class RequestInProgress(ApiError):
    """Raised when a request with the same Idempotency-Key is still being processed."""

    status, code = 409, "request_in_progress"


class BodyTooLarge(ApiError):
    """Raised when a request body is larger than any request of this API needs."""

    status, code = 413, "request_too_large"


class StoreUnavailable(ApiError):
    """Raised when the event store (PostgreSQL) cannot be reached; `Retry-After` says when
    to try again."""

    status, code = 503, "store_unavailable"


class TooManyRequests(ApiError):
    """Raised when a caller exceeds the sign-in or booking rate; `Retry-After` says when."""

    status, code = 429, "too_many_requests"


# Most specific first: the first entry the error is an instance of decides.
# 409 when the request was well-formed but the calendar now holds something in its way
# (another booking won the slot, the day is full, writers kept colliding): the same
# request at another time can succeed. 422 when the request breaks a rule by itself.
STATUS_OF: tuple[tuple[type[Exception], int], ...] = (
    (NotFound, 404),
    (Conflict, 409),
    (SchedulingError, 422),
    (LinkGone, 410),
    (UnknownAccount, 404),
    (AccountExists, 409),
    (InvalidCredentials, 401),
    (InvalidAccount, 422),
)

_HTTP_CODES = {
    400: "invalid_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    410: "link_gone",
    413: "request_too_large",
    429: "too_many_requests",
}


class FieldError(msgspec.Struct, omit_defaults=True):
    """One malformed field of a request: where it is and what is wrong with it."""

    message: str
    key: str | None = None
    source: str | None = None


class ErrorBody(msgspec.Struct, omit_defaults=True):
    """What every error response holds."""

    error: str
    detail: str
    request_id: str
    fields: list[FieldError] | None = None


def _code_of(error: Exception) -> str:
    code = getattr(error, "code", None)
    if isinstance(code, str):
        return code
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()


def _respond(
    status: int,
    code: str,
    detail: str,
    *,
    fields: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[ErrorBody]:
    body = ErrorBody(error=code, detail=detail, request_id=request_id.get(), fields=fields)
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)


def handle_domain_error(_: Request[Any, Any, Any], error: Exception) -> Response[ErrorBody]:
    """Domain and account errors, by the status table."""
    status = next((s for kind, s in STATUS_OF if isinstance(error, kind)), 422)
    return _respond(status, _code_of(error), str(error))


def handle_forbidden(_: Request[Any, Any, Any], error: Forbidden) -> Response[ErrorBody]:
    """The caller may not see or change the record: 403 and none of its data."""
    return _respond(403, error.code, error.detail)


def handle_unavailable(_: Request[Any, Any, Any], error: Unavailable) -> Response[ErrorBody]:
    """A service the action needs is down: 503 with `Retry-After`; nothing was done."""
    return _respond(503, error.code, error.detail, headers={"Retry-After": str(error.retry_after)})


def handle_api_error(_: Request[Any, Any, Any], error: ApiError) -> Response[ErrorBody]:
    """Errors the API raises itself (auth, idempotency, rate limits, missing records)."""
    return _respond(error.status, error.code, error.detail, headers=error.headers)


def handle_http_error(_: Request[Any, Any, Any], error: HTTPException) -> Response[ErrorBody]:
    """The framework's own errors: malformed JSON or fields (400), unknown route (404)…"""
    fields = None
    if isinstance(error, ValidationException) and isinstance(error.extra, list):
        fields = [
            FieldError(
                message=str(item.get("message", "")),
                key=item.get("key"),
                source=str(item["source"]) if item.get("source") else None,
            )
            for item in error.extra
            if isinstance(item, dict)
        ]
    status = error.status_code
    code = _HTTP_CODES.get(status, "http_error" if status < 500 else "internal_error")
    detail = error.detail or "the request could not be processed"
    if fields:
        detail += ": fix the fields listed in `fields` and send the request again"
    return _respond(status, code, detail, fields=fields, headers=error.headers)


def handle_unexpected(_: Request[Any, Any, Any], error: Exception) -> Response[ErrorBody]:
    """Anything else: 500, logged by type and stack, never by message."""
    stack = "".join(traceback.format_tb(error.__traceback__))
    log.error("unexpected error", extra={"error_type": type(error).__name__, "stack": stack})
    return _respond(
        500, "internal_error", "the service failed unexpectedly; quote the request id to support"
    )


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    SchedulingError: handle_domain_error,
    AccountError: handle_domain_error,
    Forbidden: handle_forbidden,
    Unavailable: handle_unavailable,
    ApiError: handle_api_error,
    HTTPException: handle_http_error,
    Exception: handle_unexpected,
}


def responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI descriptions of the error statuses a route can answer with."""
    return {
        status: ResponseSpec(
            data_container=ErrorBody,
            description=_HTTP_CODES.get(status, "conflict" if status == 409 else "rule broken"),
        )
        for status in statuses
    }
