# Benchmark-only callback (bench/services.py enables it for both tools alike): it timestamps the measured task
# and each loop item's result as the controller receives it, and at that instant reads the service from the
# lab's engines, so "converged at return" is what the cluster looked like when the module handed back.
# Item results arrive on the results thread while the worker runs the next item, so the probe (a few ms over
# the node's Engine API socket) does not delay the tool being measured. With `async` + `poll: 0`, an item of the
# launching loop is only a started job (not probed); the module's result is the async_status item that collects it.
# One task that answers for every service (swarm_wait, named in E(BENCH_WAIT_TASK)) gets one item record per service
# of E(BENCH_SERVICE_NAMES), stamped at its result and read from one look at the engines.

from __future__ import annotations

import json
import os
import sys
import time

from ansible.plugins.callback import CallbackBase

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import _engine  # noqa: E402  (bench/_engine.py)

DOCUMENTATION = """
name: bench_probe
type: aggregate
short_description: Timestamps module results and probes the lab's engines at that instant (bench only)
description:
  - Writes one JSON line per event to E(BENCH_PROBE_OUT).
requirements:
  - enabled with ANSIBLE_CALLBACKS_ENABLED=bench_probe
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_probe"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._out = os.environ["BENCH_PROBE_OUT"]
        self._phase = os.environ["BENCH_PHASE"]
        self._marker = os.environ.get("BENCH_MARKER") or None
        self._engines = [_engine.NodeEngine(n) for n in os.environ["BENCH_NODES"].split(",")]
        self._wait_task = os.environ.get("BENCH_WAIT_TASK") or None
        self._names = [n for n in os.environ.get("BENCH_SERVICE_NAMES", "").split(",") if n]

    def _write(self, **record):
        with open(self._out, "a", encoding="utf-8") as out:  # appended and closed at once: complete lines only
            out.write(json.dumps(record) + "\n")

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._write(event="task_start", task=task.get_name(), t=time.time())

    def _item(self, result, status):
        t = time.time()
        res = result._result
        item = res.get("item")
        if isinstance(item, dict):  # an async_status loop over the registered results of an async loop: its service
            item = item.get("item")
        launched = bool(res.get("ansible_job_id")) and not res.get("finished")  # an async job just started, not a result
        record = dict(event="item", status=status, task=result._task.get_name(), item=item, t=t,
                      changed=bool(res.get("changed")), msg=res.get("msg"), launched=launched)
        if "diff" in res:
            record["diff"] = res["diff"]
        if "changes" in res:
            record["changes"] = res["changes"]
        if status == "ok" and not launched and self._phase in ("create", "update", "remove"):
            record["probe"] = _engine.probe(self._engines, item, self._phase, self._marker)
            record["probe_ms"] = round((time.time() - t) * 1000, 1)
        self._write(**record)

    def v2_runner_item_on_ok(self, result):
        self._item(result, "ok")

    def v2_runner_item_on_failed(self, result):
        self._item(result, "failed")

    def _all_at_once(self, result, status, t):
        """One task's result for every service: an item record per service, all read from one look."""
        task = result._task.get_name()
        if task != self._wait_task or not self._names:
            return
        res = result._result
        probes = _engine.probe_many(self._engines, self._names, self._phase, self._marker) \
            if status == "ok" and self._phase in ("create", "update", "remove") else {}
        probe_ms = round((time.time() - t) * 1000, 1)
        for name in self._names:
            record = dict(event="item", status=status, task=task, item=name, t=t, changed=bool(res.get("changed")),
                          msg=res.get("msg"), launched=False)
            if name in probes:
                record.update(probe=probes[name], probe_ms=probe_ms)
            self._write(**record)

    def v2_runner_on_ok(self, result):
        t = time.time()
        self._all_at_once(result, "ok", t)
        self._write(event="task_end", task=result._task.get_name(), t=t, status="ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        t = time.time()
        self._all_at_once(result, "failed", t)
        self._write(event="task_end", task=result._task.get_name(), t=t, status="failed",
                    msg=result._result.get("msg"))

    def v2_runner_on_skipped(self, result):
        self._write(event="task_end", task=result._task.get_name(), t=time.time(), status="skipped")
