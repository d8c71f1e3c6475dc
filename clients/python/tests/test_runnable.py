"""A real Runnable pipeline run with `run-log-store: type: runlog` and with `type: file-system`: the run logs are equal, times aside.

The pipeline (tests/runnable_pipeline.py): a task returning the values, a map over them, a
parallel of two branches, a step that fails; then Runnable's retry of the failed run, which
gives that step a second attempt with a retry indicator. Each run is a Runnable process of its
own in a temp folder, as a user would start it.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path
from typing import Any, Dict

from extensions.run_log_store.file_system import FileSystemRunLogstore

from runlog import events as ev
from runlog.runnable import RECORD_ATTRIBUTE, RunlogRunLogStore

from tests import live

PIPELINE = Path(__file__).with_name("runnable_pipeline.py")
TIME_FIELDS = {"start_time", "end_time"}


def without_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: without_times(item) for key, item in value.items() if key not in TIME_FIELDS}
    if isinstance(value, list):
        return [without_times(item) for item in value]
    return value


class RunnableTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.ingest, cls.query = live.addresses()
        cls.client = live.client()
        cls.workflow_id = live.unique("runnable.pipeline ü")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()

    def run_pipeline(self, folder: Path, config: Dict[str, Any], run_id: str, values: list, *, retry: bool = False) -> subprocess.CompletedProcess:
        (folder / "config.yaml").write_text(json.dumps({"run-log-store": config}))  # JSON is YAML
        env = {
            **os.environ,
            "RUNLOG_TEST_CONFIG": "config.yaml",
            "RUNLOG_TEST_RUN_ID": run_id,
            "RUNLOG_TEST_MAP_VALUES": json.dumps(values),
        }
        if retry:
            env.update(RUNLOG_TEST_PASS="1", RUNNABLE_RETRY_INDICATOR="2")
            code = f"from runnable.entrypoints import retry_pipeline; retry_pipeline({run_id!r}, configuration_file='config.yaml')"
        else:
            code = "import runnable_pipeline; runnable_pipeline.main()"
        return subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True, timeout=120)

    def runlog_config(self) -> Dict[str, Any]:
        return {"type": "runlog", "config": {"ingest": self.ingest, "query": self.query, "workflow_id": self.workflow_id}}

    def fresh_folder(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="runnable-"))
        self.addCleanup(shutil.rmtree, folder, True)
        shutil.copy(PIPELINE, folder / PIPELINE.name)
        return folder

    def test_run_logs_equal_the_file_system_stores(self) -> None:
        run_id = "festive-hopper-0912"
        values = ["a", "b ü"]
        logs = {}
        for name, config in (("file-system", {"type": "file-system"}), ("runlog", self.runlog_config())):
            folder = self.fresh_folder()
            first = self.run_pipeline(folder, config, run_id, values)
            self.assertNotEqual(first.returncode, 0, f"{name}: the first run should fail at 'flaky'")
            self.assertIn("flaky fails until it is retried", first.stdout + first.stderr)
            retried = self.run_pipeline(folder, config, run_id, values, retry=True)
            self.assertEqual(retried.returncode, 0, f"{name}: the retry failed:\n{retried.stdout[-3000:]}\n{retried.stderr[-3000:]}")
            if name == "file-system":
                store = FileSystemRunLogstore(log_folder=str(folder / ".run_log_store"))
            else:
                store = RunlogRunLogStore(ingest=self.ingest, query=self.query, workflow_id=self.workflow_id)
            logs[name] = store.get_run_log_by_id(run_id, full=True).model_dump()

        files, runlog = logs["file-system"], logs["runlog"]
        # The stores' own settings differ, by design; everything else must not.
        self.assertEqual(files["run_config"].pop("run_log_store")["service_name"], "file-system")
        self.assertEqual(runlog["run_config"].pop("run_log_store")["service_name"], "runlog")
        self.assertEqual(without_times(runlog), without_times(files))
        self.assertEqual(json.dumps(without_times(runlog)), json.dumps(without_times(files)), "same keys in the same order")

        self.assertEqual(runlog["status"], "SUCCESS")
        self.assertEqual([(a["attempt_number"], a["status"], a["retry_indicator"]) for a in runlog["steps"]["flaky"]["attempts"]], [(1, "FAIL", ""), (2, "SUCCESS", "2")])
        self.assertEqual(list(runlog["steps"]["per value"]["branches"]), ["per value.a", "per value.b ü"])
        self.assertEqual(list(runlog["steps"]["both"]["branches"]), ["both.left", "both.right"])

        # The run in runlog's own terms.
        # GetRun shows what the persister stored, which may trail the appends a little.
        run = self.client.get_run(self.workflow_id, run_id)
        for _ in range(400):
            if ev.status_name(run.summary.status) == "COMPLETED":
                break
            time.sleep(0.05)
            run = self.client.get_run(self.workflow_id, run_id)
        self.assertEqual(ev.status_name(run.summary.status), "COMPLETED")
        self.assertEqual(run.dag_hash, runlog["dag_hash"])
        flaky = [task for task in run.tasks if task.task_name == "flaky"]
        self.assertEqual([(t.attempt, ev.status_name(t.status)) for t in flaky[-1].timeline][-1], (2, "COMPLETED"))
        self.assertIn("flaky", [t.task_name for t in run.tasks])
        self.assertIn("per value.a.process", [t.task_name for t in run.tasks])
        records = list(self.client.query_logs(workflow_id=self.workflow_id, run_id=run_id))
        kinds = {r.event.log.attributes[RECORD_ATTRIBUTE] for r in records}
        self.assertTrue({"run_log", "parameters", "run_config", "step_log", "branch_log"} <= kinds, kinds)

    def test_job_logs_equal_the_file_system_stores(self) -> None:
        run_id = "job-ü-1"
        logs = {}
        for name, config in (("file-system", {"type": "file-system"}), ("runlog", self.runlog_config())):
            folder = self.fresh_folder()
            (folder / "config.yaml").write_text(json.dumps({"run-log-store": config}))
            done = subprocess.run(
                [sys.executable, "-c", "import runnable_pipeline; runnable_pipeline.job()"],
                cwd=folder, env={**os.environ, "RUNLOG_TEST_CONFIG": "config.yaml", "RUNLOG_TEST_RUN_ID": run_id},
                capture_output=True, text=True, timeout=120,
            )
            self.assertEqual(done.returncode, 0, f"{name}: {done.stdout[-3000:]}\n{done.stderr[-3000:]}")
            store = FileSystemRunLogstore(log_folder=str(folder / ".run_log_store")) if name == "file-system" else RunlogRunLogStore(ingest=self.ingest, query=self.query, workflow_id=self.workflow_id)
            logs[name] = store.get_run_log_by_id(run_id, full=True).model_dump()
        files, runlog = logs["file-system"], logs["runlog"]
        files["run_config"].pop("run_log_store")
        runlog["run_config"].pop("run_log_store")
        self.assertEqual(json.dumps(without_times(runlog)), json.dumps(without_times(files)))
        self.assertEqual((runlog["status"], runlog["job"]["status"]), ("SUCCESS", "SUCCESS"))
        self.assertEqual(runlog["parameters"]["result"]["value"], {"answer": 42, "text": "ü"})

    def test_map_values_with_dots_keep_their_branches(self) -> None:
        # Runnable's own file-system store cannot hold these (it splits names at dots); runlog's store can.
        run_id = "dotted-values-1"
        folder = self.fresh_folder()
        first = self.run_pipeline(folder, self.runlog_config(), run_id, ["v1.2", "v1.3.4"])
        self.assertNotEqual(first.returncode, 0)
        retried = self.run_pipeline(folder, self.runlog_config(), run_id, ["v1.2", "v1.3.4"], retry=True)
        self.assertEqual(retried.returncode, 0, f"{retried.stdout[-3000:]}\n{retried.stderr[-3000:]}")
        run_log = RunlogRunLogStore(ingest=self.ingest, query=self.query, workflow_id=self.workflow_id).get_run_log_by_id(run_id, full=True)
        branches = run_log.steps["per value"].branches
        self.assertEqual(list(branches), ["per value.v1.2", "per value.v1.3.4"])
        for name, branch in branches.items():
            self.assertEqual(branch.status, "SUCCESS")
            self.assertEqual(list(branch.steps), [f"{name}.process", f"{name}.success"])
        self.assertEqual(run_log.parameters["processed"].value, ["done v1.2 ✓", "done v1.3.4 ✓"])


if __name__ == "__main__":
    unittest.main()
