"""What the staff pages' browser tests share: the page check at both widths and the
message tied to an invalid field."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .a11y import accessibility_problems
from .conftest import DESKTOP, PHONE, screenshot
from .pages import no_horizontal_scroll


def checked(page: Page, name: str) -> list[str]:
    """Screenshots at 1280 and 375 px, no overflow, the pages' accessibility check."""
    problems = []
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        problems += [f"{name} {viewport['width']}: {p}" for p in accessibility_problems(page)]
        if not no_horizontal_scroll(page):
            problems.append(f"{name} {viewport['width']}: wider than the screen")
        screenshot(page, name)
    page.set_viewport_size(DESKTOP)
    return problems


def error_of(page: Page, field_id: str) -> str:
    """The message tied to an invalid field by aria-describedby."""
    field = page.locator(f"#{field_id}")
    expect(field).to_have_attribute("aria-invalid", "true")
    return page.locator(f"#{field.get_attribute('aria-describedby')}").inner_text()
