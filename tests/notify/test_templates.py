"""The clinic's own templates replace the built-in ones; one that fails to render makes
a dead letter for its event and holds up no other mail."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.conftest import Tokens
from api.world import World
from scheduler.settings import Settings

from .conftest import PAT_EMAIL
from .sink import Sink


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The clinic's own `moved` mail, and a `booked` one with a mistake in it."""
    own = tmp_path / "mail-templates"
    own.mkdir()
    (own / "moved.txt").write_text("Loop says: now {{ when }}, with {{ therapist }}.\n")
    (own / "moved.html").write_text("<p>Loop says: now {{ when }}.</p>\n")
    (own / "booked.txt").write_text("{{ no_such_value }}\n")  # StrictUndefined: fails
    return dataclasses.replace(settings, mail_templates=own)


def test_own_templates_are_used_and_a_broken_one_becomes_a_dead_letter(
    client: TestClient[Litestar], mailable: World, tokens: Tokens, sink: Sink
) -> None:
    world = mailable
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    session = booked.json()["id"]
    moved = client.post(
        f"/sessions/{session}/move",
        json={"start": world.local["mon 12:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert moved.status_code == 200, moved.text
    got = sink.wait_for(lambda got: any("Moved" in str(m["Subject"]) for m in got))
    (mail,) = [m for m in got if m["To"] == PAT_EMAIL]  # the booking's mail never was
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.startswith("Loop says: now Monday 05 October 2026, 12:00, with Ana Alvarez.")
    dead = client.get(
        f"/clinics/{world.clinic}/notifications/dead-letters", headers=tokens["dispatcher"]
    ).json()
    assert [(d["kind"], d["last_error"]) for d in dead] == [("booked", "UndefinedError")]
