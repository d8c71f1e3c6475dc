"""runlog.Client against a live stack: every wrapper method, the logger through an ingest outage, hostile ids, errors."""
from __future__ import annotations

import json
import time
import unittest

import runlog
from runlog import events as ev
from runlog._stubs import events_pb2
from runlog.values import from_struct

from tests import live

T0 = 1_750_000_000.0


def wait_for(probe, done, what: str, timeout: float = 20.0):
    """Polls a read until it shows what another process stored (the persister stores asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last value: {value!r}")
        time.sleep(0.05)


def messages_through(client: runlog.Client, wf: str, run: str, last: str) -> list:
    """The run's log messages once `last` is stored: QueryLogs reads what the persister stored, in stream order."""
    return wait_for(
        lambda: [r.event.log.message for r in client.query_logs(workflow_id=wf, run_id=run)],
        lambda messages: last in messages,
        f"log line {last!r} stored",
    )


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.client = live.client()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()

    def test_append_and_read_a_run_back(self) -> None:
        wf, run = live.unique("py-wf"), "r-1"
        answer = self.client.append(
            [
                ev.run_started(wf, run, workflow_name="Nightly", tags={"team": "data"}, parameters={"day": "2026-01-01", "n": 3}, config={"retries": 2}, dag_hash="h1", node_ids=["extract", "load"], time=T0),
                ev.run_status(wf, run, "running", time=T0 + 1),
                ev.task_status(wf, run, "extract", "running", task_instance_id="extract#1", time=T0 + 2),
                ev.log(wf, run, "rows read", level="info", task_name="extract", attributes={"rows": 120, "source": "s3"}, time=T0 + 3),
                ev.log(wf, run, "slow", level="warning", task_name="extract", time=T0 + 4),
                ev.task_status(wf, run, "extract", "failed", task_instance_id="extract#1", reason="boom", time=T0 + 5),
                ev.task_status(wf, run, "extract", "completed", task_instance_id="extract#1", attempt=2, time=T0 + 6),
                ev.run_status(wf, run, "completed", time=T0 + 7),
            ],
            request_id=live.unique("req"),
        )
        self.assertEqual(answer.accepted, 8)
        got = wait_for(lambda: self._run_or_none(wf, run), lambda r: r is not None and r.summary.status == events_pb2.STATUS_COMPLETED, "the run stored")
        self.assertEqual(got.summary.workflow_name, "Nightly")
        self.assertEqual(dict(got.summary.tags), {"team": "data"})
        self.assertEqual(from_struct(got.parameters), {"day": "2026-01-01", "n": 3})
        self.assertEqual(list(got.node_ids), ["extract", "load"])
        self.assertEqual([ev.status_name(entry.status) for entry in got.timeline], ["RUNNING", "COMPLETED"])
        self.assertEqual([(t.task_name, t.attempt, ev.status_name(t.status)) for t in got.tasks], [("extract", 2, "COMPLETED")])
        self.assertEqual(got.summary.log_count, 2)

        records = list(self.client.query_logs(workflow_id=wf, run_id=run, page_size=1))
        self.assertEqual([r.event.log.message for r in records], ["rows read", "slow"])
        self.assertEqual(dict(records[0].event.log.attributes), {"rows": "120", "source": "s3"})
        newest = list(self.client.query_logs(workflow_id=wf, run_id=run, descending=True, min_level="warn"))
        self.assertEqual([r.event.log.message for r in newest], ["slow"])
        self.assertEqual([r.event.log.message for r in self.client.query_logs(workflow_id=wf, contains="rows")], ["rows read"])

        self.assertIn(wf, [w.workflow_id for w in self.client.list_workflows(page_size=1)])
        self.assertEqual([r.run_id for r in self.client.list_runs(wf, statuses=["completed"], tags={"team": "data"})], [run])
        self.assertEqual(list(self.client.list_runs(wf, statuses=["failed"])), [])

    def _run_or_none(self, wf: str, run: str):
        try:
            return self.client.get_run(wf, run)
        except runlog.NotFound:
            return None

    def test_list_runs_pages_newest_first(self) -> None:
        wf = live.unique("py-pages")
        self.client.append([ev.run_started(wf, f"r{i}", time=T0 + i) for i in range(5)])
        runs = wait_for(lambda: [r.run_id for r in self.client.list_runs(wf, page_size=2)], lambda ids: len(ids) == 5, "five runs")
        self.assertEqual(runs, ["r4", "r3", "r2", "r1", "r0"])

    def test_run_logger_batches_in_order_with_statuses(self) -> None:
        wf = live.unique("py-logger")
        with self.client.run(wf, "r", batch_size=7, flush_interval=0.05) as run:
            run.started(workflow_name="logger")
            run.status("running")
            for i in range(50):
                run.log.info(f"line {i}", task="t", i=i)
            run.task_status("t", "completed")
            run.status("completed")
        self.assertEqual(messages_through(self.client, wf, "r", "line 49"), [f"line {i}" for i in range(50)])
        got = wait_for(lambda: self._run_or_none(wf, "r"), lambda r: r is not None and r.summary.status == events_pb2.STATUS_COMPLETED, "the run completed")
        self.assertEqual([ev.status_name(t.status) for t in got.tasks], ["COMPLETED"])

    def test_logger_refusal_is_raised_by_flush(self) -> None:
        logger = self.client.run(live.unique("py-refused"), "r").log
        logger.emit(ev.run_status("", "r", "running"))  # an empty workflow id: ingest refuses the batch
        with self.assertRaises(runlog.InvalidArgument) as caught:
            logger.flush(10)
        self.assertEqual(caught.exception.code.name, "INVALID_ARGUMENT")
        self.assertIn("workflow_id", caught.exception.details)
        logger.close(10)

    def test_subscribe_history_then_live(self) -> None:
        wf = live.unique("py-sub")
        self.client.append([ev.log(wf, "r", f"old {i}") for i in range(3)])
        received = []
        with self.client.subscribe(wf, "r", from_beginning=True, kinds=["log"]) as subscription:
            for stored in subscription:
                received.append(stored.event.log.message)
                if len(received) == 3:
                    self.client.append([ev.log(wf, "r", "new 0"), ev.run_status(wf, "r", "running"), ev.log(wf, "r", "new 1")])
                if len(received) == 5:
                    cursor = subscription.cursor
                    break
        self.assertEqual(received, ["old 0", "old 1", "old 2", "new 0", "new 1"])
        # A new subscription from a cursor continues right after it.
        self.client.append([ev.log(wf, "r", "after")])
        with self.client.subscribe(wf, "r", after_cursor=cursor, kinds=["log"]) as again:
            self.assertEqual(next(again).event.log.message, "after")

    def test_subscription_reopens_after_the_query_service_restarts(self) -> None:
        wf = live.unique("py-reopen")
        self.client.append([ev.log(wf, "r", f"m{i}") for i in range(3)])
        seen = []
        with self.client.subscribe(wf, "r", from_beginning=True, kinds=["log"]) as subscription:
            for stored in subscription:
                seen.append(stored.event.log.message)
                if len(seen) == 3:
                    # A draining query service ends open subscriptions with UNAVAILABLE.
                    live.control("restart-query")
                    self.client.append([ev.log(wf, "r", f"m{i}") for i in range(3, 6)])
                if len(seen) == 6:
                    break
            self.assertGreaterEqual(subscription.reconnects, 1)
        self.assertEqual(seen, [f"m{i}" for i in range(6)])

    def test_state_resume_fork_and_lineage(self) -> None:
        wf, run = live.unique("py-state"), "root"
        self.client.append(
            [ev.run_started(wf, run, node_ids=["a", "b", "ü"], parameters={"p": 1})]
            + [ev.step(wf, run, i, state={"i": i, "name": "ü🚀"}, node_id=["a", "b", "ü"][i % 3], processed_node_ids=["a"]) for i in range(4)]
        )
        self.assertEqual(json.loads(self.client.get_state(wf, run).state_json), {"i": 3, "name": "ü🚀"})
        self.assertEqual(self.client.get_state(wf, run, step=1).node_id, "b")
        self.assertEqual([s.step for s in self.client.list_steps(wf, run, page_size=3)], [0, 1, 2, 3])
        self.assertEqual([s.state_json for s in self.client.list_steps(wf, run, omit_state=True)], ["", "", "", ""])
        with self.assertRaises(runlog.OutOfRange):
            self.client.get_state(wf, run, step=9)
        with self.assertRaises(runlog.NotFound):
            self.client.get_state(wf, "no-such-run")

        resumed = self.client.resume(wf, run, ["a", "b", "ü"], resume_from=1)
        self.assertEqual(resumed.next_step, 2)
        self.assertEqual(json.loads(resumed.state.state_json)["i"], 1)
        self.assertEqual([s.step for s in self.client.list_steps(wf, run)], [0, 1])

        fork = self.client.fork(wf, run, 1, new_run_id="fork-1", state_patch={"name": None, "extra": [1, 2]}, parameters={"p": 2}, tags={"kind": "fork"})
        self.assertEqual(fork.run.run_id, "fork-1")
        self.assertEqual(json.loads(fork.state.state_json), {"i": 1, "extra": [1, 2]})
        self.assertEqual(json.loads(self.client.get_state(wf, "fork-1").state_json), {"i": 1, "extra": [1, 2]})
        with self.assertRaises(runlog.AlreadyExists):
            self.client.fork(wf, run, 1, new_run_id="fork-1")
        made = self.client.fork(wf, "fork-1", 0)
        self.assertTrue(made.run.run_id)

        lineage = self.client.lineage(wf, "fork-1")
        self.assertEqual([(a.run_id, a.fork_step) for a in lineage.ancestors], [(run, 0)])
        self.assertEqual(lineage.run.parent_run_id, run)
        self.assertEqual(lineage.run.fork_step, 1)
        self.assertEqual([f.run_id for f in lineage.run.forks], [made.run.run_id])
        got = wait_for(lambda: self._run_or_none(wf, "fork-1"), lambda r: r is not None and r.summary.parent_run_id == run, "the fork stored")
        self.assertEqual(from_struct(got.parameters), {"p": 2})
        self.assertEqual(dict(got.summary.tags), {"kind": "fork"})

    def test_missing_nodes_of_a_refused_resume(self) -> None:
        wf = live.unique("py-missing")
        self.client.append(
            [
                ev.step(wf, "r", 0, state={}, node_id="start", processed_node_ids=["start"]),
                ev.step(wf, "r", 1, state={}, node_id="tränsform 🚀", processed_node_ids=["start", "tränsform 🚀"], waiting_node_ids=["ask"]),
            ]
        )
        with self.assertRaises(runlog.MissingNodes) as caught:
            self.client.resume(wf, "r", ["start"])
        error = caught.exception
        self.assertIsInstance(error, runlog.FailedPrecondition)
        self.assertEqual(error.code.name, "FAILED_PRECONDITION")
        self.assertEqual(error.missing_nodes, ["tränsform 🚀", "ask"])
        self.assertEqual(error.missing_count, 2)
        self.assertEqual(error.details, "Cannot resume: node 'tränsform 🚀' is missing from the current workflow definition")

    def test_hostile_ids_round_trip(self) -> None:
        wf = live.unique("a.b *>/ über ß 🚀\\\"'")
        run = "run.with >dots* and ✓"
        self.client.append([ev.run_started(wf, run, workflow_name="hostile"), ev.log(wf, run, "hi ✓"), ev.step(wf, run, 0, state={"k": "v"})])
        self.assertEqual(self.client.get_state(wf, run).run.workflow_id, wf)
        self.assertEqual(messages_through(self.client, wf, run, "hi ✓"), ["hi ✓"])
        got = wait_for(lambda: self._run_or_none(wf, run), lambda r: r is not None, "the hostile run stored")
        self.assertEqual((got.summary.workflow_id, got.summary.run_id), (wf, run))
        self.assertEqual([r.run_id for r in self.client.list_runs(wf)], [run])
        # A workflow id that is a prefix of the hostile one matches nothing of it.
        self.assertEqual(list(self.client.query_logs(workflow_id=wf[:-1], run_id=run)), [])

    def test_invalid_argument_names_the_field(self) -> None:
        with self.assertRaises(runlog.InvalidArgument) as caught:
            self.client.append([ev.log("wf", "r", "ok"), ev.log("wf", "", "no run id")])
        self.assertIn("events[1]", caught.exception.details)

    def test_token_and_options_are_accepted(self) -> None:
        ingest, query = live.addresses()
        with runlog.Client(ingest=ingest, query=query, token="secret-token") as client:
            self.assertIsNotNone(next(iter(client.list_workflows()), None))

    def test_logger_through_a_five_second_ingest_outage(self) -> None:
        wf = live.unique("py-outage")
        run = self.client.run(wf, "r", batch_size=20, flush_interval=0.05)
        run.started(workflow_name="outage")
        for i in range(100):
            run.log.info(f"m{i}")
        run.flush(30)
        live.control("stop-ingest")
        # Five seconds of logging into a stopped ingest; the batches are retried meanwhile.
        count = 100
        until = time.monotonic() + 5.0
        while time.monotonic() < until:
            run.log.info(f"m{count}")
            count += 1
            time.sleep(0.01)
        live.control("start-ingest")
        for _ in range(100):
            run.log.info(f"m{count}")
            count += 1
        run.close(60)
        self.assertGreater(run.log.retries, 0, "no batch was retried: the outage did not happen")
        # Nothing lost (the last line is there, so is everything before it), nothing twice.
        self.assertEqual(messages_through(self.client, wf, "r", f"m{count - 1}"), [f"m{i}" for i in range(count)])


if __name__ == "__main__":
    unittest.main()
