"""On the demo clinic, the demo patient sees several times of day across the days their
plan's cadence allows (the embedded default, as `scheduler serve` seeds it)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from litestar.testing import TestClient

from scheduler.api import create_app
from scheduler.cli.serve import prepare_store
from scheduler.settings import Settings

SECRET = "demo-options-secret-that-is-long-enough-0123"


def test_the_demo_patient_sees_several_times_of_day_on_several_days(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, jwt_secret=SECRET, demo=True)
    logins = prepare_store(settings)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        signed = client.post("/auth/login", json=logins["patient"])
        assert signed.status_code == 200, signed.text
        headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
        plans = client.get("/me/plans", headers=headers).json()
        plan = next(p for p in plans if p["status"] == "active" and p["sessions_left"] > 0)
        answer = client.get(f"/me/plans/{plan['id']}/options?size=100", headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
    first, last = date.fromisoformat(body["searched_from"]), date.fromisoformat(body["searched_to"])
    options = body["options"]
    days = {o["day"] for o in options}
    parts = {o["part_of_day"] for o in options}
    assert len(days) >= 2, body["window"]
    assert {"morning", "afternoon"} <= parts, parts
    for option in options:
        assert first <= datetime.fromisoformat(option["start_local"]).date() <= last
        assert option["reasons"], option
    # The day list counts every day the cadence allows, not only the first page's.
    assert sum(d["count"] for d in body["days"]) == body["total"] > len(options) // 2
    assert "days apart" in body["window"]
