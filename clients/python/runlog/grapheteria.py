"""RunlogStorage: Grapheteria's storage backend on runlog — one row per step, resume and fork as runlog's own.

    from grapheteria import WorkflowEngine
    from runlog.grapheteria import RunlogStorage

    engine = WorkflowEngine(nodes=[...], storage_backend=RunlogStorage(ingest="127.0.0.1:7070", query="127.0.0.1:7071"))

Grapheteria hands `save_state` its whole tracking data after every step. This backend compares
it with what it already stored for the run and sends only the difference: the new steps (one
StepSnapshot each, its `state_json` the step's dict), the run's and the nodes' status changes,
and once per run its top-level fields. A save whose steps are a prefix of the stored ones is
Grapheteria resuming from an earlier step: it becomes runlog's Resume (the later steps stay in
runlog as history). The first save of a run carrying `forked_from` becomes runlog's Fork (no
history copied). `load_state` rebuilds the tracking data exactly as Grapheteria saved it.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Tuple

from grapheteria.utils import StorageBackend

from runlog import events as ev
from runlog import exact_json
from runlog.client import Client
from runlog.errors import AlreadyExists, NotFound
from runlog.values import from_struct, from_timestamp

#: RunStarted.parameters key holding the run's top-level fields (all but "steps") as exact JSON text.
TRACKING_PARAMETER = "grapheteria.tracking"

_RUN_STATUS = {"HEALTHY": "RUNNING", "WAITING_FOR_INPUT": "WAITING", "COMPLETED": "COMPLETED", "FAILED": "FAILED"}
_NODE_STATUS = {"completed": "COMPLETED", "failed": "FAILED", "waiting_for_input": "WAITING"}


@dataclass
class _StoredRun:
    """What runlog holds of one run's current timeline, as this backend last saw it."""

    #: runlog step number of Grapheteria's steps[0]: 0, or the fork step for a fork.
    base: int
    #: The steps' exact JSON texts, steps[0] first.
    texts: List[str]
    #: The top-level fields' exact JSON text (with "steps" as a placeholder, to keep the key order).
    header: str
    #: The step dicts of the last save: a step saved before is not serialised again (see save_state).
    objects: List[Any] = field(default_factory=list)
    #: Every node id recorded in the run's steps (what Resume validates against).
    node_ids: Set[str] = field(default_factory=set)
    run_status: Optional[str] = None
    node_statuses: Dict[str, str] = field(default_factory=dict)
    attempts: Dict[str, int] = field(default_factory=dict)


def _header_text(save_data: Dict[str, Any]) -> str:
    return exact_json.dumps({key: (None if key == "steps" else value) for key, value in save_data.items()})


def _step_nodes(step: Dict[str, Any]) -> Tuple[str, List[str], List[str], List[str]]:
    """(node that ran, next, processed, waiting) of a Grapheteria step."""
    statuses: Dict[str, str] = step.get("node_statuses") or {}
    awaiting = step.get("awaiting_input")
    next_node = step.get("next_node_id")
    if awaiting:
        node = str(awaiting.get("node_id") or "")
    elif step.get("workflow_status") == "FAILED":
        # The failing node stays next_node_id; previous_node_id is the one before it.
        node = str(next_node or "")
    else:
        node = str(step.get("previous_node_id") or "")
    processed = [node_id for node_id, value in statuses.items() if value in ("completed", "failed")]
    waiting = [node_id for node_id, value in statuses.items() if value == "waiting_for_input"]
    return node, [next_node] if next_node else [], processed, waiting


def _save_time(step: Dict[str, Any]) -> Optional[_dt.datetime]:
    """Grapheteria's metadata.save_time (local time, no zone), for the event's agent time."""
    text = (step.get("metadata") or {}).get("save_time")
    try:
        return _dt.datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


class RunlogStorage(StorageBackend):
    """A Grapheteria StorageBackend that stores runs in runlog.

    Give it a `runlog.Client`, or the addresses (and token, TLS) to make one. `tags` are put on
    every run it starts. Resume validation is Grapheteria's (it knows the definition); runlog's
    Resume is given the nodes the run recorded.
    """

    def __init__(
        self,
        client: Optional[Client] = None,
        *,
        ingest: str = "127.0.0.1:7070",
        query: str = "127.0.0.1:7071",
        token: Optional[str] = None,
        tls: Any = False,
        tags: Optional[Dict[str, str]] = None,
    ):
        self.client = client or Client(ingest, query, token=token, tls=tls)
        self.tags = {"engine": "grapheteria", **(tags or {})}
        self._runs: Dict[Tuple[str, str], _StoredRun] = {}

    # StorageBackend

    def save_state(self, workflow_id: str, run_id: str, save_data: dict) -> None:
        steps: List[Dict[str, Any]] = list(save_data.get("steps") or [])
        header = _header_text(save_data)
        events: List[Any] = []
        stored = self._runs.get((workflow_id, run_id)) or self._recall(workflow_id, run_id)
        if stored is None:
            if save_data.get("forked_from"):
                stored = self._fork(workflow_id, run_id, save_data, header)
            else:
                stored = _StoredRun(base=0, texts=[], header=header)
                events.append(
                    ev.run_started(
                        workflow_id,
                        run_id,
                        workflow_name=workflow_id,
                        tags=self.tags,
                        parameters={TRACKING_PARAMETER: header},
                        config={"engine": "grapheteria"},
                        time=_save_time(steps[0]) if steps else None,
                    )
                )
        elif stored.header != header:
            raise ValueError(
                f"RunlogStorage: the top-level fields of run {run_id!r} changed after its first save; "
                "runlog keeps them from the run's start"
            )

        # Steps that are the very objects of the last save are not serialised again: Grapheteria
        # appends to its list or truncates it, so a save costs the same at step 10 and at step 10,000.
        known = 0
        while known < min(len(steps), len(stored.objects)) and steps[known] is stored.objects[known]:
            known += 1
        texts = stored.texts[:known] + [exact_json.dumps(step) for step in steps[known:]]
        common = known
        while common < min(len(texts), len(stored.texts)) and texts[common] == stored.texts[common]:
            common += 1
        if common == len(texts) and len(texts) < len(stored.texts) and texts:
            # Grapheteria truncated the run to resume from its last remaining step.
            self.client.resume(workflow_id, run_id, sorted(stored.node_ids), resume_from=stored.base + len(texts) - 1)
        for index in range(common, len(texts)):
            events.extend(self._step_events(workflow_id, run_id, stored, stored.base + index, steps[index], texts[index]))
        if steps:
            events.extend(self._status_events(workflow_id, run_id, stored, steps[-1]))
        if events:
            self.client.append(events)
        stored.texts = texts
        # Held, so their ids cannot be reused by other objects while they are compared by identity.
        stored.objects = steps
        self._runs[(workflow_id, run_id)] = stored

    def load_state(self, workflow_id: str, run_id: str) -> Optional[Dict]:
        loaded = self._read(workflow_id, run_id)
        if loaded is None:
            return None
        tracking, stored = loaded
        self._runs[(workflow_id, run_id)] = stored
        return tracking

    def list_runs(self, workflow_id: str) -> List[str]:
        """Run ids, greatest first (as FileSystemStorage sorts its run folders)."""
        return sorted({run.run_id for run in self.client.list_runs(workflow_id)}, reverse=True)

    def list_workflows(self) -> List[str]:
        """Workflow ids that have runs, in id order."""
        return [workflow.workflow_id for workflow in self.client.list_workflows()]

    # Writing

    def _fork(self, workflow_id: str, run_id: str, save_data: Dict[str, Any], header: str) -> _StoredRun:
        parent_id = str(save_data["forked_from"])
        parent = self._runs.get((workflow_id, parent_id)) or self._recall(workflow_id, parent_id)
        if parent is None:
            raise FileNotFoundError(f"No state found for run_id: {parent_id}")
        from_step = parent.base + int(save_data.get("forked_step", len(parent.texts) - 1))
        try:
            answer = self.client.fork(
                workflow_id, parent_id, from_step, new_run_id=run_id, parameters={TRACKING_PARAMETER: header}
            )
        except AlreadyExists:
            # A fork sent before whose answer was lost: it is stored.
            existing = self._recall(workflow_id, run_id)
            if existing is None:
                raise
            return existing
        shared = exact_json.loads(answer.state.state_json)
        return _StoredRun(
            base=from_step,
            texts=[exact_json.dumps(shared)],
            header=header,
            node_ids=set(parent.node_ids),
            run_status="PENDING",
            node_statuses=dict(shared.get("node_statuses") or {}) if isinstance(shared, dict) else {},
        )

    def _step_events(self, workflow_id: str, run_id: str, stored: _StoredRun, number: int, step: Dict[str, Any], text: str) -> List[Any]:
        node, next_ids, processed, waiting = _step_nodes(step)
        stored.node_ids.update([node] if node else [], processed, waiting)
        at = _save_time(step)
        events = [
            ev.step(
                workflow_id,
                run_id,
                number,
                state_json=text,
                node_id=node,
                awaiting_input=bool(step.get("awaiting_input")),
                next_node_ids=next_ids,
                processed_node_ids=processed,
                waiting_node_ids=waiting,
                time=at,
            )
        ]
        error = str((step.get("metadata") or {}).get("error") or "")
        for node_id, value in (step.get("node_statuses") or {}).items():
            if stored.node_statuses.get(node_id) == value or value not in _NODE_STATUS:
                continue
            if stored.node_statuses.get(node_id) == "failed":
                stored.attempts[node_id] = stored.attempts.get(node_id, 1) + 1
            stored.node_statuses[node_id] = value
            events.append(
                ev.task_status(
                    workflow_id,
                    run_id,
                    node_id,
                    _NODE_STATUS[value],
                    task_instance_id=node_id,
                    attempt=stored.attempts.get(node_id, 1),
                    reason=error if value == "failed" else "",
                    time=at,
                )
            )
        events.extend(self._status_events(workflow_id, run_id, stored, step))
        return events

    def _status_events(self, workflow_id: str, run_id: str, stored: _StoredRun, step: Dict[str, Any]) -> List[Any]:
        status = _RUN_STATUS.get(str(step.get("workflow_status")))
        if status is None or status == stored.run_status:
            return []
        stored.run_status = status
        reason = str((step.get("metadata") or {}).get("error") or "") if status == "FAILED" else ""
        return [ev.run_status(workflow_id, run_id, status, reason=reason, time=_save_time(step))]

    # Reading

    def _recall(self, workflow_id: str, run_id: str) -> Optional[_StoredRun]:
        loaded = self._read(workflow_id, run_id)
        return loaded[1] if loaded else None

    def _read(self, workflow_id: str, run_id: str) -> Optional[Tuple[Dict[str, Any], _StoredRun]]:
        try:
            # StateService reads hold every event acked before them; the persister then also holds
            # the run's RunStarted (stored in stream order, before the steps), so GetRun below sees it.
            rows = list(self.client.list_steps(workflow_id, run_id))
        except NotFound:
            return None
        run = self.client.get_run(workflow_id, run_id)
        parent_id = run.summary.parent_run_id
        base = int(run.fork_step) if parent_id else 0
        rows = [row for row in rows if row.step >= base]
        for index, row in enumerate(rows):
            if row.step != base + index:
                raise RuntimeError(f"runlog: step {base + index} of run {run_id!r} is missing from its timeline")
        steps = [exact_json.loads(row.state_json) for row in rows]
        header = self._header(workflow_id, run_id, run, base)
        tracking = {key: (steps if key == "steps" else value) for key, value in exact_json.loads(header).items()}
        stored = _StoredRun(base=base, texts=[exact_json.dumps(step) for step in steps], header=header)
        for row in rows:
            stored.node_ids.update([row.node_id] if row.node_id else [], row.processed_node_ids, row.waiting_node_ids)
        if steps:
            stored.run_status = _RUN_STATUS.get(str(steps[-1].get("workflow_status")))
            stored.node_statuses = dict(steps[-1].get("node_statuses") or {})
        return tracking, stored

    def _header(self, workflow_id: str, run_id: str, run: Any, base: int) -> str:
        """The run's top-level fields: as saved, or made up for runs another writer started (a Fork through runlog's API)."""
        saved = from_struct(run.parameters).get(TRACKING_PARAMETER)
        fields: Dict[str, Any] = exact_json.loads(saved) if isinstance(saved, str) else {"workflow_id": workflow_id, "run_id": run_id, "steps": None}
        if fields.get("run_id") == run_id:
            return exact_json.dumps(fields)
        # Inherited from the parent (a fork made without new parameters): describe the fork as Grapheteria does.
        fields["run_id"] = run_id
        fields.setdefault("steps", None)
        parent_id = run.summary.parent_run_id
        if parent_id:
            parent = self.client.get_run(workflow_id, parent_id)
            parent_base = int(parent.fork_step) if parent.summary.parent_run_id else 0
            started = from_timestamp(run.summary.start_time)
            fields["forked_from"] = parent_id
            fields["fork_time"] = started.astimezone().replace(tzinfo=None).isoformat() if started else ""
            fields["forked_step"] = base - parent_base
        return exact_json.dumps(fields)


__all__ = ["RunlogStorage", "TRACKING_PARAMETER"]
