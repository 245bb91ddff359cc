"""E-mail through a real SMTP server: one message per change, to the right person, with
an invitation that calendar apps apply in place (same UID as the feed, rising SEQUENCE)."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from email.message import EmailMessage

from icalendar import Calendar
from litestar import Litestar
from litestar.testing import TestClient

from api.conftest import Tokens
from api.world import EMAILS, World

from .conftest import PAT_EMAIL, QUINN_EMAIL, sign_in_page
from .sink import Sink, calendar_part


def _invitation(message: EmailMessage) -> Calendar:
    part = calendar_part(message)
    assert part is not None, "no text/calendar part"
    return Calendar.from_ical(part)


def _feed(client: TestClient[Litestar], tokens: Tokens) -> dict[str, object]:
    url = client.post("/me/calendar-token", headers=tokens["ana"]).json()["url"]
    path = "/" + url.split("/", 3)[3]
    client.cookies.clear()
    feed = Calendar.from_ical(client.get(path).content)
    return {str(e["UID"]): e for e in feed.walk("VEVENT")}


def test_booking_moving_and_cancelling_each_mail_the_patient_once_with_an_invitation(
    client: TestClient[Litestar], mailable: World, tokens: Tokens, sink: Sink
) -> None:
    world = mailable
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert booked.status_code == 201, booked.text
    session = booked.json()["id"]
    sink.wait_for(lambda got: any("Booked" in str(m["Subject"]) for m in got))

    moved = client.post(
        f"/sessions/{session}/move",
        json={"start": world.local["mon 12:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert moved.status_code == 200, moved.text
    sink.wait_for(lambda got: any("Moved" in str(m["Subject"]) for m in got))
    cancelled = client.post(f"/sessions/{session}/cancel", json={}, headers=tokens["pat"])
    assert cancelled.status_code == 200, cancelled.text
    sink.wait_for(lambda got: any("Cancelled" in str(m["Subject"]) for m in got))

    to_pat = sink.to(PAT_EMAIL)
    subjects = [str(m["Subject"]).split(":")[0] for m in to_pat]
    assert subjects == ["Booked", "Moved", "Cancelled"]  # one each, nothing else
    invitations = [_invitation(m) for m in to_pat]
    assert [str(c["METHOD"]) for c in invitations] == ["REQUEST", "REQUEST", "CANCEL"]
    events = [c.walk("VEVENT")[0] for c in invitations]
    uid = f"{session}@scheduler"
    assert {str(e["UID"]) for e in events} == {uid}
    sequences = [int(e["SEQUENCE"]) for e in events]
    assert sequences == sorted(sequences)
    assert len(set(sequences)) == 3
    assert events[1].decoded("DTSTART") == world.local["mon 12:00"]
    assert str(events[2]["STATUS"]) == "CANCELLED"
    # The therapist's feed shows the same event: same UID, the last SEQUENCE.
    feed = _feed(client, tokens)
    assert int(feed[uid]["SEQUENCE"]) == sequences[-1]  # type: ignore[index]

    # Stable, distinct Message-IDs; no diagnosis anywhere in what the patient got.
    ids = [str(m["Message-ID"]) for m in to_pat]
    assert len(set(ids)) == 3
    assert all(i.endswith("@loop.example>") for i in ids)
    for message in to_pat:
        assert "sclerosis" not in message.as_string().lower()
        assert "List-Unsubscribe" not in message  # only reminders carry one
    assert "in time" in to_pat[2].get_body(("plain",)).get_content()  # type: ignore[union-attr]

    # Ana's week changed three times: she hears of each, with Pat named by initial.
    to_ana = sink.wait_for(lambda got: len([m for m in got if m["To"] == EMAILS["ana"]]) >= 3)
    to_ana = [m for m in to_ana if m["To"] == EMAILS["ana"]]
    assert len(to_ana) == 3
    assert all("Pat P." in m.get_body(("plain",)).get_content() for m in to_ana)  # type: ignore[union-attr]

    # What was sent, on Pat's Messages list (JSON and page) and on Ana's.
    mine = client.get("/me/messages", headers=tokens["pat"]).json()
    sent = [m for m in mine if m["status"] == "sent"]
    assert [m["kind"] for m in sent] == ["cancelled", "moved", "booked"]  # newest first
    assert all(m["sent_at"] for m in sent)
    assert [m["kind"] for m in mine if m["status"] == "dropped"] == []  # reminders are gone
    sign_in_page(client, "pat")
    page = client.get("/app/messages")
    assert page.status_code == 200, page.text
    assert page.text.count("<tr>") == 1 + 3  # the header, then the three mails
    sign_in_page(client, "ana")
    assert client.get("/app/messages").text.count("<tr>") == 1 + 3


def test_a_late_cancellation_says_so(
    client: TestClient[Litestar], mailable: World, tokens: Tokens, sink: Sink, clock: object
) -> None:
    world = mailable
    start = world.local["mon 10:00"]
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": start.isoformat()},
        headers=tokens["dispatcher"],
    )
    assert booked.status_code == 201, booked.text
    clock.current = start - timedelta(hours=2)  # type: ignore[attr-defined]
    cancelled = client.post(
        f"/sessions/{booked.json()['id']}/cancel", json={}, headers=tokens["pat"]
    )
    assert cancelled.status_code == 200, cancelled.text
    got = sink.wait_for(lambda got: any("Cancelled" in str(m["Subject"]) for m in got))
    (message,) = [m for m in got if "Cancelled" in str(m["Subject"])]
    assert "late cancellation" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_a_sick_call_tells_the_patient_with_a_link_to_their_options(
    client: TestClient[Litestar], mailable: World, tokens: Tokens, sink: Sink
) -> None:
    world = mailable
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert booked.status_code == 201, booked.text
    sink.wait_for(lambda got: any("Booked" in str(m["Subject"]) for m in got))
    call = client.post(
        f"/therapists/{world.ana}/sick",
        json={
            "time_limit_s": 1.0,
            "dates": [str(world.local["mon 10:00"].date())],
            "reason": "flu",
        },
        headers=tokens["dispatcher"],
    )
    assert call.status_code in (200, 201, 202), call.text
    got = sink.wait_for(lambda got: any("new time" in str(m["Subject"]) for m in got))
    (notice,) = [m for m in got if "Needs a new time" in str(m["Subject"])]
    assert notice["To"] == PAT_EMAIL
    text = notice.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"https://care.loop.example/app/patient/plans/{world.pat_plan}/options" in text
    assert "flu" not in text
    assert "sclerosis" not in text
    # The therapist gets one summary of the visits the sick call took off their week.
    got = sink.wait_for(lambda got: any("off sick" in str(m["Subject"]) for m in got))
    (week,) = [m for m in got if "off sick" in str(m["Subject"])]
    assert week["To"] == EMAILS["ana"]
    assert str(week["Subject"]).endswith("1 visit to re-book")
    listed = week.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "- Monday 05 October, 10:00 (Pat P.)" in listed
    assert "flu" not in listed
    assert "sclerosis" not in listed


def test_a_waitlist_offer_mails_a_link_that_books_in_one_click(
    client: TestClient[Litestar], mailable: World, tokens: Tokens, sink: Sink
) -> None:
    world = mailable
    pats = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
        headers=tokens["dispatcher"],
    ).json()["id"]
    window = {
        "earliest": world.local["mon 10:00"].isoformat(),
        "latest": (world.local["mon 10:00"] + timedelta(hours=4)).isoformat(),
    }
    joined = client.post(
        f"/me/plans/{world.quinn_plan}/waitlist", json=window, headers=tokens["quinn"]
    )
    assert joined.status_code == 201, joined.text
    client.post(f"/sessions/{pats}/cancel", json={}, headers=tokens["pat"])
    got = sink.wait_for(lambda got: any(m["To"] == QUINN_EMAIL for m in got), timeout=20)
    (offer,) = [m for m in got if m["To"] == QUINN_EMAIL]
    assert str(offer["Subject"]).startswith("A time for you")
    text = offer.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    (link,) = re.findall(r"https://care\.loop\.example(/app/offers/accept\?token=\S+)", text)

    client.cookies.clear()  # no sign-in: the link is the key
    shown = client.get(link)
    assert shown.status_code == 200
    assert client.get("/me/sessions", headers=tokens["quinn"]).json() == []  # opening books nothing
    forged = client.post(link[:-3] + ("000" if not link.endswith("000") else "111"))
    assert forged.status_code == 410
    taken = client.post(link)
    assert taken.status_code == 200, taken.text
    assert "Booked" in taken.text
    (session,) = client.get("/me/sessions", headers=tokens["quinn"]).json()
    assert session["start"].startswith(world.local["mon 10:00"].strftime("%Y-%m-%dT%H:%M"))


def test_a_reauthorization_falling_due_mails_the_clinics_dispatchers(
    client: TestClient[Litestar], mailable: World, tokens: Tokens, sink: Sink
) -> None:
    world = mailable  # Pat's prescription authorizes 10 sessions: due with 2 left
    for days in (0, 2, 4, 7, 9, 11, 14, 16):
        start = world.local["mon 10:00"] + timedelta(days=days)
        booked = client.post(
            f"/plans/{world.pat_plan}/sessions",
            json={"therapist_id": str(world.ana), "start": start.isoformat()},
            headers=tokens["dispatcher"],
        )
        assert booked.status_code == 201, booked.text
    got = sink.wait_for(lambda got: any("Re-authorization" in str(m["Subject"]) for m in got))
    (due,) = [m for m in got if "Re-authorization" in str(m["Subject"])]
    assert due["To"] == EMAILS["dispatcher"]  # not the other clinic's desk
    assert str(due["Subject"]) == "Re-authorization due: Pat P."
    assert "2 authorized session(s) left" in due.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_a_patient_who_turns_email_off_gets_none(
    client: TestClient[Litestar], mailable: World, tokens: Tokens, sink: Sink
) -> None:
    world = mailable
    chosen = client.put(
        "/me/message-preferences", json={"email": False, "reminders": True}, headers=tokens["pat"]
    )
    assert chosen.status_code == 200, chosen.text
    assert client.get("/me/message-preferences", headers=tokens["pat"]).json() == {
        "email": False,
        "reminders": True,
    }
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert booked.status_code == 201, booked.text
    sink.wait_for(lambda got: any(m["To"] == EMAILS["ana"] for m in got))  # Ana's came
    time.sleep(2)
    assert sink.to(PAT_EMAIL) == []
    mine = client.get("/me/messages", headers=tokens["pat"]).json()
    assert all(m["status"] != "sent" for m in mine)
