"""The system suite's cluster: own PostgreSQL and Redis, two API processes, a projector.

One cluster per session (starting it and seeding the clinic takes seconds); each test
books on a day of its own, so tests never fight over slots, and each restores whatever
it stopped before it ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from .clinic import LoadClinic, seed_load_clinic
from .cluster import Cluster
from .load import sign_in

THERAPISTS = 4
PATIENTS = 128


@dataclass
class Running:
    """The cluster, its seeded clinic and the desk's sign-in."""

    cluster: Cluster
    clinic: LoadClinic
    headers: dict[str, str]


@pytest.fixture(scope="session")
def running() -> Iterator[Running]:
    """Start everything once; stop and delete everything after the last test."""
    cluster = Cluster(api_processes=2)
    try:
        cluster.start_datastores()
        clinic = seed_load_clinic(cluster.postgres.url, therapists=THERAPISTS, patients=PATIENTS)
        cluster.start_apis()
        cluster.start_projector()
        headers = sign_in(cluster.base_url(cluster.apis[0]))
        yield Running(cluster, clinic, headers)
    finally:
        cluster.close()
