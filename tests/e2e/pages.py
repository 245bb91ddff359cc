"""Helpers the browser tests share: the demo's days and what a page holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page

DEMO_ZONE = ZoneInfo("America/Chicago")


def demo_monday() -> date:
    """The Monday of the demo week (the Monday after the server's start, clinic time)."""
    today = datetime.now(UTC).astimezone(DEMO_ZONE).date()
    return today + timedelta(days=7 - today.weekday())


def monday_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def board_visits(page: Page) -> list[str]:
    """Session ids of the visits on the open board, in page order."""
    ids: list[str] = page.locator("#board-panel ol.visits li[data-session]").evaluate_all(
        "items => items.map(item => item.dataset.session)"
    )
    return ids


def no_horizontal_scroll(page: Page) -> bool:
    """True when the page fits the viewport's width (wide tables scroll inside themselves)."""
    overflow: bool = page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth + 1"
    )
    return overflow
