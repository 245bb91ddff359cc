"""One OS process of the race test: books the given attempts and prints what happened.

Usage: python race_worker.py SETTINGS_JSON ATTEMPTS_JSON START_AT_EPOCH
Prints one JSON list of [attempt index, "won" or the error's class name].
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from typing import Any

from scheduler.domain import Scheduling
from scheduler.domain.errors import SchedulingError


def book_all(app: Scheduling, attempts: list[dict[str, Any]], start_at: float) -> list[list[Any]]:
    """Wait for the common start, then try every attempt in the given order."""
    time.sleep(max(0.0, start_at - time.time()))
    outcomes: list[list[Any]] = []
    for attempt in attempts:
        try:
            app.book_session(
                plan_id=attempt["plan"],
                therapist_id=attempt["therapist"],
                start=datetime.fromisoformat(attempt["start"]),
                actor=f"race-{attempt['index']}",
                now=datetime.fromisoformat(attempt["now"]),
            )
        except SchedulingError as error:
            outcomes.append([attempt["index"], type(error).__name__])
        else:
            outcomes.append([attempt["index"], "won"])
    return outcomes


if __name__ == "__main__":
    settings, attempts, start_at = (
        json.loads(sys.argv[1]),
        json.loads(sys.argv[2]),
        float(sys.argv[3]),
    )
    application = Scheduling(settings)
    try:
        print(json.dumps(book_all(application, attempts, start_at)))
    finally:
        application.close()
