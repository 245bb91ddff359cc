"""The planner on PostgreSQL: calendar → problem → solve → proposal → diff → apply.

Every solve's result is checked by the shared, independent checker; limits are 1 s.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from uuid import UUID

import pytest

from scheduler.domain.errors import InvalidInput, ProposalAlreadyApplied
from scheduler.matching.solver import solve
from scheduler.planning.apply import apply_proposal
from scheduler.planning.diff import diff
from scheduler.planning.horizon import read_horizon
from scheduler.planning.problem import Planning, build_problem
from scheduler.planning.proposal import record_proposal

from .clinic import MONDAY, NOW, Clinic, check

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
TUESDAY = MONDAY + timedelta(days=1)


def solved(planning: Planning) -> object:
    result = solve(planning.problem, time_limit_s=1, seed=0, previous=planning.previous, workers=1)
    report = check(planning.document, result.to_json())
    assert report["feasible"], report["violation_list"]
    return result


def fixed_sessions(planning: Planning) -> set[UUID]:
    return {
        planning.sessions[f["plan"], f["session"]].session.id for f in planning.document["fixed"]
    }


def test_the_problem_mirrors_the_calendar(clinic: Clinic) -> None:
    pats = clinic.book("pat", "ana", MONDAY, "10:00")
    quinns = clinic.book("quinn", "cleo", MONDAY, "14:00")
    raes = clinic.book("rae", "ana", TUESDAY, "10:00")
    clinic.app.pin_session(quinns, actor="desk", reason="fixed appointment", now=NOW)
    clinic.app.record_time_off(
        clinic.therapists["ana"],
        start=clinic.at(MONDAY, "13:00"),
        end=clinic.at(MONDAY, "17:00"),
        kind="sick",
        actor="desk",
        reason="migraine",
        now=NOW,
    )
    horizon = read_horizon(clinic.app, clinic.id, MONDAY, TUESDAY, now=NOW)

    keep = build_problem(horizon, "optimize")
    ana = next(t for t in keep.document["therapists"] if t["id"] == str(clinic.therapists["ana"]))
    assert ana["shifts"] == [
        {"day": 0, "start": 540, "end": 780},
        {"day": 1, "start": 540, "end": 1020},
    ]
    assert fixed_sessions(keep) == {pats, quinns, raes}
    pat = next(p for p in keep.document["plans"] if p["id"] == str(clinic.plans["pat"]))
    # Booked Monday; with 2..7 days between sessions the two days hold no second one.
    assert pat["sessions"] == 1
    # No patient availability in the domain: whole days, plus the booked visit's own window.
    assert pat["availability"] == [
        {"day": 0, "start": 0, "end": 1440},
        {"day": 1, "start": 0, "end": 1440},
        {"day": 0, "start": 600, "end": 660},
    ]
    solved(keep)

    free = build_problem(horizon, "optimize", keep_booked=False)
    assert fixed_sessions(free) == {quinns}  # pinned stays; the others may move

    replan = build_problem(horizon, "replan")
    assert fixed_sessions(replan) == {quinns}
    assert {replan.sessions[v.plan, v.session].session.id for v in replan.previous or []} == {
        pats,
        raes,
    }
    assert sum(p["sessions"] for p in replan.document["plans"]) == 3  # nothing new in a re-plan
    solved(replan)


def test_ranges_in_the_past_reversed_or_too_long_are_refused(clinic: Clinic) -> None:
    for first, last in (
        (NOW.date() - timedelta(days=1), MONDAY),
        (TUESDAY, MONDAY),
        (MONDAY, MONDAY + timedelta(days=31)),
    ):
        with pytest.raises(InvalidInput):
            read_horizon(clinic.app, clinic.id, first, last, now=NOW)


def test_a_sick_day_replan_moves_only_that_therapists_visits_that_day(clinic: Clinic) -> None:
    affected = {
        clinic.book("pat", "ana", MONDAY, "10:00"),
        clinic.book("rae", "ana", MONDAY, "14:00"),
    }
    kept = {
        clinic.book("quinn", "cleo", MONDAY, "11:00"),
        clinic.book("sol", "ana", TUESDAY, "10:00"),
    }
    ana = clinic.therapists["ana"]
    clinic.app.record_time_off(
        ana,
        start=clinic.at(MONDAY, "00:00"),
        end=clinic.at(TUESDAY, "00:00"),
        kind="sick",
        actor="desk",
        reason="flu",
        now=NOW,
    )
    planning = build_problem(
        read_horizon(clinic.app, clinic.id, MONDAY, TUESDAY, now=NOW), "replan"
    )
    proposal = record_proposal(clinic.app, planning, solved(planning), actor="desk", now=NOW)  # type: ignore[arg-type]

    found = diff(clinic.app, clinic.app.get_proposal(proposal))
    assert {i.session_id for i in found.moved} == affected
    assert {i.session_id for i in found.unchanged} == kept
    assert found.added == []
    assert found.stale == []
    for item in found.moved:  # not back onto Ana's sick day
        assert item.therapist_id != ana or item.start >= clinic.at(TUESDAY, "00:00")

    outcome = apply_proposal(clinic.app, proposal, actor="dispatcher:d", now=NOW)
    assert outcome.conflicts == []
    assert {i.session_id for i in outcome.applied} == affected
    assert clinic.app.therapist_day(ana, MONDAY).visits == ()
    for session in affected:
        assert [e.event for e in clinic.app.history(session)] == ["Booked", "Rescheduled"]
    with pytest.raises(ProposalAlreadyApplied):
        apply_proposal(clinic.app, proposal, actor="dispatcher:d", now=NOW)


def test_a_slot_taken_meanwhile_wins_and_the_rest_is_applied(clinic: Clinic) -> None:
    planning = build_problem(
        read_horizon(clinic.app, clinic.id, MONDAY, MONDAY, now=NOW), "optimize"
    )
    proposal = record_proposal(clinic.app, planning, solved(planning), actor="desk", now=NOW)  # type: ignore[arg-type]
    items = clinic.app.get_proposal(proposal).items
    home_plans = {clinic.plans[name] for name in ("pat", "quinn", "rae", "sol")}
    assert {i.plan_id for i in items} >= home_plans  # a Monday session for each
    # The front desk gives Pat the slot the proposal meant for someone else.
    taken = max(
        (i for i in items if i.plan_id in home_plans - {clinic.plans["pat"]}),
        key=lambda i: i.start,
    )
    clinic.app.book_session(
        plan_id=clinic.plans["pat"],
        therapist_id=taken.therapist_id,
        start=taken.start,
        actor="desk",
        now=NOW,
    )

    outcome = apply_proposal(clinic.app, proposal, actor="dispatcher:d", now=NOW)

    conflicts = {(c.item.plan_id, c.error) for c in outcome.conflicts}
    pat = clinic.plans["pat"]
    assert {(pat, "plan_changed"), (taken.plan_id, "therapist_busy")} <= conflicts
    for other in outcome.conflicts:  # Pat's visit may leave a neighbour too little travel time
        if other.item.plan_id not in (pat, taken.plan_id):
            assert (other.item.therapist_id, other.error) in {
                (taken.therapist_id, "therapist_busy"),
                (taken.therapist_id, "outside_shift"),
                (clinic.therapists["ben"], "patient_busy"),  # Pat's knee, same hour
            }
    applied = {i.plan_id for i in outcome.applied}
    assert applied == {i.plan_id for i in items} - {plan for plan, _ in conflicts}
    assert any(i.therapist_id != taken.therapist_id for i in outcome.applied)
    for therapist in clinic.therapists.values():
        visits = clinic.app.therapist_day(therapist, MONDAY).visits
        assert all(a.end <= b.start for a, b in itertools.pairwise(visits))


def test_completed_and_missed_sessions_are_history_never_proposal_items(clinic: Clinic) -> None:
    completed = clinic.book("pat", "ana", MONDAY, "10:00")
    missed = clinic.book("rae", "cleo", MONDAY, "10:00")
    ahead = clinic.book("quinn", "ana", MONDAY, "14:00")
    later = clinic.at(MONDAY, "11:30")
    clinic.app.complete_session(
        completed, note="less stiff", pain_before=6, pain_after=4, actor="ana", now=later
    )
    clinic.app.record_no_show(missed, actor="cleo", reason="not at home", now=later)
    planning = build_problem(
        read_horizon(clinic.app, clinic.id, MONDAY, TUESDAY, now=later), "optimize"
    )
    # History still occupies its time and counts toward the plan in the problem...
    assert fixed_sessions(planning) == {completed, missed, ahead}
    pat = next(p for p in planning.document["plans"] if p["id"] == str(clinic.plans["pat"]))
    assert pat["sessions"] == 1  # Monday's completed one; the cadence leaves Tuesday empty
    proposal_id = record_proposal(clinic.app, planning, solved(planning), actor="desk", now=later)  # type: ignore[arg-type]

    # ...but it is never an item, placed or unplaced: only booked sessions are.
    proposal = clinic.app.get_proposal(proposal_id)
    item_sessions = {i.session_id for i in proposal.items}
    assert ahead in item_sessions
    assert not {completed, missed} & item_sessions
    assert not {completed, missed} & {u.session_id for u in proposal.unplaced}
    found = diff(clinic.app, proposal)
    assert found.stale == []
    assert [i.session_id for i in found.unchanged] == [ahead]

    outcome = apply_proposal(clinic.app, proposal_id, actor="dispatcher:d", now=later)
    assert outcome.conflicts == []
    assert clinic.app.get_session(completed).status == "completed"
    assert clinic.app.get_session(missed).status == "no_show"
