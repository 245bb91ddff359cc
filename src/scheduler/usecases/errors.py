"""Errors of the use-case layer: who may act, and what a caller may override."""

from __future__ import annotations


class Forbidden(Exception):
    """Raised when the caller may not see or change the named record (or do this at all).

    It never says whose the record is.
    """

    code = "forbidden"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Unavailable(Exception):
    """Raised when a service an action needs (the optimization queue) does not answer;
    nothing was done, and `retry_after` seconds is a sensible wait."""

    code = "service_unavailable"

    def __init__(self, detail: str, *, code: str = "service_unavailable", retry_after: int = 5):
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.retry_after = retry_after
