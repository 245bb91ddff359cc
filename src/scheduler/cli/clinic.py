"""Sub-commands of `scheduler` (placeholder until its owner fills it in)."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    """Add this module's sub-commands to the parser."""
    del commands


def _unused(args: argparse.Namespace) -> int:
    return 0
