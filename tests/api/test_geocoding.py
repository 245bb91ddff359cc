"""Finding homes from street addresses: the Nominatim adapter against a local server that
answers like Nominatim from recorded responses (no geocoder is reachable from here), and
a sign-up on an API configured with it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from litestar.testing import TestClient

from scheduler.api import create_app
from scheduler.geocoding import NominatimGeocoder
from scheduler.settings import Settings

from .conftest import Tokens, error_code
from .world import PASSWORD, Clock, World

RECORDED = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "nominatim_search.json").read_text()
)


class Nominatim(BaseHTTPRequestHandler):
    """`/search?q=...&format=json`: the recorded answer, `[]` when unknown, 500 for
    an address with "fail" in it. Counts the queries it was asked."""

    asked: list[dict[str, list[str]]] = []  # noqa: RUF012 - shared by the server's threads

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        type(self).asked.append(query)
        address = query.get("q", [""])[0].strip().lower()
        if url.path != "/search" or "fail" in address:
            self.send_response(500)
            self.end_headers()
            return
        body = json.dumps(RECORDED.get(address, [])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        """Quiet."""


@pytest.fixture
def nominatim() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Nominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Nominatim.asked.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_adapter_finds_a_recorded_address_and_nothing_else(nominatim: str) -> None:
    geocoder = NominatimGeocoder(nominatim)
    assert geocoder.locate("2100 N Halsted St, Chicago, IL") == pytest.approx(
        (41.9199054, -87.6487402)
    )
    assert Nominatim.asked[-1]["format"] == ["json"]
    assert geocoder.locate("Nowhere Lane 99") is None
    assert geocoder.locate("fail street") is None  # a server error: not found, no crash


def test_a_bad_geocoder_url_is_refused_at_start(tmp_path: Path) -> None:
    from scheduler.settings import SettingsError  # noqa: PLC0415

    with pytest.raises(SettingsError, match="SCHEDULER_GEOCODER_URL"):
        Settings.from_env(
            {"SCHEDULER_DATA_DIR": str(tmp_path), "SCHEDULER_GEOCODER_URL": "nominatim.local"}
        )


def test_signing_up_with_an_address_finds_the_home(
    settings: Settings, world: World, clock: Clock, nominatim: str
) -> None:
    configured = Settings(
        data_dir=settings.data_dir,
        jwt_secret=settings.jwt_secret,
        store_threads=4,
        geocoder_url=nominatim,
    )
    with TestClient(create_app(configured, clock=clock), raise_server_exceptions=False) as client:
        found = client.post(
            "/signup",
            json={
                "clinic_id": str(world.clinic),
                "name": "Gia Grant",
                "email": "gia@mail.example",
                "password": PASSWORD,
                "address": "2100 N Halsted St, Chicago, IL",
            },
        )
        assert found.status_code == 201, found.text
        home = found.json()["patient"]["home"]
        assert (home["latitude"], home["longitude"]) == pytest.approx((41.9199054, -87.6487402))
        # Not on the map: registered all the same, with no home: no home visits yet.
        lost = client.post(
            "/signup",
            json={
                "clinic_id": str(world.clinic),
                "name": "Hal Hunt",
                "email": "hal@mail.example",
                "password": PASSWORD,
                "address": "Nowhere Lane 99",
            },
        )
        assert lost.status_code == 201, lost.text
        assert lost.json()["patient"]["home"] is None
        tokens = Tokens(client)
        desk = tokens["dispatcher"]
        hal = lost.json()["patient"]["id"]
        visit = client.post(
            f"/patients/{hal}/evaluation-visits",
            json={
                "therapist_id": str(world.ana),
                "start": world.local["mon 10:00"].isoformat(),
                "reason": "multiple sclerosis",
                "setting": "home",
            },
            headers=desk,
        )
        assert (visit.status_code, error_code(visit)) == (422, "home_not_located")
        # The desk enters the address again, found this time: the home is on the map.
        moved = client.put(
            f"/patients/{hal}",
            json={
                "name": "Hal Hunt",
                "email": "hal@mail.example",
                "address": "1 N State St, Chicago, IL",
            },
            headers=desk,
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["home"]["latitude"] == pytest.approx(41.8825925)
