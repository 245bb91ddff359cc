"""A small accessibility check run on every page in the browser.

Not a full audit (no axe-core: it is not vendored here): it checks what these pages can
get wrong most easily: every form control has a label, every image and SVG has a text
alternative, every button and link has a name, the page has a language, a title and
one h1, body text and buttons have a contrast of at least 4.5:1 (3:1 for large text)
computed from the styles the browser applied, and keyboard focus is visible on every
control reached with Tab.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

HERE = Path(__file__).resolve().parent

_STATIC_CHECKS = (HERE / "a11y_checks.js").read_text()

_FOCUS_STYLE = (HERE / "a11y_focus.js").read_text()


def accessibility_problems(page: Page, *, tabs: int = 12) -> list[str]:
    """What the page gets wrong (an empty list when it passes)."""
    problems: list[str] = list(page.evaluate(_STATIC_CHECKS))
    page.evaluate(
        "() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }"
    )
    reached = 0
    for _ in range(tabs):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUS_STYLE)
        if focused is None:  # focus still moving (date fields step through segments)
            page.wait_for_timeout(100)
            focused = page.evaluate(_FOCUS_STYLE)
        if focused is None:
            continue
        reached += 1
        if not focused["shown"]:
            problems.append(f"focus not visible on {focused['tag']} {focused['text']!r}")
    if reached == 0:
        problems.append("Tab reaches no control")
    return problems
