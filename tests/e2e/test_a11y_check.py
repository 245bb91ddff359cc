"""The accessibility check itself: it must fail on the faults it claims to find."""

from __future__ import annotations

from playwright.sync_api import Browser

from .a11y import accessibility_problems

BAD_PAGE = """<!doctype html><html><head><title>x</title>
<style>*:focus { outline: none; } .faint { color: #aaa; background: #fff; }</style></head>
<body><h1>One</h1><h1>Two</h1>
<input id="unlabelled"><button></button>
<svg width="10" height="10"><rect width="10" height="10"/></svg>
<p class="faint">hard to read</p></body></html>"""

GOOD_PAGE = """<!doctype html><html lang="en"><head><title>ok</title>
<style>:focus-visible { outline: 3px solid #b35c00; }</style></head>
<body><h1>Fine</h1><label for="n">Name</label><input id="n"><button>Send</button>
<svg role="img" aria-label="a square" width="10" height="10"><rect width="10" height="10"/></svg>
<p>easy to read</p></body></html>"""


def test_the_check_finds_each_fault_and_passes_a_clean_page(browser: Browser) -> None:
    page = browser.new_page()
    try:
        page.set_content(BAD_PAGE)
        problems = "\n".join(accessibility_problems(page, tabs=3))
        for fault in (
            "no lang",
            "exactly one h1",
            "no label: input#unlabelled",
            "no name: button",
            "svg without a text alternative",
            'contrast 2.32 < 4.5: p "hard to read"',
            "focus not visible on input",
        ):
            assert fault in problems, fault
        page.set_content(GOOD_PAGE)
        assert accessibility_problems(page, tabs=3) == []
    finally:
        page.close()
