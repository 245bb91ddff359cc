"""Bad request bodies are refused at the door with a clear 4xx, before anything parses them.

After routing (the route says whether it takes JSON) and before authentication, every
request body is checked, cheapest first:

- larger than `MAX_BODY_BYTES` (by `Content-Length`, or as it streams in): 413;
- on a route that takes JSON (a `data` parameter): a media type other than
  `application/json` or `application/*+json` is 415 (a JSON body sent as `text/plain`
  is what a cross-site form can send); bytes that are not UTF-8 are 400; arrays and
  objects nested deeper than `MAX_DEPTH` are 400 (the decoder recurses, so a body
  nested a thousand deep used to crash it into a 500, even at sign-in);
- the body is then decoded strictly against the route's schema: the framework's own
  decoding is lax and reads `1700000000` as a date-time (it booked a session in 2023)
  or `"5"` as a number, so a value that only the lax decoding accepts is 400, naming
  the field; and every date and date-time in it must be within the years the clinic
  plans in (`schemas.types`), else 400.

A body the strict decoding refuses for another reason (a missing or unknown field) goes
on to the framework, which answers its usual 400. The pages' form routes under `/app/`
take forms, not JSON: only the size limit applies to them.
"""

# Error names follow the clinic's words, as in `api/errors.py`.

from __future__ import annotations

import re
from datetime import date
from typing import Any

import msgspec
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import ValidationException
from litestar.middleware.base import DefineMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from scheduler.api.errors import ApiError, BodyTooLarge
from scheduler.api.schemas.types import SPAN, in_range

MAX_BODY_BYTES = 64 * 1024
"""The largest body of any request; the API's own are a few hundred bytes."""
MAX_DEPTH = 32
"""The deepest nesting of arrays and objects a JSON body may have (ours need 3)."""

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_JSON_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


class BodyNotUTF8(ApiError):
    """Raised when a JSON body holds bytes that are not UTF-8."""

    status, code = 400, "body_not_utf8"


class BodyTooDeep(ApiError):
    """Raised when a JSON body nests arrays or objects deeper than any request needs."""

    status, code = 400, "body_too_deep"


class UnsupportedMediaType(ApiError):
    """Raised when a route that takes JSON is sent a body of another media type."""

    status, code = 415, "unsupported_media_type"


def nesting_depth(body: bytes, limit: int) -> int:
    """How deep arrays and objects nest in `body` (counting stops past `limit`)."""
    depth = deepest = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub(b"", body)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        else:
            depth -= 1
    return deepest


def json_schema_of(scope: Scope) -> Any | None:
    """The type a route decodes its JSON body into (None: it takes no JSON body)."""
    handler = scope.get("route_handler")
    if handler is None:
        return None
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return None
    media_type = getattr(data.kwarg_definition, "media_type", RequestEncodingType.JSON)
    return data.annotation if media_type == RequestEncodingType.JSON else None


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


def _invalid(message: str, key: str) -> ValidationException:
    """A 400 in the framework's shape: the API's error body with `fields`."""
    return ValidationException(
        detail="the request body is not valid",
        extra=[{"message": message, "key": key, "source": "body"}],
    )


def _out_of_range(value: Any, path: str) -> str | None:
    """The path of the first date or date-time outside the clinic's years, if any."""
    if isinstance(value, date):
        return None if in_range(value) else path
    if isinstance(value, msgspec.Struct):
        for field in msgspec.structs.fields(value):
            found = _out_of_range(getattr(value, field.name), f"{path}.{field.encode_name}")
            if found:
                return found
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            found = _out_of_range(item, f"{path}[{index}]")
            if found:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            found = _out_of_range(key, path) or _out_of_range(item, f"{path}.{key}")
            if found:
                return found
    return None


def check_json(body: bytes, schema: Any) -> None:
    """Raise the 4xx of a JSON body that is malformed for `schema` (see module docstring)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyNotUTF8("the request body must be UTF-8 encoded JSON") from None
    if nesting_depth(body, MAX_DEPTH) > MAX_DEPTH:
        raise BodyTooDeep(f"the request body nests deeper than {MAX_DEPTH} levels")
    try:
        value = msgspec.json.decode(body, type=schema, strict=True)
    except msgspec.ValidationError as strict:
        try:
            msgspec.json.decode(body, type=schema, strict=False)
        except msgspec.MsgspecError:
            return  # wrong for another reason: the framework says which, as usual
        message, _, where = str(strict).partition(" - at `$")
        raise _invalid(message, where.rstrip("`").lstrip(".")) from None
    except msgspec.DecodeError:
        return  # not JSON at all: the framework's 400
    found = _out_of_range(value, "$")
    if found:
        raise _invalid(f"dates and date-times must be {SPAN}", found.removeprefix("$."))


class BodyGuard:
    """The ASGI layer applying the checks of the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the body (bounded), check it, then hand it on unchanged."""
        if scope["type"] != ScopeType.HTTP or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise BodyTooLarge(f"the request body exceeds {MAX_BODY_BYTES} bytes")
        body, rest = await _read(receive)
        if len(body) > MAX_BODY_BYTES:
            raise BodyTooLarge(f"the request body exceeds {MAX_BODY_BYTES} bytes")
        schema = json_schema_of(scope)
        if body and schema is not None:
            media_type = _header(scope, b"content-type").split(";")[0].strip().lower()
            if not _JSON_TYPE.match(media_type):
                raise UnsupportedMediaType(
                    "this route takes JSON: send the body with 'Content-Type: application/json'"
                )
            check_json(body, schema)
        replay: list[Any] = [
            {"type": "http.request", "body": body, "more_body": False},
            *rest,
        ]

        async def receive_again() -> Any:
            return replay.pop(0) if replay else await receive()

        await self.app(scope, receive_again, send)


async def _read(receive: Receive) -> tuple[bytes, list[Any]]:
    """The body (at most one message past the limit) and any other message received."""
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BODY_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message]  # the client went away
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), []


body_guard = DefineMiddleware(BodyGuard)
"""The middleware to list first in `create_app` (before authentication)."""
