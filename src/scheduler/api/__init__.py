"""The HTTP API: `create_app(settings)` builds it."""

from scheduler.api.app import create_app

__all__ = ["create_app"]
