# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the one wait loop.

One clock (a deadline and adaptive pauses) and one loop, used for one object (:func:`wait_until`) or
many at once (:func:`wait_all`). What "ready" means is not decided here: a check (one object) or a
judge per object (many objects, over one look at the cluster per round) says so. Nothing waits in
check mode: callers skip the wait there, since nothing was changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import ConvergenceTimeout, EngineError

DONE, PENDING, FAILED = "done", "pending", "failed"


def pauses(interval: float | None = None, first: float = 0.2, quick: float = 3.0, factor: float = 1.5,
           longest: float = 1.0) -> Iterator[float]:
    """Seconds to sleep between looks: a fixed ``interval``, or ``first`` for the first ``quick`` seconds and
    growing after them. Most changes converge within seconds (a task starts in 1-2 s) and a look costs a list
    call or two, so the first seconds are polled finely: a pause grown to a second there made a first deploy
    wait up to a second past its convergence. A long wait needs no fine-grained polling."""
    if interval:
        while True:
            yield interval
    pause, waited = first, 0.0
    while True:
        yield pause
        waited += pause
        if waited >= quick:
            pause = min(pause * factor, longest)


class Clock:
    """A deadline and the pauses before it; ``sleep`` never sleeps past the deadline."""

    def __init__(self, timeout: float, interval: float | None = None) -> None:
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self._pauses = pauses(interval)

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def sleep(self) -> None:
        time.sleep(min(next(self._pauses), max(0.05, self.left())))


def wait_until(check: Callable[[], tuple[bool, Any]], timeout: float, what: str = "converge",
               interval: float | None = None) -> Any:
    """Call ``check()`` until it returns (True, report); return that report.

    On the deadline raise ConvergenceTimeout "Timed out after Ns waiting to <what>" with the last
    report in its details. ``check`` may raise to end the wait early (a failure it recognises)."""
    clock = Clock(timeout, interval)
    while True:
        done, report = check()
        if done:
            return report
        if clock.expired():
            raise ConvergenceTimeout("Timed out after %ss waiting to %s" % (timeout, what), report=report)
        clock.sleep()


def wait_all(look: Callable[[Clock], Any], judges: dict[str, Callable[[Any], tuple[str, dict]]], timeout: float,
             interval: float | None = None) -> dict[str, dict]:
    """Wait for many objects in one loop: each round reads the cluster once (``look(clock)``; the clock
    tells a look whether it is the last one, ``clock.expired()``) and every judge
    rules on that same look: (DONE | PENDING | FAILED, report). A failed object is final; the others are
    judged again each round, so all are done in the same look when this returns.

    A report may carry ``message`` (why it failed), ``what`` and ``progress`` (what is awaited and how far
    it got, for the timeout message). Returns {key: report}. Raises one error naming every object that
    failed or was still pending at the deadline: EngineError when any failed, else ConvergenceTimeout;
    ``details['reports']`` has them all.
    """
    clock = Clock(timeout, interval)
    failed: dict[str, dict] = {}
    while True:
        snapshot = look(clock)
        reports: dict[str, dict] = dict(failed)
        pending: list[str] = []
        for key, judge in judges.items():
            if key in failed:
                continue
            state, report = judge(snapshot)
            reports[key] = dict(report, state=state)
            if state == FAILED:
                failed[key] = reports[key]
            elif state == PENDING:
                pending.append(key)
        if not pending:
            if failed:
                raise EngineError(_summary(reports, failed, [], timeout), reports=reports)
            return reports
        if clock.expired():
            # A pending object with a message has failed already and was only given time to settle.
            error = EngineError if failed or any(reports[k].get("message") for k in pending) else ConvergenceTimeout
            raise error(_summary(reports, failed, pending, timeout), reports=reports)
        clock.sleep()


def _summary(reports: dict[str, dict], failed: dict[str, dict], pending: list[str], timeout: float) -> str:
    """One message for many objects: each failed one's own message, then each one the deadline caught
    ("Timed out after Ns waiting for <what>: <progress>"); one object's message is just its own."""
    parts = [reports[key].get("message") or "%s failed." % key for key in sorted(failed)]
    for key in sorted(pending):
        report = reports[key]
        if report.get("message"):
            parts.append(report["message"])
            continue
        parts.append("Timed out after %ss waiting for %s: %s" % (timeout, report.get("what") or key, report.get("progress") or "not ready."))
    text = " ".join(parts)
    if len(parts) > 1:
        text = "%d of %d did not converge: %s" % (len(parts), len(reports), text)
    return text
