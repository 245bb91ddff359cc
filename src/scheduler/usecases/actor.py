"""Who acts: the signed-in person (from a token), or the system (CLI, worker, demo)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

ROLES = ("patient", "therapist", "dispatcher", "admin")


@dataclass(frozen=True)
class Actor:
    """Who asks: an account's role, the record it acts for and its clinic."""

    account_id: UUID
    role: str
    acts_for: UUID | None
    clinic_id: UUID | None
    name: str = ""  # set for system actors; accounts are named by id only
    token_id: str = ""
    """The sign-in token's own id (`jti`): what signing out revokes."""
    expires_at: datetime | None = None
    issued_at: datetime | None = None
    """When the sign-in token was issued: a password reset refuses those issued before."""

    @property
    def actor(self) -> str:
        """How events name this caller: role and account id, never a name or e-mail."""
        return self.name or f"{self.role}:{self.account_id}"

    @property
    def front_desk(self) -> bool:
        """True for the clinic's staff who act on patients' behalf (dispatchers, admins)."""
        return self.role in ("dispatcher", "admin")

    @classmethod
    def anonymous(cls) -> Actor:
        """Someone not signed in (the clinic list, signing up)."""
        return cls(UUID(int=0), "anonymous", None, None, name="anonymous")

    @classmethod
    def system(cls, name: str) -> Actor:
        """The service itself (CLI, worker, demo): acts as an admin, named in events."""
        return cls(UUID(int=0), "admin", None, None, name=f"system:{name}")
