"""The OpenAPI document tells the truth, for every route, new ones included.

Litestar documents what each handler declares; what the app's wiring adds to every
route it documents here, once, when the document is first rendered (`complete`):

- every error status a route can answer, with our error body (`ErrorBody`, or an
  `OperationOutcome` on FHIR routes), never Litestar's default 400 body: 400 for bad
  input and 422 for a rule broken by it, 401/403 unless public, 404 with path
  parameters, 413/415 with a body, 409 on writes (and `Idempotency-Key` on POST: 409,
  422), 503 (store unreachable) but on `/health`;
- `Retry-After` on every 429 and 503 of ours;
- `security: []` on public routes (`opt={"public": True}`);
- `additionalProperties: false` on every request body (and nested) struct that refuses
  unknown fields (`forbid_unknown_fields=True`).

`AllowHeader` completes the `Allow` header of OPTIONS answers: Litestar's OPTIONS handler
lists only the methods its path had when it was made, not those other controllers add.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import msgspec
from litestar import Litestar
from litestar.enums import ScopeType
from litestar.openapi import OpenAPIConfig
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send

FHIR_JSON = "application/fhir+json"
ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
OPERATION_OUTCOME = {"$ref": "#/components/schemas/OperationOutcome"}
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}
_DESCRIPTIONS = {
    400: "invalid_request: malformed input, named in `fields`",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    409: "conflict (or a request with this Idempotency-Key still running)",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "rule broken (or an Idempotency-Key reused with another body)",
    429: "too_many_requests",
    503: "unavailable: a service it needs cannot be reached",
}


def truthful(config: OpenAPIConfig) -> OpenAPIConfig:
    """`config` whose every rendering (JSON, YAML, the UIs) shows the completed document."""
    for plugin in config.render_plugins:
        plugin.render = _completing(plugin.render)  # type: ignore[method-assign]
    return config


def _completing(render: Callable[[Any, dict[str, Any]], bytes]) -> Callable[..., bytes]:
    def render_completed(request: Any, openapi_schema: dict[str, Any]) -> bytes:
        # Litestar caches the document: completing it is idempotent and cheap.
        complete(request.app, openapi_schema)
        return render(request, openapi_schema)

    return render_completed


def complete(app: Litestar, document: dict[str, Any]) -> None:
    """Add to `document` what the app's wiring does for every route (module docstring)."""
    paths = document.get("paths", {})
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path_format not in paths:
            continue
        for method, (handler, _) in route.route_handler_map.items():
            operation = paths[route.path_format].get(method.lower())
            if isinstance(operation, dict):
                _complete_operation(operation, handler.opt, method)
    _forbid_unknown_fields(app, document.get("components", {}).get("schemas", {}))


def _complete_operation(operation: dict[str, Any], opt: dict[str, Any], method: str) -> None:
    public = opt.get("public") is True
    if public:
        operation["security"] = []
    responses: dict[str, Any] = operation.setdefault("responses", {})
    successes = [r for s, r in responses.items() if s.startswith("2")]
    fhir = any(FHIR_JSON in r.get("content", {}) for r in successes)
    parameters = operation.get("parameters", [])
    body = "requestBody" in operation
    statuses: set[int] = set()
    if parameters or body:
        # Malformed input (400); a clinic rule the values break, in any action (422).
        statuses |= {400, 422}
    if not public:
        statuses |= {401, 403}
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if body:
        statuses |= {413, 415}
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        statuses.add(409)  # the calendar changed under the write
    if method == "POST" and opt.get("idempotent") is not False:
        statuses |= {409, 422}
    if opt.get("store") is not False:
        statuses.add(503)
    for code in statuses:
        responses.setdefault(str(code), {"description": _DESCRIPTIONS.get(code, "error")})
    for status, response in responses.items():
        if status[0] in "45":
            _as_error(int(status), response, fhir=fhir)


def _as_error(status: int, response: dict[str, Any], *, fhir: bool) -> None:
    """An error response with our body: a handler's own body (a `$ref`) stays; Litestar's
    inline default is replaced."""
    content = response.get("content", {})
    declared = [m for m in content.values() if "$ref" in m.get("schema", {})]
    if not declared:
        media, schema = (FHIR_JSON, OPERATION_OUTCOME) if fhir else ("application/json", ERROR_BODY)
        response["content"] = {media: {"schema": dict(schema)}}
        response["description"] = _DESCRIPTIONS.get(status, "error")
        declared = list(response["content"].values())
    ours = all(
        m["schema"]["$ref"] in (ERROR_BODY["$ref"], OPERATION_OUTCOME["$ref"]) for m in declared
    )
    if status in (429, 503) and ours:
        response["headers"] = {**response.get("headers", {}), **RETRY_AFTER}


def _forbid_unknown_fields(app: Litestar, schemas: dict[str, Any]) -> None:
    refusing = {
        struct.__name__: {field.encode_name for field in msgspec.structs.fields(struct)}
        for struct in _request_structs(app)
        if struct.__struct_config__.forbid_unknown_fields
    }
    for schema in schemas.values():
        fields = refusing.get(schema.get("title", ""))
        if fields is not None and set(schema.get("properties", {})) <= fields:
            schema["additionalProperties"] = False


def _request_structs(app: Litestar) -> Iterator[type[msgspec.Struct]]:
    """Every struct a request body is decoded into, nested ones included."""
    seen: set[type[msgspec.Struct]] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler, _ in route.route_handler_map.values():
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is not None:
                yield from _structs_in(msgspec.inspect.type_info(data.type_), seen)


def _structs_in(
    info: msgspec.inspect.Type, seen: set[type[msgspec.Struct]]
) -> Iterator[type[msgspec.Struct]]:
    if isinstance(info, msgspec.inspect.StructType):
        if info.cls in seen:
            return
        seen.add(info.cls)
        yield info.cls
        for field in info.fields:
            yield from _structs_in(field.type, seen)
    elif isinstance(info, msgspec.inspect.Metadata):
        yield from _structs_in(info.type, seen)
    elif isinstance(info, msgspec.inspect.UnionType):
        for member in info.types:
            yield from _structs_in(member, seen)
    elif isinstance(info, msgspec.inspect.CollectionType):
        yield from _structs_in(info.item_type, seen)
    elif isinstance(info, msgspec.inspect.DictType):
        yield from _structs_in(info.value_type, seen)
    elif isinstance(info, msgspec.inspect.TupleType):
        for member in info.item_types:
            yield from _structs_in(member, seen)


class AllowHeader:
    """Completes the `Allow` header of OPTIONS answers with every method of the path."""

    def __init__(self, app: ASGIApp, litestar: Litestar) -> None:
        self.app = app
        self.methods: dict[int, str] = {}
        for route in litestar.routes:
            if isinstance(route, HTTPRoute) and "OPTIONS" in route.route_handler_map:
                options, _ = route.route_handler_map["OPTIONS"]
                self.methods[id(options)] = ", ".join(sorted(route.methods))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite `Allow` on the way out of an OPTIONS request."""
        if scope["type"] != ScopeType.HTTP or scope.get("method") != "OPTIONS":
            await self.app(scope, receive, send)
            return

        async def send_allow(message: Message) -> None:
            allow = self.methods.get(id(scope.get("route_handler")))
            if message["type"] == "http.response.start" and allow is not None:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                message = {**message, "headers": [*headers, (b"allow", allow.encode())]}
            await send(message)

        await self.app(scope, receive, send_allow)
