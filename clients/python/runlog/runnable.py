"""The `runlog` run log store of Runnable: each store call becomes runlog events; reads replay them into Runnable's models.

Configure a pipeline with

    run-log-store:
      type: runlog
      config:
        ingest: 127.0.0.1:7070
        query: 127.0.0.1:7071
        workflow_id: my-pipeline      # runlog workflow the runs go to (default "runnable")
        token: ""                     # sent as a bearer token
        tls: false

The package registers the store under Runnable's entry-point group `run_log_store`.

What runlog receives:
- `create_run_log`: the run's status (RunStatusChange; Runnable's own status in `reason`), and,
  with the first parameters, its `RunStarted` (DAG hash, tag as tag `runnable.tag`, parameters);
- every step log written: a TaskStatusChange per attempt (task = the step's internal name,
  attempt = its attempt number, status, message as reason);
- every write (run log, status, parameters, run config, step log, branch log, job log): one log
  record of the run, `attributes["runnable.record"]` naming the kind, the message the written
  model as JSON. A read replays the run's records in order, so it returns what Runnable's
  file-system store would hold after the same writes. Branches are placed by the names they
  were written with, never by splitting names at dots: map values with dots keep their place.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

from pydantic import PrivateAttr

from runnable import defaults, exceptions
from runnable.datastore import BaseRunLogStore, BranchLog, JobLog, Parameter, RunLog, StepLog

from runlog import events as ev
from runlog.client import Client

logger = logging.getLogger(defaults.LOGGER_NAME)

RECORD_ATTRIBUTE = "runnable.record"
_STATUS = {"CREATED": "PENDING", "TRIGGERED": "RUNNING", "PROCESSING": "RUNNING", "SUCCESS": "COMPLETED", "FAIL": "FAILED"}


def _runlog_status(status: str) -> str:
    return _STATUS.get(status, "RUNNING")


class _Replay:
    """A run log rebuilt from its records, with every step and branch indexed by the name it was written under."""

    def __init__(self) -> None:
        self.run: Optional[Dict[str, Any]] = None
        self.steps: Dict[str, Dict[str, Any]] = {}
        self.branches: Dict[str, Dict[str, Any]] = {}

    def _index(self, container: Dict[str, Any]) -> None:
        for name, step in container.get("steps", {}).items():
            self.steps[name] = step
            for branch_name, branch in step.get("branches", {}).items():
                self.branches[branch_name] = branch
                self._index(branch)

    def _branch_of_step(self, step_name: str) -> Dict[str, Any]:
        # A step's name is its branch's name, a dot, and the step's own name (which has no dot).
        parent = step_name.rpartition(".")[0]
        if not parent:
            return self.run  # type: ignore[return-value]  # set by the run_log record first
        if parent not in self.branches:
            raise exceptions.BranchLogNotFoundError(self.run["run_id"] if self.run else "", parent)
        return self.branches[parent]

    def _step_of_branch(self, branch_name: str) -> Dict[str, Any]:
        # A branch's name is its step's name, a dot, and a key that may itself hold dots (a map value):
        # the step is the longest written step name that prefixes it.
        candidates = [name for name in self.steps if branch_name.startswith(name + ".")]
        if not candidates:
            raise exceptions.StepLogNotFoundError(self.run["run_id"] if self.run else "", branch_name)
        return self.steps[max(candidates, key=len)]

    def apply(self, kind: str, payload: Any) -> None:
        if kind == "run_log":
            self.run = payload
            self.steps, self.branches = {}, {}
            self._index(payload)
            return
        if self.run is None:
            return  # records of a run log that was never created here: nothing to attach them to
        if kind == "status":
            self.run["status"] = payload
        elif kind == "parameters":
            self.run["parameters"].update(payload)
        elif kind == "run_config":
            self.run["run_config"].update(payload)
        elif kind == "step_log":
            self._branch_of_step(payload["internal_name"])["steps"][payload["internal_name"]] = payload
            self.steps[payload["internal_name"]] = payload
            self._index({"steps": {payload["internal_name"]: payload}})
        elif kind == "branch_log":
            self._step_of_branch(payload["internal_name"])["branches"][payload["internal_name"]] = payload
            self.branches[payload["internal_name"]] = payload
            self._index(payload)
        elif kind == "job_log":
            self.run["job"] = payload
            self.run["status"] = payload["status"]


class RunlogRunLogStore(BaseRunLogStore):
    """Runnable's run log store on runlog (see the module's documentation)."""

    service_name: str = "runlog"
    ingest: str = "127.0.0.1:7070"
    query: str = "127.0.0.1:7071"
    workflow_id: str = "runnable"
    token: str = ""
    tls: bool = False

    _client: Optional[Client] = PrivateAttr(default=None)
    # Runs created here whose RunStarted waits for their first parameters.
    _unstarted: Dict[str, Tuple[str, str]] = PrivateAttr(default_factory=dict)
    # The last (attempt, status) sent per task, so a step log written again sends no repeat.
    _task_states: Dict[Tuple[str, str], Tuple[int, str]] = PrivateAttr(default_factory=dict)

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = Client(self.ingest, self.query, token=self.token or None, tls=self.tls)
        return self._client

    def get_summary(self) -> Dict[str, Any]:
        return {"Type": self.service_name, "Location": f"{self.query} (workflow {self.workflow_id})"}

    # Writing

    def _record(self, run_id: str, kind: str, payload: Any, *, task: str = "", more: Optional[List[Any]] = None) -> None:
        record = ev.log(
            self.workflow_id,
            run_id,
            json.dumps(payload, ensure_ascii=False),
            level="info",
            task_name=task,
            attributes={RECORD_ATTRIBUTE: kind},
        )
        self.client.append([*(more or []), record])

    def _start(self, run_id: str, parameters: Optional[Dict[str, Any]] = None) -> List[Any]:
        """The run's RunStarted, once, when this store created the run."""
        if run_id not in self._unstarted:
            return []
        dag_hash, tag = self._unstarted.pop(run_id)
        return [
            ev.run_started(
                self.workflow_id,
                run_id,
                workflow_name=self.workflow_id,
                tags={"runnable.tag": tag} if tag else {},
                dag_hash=dag_hash,
                parameters=parameters or {},
                config={"engine": "runnable"},
            )
        ]

    def create_run_log(
        self,
        run_id: str,
        dag_hash: str = "",
        use_cached: bool = False,
        tag: str = "",
        original_run_id: str = "",
        status: str = defaults.CREATED,
    ) -> RunLog:
        try:
            self.get_run_log_by_id(run_id=run_id, full=False)
            raise exceptions.RunLogExistsError(run_id=run_id)
        except exceptions.RunLogNotFoundError:
            pass
        run_log = RunLog(run_id=run_id, dag_hash=dag_hash, tag=tag, status=status)
        self._unstarted[run_id] = (dag_hash or "", tag or "")
        status_change = ev.run_status(self.workflow_id, run_id, _runlog_status(status), reason=status)
        self._record(run_id, "run_log", run_log.model_dump(), more=[status_change])
        return run_log

    def put_run_log(self, run_log: RunLog) -> None:
        started = self._start(run_log.run_id)
        change = ev.run_status(self.workflow_id, run_log.run_id, _runlog_status(run_log.status), reason=run_log.status)
        self._record(run_log.run_id, "run_log", run_log.model_dump(), more=[*started, change])

    def update_run_log_status(self, run_id: str, status: str) -> None:
        self.get_run_log_by_id(run_id)  # RunLogNotFoundError as the file-system store raises it
        change = ev.run_status(self.workflow_id, run_id, _runlog_status(status), reason=status)
        self._record(run_id, "status", status, more=[*self._start(run_id), change])

    def set_parameters(self, run_id: str, parameters: Dict[str, Parameter]) -> None:
        dumped = {name: parameter.model_dump() for name, parameter in parameters.items()}
        values = {name: value.get("value") for name, value in dumped.items()}
        self._record(run_id, "parameters", dumped, more=self._start(run_id, values))

    def set_run_config(self, run_id: str, run_config: dict) -> None:
        self._record(run_id, "run_config", json.loads(json.dumps(run_config, default=str)), more=self._start(run_id))

    def add_step_log(self, step_log: StepLog, run_id: str) -> None:
        logger.info(f"{self.service_name} Adding the step log to DB: {step_log.name}")
        self._record(run_id, "step_log", step_log.model_dump(), task=step_log.internal_name, more=[*self._start(run_id), *self._task_events(run_id, step_log)])

    def add_branch_log(self, branch_log: Union[BranchLog, RunLog], run_id: str) -> None:
        if not isinstance(branch_log, BranchLog) or not branch_log.internal_name:
            self.put_run_log(branch_log)  # type: ignore[arg-type]  # the base dag's "branch" is the run log
            return
        self._record(run_id, "branch_log", branch_log.model_dump(), task=branch_log.internal_name, more=self._start(run_id))

    def add_job_log(self, run_id: str, job_log: JobLog) -> None:
        change = ev.run_status(self.workflow_id, run_id, _runlog_status(job_log.status), reason=job_log.status)
        self._record(run_id, "job_log", job_log.model_dump(), more=[*self._start(run_id), change])

    def _task_events(self, run_id: str, step_log: StepLog) -> List[Any]:
        """A TaskStatusChange for the step's latest attempt (or the step itself when it has none), if new."""
        task = step_log.internal_name
        if step_log.attempts:
            attempt = step_log.attempts[-1]
            number, status, reason = attempt.attempt_number, attempt.status, attempt.message
            instance = f"{task}#{attempt.retry_indicator}" if attempt.retry_indicator else task
        else:
            number, status, reason, instance = 1, step_log.status, step_log.message, task
        if self._task_states.get((run_id, task)) == (number, status):
            return []
        self._task_states[(run_id, task)] = (number, status)
        return [ev.task_status(self.workflow_id, run_id, task, _runlog_status(status), task_instance_id=instance, attempt=max(number, 1), reason=reason[:60000])]

    # Reading

    def _records(self, run_id: str) -> Iterator[Tuple[str, Any]]:
        for stored in self.client.query_logs(workflow_id=self.workflow_id, run_id=run_id):
            kind = stored.event.log.attributes.get(RECORD_ATTRIBUTE)
            if kind:
                yield kind, json.loads(stored.event.log.message)

    def get_run_log_by_id(self, run_id: str, full: bool = False) -> RunLog:
        """The run log with everything written to it (`full` changes nothing: runlog holds it all)."""
        replay = _Replay()
        for kind, payload in self._records(run_id):
            replay.apply(kind, payload)
        if replay.run is None:
            raise exceptions.RunLogNotFoundError(run_id)
        return RunLog.model_validate(replay.run)

    def get_step_log(self, internal_name: str, run_id: str) -> StepLog:
        found = _find_step(self.get_run_log_by_id(run_id).steps, internal_name)
        if found is None:
            raise exceptions.StepLogNotFoundError(run_id, internal_name)
        return found

    def get_branch_log(self, internal_branch_name: str, run_id: str) -> Union[BranchLog, RunLog]:
        run_log = self.get_run_log_by_id(run_id)
        if not internal_branch_name:
            return run_log
        found = _find_branch(run_log.steps, internal_branch_name)
        if found is None:
            raise exceptions.BranchLogNotFoundError(run_id, internal_branch_name)
        return found


def _find_step(steps: Dict[str, StepLog], name: str) -> Optional[StepLog]:
    """The step of that exact internal name, searched through every branch (no splitting at dots)."""
    if name in steps:
        return steps[name]
    for step in steps.values():
        for branch in step.branches.values():
            found = _find_step(branch.steps, name)
            if found is not None:
                return found
    return None


def _find_branch(steps: Dict[str, StepLog], name: str) -> Optional[BranchLog]:
    for step in steps.values():
        if name in step.branches:
            return step.branches[name]
        for branch in step.branches.values():
            found = _find_branch(branch.steps, name)
            if found is not None:
                return found
    return None


__all__ = ["RunlogRunLogStore", "RECORD_ATTRIBUTE"]
