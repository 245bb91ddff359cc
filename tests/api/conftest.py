"""Fixtures of the API suite: an app per test on a fresh store, seeded, with tokens per role."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import redis
from litestar import Litestar
from litestar.testing import TestClient

from conftest import PG_ADMIN_DSN
from scheduler.api import create_app
from scheduler.settings import Settings
from scheduler.store import SQLITE_FILE

from .world import EMAILS, PASSWORD, Clock, World, seed

SECRET = "test-secret-that-is-long-enough-0123456789"
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def clock() -> Clock:
    """The app's clock, fixed at the world's NOW until a test moves it."""
    return Clock()


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    """The seeded clinic in a SQLite file, made once (hashing seven passwords is slow)."""
    data_dir = tmp_path_factory.mktemp("seeded")
    world = seed(Settings(data_dir=data_dir, jwt_secret=SECRET))
    return data_dir / SQLITE_FILE, world


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The embedded default: SQLite in a temporary data directory, no Redis."""
    return Settings(data_dir=tmp_path, jwt_secret=SECRET, store_threads=4)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards (never FLUSHALL)."""
    prefix = f"scheduler-test:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def world(settings: Settings, seeded_store: tuple[Path, World]) -> World:
    """The seeded clinic (records and accounts), copied into this test's own store."""
    template, seeded = seeded_store
    if settings.embedded:
        shutil.copyfile(template, settings.data_dir / SQLITE_FILE)
        return seeded
    return seed(settings)


@pytest.fixture
def app(settings: Settings, world: World, clock: Clock) -> Litestar:
    """The API over the seeded store."""
    return create_app(settings, clock=clock)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    """An HTTP client through the whole stack (lifespan included)."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def error_code(response: httpx.Response) -> str:
    """The API's error code of an error response: `error` of the API's body, or the
    coding of a FHIR route's OperationOutcome."""
    body = response.json()
    if body.get("resourceType") == "OperationOutcome":
        return str(body["issue"][0]["details"]["coding"][0]["code"])
    return str(body["error"])


def login(client: TestClient[Litestar], who: str) -> dict[str, str]:
    """Authorization headers of `who` (a key of EMAILS), signed in through the API."""
    response = client.post("/auth/login", json={"email": EMAILS[who], "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class Tokens(dict[str, dict[str, str]]):
    """Authorization headers per seeded account, signed in on first use."""

    def __init__(self, client: TestClient[Litestar]) -> None:
        super().__init__()
        self.client = client

    def __missing__(self, who: str) -> dict[str, str]:
        self[who] = login(self.client, who)
        return self[who]


@pytest.fixture
def tokens(client: TestClient[Litestar]) -> Tokens:
    """Authorization headers for every seeded account (signed in lazily)."""
    return Tokens(client)


@pytest.fixture(scope="session")
def seeded_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    """A template database holding the seeded clinic, made once per test session and
    dropped after it; `production.py` copies it for each test (CREATE DATABASE TEMPLATE)."""
    name = f"scheduler_template_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        data_dir = tmp_path_factory.mktemp("pg-seed")
        dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
        yield name, seed(Settings(data_dir=data_dir, database_url=dsn, jwt_secret=SECRET))
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
