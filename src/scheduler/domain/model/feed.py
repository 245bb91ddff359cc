"""Therapists' calendar feeds: a secret token per therapist, stored only as its hash.

A calendar app subscribes to a URL holding the token and polls it without signing in,
so the token is the only secret: 256 random bits, stored only as its SHA-256 (a store
leak does not reveal working URLs; the token's entropy makes a slow hash unnecessary).
The token's hash names a `CalendarToken` aggregate, so a feed is found by one read;
the therapist's `CalendarFeed` names the current token, so rotating revokes the old one.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

# Fixed namespace: changing it would orphan every stored feed.
_NAMESPACE = UUID("9a3e5c71-2b4d-4f68-a1c0-7e5d3b2f8c46")


def token_key(token: str) -> UUID:
    """The id a token's hash names (the token itself is never stored)."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return uuid5(_NAMESPACE, f"calendar-token/{digest}")


class CalendarToken(Aggregate):
    """A token's hash and whose feed it opens (valid while its feed names it)."""

    @staticmethod
    def create_id(token_key: UUID) -> UUID:
        """Derived from the token's hash: presenting the token finds it in one read."""
        return token_key

    class Issued(Aggregate.Created):
        token_key: UUID
        therapist_id: UUID
        actor: str
        at: datetime

    @event(Issued)
    def __init__(self, *, token_key: UUID, therapist_id: UUID, actor: str, at: datetime) -> None:
        self.therapist_id = therapist_id


class CalendarFeed(Aggregate):
    """A therapist's feed: which token is current."""

    @staticmethod
    def create_id(therapist_id: UUID) -> UUID:
        """One feed per therapist."""
        return uuid5(_NAMESPACE, f"calendar-feed/{therapist_id}")

    class Opened(Aggregate.Created):
        therapist_id: UUID
        at: datetime

    @event(Opened)
    def __init__(self, *, therapist_id: UUID, at: datetime) -> None:
        self.therapist_id = therapist_id
        self.token_key: UUID | None = None

    class TokenRotated(Aggregate.Event):
        token_key: UUID
        actor: str
        at: datetime

    @event(TokenRotated)
    def rotate(self, token_key: UUID, actor: str, at: datetime) -> None:
        """Make a new token current; the previous one stops working."""
        self.token_key = token_key
