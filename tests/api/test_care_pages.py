"""The care pages through HTTP (a browser's forms, without the browser), on an empty store
whose clinic is set up through the JSON API: bad input is kept, explained per field and
writes nothing; a patient cannot register twice; a reassessment session is completed
with its re-evaluation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from scheduler.api import create_app
from scheduler.api.pages.availability import NotUnderstood, describe, parse
from scheduler.settings import Settings

from .conftest import SECRET, Tokens
from .empty import first_admin
from .test_front_door import PASSWORD, ok, set_up_clinic, sign_in, sign_up
from .world import EMAILS, Clock, World
from .world import PASSWORD as WORLD_PASSWORD

FIELD_ERROR = re.compile(
    r'class="field-error" id="([\w-]+)-error"><span aria-hidden="true">⚠</span> ([^<]*)</p>'
)


@pytest.fixture
def front(tmp_path: Path, clock: Clock) -> Iterator[TestClient[Litestar]]:
    settings = Settings(data_dir=tmp_path, jwt_secret=SECRET, store_threads=4)
    first_admin(settings)
    with TestClient(create_app(settings, clock=clock), raise_server_exceptions=False) as client:
        yield client


def field_errors(html: str) -> dict[str, str]:
    return dict(FIELD_ERROR.findall(html))


def form_token(client: TestClient[Litestar], path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.cookies["scheduler_csrf"]


def sign_up_form(clinic_id: str, **changes: str) -> dict[str, str]:
    return {
        "clinic": clinic_id,
        "name": "Pat Patel",
        "email": "pat@mail.example",
        "phone": "+1 773 555 0199",
        "password": PASSWORD,
        "repeat": PASSWORD,
        "address": "2100 N Halsted St, Chicago, IL",
        "latitude": "41.9199",
        "longitude": "-87.6487",
        "availability": "Mon/Wed 9-12, Thu after 15:00",
        **changes,
    }


def patients_of(client: TestClient[Litestar], setup: dict[str, Any]) -> list[Any]:
    desk = sign_in(client, "desk@loop.example", PASSWORD)
    found = client.get(f"/clinics/{setup['clinic']['id']}/patients", headers=desk)
    return list(ok(found))


def test_availability_in_words_reads_back_the_same() -> None:
    text = "Mon/Wed 9-12, Thu after 15:00, Fri 8:30-11, Sat before 13, Sun all day"
    windows = parse(text)
    assert windows == {
        "mon": [[540, 720]],
        "wed": [[540, 720]],
        "thu": [[900, 1440]],
        "fri": [[510, 660]],
        "sat": [[0, 780]],
        "sun": [[0, 1440]],
    }
    assert parse(describe(windows)) == windows
    assert parse("Mon-Wed 9 to 12") == {d: [[540, 720]] for d in ("mon", "tue", "wed")}
    assert parse("") == {}
    for bad in ("Funday 9-12", "Mon 12-9", "Mon 9-", "Mon 25-26", "Wed-Mon 9-12"):
        with pytest.raises(NotUnderstood):
            parse(bad)


def test_sign_up_keeps_input_says_what_to_fix_and_writes_nothing(
    front: TestClient[Litestar],
) -> None:
    setup = set_up_clinic(front)
    front.cookies.clear()
    token = form_token(front, "/app/signup")
    bad = sign_up_form(
        setup["clinic"]["id"],
        email="pat-at-mail",
        repeat="another password",
        latitude="91",
        availability="Mon 12-9",
    )
    answer = front.post("/app/signup", data={**bad, "csrf_token": token})
    assert answer.status_code == 400
    errors = field_errors(answer.text)
    assert set(errors) == {"email", "repeat", "latitude", "availability"}
    assert "the end must be after the start" in errors["availability"]
    assert 'value="Pat Patel"' in answer.text  # kept
    assert 'value="Mon 12-9"' in answer.text
    assert PASSWORD not in answer.text  # passwords are never sent back
    assert patients_of(front, setup) == []


def test_a_patient_cannot_register_twice(front: TestClient[Litestar]) -> None:
    setup = set_up_clinic(front)
    front.cookies.clear()
    token = form_token(front, "/app/signup")
    form = {**sign_up_form(setup["clinic"]["id"]), "csrf_token": token}
    first = front.post("/app/signup", data=form, follow_redirects=False)
    assert (first.status_code, first.headers["location"]) == (303, "/app/patient/intake?welcome=1")
    front.cookies.clear()
    token = form_token(front, "/app/signup")
    again = front.post("/app/signup", data={**form, "csrf_token": token})
    assert again.status_code == 400
    assert "already has an account" in field_errors(again.text)["email"]
    # Another e-mail, the same name and phone: the clinic already has this patient.
    other = front.post(
        "/app/signup", data={**form, "csrf_token": token, "email": "pat2@mail.example"}
    )
    assert other.status_code == 400
    assert "The clinic already has you" in other.text
    assert [p["name"] for p in patients_of(front, setup)] == ["Pat Patel"]


def test_the_intake_needs_every_answer_and_writes_nothing_without(
    front: TestClient[Litestar],
) -> None:
    setup = set_up_clinic(front)
    front.cookies.clear()
    token = form_token(front, "/app/signup")
    front.post("/app/signup", data={**sign_up_form(setup["clinic"]["id"]), "csrf_token": token})
    answers = {f"q-{q['key']}": "no" for q in ok(front.get("/intake/questions"))}
    answer = front.post(
        "/app/patient/intake",
        data={**answers, "q-fever": "", "conditions": "MS since 2019", "csrf_token": token},
    )
    assert answer.status_code == 400
    assert field_errors(answer.text) == {
        "q-fever": "Answer yes or no.",
        "pregnant": "Answer yes or no.",
    }
    assert "MS since 2019" in answer.text
    assert 'id="q-wound-no" name="q-wound" value="no" checked' in answer.text
    desk = sign_in(front, "desk@loop.example", PASSWORD)
    patient = patients_of(front, setup)[0]
    assert ok(front.get(f"/patients/{patient['id']}", headers=desk))["intake"] is None


def test_a_reassessment_session_is_completed_with_its_re_evaluation(
    front: TestClient[Litestar], clock: Clock
) -> None:
    setup = set_up_clinic(front)
    admin, clinic = setup["admin"], setup["clinic"]
    changed = front.put(
        f"/clinics/{clinic['id']}",
        headers=admin,
        json={
            "name": clinic["name"],
            "address": clinic["address"],
            "location": clinic["location"],
            "policies": {**clinic["policies"], "reassessment_every": 1},
        },
    )
    assert changed.status_code == 200, changed.text
    plan, patient_id = _a_plan(front, setup, clock)
    pat = sign_in(front, "pat@mail.example", PASSWORD)
    top = ok(front.get(f"/me/plans/{plan}/options", headers=pat))["options"][0]
    session = ok(
        front.post(
            f"/plans/{plan}/sessions",
            headers=pat,
            json={"therapist_id": top["therapist_id"], "start": top["start"]},
        ),
        201,
    )
    clock.current = datetime.fromisoformat(session["start"]) + timedelta(minutes=50)
    front.cookies.clear()
    token = form_token(front, "/app/login")
    front.post(
        "/app/login",
        data={"email": "ana@loop.example", "password": PASSWORD, "csrf_token": token},
    )
    page = front.get(f"/app/sessions/{session['id']}")
    assert 'name="reassessment" value="1"' in page.text
    note = {"note": "stretching", "pain_before": "5", "pain_after": "3", "reassessment": "1"}
    missing = front.post(
        f"/app/sessions/{session['id']}/complete", data={**note, "csrf_token": token}
    )
    assert missing.status_code == 400
    assert set(field_errors(missing.text)) == {"reassess-pain", "reassess-findings"}
    assert 'value="5"' in missing.text
    done = front.post(
        f"/app/sessions/{session['id']}/complete",
        data={**note, "reassess-pain": "4", "reassess-findings": "less tone", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    progress = ok(front.get(f"/plans/{plan}/progress", headers=pat))
    assert ("reassessment", 4) in [(p["source"], p["pain"]) for p in progress["pain"]]
    assert patient_id


def _a_plan(front: TestClient[Litestar], setup: dict[str, Any], clock: Clock) -> tuple[str, str]:
    """A signed-up patient evaluated, prescribed and planned (through the JSON API)."""
    patient_id = ok(sign_up(front, setup["clinic"]["id"]), 201)["patient"]["id"]
    pat = sign_in(front, "pat@mail.example", PASSWORD)
    option = ok(
        front.get(
            f"/patients/{patient_id}/evaluation-options",
            params={"reason": "multiple sclerosis"},
            headers=pat,
        )
    )[0]
    visit = ok(
        front.post(
            f"/patients/{patient_id}/evaluation-visits",
            headers=pat,
            json={"therapist_id": option["therapist_id"], "start": option["start"], "reason": "ms"},
        ),
        201,
    )
    clock.current = datetime.fromisoformat(visit["start"]) + timedelta(minutes=5)
    ana = sign_in(front, "ana@loop.example", PASSWORD)
    ok(
        front.post(
            f"/patients/{patient_id}/evaluations",
            headers=ana,
            json={"condition": "multiple sclerosis", "pain_level": 6, "visit": visit["id"]},
        ),
        201,
    )
    rx = ok(
        front.post(
            f"/patients/{patient_id}/prescriptions",
            headers=ana,
            json={
                "condition": "multiple sclerosis",
                "authorized_sessions": 6,
                "expires_on": (clock() + timedelta(days=90)).date().isoformat(),
                "prescriber": "Dr. Rhee",
            },
        ),
        201,
    )
    plan = ok(
        front.post(
            f"/patients/{patient_id}/plans",
            headers=ana,
            json={
                "prescription_id": rx["id"],
                "specialization": "ms",
                "sessions": 6,
                "session_minutes": 60,
                "min_days": 5,
                "max_days": 9,
                "setting": "clinic",
                "preferred_therapist": setup["therapist"]["id"],
            },
        ),
        201,
    )
    return plan["id"], patient_id


def _therapist_cookie(front: TestClient[Litestar]) -> str:
    front.cookies.clear()
    token = form_token(front, "/app/login")
    signed = front.post(
        "/app/login",
        data={"email": "ana@loop.example", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    return token


def test_plan_changes_and_renewals_from_the_pages(
    front: TestClient[Litestar], clock: Clock
) -> None:
    setup = set_up_clinic(front)
    plan, patient_id = _a_plan(front, setup, clock)
    desk = sign_in(front, "desk@loop.example", PASSWORD)
    events = len(ok(front.get(f"/plans/{plan}/history", headers=desk)))
    token = _therapist_cookie(front)

    backwards = front.post(
        f"/app/treatment/{plan}/changes",
        data={"change": "cadence", "cadence-min": "9", "cadence-max": "4", "csrf_token": token},
    )
    assert backwards.status_code == 400
    assert "at least the fewest" in field_errors(backwards.text)["cadence-max"]
    assert 'value="9"' in backwards.text
    no_summary = front.post(
        f"/app/treatment/{plan}/changes",
        data={"change": "discharge", "discharge-summary": "", "csrf_token": token},
    )
    assert field_errors(no_summary.text) == {"discharge-summary": "Enter the summary."}
    assert len(ok(front.get(f"/plans/{plan}/history", headers=desk))) == events

    renewed = front.post(
        f"/app/chart/{patient_id}/renewals",
        data={
            "rn-prescription": ok(front.get(f"/plans/{plan}", headers=desk))["prescription_id"],
            "rn-sessions": "10",
            "rn-expires": (clock() + timedelta(days=200)).date().isoformat(),
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert renewed.status_code == 303, renewed.text
    cadence = front.post(
        f"/app/treatment/{plan}/changes",
        data={"change": "cadence", "cadence-min": "3", "cadence-max": "6", "csrf_token": token},
        follow_redirects=False,
    )
    assert cadence.status_code == 303, cadence.text
    discharged = front.post(
        f"/app/treatment/{plan}/changes",
        data={"change": "discharge", "discharge-summary": "pain 2/10", "csrf_token": token},
        follow_redirects=False,
    )
    assert discharged.status_code == 303, discharged.text
    after = ok(front.get(f"/plans/{plan}", headers=desk))
    assert (after["min_days"], after["max_days"], after["status"]) == (3, 6, "completed")
    assert after["authorized_sessions"] == 10
    page = front.get(f"/app/treatment/{plan}")
    assert 'data-testid="summary">pain 2/10<' in page.text


def test_a_therapist_reports_sick_after_seeing_the_visits_it_displaces(
    front: TestClient[Litestar], clock: Clock
) -> None:
    setup = set_up_clinic(front)
    plan, _ = _a_plan(front, setup, clock)
    pat = sign_in(front, "pat@mail.example", PASSWORD)
    top = ok(front.get(f"/me/plans/{plan}/options", headers=pat))["options"][0]
    session = ok(
        front.post(
            f"/plans/{plan}/sessions",
            headers=pat,
            json={"therapist_id": top["therapist_id"], "start": top["start"]},
        ),
        201,
    )
    day = session["start_local"][:10]
    token = _therapist_cookie(front)
    sick = {"sick-first": day, "sick-last": day, "csrf_token": token}
    asked = front.post("/app/availability/sick", data=sick)
    assert asked.status_code == 200
    assert 'data-testid="sick-preview"' in asked.text
    assert "Pat Patel" in asked.text
    desk = sign_in(front, "desk@loop.example", PASSWORD)
    therapist = f"/therapists/{setup['therapist']['id']}"
    assert ok(front.get(therapist, headers=desk))["time_off"] == []  # nothing recorded yet

    token = _therapist_cookie(front)
    done = front.post(
        "/app/availability/sick",
        data={**sick, "confirm": "yes", "csrf_token": token},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/app/availability?done=sick")
    assert [t["kind"] for t in ok(front.get(therapist, headers=desk))["time_off"]] == ["sick"]


def test_a_home_visit_shows_its_street_address_phone_and_directions_to_staff_only(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
        headers=tokens["pat"],
    )
    assert booked.status_code == 201, booked.text
    patient = ok(client.get(f"/patients/{world.pat}", headers=tokens["dispatcher"]))
    details = {k: patient[k] for k in ("name", "email", "phone", "home")}
    moved = client.put(
        f"/patients/{world.pat}",
        headers=tokens["dispatcher"],
        json={
            **details,
            "email": "pat@mail.example",
            "phone": "+1 773 555 0199",
            "address": "2100 N Halsted St, Chicago",
        },
    )
    assert moved.status_code == 200, moved.text
    path = f"/app/sessions/{booked.json()['id']}"
    for who, sees in (("ana", True), ("dispatcher", True), ("pat", False)):
        client.cookies.clear()
        token = form_token(client, "/app/login")
        client.post(
            "/app/login",
            data={"email": EMAILS[who], "password": WORLD_PASSWORD, "csrf_token": token},
        )
        page = client.get(path)
        assert page.status_code == 200, (who, page.text)
        assert ('data-testid="home-address"' in page.text) is sees, who
        assert ("maps/dir/?api=1&amp;destination=" in page.text) is sees, who
        assert str(patient["home"]["latitude"]) not in page.text  # never coordinates
