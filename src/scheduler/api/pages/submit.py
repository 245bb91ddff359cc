"""What a page form does with the action's answer: done, it redirects; refused, the
refusal becomes a message on the form, which is shown again with what was typed (400).

Every form handler parses its fields into `errors`, then calls its action inside
`refusal_on`; the block's last line is the redirect, so the handler goes on to re-render
only when the fields or the action said no:

    with refusal_on(errors, "shifts_form"):
        await actions.change_shifts(...)
        return go(f"/app/desk/therapists/{therapist_id}", done="shifts")
    return await self.render_page(..., errors=errors, status=400)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType

from scheduler.api.errors import ApiError
from scheduler.domain.errors import SchedulingError
from scheduler.usecases.errors import Forbidden

OwnFields = Mapping[type[Exception], str | tuple[str, str]]
"""Refusals with a field of their own: the field's name, or (name, words)."""

REFUSALS = (SchedulingError, ApiError, Forbidden)
"""What a booking may answer a form with: a broken rule, the service's own refusal (a
conflict, a busy store), or a record the account may not touch."""


class refusal_on:  # noqa: N801 - used as a `with` statement, like contextlib's helpers
    """Catch the action's refusal (`catch`, by default any `SchedulingError`) as the
    message at `field` in `errors`, the refusal put in `said` ("{}." by default, or
    say "Not changed: {}."); a refusal of a type in `fields` goes to that type's own
    field instead: a name (the refusal's words, "{}.") or a (name, words) pair."""

    def __init__(
        self,
        errors: dict[str, str],
        field: str = "form",
        *,
        said: str = "{}.",
        fields: OwnFields | None = None,
        catch: tuple[type[Exception], ...] = (SchedulingError,),
    ) -> None:
        self.errors, self.field, self.said = errors, field, said
        self.fields = {
            kind: (own, "{}.") if isinstance(own, str) else own
            for kind, own in (fields or {}).items()
        }
        self.catch = (*self.fields, *catch)

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if error is None or not isinstance(error, self.catch):
            return False
        field, said = next(
            (own for kind, own in self.fields.items() if isinstance(error, kind)),
            (self.field, self.said),
        )
        self.errors[field] = said.format(error)
        return True
