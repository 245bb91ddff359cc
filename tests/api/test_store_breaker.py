"""The store breaker: after one unreachable-store failure, refuse at once; one probe at a
time after the cool-down; closed again as soon as the store answers (even with a rule)."""

from __future__ import annotations

import time

import pytest
from eventsourcing.persistence import OperationalError

from scheduler.api.errors import StoreUnavailable
from scheduler.api.store_breaker import StoreBreaker
from scheduler.domain.errors import TherapistBusy


def _fail(breaker: StoreBreaker) -> None:
    with pytest.raises(StoreUnavailable) as raised, breaker.call():
        raise OperationalError("connection refused")
    assert raised.value.headers["Retry-After"] == "5"


def test_an_unreachable_store_opens_the_breaker_and_later_calls_fail_at_once() -> None:
    breaker = StoreBreaker(cooldown_s=60)
    _fail(breaker)
    ran = []
    with pytest.raises(StoreUnavailable), breaker.call():
        ran.append(True)
    assert ran == []
    assert breaker.open


def test_after_the_cool_down_one_probe_goes_through_and_its_success_closes() -> None:
    breaker = StoreBreaker(cooldown_s=0.01)
    _fail(breaker)
    time.sleep(0.02)
    # While the probe runs, others are still refused.
    with breaker.call(), pytest.raises(StoreUnavailable), breaker.call():
        pass
    assert not breaker.open
    with breaker.call():
        pass


def test_a_failed_probe_opens_it_again() -> None:
    breaker = StoreBreaker(cooldown_s=0.01)
    _fail(breaker)
    time.sleep(0.02)
    _fail(breaker)
    with pytest.raises(StoreUnavailable), breaker.call():
        pass


def test_a_broken_rule_means_the_store_answered() -> None:
    breaker = StoreBreaker(cooldown_s=0.01)
    _fail(breaker)
    time.sleep(0.02)
    with pytest.raises(TherapistBusy), breaker.call():
        raise TherapistBusy("the slot is taken")
    assert not breaker.open


def test_with_a_probe_every_call_is_refused_until_the_probe_reaches_the_store() -> None:
    answers = [OperationalError("still down"), None]
    probed = []

    def probe() -> None:
        probed.append(True)
        answer = answers.pop(0)
        if answer is not None:
            raise answer

    breaker = StoreBreaker(cooldown_s=0.01, probe=probe)
    _fail(breaker)
    for _ in range(2):  # the first probe fails, the second succeeds
        time.sleep(0.02)
        with pytest.raises(StoreUnavailable), breaker.call():
            pass  # refused: the probe, not this request, finds out
        deadline = time.monotonic() + 5
        while breaker._probing and time.monotonic() < deadline:
            time.sleep(0.01)
    assert probed == [True, True]
    assert not breaker.open
    with breaker.call():
        pass
