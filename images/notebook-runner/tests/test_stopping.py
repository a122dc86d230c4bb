"""Ending a run early: what a signal or the run timeout asks for, the interrupt, the kill, and the watchdog."""

import asyncio
import threading

from orrery_runner.outcome import EXIT_FAILED, Outcome
from orrery_runner.stopping import RunStop, start_watchdog, timeout_outcome


class FakeKernel:
    """Records the interrupts and kills it gets; `stops_when_interrupted` marks the run finished on interrupt."""

    def __init__(self, stops_when_interrupted=False):
        self.events, self.stops_when_interrupted, self.stop = [], stops_when_interrupted, None
        self.killed = threading.Event()

    async def interrupt(self):
        self.events.append('interrupt')
        if self.stops_when_interrupted:
            self.stop.finished.set()

    def kill_group(self):
        self.events.append('kill')
        self.killed.set()


def stop_for(kernel, grace=0.01):
    stop = RunStop(kernel, grace_seconds=grace)
    kernel.stop = stop
    return stop


def timeout():
    return Outcome('FAILED', 'run timed out after 5 s', None, EXIT_FAILED)


def test_the_run_timeout_during_a_cell_names_that_cell_then_interrupts_and_kills_a_kernel_that_wont_stop():
    # Prepare
    kernel = FakeKernel()
    stop = stop_for(kernel)

    async def scenario():
        stop.loop = asyncio.get_running_loop()
        stop.running_cell = 2
        stop.abort(timeout())
        await asyncio.sleep(0.2)

    # Act
    asyncio.run(scenario())
    # Assess
    assert stop.request.error == {'cellIndex': 2, 'ename': 'RunTimeoutError', 'evalue': 'run timed out after 5 s',
                                  'traceback': []}
    assert kernel.events == ['interrupt', 'kill']


def test_a_kernel_that_stops_when_interrupted_is_not_killed():
    # Prepare
    kernel = FakeKernel(stops_when_interrupted=True)
    stop = stop_for(kernel)

    async def scenario():
        stop.loop = asyncio.get_running_loop()
        stop.running_cell = 0
        stop.abort(Outcome('STOPPED', 'stopped', None, 143))
        await asyncio.sleep(0.2)

    # Act
    asyncio.run(scenario())
    # Assess
    assert kernel.events == ['interrupt']
    assert stop.request.error is None


def test_an_early_end_while_the_kernel_starts_stops_waiting_for_it_at_once():
    # Prepare
    kernel = FakeKernel()
    stop = stop_for(kernel)

    async def scenario():
        stop.loop = asyncio.get_running_loop()
        stop.work = stop.loop.create_task(asyncio.sleep(10))
        stop.abort(timeout())
        try:
            await stop.work
        except asyncio.CancelledError:
            return 'cancelled'
        return 'finished'

    # Act
    ended = asyncio.run(scenario())
    # Assess
    assert ended == 'cancelled'
    assert stop.request.error is None
    assert kernel.events == []


def test_only_the_first_early_end_counts_and_none_after_the_run_finished():
    # Prepare
    first, second = stop_for(FakeKernel()), stop_for(FakeKernel())
    stopped = Outcome('STOPPED', 'stopped', None, 143)
    # Act
    first.abort(stopped)
    first.abort(timeout())
    second.finished.set()
    second.abort(stopped)
    # Assess
    assert first.request is stopped
    assert second.request is None


def test_the_watchdog_asks_the_loop_to_end_the_run_when_its_time_is_up():
    # Prepare
    stop = stop_for(FakeKernel(), grace=5)
    asked = []

    async def scenario():
        stop.loop = asyncio.get_running_loop()
        stop.abort = lambda outcome: (asked.append(outcome), stop.finished.set())
        thread = start_watchdog(stop, 0.05)
        while not asked:
            await asyncio.sleep(0.01)
        return thread

    # Act
    thread = asyncio.run(asyncio.wait_for(scenario(), 5))
    thread.join(5)
    # Assess
    assert asked == [Outcome('FAILED', 'run timed out after 0.05 s', None, EXIT_FAILED)]
    assert stop.kernel.events == []


def test_the_watchdog_kills_the_kernel_itself_when_the_loop_does_not_act():
    # Prepare: a loop that never runs stands for one too busy to act on the request.
    stop = stop_for(FakeKernel(), grace=0.01)
    stop.loop = asyncio.new_event_loop()
    # Act
    start_watchdog(stop, 0.01)
    killed = stop.kernel.killed.wait(5)
    stop.loop.close()
    # Assess
    assert killed and stop.kernel.events == ['kill']


def test_a_run_past_its_timeout_fails_saying_after_how_long():
    # Act
    outcomes = [timeout_outcome(600.0), timeout_outcome(0.5)]
    # Assess
    assert outcomes == [Outcome('FAILED', 'run timed out after 600 s', None, EXIT_FAILED),
                        Outcome('FAILED', 'run timed out after 0.5 s', None, EXIT_FAILED)]


def test_the_watchdog_does_nothing_for_a_run_that_finished_in_time_or_has_no_timeout():
    # Prepare
    stop = stop_for(FakeKernel(), grace=0.01)
    asked = []
    stop.abort = asked.append
    stop.finished.set()

    async def scenario():
        stop.loop = asyncio.get_running_loop()
        thread = start_watchdog(stop, 0.01)
        await asyncio.sleep(0.2)
        return thread, start_watchdog(stop, None)

    # Act
    thread, none = asyncio.run(scenario())
    thread.join(5)
    # Assess
    assert not thread.is_alive() and none is None
    assert asked == [] and stop.kernel.events == []
