"""The security suite runs on the API suite's fixtures: a seeded clinic, tokens per role."""

from __future__ import annotations

from api.conftest import app, client, clock, seeded_store, settings, tokens, world

__all__ = ["app", "client", "clock", "seeded_store", "settings", "tokens", "world"]
