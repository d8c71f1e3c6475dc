"""A real Grapheteria workflow on RunlogStorage and on Grapheteria's own FileSystemStorage: what each loads is equal, as Python values and as JSON.

The workflow: start → ask (waits for input) → compute → flaky (fails on the first run) → finish.
It runs in phases, each in a new WorkflowEngine as a new process would: until it waits for input;
given the input, until flaky fails; resumed from the step before flaky (Grapheteria truncates
its steps; runlog resumes); a fork from the waiting step; a fork of that fork. Grapheteria
takes its run ids and save times from datetime.now(): a fixed clock gives both runs the same.
"""
from __future__ import annotations

import asyncio
import datetime as _dt
import json
import tempfile
import unittest
from typing import Any, Dict, List

import grapheteria
from grapheteria import Node, WorkflowEngine
from grapheteria.utils import FileSystemStorage

from runlog import events as ev
from runlog import exact_json
from runlog.grapheteria import RunlogStorage

from tests import live

FAIL = {"flaky": True}


class FixedClock(_dt.datetime):
    """datetime whose now() steps 1.234567 s per call from a fixed instant (distinct ms, so distinct run ids)."""

    calls = 0

    @classmethod
    def now(cls, tz=None):  # noqa: ANN001 - datetime's signature
        cls.calls += 1
        return _dt.datetime(2026, 1, 2, 3, 4, 5) + _dt.timedelta(microseconds=1_234_567 * cls.calls)


class Start(Node):
    def cleanup(self, shared, prepared, result):
        shared["greeting"] = "héllo wörld 🌍"
        shared["pair"] = (1, "ü", (2.5, None))


class Ask(Node):
    async def prepare(self, shared, request_input):
        return await request_input(prompt="Proceed? ✓", options=["yes ✓", "no"], request_id="approve")

    def cleanup(self, shared, prepared, result):
        shared["answer"] = prepared


class Compute(Node):
    def execute(self, prepared):
        return {"t": (2, (3, "x")), "emoji": "🚀👩‍🔬"}

    def cleanup(self, shared, prepared, result):
        shared["computed"] = result
        shared["count"] = shared.get("count", 0) + 1


class Flaky(Node):
    def execute(self, prepared):
        if FAIL["flaky"]:
            raise RuntimeError("flaky failed ✗")
        return "ok"

    def cleanup(self, shared, prepared, result):
        shared["flaky"] = result


class Finish(Node):
    def cleanup(self, shared, prepared, result):
        shared["done"] = True


def nodes() -> List[Node]:
    start, ask, compute, flaky, finish = Start(id="start"), Ask(id="ask"), Compute(id="compute"), Flaky(id="flaky"), Finish(id="finish")
    start > ask > compute > flaky > finish
    return [start, ask, compute, flaky, finish]


class Recording:
    """Wraps a storage: after every save, `check(workflow_id, run_id, save_data)` (the runlog side compares a fresh load)."""

    def __init__(self, inner, check=None):
        self.inner = inner
        self.check = check
        self.saves = 0

    def save_state(self, workflow_id, run_id, save_data):
        self.inner.save_state(workflow_id, run_id, save_data)
        self.saves += 1
        if self.check:
            self.check(workflow_id, run_id, save_data)

    def load_state(self, workflow_id, run_id):
        return self.inner.load_state(workflow_id, run_id)

    def list_runs(self, workflow_id):
        return self.inner.list_runs(workflow_id)

    def list_workflows(self):
        return self.inner.list_workflows()


def scenario(storage, workflow_id: str) -> List[str]:
    """Runs every phase on `storage`; returns the run ids it made."""
    FixedClock.calls = 0
    FAIL["flaky"] = True
    engine = WorkflowEngine(nodes=nodes(), workflow_id=workflow_id, storage_backend=storage, initial_shared_state={"items": ["ä", "b"], "coords": (1.5, -2)})
    asyncio.run(engine.run())
    root = engine.run_id
    assert engine.execution_state.awaiting_input, "the run should wait for input"

    engine = WorkflowEngine(nodes=nodes(), workflow_id=workflow_id, run_id=root, storage_backend=storage)
    try:
        asyncio.run(engine.run(input_data={"approve": "yes ✓"}))
        raise AssertionError("flaky should have failed")
    except RuntimeError as error:
        assert "flaky failed" in str(error)

    FAIL["flaky"] = False
    # Steps: 0 start, 1 after start, 2 waiting, 3 after ask, 4 after compute, 5 flaky failed.
    engine = WorkflowEngine(nodes=nodes(), workflow_id=workflow_id, run_id=root, resume_from=4, storage_backend=storage)
    asyncio.run(engine.run())

    engine = WorkflowEngine(nodes=nodes(), workflow_id=workflow_id, run_id=root, resume_from=2, fork=True, storage_backend=storage)
    fork = engine.run_id
    asyncio.run(engine.run(input_data={"approve": "no"}))

    engine = WorkflowEngine(nodes=nodes(), workflow_id=workflow_id, run_id=fork, resume_from=2, fork=True, storage_backend=storage)
    fork_of_fork = engine.run_id
    asyncio.run(engine.run())
    return [root, fork, fork_of_fork]


class GrapheteriaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.client = live.client()
        cls.real_datetime = grapheteria.datetime
        grapheteria.datetime = FixedClock

    @classmethod
    def tearDownClass(cls) -> None:
        grapheteria.datetime = cls.real_datetime
        cls.client.close()

    def test_runs_load_as_from_file_system_storage(self) -> None:
        workflow_id = live.unique("orders.v2.ünï 🚀")
        checked: List[str] = []

        def load_equals_save(wf: str, run_id: str, save_data: Dict[str, Any]) -> None:
            # A fresh backend: the load is rebuilt from runlog alone.
            loaded = RunlogStorage(self.client).load_state(wf, run_id)
            self.assertEqual(json.dumps(loaded), json.dumps(save_data))
            self.assertEqual(loaded, save_data)
            checked.append(run_id)

        with tempfile.TemporaryDirectory() as logs:
            files = FileSystemStorage(base_dir=logs)
            file_runs = scenario(files, workflow_id)
            on_runlog = Recording(RunlogStorage(self.client), load_equals_save)
            runlog_runs = scenario(on_runlog, workflow_id)

            self.assertEqual(runlog_runs, file_runs)
            self.assertEqual(len(checked), on_runlog.saves)
            reader = RunlogStorage(self.client)
            for run_id in file_runs:
                with self.subTest(run=run_id):
                    expected = files.load_state(workflow_id, run_id)
                    loaded = reader.load_state(workflow_id, run_id)
                    self.assertEqual(json.dumps(loaded), json.dumps(expected))
                    self.assertEqual(loaded, expected)
                    # Tuples stay tuples (FileSystemStorage pickles them; JSON alone would not).
                    self.assertIsInstance(loaded["steps"][-1]["shared"]["coords"], tuple)
            self.assertEqual(files.load_state(workflow_id, file_runs[0])["steps"][-1]["shared"]["done"], True)

            # list_runs: FileSystemStorage's order (greatest run id first), once runlog lists all three.
            deadline_runs = self._eventually(lambda: reader.list_runs(workflow_id), lambda runs: len(runs) == 3)
            self.assertEqual(deadline_runs, files.list_runs(workflow_id))
            workflows = reader.list_workflows()
            self.assertIn(workflow_id, workflows)
            self.assertEqual(workflows, sorted(workflows))
            self.assertEqual(files.list_workflows(), [workflow_id])

        root, fork, fork_of_fork = runlog_runs
        # Stored as runlog's own forks: parent, fork step (the fork of the fork at its parent's step 2 + 2).
        lineage = self.client.lineage(workflow_id, fork_of_fork)
        self.assertEqual([(a.run_id, a.fork_step) for a in lineage.ancestors], [(fork, 2), (root, 0)])
        self.assertEqual(lineage.run.fork_step, 4)
        self.assertEqual([f.run_id for f in self.client.lineage(workflow_id, root).run.forks], [fork])

        # One row per step: the root wrote steps 0–5, a resume marker for step 4, then 5′ and 6′.
        rows = self._step_rows(workflow_id, root)
        self.assertEqual([row.step for row in rows], [0, 1, 2, 3, 4, 5, 4, 5, 6])
        for row in rows:
            state = exact_json.loads(row.state_json)
            self.assertEqual(set(state), {"shared", "next_node_id", "workflow_status", "node_statuses", "awaiting_input", "previous_node_id", "metadata"})
        self.assertTrue(rows[2].awaiting_input)
        self.assertEqual((rows[5].node_id, exact_json.loads(rows[5].state_json)["workflow_status"]), ("flaky", "FAILED"))
        # The fork shares its parent's steps 0–2: its own rows start after the fork step.
        self.assertEqual([row.step for row in self._step_rows(workflow_id, fork)], [3, 4, 5, 6])

        run = self._eventually(lambda: self.client.get_run(workflow_id, root), lambda r: ev.status_name(r.summary.status) == "COMPLETED")
        self.assertEqual([ev.status_name(entry.status) for entry in run.timeline], ["RUNNING", "WAITING", "RUNNING", "FAILED", "RUNNING", "COMPLETED"])
        self.assertEqual(run.timeline[3].reason, "RuntimeError: flaky failed ✗")
        self.assertEqual({(t.task_name, ev.status_name(t.status)) for t in run.tasks}, {(n, "COMPLETED") for n in ("start", "ask", "compute", "flaky", "finish")})
        self.assertEqual([t.attempt for t in run.tasks if t.task_name == "flaky"], [2])

    def test_unknown_run_loads_as_none(self) -> None:
        self.assertIsNone(RunlogStorage(self.client).load_state(live.unique("nothing"), "no-run"))

    def test_exact_json_round_trips_what_json_cannot_hold(self) -> None:
        value = {"t": (1, (2,), ()), "s": {3, 4}, "b": b"\x00\xff", "nan": float("nan"), "keys": {1: "int key"}, "$tuple": "a user key", "lone": "\ud800", "ok": ["ü", 1, 2.5, None, True]}
        text = exact_json.dumps(value)
        back = exact_json.loads(text)
        self.assertEqual(back["t"], (1, (2,), ()))
        self.assertEqual(back["s"], {3, 4})
        self.assertEqual(back["b"], b"\x00\xff")
        self.assertNotEqual(back["nan"], back["nan"])
        self.assertEqual({k: v for k, v in back.items() if k not in ("nan",)}, {k: v for k, v in value.items() if k not in ("nan",)})
        text.encode("utf-8")  # always valid UTF-8 (a lone surrogate is \\u-escaped)

    def _eventually(self, probe, done, tries: int = 400):
        import time

        for _ in range(tries):
            value = probe()
            if done(value):
                return value
            time.sleep(0.05)
        raise AssertionError(f"never became true; last value {value!r}")

    def _step_rows(self, workflow_id: str, run_id: str):
        """Every step row runlog stored for the run, superseded ones included, in stream order."""
        sentinel = live.unique("sentinel")
        self.client.append([ev.log(workflow_id, run_id, sentinel)])
        rows = []
        with self.client.subscribe(workflow_id, run_id, from_beginning=True, kinds=["step", "log"]) as events:
            for stored in events:
                if stored.event.HasField("log"):
                    if stored.event.log.message == sentinel:
                        return rows
                    continue
                rows.append(stored.event.step)
        return rows


if __name__ == "__main__":
    unittest.main()
