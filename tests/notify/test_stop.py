"""Stopping the notifier ends its loop even when a cancellation is swallowed once.

On Python 3.11 `asyncio.wait_for` can swallow a cancellation that arrives as the awaited
thing completes (a write woke the loop just as the app shut down); the app's shutdown
then waited forever (a CI run hung 300 s in a test's teardown). The loop now waits with
`asyncio.timeout`, and `stop` cancels again until the loop has ended.
"""

from __future__ import annotations

import asyncio

from scheduler.notify.notifier import Notifier


async def _swallows_one_cancel(swallowed: list[bool]) -> None:
    while True:
        try:
            await asyncio.sleep(600)
        except asyncio.CancelledError:
            if swallowed:
                raise
            swallowed.append(True)  # what the 3.11 race does to the first cancel


def test_stop_ends_a_loop_that_swallowed_the_first_cancel() -> None:
    async def scenario() -> list[bool]:
        notifier = Notifier.__new__(Notifier)  # only the loop's task matters here
        swallowed: list[bool] = []
        notifier._task = asyncio.create_task(_swallows_one_cancel(swallowed))
        notifier._http = None
        await asyncio.sleep(0)
        stopping = asyncio.create_task(notifier.stop())
        # A liveness bound, far above the one second `stop` needs: the old `stop` waited
        # for the loop's next (here 600 s) sleep to end, or forever.
        done, _ = await asyncio.wait({stopping}, timeout=30)
        assert stopping in done, "stop returned"
        assert notifier._task is None
        return swallowed

    assert asyncio.run(scenario()) == [True], "the first cancel was swallowed, stop went on"
