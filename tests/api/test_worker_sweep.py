"""The worker's sweep leaves a job that is half dequeued alone for one round (real Redis).

SAQ moves a job to the active list and then marks it active; its sweep, run between the
two, aborted the job as "swept" (a CI run's optimization came back failed). Here the
half-dequeued state is made by hand, exactly as SAQ's dequeue leaves it.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from saq.job import Job, Status
from saq.utils import now

from scheduler.worker import PatientSweeps

from .conftest import REDIS_URL

pytestmark = pytest.mark.redis


async def _half_dequeued(queue: PatientSweeps) -> Job:
    job = await queue.enqueue(Job("solve", key=str(uuid.uuid4()), retries=1, timeout=60))
    assert job is not None
    moved = await queue.redis.lmove(queue._queued, queue._active, "LEFT", "RIGHT")
    assert moved == job.id.encode()
    return job


def test_a_half_dequeued_job_is_swept_only_if_it_stays_so() -> None:
    async def scenario() -> tuple[Status, Status, Status]:
        queue = PatientSweeps.from_url(REDIS_URL, name=f"sweep-test-{uuid.uuid4().hex}")
        try:
            job = await _half_dequeued(queue)
            assert await queue.sweep(lock=1) == []
            first = (await queue.job(job.key)).status  # type: ignore[union-attr]
            # The worker marks it active, as SAQ's process() does right after: never swept.
            job.started = now()
            job.attempts += 1
            await job.update(status=Status.ACTIVE)
            await asyncio.sleep(1.1)  # the sweep's own lock (lock=1 s) must lapse
            assert await queue.sweep(lock=1) == []
            second = (await queue.job(job.key)).status  # type: ignore[union-attr]

            # A job a dead worker left half dequeued is swept, one round later.
            stuck = await _half_dequeued(queue)
            await asyncio.sleep(1.1)
            assert await queue.sweep(lock=1) == []
            await asyncio.sleep(1.1)
            assert await queue.sweep(lock=1) == [stuck.id]
            third = (await queue.job(stuck.key)).status  # type: ignore[union-attr]
            return first, second, third
        finally:
            keys = [k async for k in queue.redis.scan_iter(match=f"saq:*{queue.name}*")]
            if keys:
                await queue.redis.delete(*keys)
            await queue.disconnect()

    first, second, third = asyncio.run(scenario())
    assert first == Status.QUEUED, "left alone in its first round"
    assert second == Status.ACTIVE, "it became active and runs"
    assert third in {Status.QUEUED, Status.ABORTED}, "the stuck one was swept (retried or ended)"
