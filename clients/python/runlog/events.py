"""Builders of runlog events (events.proto), taking plain Python values."""
from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Optional, Union

from runlog._stubs import events_pb2
from runlog.values import TimeLike, to_struct, to_timestamp

LevelLike = Union[str, int]
StatusLike = Union[str, int]

_LEVEL_ALIASES = {"warning": "warn", "critical": "fatal", "exception": "error"}


def to_level(value: LevelLike) -> int:
    """LOG_LEVEL_* from 'info', 'INFO', 'LOG_LEVEL_INFO', 'warning' or the enum number."""
    if isinstance(value, int):
        return value
    name = value.lower().removeprefix("log_level_")
    name = _LEVEL_ALIASES.get(name, name)
    return events_pb2.LogLevel.Value(f"LOG_LEVEL_{name.upper()}")


def to_status(value: StatusLike) -> int:
    """STATUS_* from 'running', 'RUNNING', 'STATUS_RUNNING' or the enum number."""
    if isinstance(value, int):
        return value
    name = value.upper().removeprefix("STATUS_")
    return events_pb2.Status.Value(f"STATUS_{name}")


def status_name(value: int) -> str:
    """'RUNNING' for STATUS_RUNNING."""
    return events_pb2.Status.Name(value).removeprefix("STATUS_")


def run_started(
    workflow_id: str,
    run_id: str,
    *,
    workflow_name: str = "",
    tags: Optional[Mapping[str, str]] = None,
    parameters: Optional[Mapping[str, Any]] = None,
    config: Optional[Mapping[str, Any]] = None,
    dag_hash: str = "",
    node_ids: Iterable[str] = (),
    parent_run_id: str = "",
    fork_step: int = 0,
    time: Optional[TimeLike] = None,
) -> events_pb2.Event:
    started = events_pb2.RunStarted(
        workflow_name=workflow_name,
        tags=dict(tags or {}),
        dag_hash=dag_hash,
        node_ids=list(node_ids),
        parent_run_id=parent_run_id,
        fork_step=fork_step,
    )
    if parameters is not None:
        started.parameters.CopyFrom(to_struct(parameters))
    if config is not None:
        started.config.CopyFrom(to_struct(config))
    if time is not None:
        started.time.CopyFrom(to_timestamp(time))
    return events_pb2.Event(workflow_id=workflow_id, run_id=run_id, run_started=started)


def log(
    workflow_id: str,
    run_id: str,
    message: str,
    *,
    level: LevelLike = "info",
    task_name: str = "",
    task_instance_id: str = "",
    attributes: Optional[Mapping[str, Any]] = None,
    time: Optional[TimeLike] = None,
    trace_id: str = "",
    span_id: str = "",
) -> events_pb2.Event:
    """A log record; attribute values that are not strings are stored as their JSON text."""
    record = events_pb2.LogRecord(
        task_name=task_name,
        task_instance_id=task_instance_id,
        level=to_level(level),
        message=message,
        attributes={key: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False) for key, value in (attributes or {}).items()},
        trace_id=trace_id,
        span_id=span_id,
    )
    if time is not None:
        record.time.CopyFrom(to_timestamp(time))
    return events_pb2.Event(workflow_id=workflow_id, run_id=run_id, log=record)


def run_status(workflow_id: str, run_id: str, value: StatusLike, *, reason: str = "", time: Optional[TimeLike] = None) -> events_pb2.Event:
    change = events_pb2.RunStatusChange(status=to_status(value), reason=reason)
    if time is not None:
        change.time.CopyFrom(to_timestamp(time))
    return events_pb2.Event(workflow_id=workflow_id, run_id=run_id, run_status=change)


def task_status(
    workflow_id: str,
    run_id: str,
    task_name: str,
    value: StatusLike,
    *,
    task_instance_id: str = "",
    attempt: int = 1,
    reason: str = "",
    time: Optional[TimeLike] = None,
) -> events_pb2.Event:
    change = events_pb2.TaskStatusChange(
        task_name=task_name, task_instance_id=task_instance_id, attempt=attempt, status=to_status(value), reason=reason
    )
    if time is not None:
        change.time.CopyFrom(to_timestamp(time))
    return events_pb2.Event(workflow_id=workflow_id, run_id=run_id, task_status=change)


def step(
    workflow_id: str,
    run_id: str,
    step: int,
    *,
    state: Any = None,
    state_json: Optional[str] = None,
    node_id: str = "",
    awaiting_input: bool = False,
    next_node_ids: Iterable[str] = (),
    processed_node_ids: Iterable[str] = (),
    waiting_node_ids: Iterable[str] = (),
    time: Optional[TimeLike] = None,
) -> events_pb2.Event:
    """A step snapshot: give the state as a JSON-serialisable value or as JSON text."""
    if state_json is None:
        state_json = json.dumps(state, ensure_ascii=False, allow_nan=False)
    snapshot = events_pb2.StepSnapshot(
        step=step,
        node_id=node_id,
        state_json=state_json,
        awaiting_input=awaiting_input,
        next_node_ids=list(next_node_ids),
        processed_node_ids=list(processed_node_ids),
        waiting_node_ids=list(waiting_node_ids),
    )
    if time is not None:
        snapshot.time.CopyFrom(to_timestamp(time))
    return events_pb2.Event(workflow_id=workflow_id, run_id=run_id, step=snapshot)
