"""Turning a finished timetable into the result: scores, reasons and explanations."""

from __future__ import annotations

from scheduler.matching import rules
from scheduler.matching.problem import Plan, Problem, Therapist
from scheduler.matching.result import Explanation, Scores, Unscheduled
from scheduler.matching.routes import Stop
from scheduler.matching.timetable import Timetable


def scores(tt: Timetable) -> Scores:
    """The checker's four scores, from the timetable's counts."""
    problem = tt.problem
    s = tt.score()
    requested = sum(p.sessions for p in problem.plans.values())
    multi = sum(1 for at in tt.where.values() if len(at) >= 2)
    prefs = sum(1 for p in problem.plans.values() if p.preferred_therapist)
    return Scores(
        scheduled=s.placed / requested if requested else 1.0,
        continuity=s.continuous / multi if multi else 1.0,
        preferred=s.preferred / prefs if prefs else 1.0,
        travel_km=round(s.travel_km, 6),
        placed=s.placed,
        requested=requested,
    )


def why_unscheduled(tt: Timetable, plan_id: str, session: int) -> Unscheduled:
    """The first rule, in the order a dispatcher would check, that stops a session."""
    problem: Problem = tt.problem
    plan = problem.plans[plan_id]
    at = tt.where.get(plan_id, {})
    if session > 1 and session - 1 not in at:
        return Unscheduled(
            plan_id,
            session,
            f"session {session - 1} is not placed; sessions must follow 1..k without a gap",
            "rule4",
        )
    eligible = rules.eligible(problem, plan)
    if not eligible:
        where = "mobile " if plan.home else ""
        return Unscheduled(
            plan_id,
            session,
            f"no {where}therapist with skill {plan.skill} who is not excluded",
            "rule1",
        )
    prev = tt.where.get(plan_id, {}).get(session - 1)
    first, last = rules.day_range(
        plan, session, prev[1] if prev else None, tt.fixed_days.get(plan_id)
    )
    days = {o.day for t in eligible for o in rules.options(plan, t, first, last)}
    if not days:
        return Unscheduled(
            plan_id,
            session,
            f"no availability window on days {first}..{last} "
            "that fits inside a shift of a therapist with the skill",
            "rule2",
        )
    return _why_no_room(tt, plan, session, eligible, span=(first, last), days=sorted(days))


def unscheduled(tt: Timetable, postponed: set[tuple[str, int]] | None = None) -> list[Unscheduled]:
    """Every requested session that is not placed, with its reason (a `postponed` one:
    it lost its booking and found no place; the plan's later sessions keep theirs)."""
    out = []
    for plan in tt.problem.plans.values():
        at = tt.where.get(plan.id, {})
        for s in range(1, plan.sessions + 1):
            if s in at:
                continue
            if (plan.id, s) in (postponed or set()):
                reason = "postponed: it lost its booking and no place fits within the budget"
                out.append(Unscheduled(plan.id, s, reason, "postponed"))
            else:
                out.append(why_unscheduled(tt, plan.id, s))
    return out


def _why_no_room(
    tt: Timetable,
    plan: Plan,
    session: int,
    eligible: list[Therapist],
    *,
    span: tuple[int, int],
    days: list[int],
) -> Unscheduled:
    """Why a session with days and windows to go to has no place: its plan keeps another
    therapist (continuity), the patient is busy (rule 5), or every route is full (rule 3)."""
    plan_id, (first, last) = plan.id, span
    location = tt.plan_location[plan_id]
    holders = tt.therapists_of(plan_id)
    fits: dict[str, tuple[str, int]] = {}  # "holder" / "other" / "patient" -> (therapist, day)
    for t in eligible:
        for o in rules.options(plan, t, first, last):
            route = tt.routes.get((t.id, o.day))
            stop = Stop(plan_id, session, location, plan.duration, o.earliest, o.latest)
            if route is None or route.best_insertion(stop) is None:
                continue
            if route.best_insertion(stop, tt.patient_busy(plan, o.day)) is None:
                fits.setdefault("patient", (t.id, o.day))
            else:
                fits.setdefault(
                    "holder" if not holders or t.id in holders else "other", (t.id, o.day)
                )
    if "holder" in fits:
        t_id, day = fits["holder"]
        return Unscheduled(
            plan_id,
            session,
            f"{t_id} has room for it on day {day}; the search did not reach it in its time",
            "search",
        )
    if "other" in fits:
        t_id, day = fits["other"]
        return Unscheduled(
            plan_id,
            session,
            f"only another therapist ({t_id}, day {day}) has room; the plan stays with "
            f"{', '.join(sorted(holders))} for continuity of care",
            "continuity",
        )
    if "patient" in fits:
        t_id, day = fits["patient"]
        return Unscheduled(
            plan_id,
            session,
            f"the patient is already seen at every time {t_id} could come on day {day}",
            "rule5",
        )
    return Unscheduled(
        plan_id,
        session,
        f"every therapist with skill {plan.skill} is fully "
        f"booked (travel, shift end or max visits) on days {days}",
        "rule3",
    )


def explanations(tt: Timetable) -> list[Explanation]:
    """For each visit: skill, continuity, preference and the km it adds to its day."""
    out = []
    geo = tt.geo
    for route in tt.routes.values():
        path = [route.base, *(s.location for s in route.stops), route.base]
        for i, stop in enumerate(route.stops):
            plan = tt.problem.plans[stop.plan]
            who = tt.therapists_of(plan.id)
            a, b, c = path[i], path[i + 1], path[i + 2]
            added = geo.km(a, b) + geo.km(b, c) - geo.km(a, c)
            out.append(
                Explanation(
                    plan=plan.id,
                    session=stop.session,
                    skill=plan.skill,
                    continuity=len(who) == 1,
                    preferred=None
                    if plan.preferred_therapist is None
                    else plan.preferred_therapist == route.therapist,
                    added_travel_km=round(added, 3),
                )
            )
    return sorted(out, key=lambda e: (e.plan, e.session))
