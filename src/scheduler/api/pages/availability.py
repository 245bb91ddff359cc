"""Weekly availability as people write it: "Mon/Wed 9-12, Thu after 15:00".

The forms take one line of text and turn it into the windows the use cases take
(weekday → [[start, end]] in local minutes); the profile shows it back the same way.
Anything that is not understood is an error that says what was not understood: a
form never guesses a window for the patient.
"""

from __future__ import annotations

import re

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NAMES = {
    "mon": "Mon",
    "tue": "Tue",
    "wed": "Wed",
    "thu": "Thu",
    "fri": "Fri",
    "sat": "Sat",
    "sun": "Sun",
}
EXAMPLE = "Mon/Wed 9-12, Thu after 15:00"
_TIME = r"(\d{1,2})(?::(\d{2}))?"
_RANGE = re.compile(rf"^{_TIME}\s*(?:-|\u2013|to)\s*{_TIME}$")
_AFTER = re.compile(rf"^(?:after|from)\s+{_TIME}$")
_BEFORE = re.compile(rf"^(?:before|until)\s+{_TIME}$")
_ALL_DAY = ("all day", "any time", "anytime")
_PART = re.compile(r"^([A-Za-z/&\- ]+?)(?:\s+(?=\d|after|from|before|until|all|any)(.*))?$")

Windows = dict[str, list[list[int]]]


class NotUnderstood(ValueError):
    """Raised when a part of the availability text cannot be read."""


def _minute(hours: str, minutes: str | None, part: str) -> int:
    value = int(hours) * 60 + int(minutes or 0)
    if int(hours) > 24 or int(minutes or 0) > 59 or value > 1440:
        raise NotUnderstood(f"“{part}”: {hours}:{minutes or '00'} is not a time of day")
    return value


def _days(text: str, part: str) -> list[str]:
    days: list[str] = []
    for piece in re.split(r"\s*(?:/|&|\band\b)\s*", text.strip().lower()):
        first, _, last = piece.partition("-")
        first, last = first.strip()[:3], last.strip()[:3]
        if first not in DAYS or (last and last not in DAYS):
            raise NotUnderstood(f"“{part}”: start with days like Mon, Mon/Wed or Mon-Fri")
        if last:
            low, high = DAYS.index(first), DAYS.index(last)
            if high < low:
                raise NotUnderstood(f"“{part}”: {piece} runs backwards")
            days += DAYS[low : high + 1]
        else:
            days.append(first)
    return days


def _window(text: str, part: str) -> list[int]:
    text = text.strip().lower()
    if not text or text in _ALL_DAY:
        return [0, 1440]
    if match := _RANGE.match(text):
        low = _minute(match[1], match[2], part)
        high = _minute(match[3], match[4], part)
    elif match := _AFTER.match(text):
        low, high = _minute(match[1], match[2], part), 1440
    elif match := _BEFORE.match(text):
        low, high = 0, _minute(match[1], match[2], part)
    else:
        raise NotUnderstood(f"“{part}”: write times like 9-12, after 15:00 or before 11")
    if high <= low:
        raise NotUnderstood(f"“{part}”: the end must be after the start (24-hour clock)")
    return [low, high]


def parse(text: str) -> Windows:
    """Windows per weekday from text like "Mon/Wed 9-12, Thu after 15:00" (empty: none,
    which means any time a therapist works). NotUnderstood names the part it cannot read."""
    windows: Windows = {}
    for part in (p.strip() for p in re.split(r"[,;\n]", text)):
        if not part:
            continue
        match = _PART.match(part)
        if match is None:
            raise NotUnderstood(f"“{part}”: start with days like Mon, Mon/Wed or Mon-Fri")
        window = _window(match[2] or "", part)
        for day in _days(match[1], part):
            windows.setdefault(day, []).append(window)
    return {day: sorted(windows[day]) for day in DAYS if day in windows}


def _clock(minute: int, *, short: bool = True) -> str:
    hours, minutes = divmod(minute, 60)
    return str(hours) if short and not minutes else f"{hours}:{minutes:02d}"


def describe(windows: dict[str, list[list[int]]]) -> str:
    """The text `parse` reads back into the same windows ("" for none)."""
    parts = []
    for day in DAYS:
        for low, high in windows.get(day, []):
            if (low, high) == (0, 1440):
                when = "all day"
            elif high == 1440:
                when = f"after {_clock(low, short=False)}"
            elif low == 0:
                when = f"before {_clock(high, short=False)}"
            else:
                when = f"{_clock(low)}-{_clock(high)}"
            parts.append(f"{NAMES[day]} {when}")
    return ", ".join(parts)
