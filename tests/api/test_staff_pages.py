"""The admin's and front desk's pages through HTTP (a browser's forms, without the
browser), on the seeded clinic: bad input is kept, explained next to its field and
writes nothing; another clinic's records are refused; every form is the same action as
its JSON route (the store shows what the page did)."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from .conftest import Tokens
from .world import EMAILS, PASSWORD, World

FIELD_ERROR = re.compile(
    r'class="field-error" id="([\w-]+)-error"><span aria-hidden="true">⚠</span> ([^<]*)</p>'
)


def field_errors(html: str) -> dict[str, str]:
    return dict(FIELD_ERROR.findall(html))


def signed_in(client: TestClient[Litestar], who: str) -> str:
    """Sign in through the sign-in page; the forms' CSRF token."""
    client.cookies.clear()
    client.get("/app/login")
    token = client.cookies["scheduler_csrf"]
    client.post(
        "/app/login",
        data={"email": EMAILS[who], "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    return token


def post(client: TestClient[Litestar], token: str, path: str, **fields: Any) -> Any:
    return client.post(path, data={"csrf_token": token, **fields}, follow_redirects=False)


def test_registering_a_therapist_with_bad_input_keeps_it_and_writes_nothing(
    client: TestClient[Litestar], tokens: Tokens, world: World
) -> None:
    before = client.get(f"/clinics/{world.clinic}/therapists", headers=tokens["dispatcher"])
    token = signed_in(client, "dispatcher")
    answer = post(
        client,
        token,
        f"/app/desk/clinics/{world.clinic}/therapists/new",
        name="Cy Moss",
        specializations=["ms", "reiki"],
        mobile="yes",
        home_latitude="",
        home_longitude="-87.6",
        max_visits_per_day="30",
        mon_start="17:00",
        mon_end="09:00",
        tue_start="09:00",
    )
    assert answer.status_code == 400
    errors = field_errors(answer.text)
    assert "unknown: reiki" in errors["specializations"]
    assert "-90 to 90" in errors["home_latitude"]
    assert "1 to 20" in errors["max_visits_per_day"]
    assert "end after it starts" in errors["mon_end"]
    assert "ends" in errors["tue_end"]
    # What was typed stays, defaults are never put in its place.
    assert 'value="Cy Moss"' in answer.text
    assert 'value="30"' in answer.text
    assert 'value="17:00"' in answer.text
    assert 'id="skill-ms" name="specializations" value="ms" checked' in answer.text
    after = client.get(f"/clinics/{world.clinic}/therapists", headers=tokens["dispatcher"])
    assert after.json() == before.json()


def test_the_clinic_form_refuses_a_bad_grid_and_changes_nothing(
    client: TestClient[Litestar], tokens: Tokens, world: World
) -> None:
    before = client.get(f"/clinics/{world.clinic}", headers=tokens["admin"]).json()
    token = signed_in(client, "admin")
    answer = post(
        client,
        token,
        f"/app/admin/clinics/{world.clinic}",
        name="Loop Massage",
        address="1 N State St, Chicago",
        location_latitude="41.88",
        location_longitude="-87.63",
        late_cancel_hours="",
        slot_minutes="7",
        offer_hours="2",
        reassessment_every="6",
        evaluation_minutes="60",
        travel_speed_kmh="30",
    )
    assert answer.status_code == 400
    errors = field_errors(answer.text)
    assert set(errors) == {"late_cancel_hours", "slot_minutes"}
    assert 'value="Loop Massage"' in answer.text
    assert client.get(f"/clinics/{world.clinic}", headers=tokens["admin"]).json() == before


def test_a_dispatcher_sees_only_their_own_clinics_desk(
    client: TestClient[Litestar], tokens: Tokens, world: World
) -> None:
    # (Reads through the JSON API sign in with a cookie too: read before the pages.)
    before = client.get(f"/therapists/{world.ana}", headers=tokens["dispatcher"]).json()
    token = signed_in(client, "other_dispatcher")
    for path in (
        f"/app/desk/clinics/{world.clinic}",
        f"/app/desk/patients/{world.pat}",
        f"/app/desk/therapists/{world.ana}",
        f"/app/desk/plans/{world.pat_plan}/book",
    ):
        page = client.get(path)
        assert page.status_code == 403, path
        assert "Not for this account" in page.text
        assert "Pat" not in page.text
        assert "Ana" not in page.text
    refused = post(client, token, f"/app/desk/therapists/{world.ana}/active", active="no")
    assert refused.status_code == 403
    # Admin pages are for admins.
    assert client.get("/app/admin").status_code == 403
    assert client.get(f"/therapists/{world.ana}", headers=tokens["dispatcher"]).json() == before


def test_booking_on_behalf_refuses_a_time_the_calendar_refuses(
    client: TestClient[Litestar], tokens: Tokens, world: World
) -> None:
    token = signed_in(client, "dispatcher")
    sunday = world.local["mon 10:00"].replace(day=world.local["mon 10:00"].day - 1)
    answer = post(
        client,
        token,
        f"/app/desk/plans/{world.pat_plan}/book",
        option=f"{world.ana}@{sunday.isoformat()}",
    )
    assert answer.status_code == 409
    assert "cannot be booked" in field_errors(answer.text)["option"]
    sessions = client.get(f"/plans/{world.pat_plan}/sessions", headers=tokens["dispatcher"])
    assert [s for s in sessions.json() if s["status"] == "booked"] == []
    garbled = post(client, token, f"/app/desk/plans/{world.pat_plan}/book", option="tomorrow")
    assert garbled.status_code == 400
    assert field_errors(garbled.text)["option"] == "Choose one of the times."


def test_the_desk_opens_a_patients_account_and_never_echoes_the_password(
    client: TestClient[Litestar], tokens: Tokens, world: World
) -> None:
    made = client.post(
        f"/clinics/{world.clinic}/patients",
        json={"name": "Rae Moss", "phone": "+1 312 555 0142", "address": "5 E Elm St, Chicago"},
        headers=tokens["dispatcher"],
    )
    patient = made.json()["id"]
    accounts = len(client.get(f"/clinics/{world.clinic}/accounts", headers=tokens["admin"]).json())
    token = signed_in(client, "dispatcher")
    short = post(
        client,
        token,
        f"/app/desk/patients/{patient}/account",
        account_email="rae@mail.example",
        account_password="too short",
    )
    assert short.status_code == 400
    assert "10 characters" in field_errors(short.text)["account_password"]
    assert "too short" not in short.text
    assert 'value="rae@mail.example"' in short.text
    listed = client.get(f"/clinics/{world.clinic}/accounts", headers=tokens["admin"]).json()
    assert len(listed) == accounts
    opened = post(
        client,
        token,
        f"/app/desk/patients/{patient}/account",
        account_email="rae@mail.example",
        account_password=PASSWORD,
    )
    assert opened.status_code == 303
    assert "x-position" in opened.headers
    listed = client.get(f"/clinics/{world.clinic}/accounts", headers=tokens["admin"]).json()
    assert {"email": "rae@mail.example", "role": "patient"}.items() <= next(
        a for a in listed if a["email"] == "rae@mail.example"
    ).items()
    # The patient's page shows the street address and a directions link, no coordinates.
    page = client.get(f"/app/desk/patients/{patient}")
    assert "5 E Elm St, Chicago" in page.text
    assert "destination=5%20E%20Elm%20St%2C%20Chicago" in page.text


def test_the_desk_changes_a_patients_availability_in_words(
    client: TestClient[Litestar], tokens: Tokens, world: World
) -> None:
    before = client.get(f"/patients/{world.quinn}", headers=tokens["dispatcher"]).json()
    token = signed_in(client, "dispatcher")
    fields = {
        "name": before["name"],
        "phone": before["phone"],
        "email": before["email"],
        "address": "233 S Wacker Dr, Chicago",
    }
    bad = post(
        client,
        token,
        f"/app/desk/patients/{world.quinn}/details",
        availability="Mon 9 till late",
        **fields,
    )
    assert bad.status_code == 400
    assert "Mon/Wed 9-12" in field_errors(bad.text)["availability"]
    assert 'value="Mon 9 till late"' in bad.text
    after = client.get(f"/patients/{world.quinn}", headers=tokens["dispatcher"]).json()
    assert after == before
    good = post(
        client,
        token,
        f"/app/desk/patients/{world.quinn}/details",
        availability="Mon/Wed 9-12, Thu after 15:00",
        **fields,
    )
    assert good.status_code == 303
    after = client.get(f"/patients/{world.quinn}", headers=tokens["dispatcher"]).json()
    assert after["availability"] == {
        "mon": [[540, 720]],
        "wed": [[540, 720]],
        "thu": [[900, 1440]],
    }
    assert after["address"] == "233 S Wacker Dr, Chicago"
    page = client.get(f"/app/desk/patients/{world.quinn}")
    assert "Mon 9-12, Wed 9-12, Thu after 15:00" in page.text
