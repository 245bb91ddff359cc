"""What the OpenAPI document says a FHIR error looks like (an `OperationOutcome`).

The resources themselves are plain dicts (`api.fhir_resources`), validated in the tests
with `fhir.resources`; these structs only describe the error shape to clients.
"""

from __future__ import annotations

from typing import Literal

import msgspec


class Coding(msgspec.Struct):
    """The API's error code (`not_authenticated`, `therapist_busy`, …)."""

    system: str
    code: str


class Details(msgspec.Struct):
    """The error code and what was wrong and how to fix it."""

    coding: list[Coding]
    text: str


class Issue(msgspec.Struct):
    """One problem: how bad, its FHIR issue type, details, and the request id."""

    severity: Literal["error", "fatal"]
    code: str
    details: Details
    diagnostics: str


class OperationOutcome(msgspec.Struct, rename={"resource_type": "resourceType"}):
    """A FHIR error (`application/fhir+json`)."""

    resource_type: Literal["OperationOutcome"]
    issue: list[Issue]
