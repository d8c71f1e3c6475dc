"""RunLogger: a run's events sent in batches by one background thread, each batch retried with its request_id until stored."""
from __future__ import annotations

import queue
import threading
import time
import uuid
from typing import Any, List, Mapping, Optional

import grpc

from runlog import events as ev
from runlog._stubs import events_pb2, ingest_pb2
from runlog.client import Backoff, Client
from runlog.errors import RETRYABLE, RunlogError, from_rpc_error
from runlog.values import TimeLike, now_timestamp

# Below ingest's default request limit (16 MiB) with room for the request's own fields.
MAX_BATCH_BYTES = 4 * 1024 * 1024


class _Flush:
    """A marker in the queue: set once every event queued before it was stored (or refused)."""

    def __init__(self) -> None:
        self.done = threading.Event()


_CLOSE = object()


class RunLogger:
    """Batches a run's events: a batch goes out at `batch_size` events, `MAX_BATCH_BYTES`, or
    `flush_interval` seconds after its first event, whichever comes first.

    A batch that fails with UNAVAILABLE or DEADLINE_EXCEEDED (runlog restarting, a network
    blip) is sent again with the same request_id until it is stored — the server stores a
    retried request once — so an outage loses nothing and stores nothing twice. Events keep
    their order. The queue holds `max_queue` events; beyond that `log` blocks (backpressure).
    A batch the server refuses (INVALID_ARGUMENT…) is dropped and its error raised by the next
    `flush()` or `close()`.
    """

    def __init__(
        self,
        client: Client,
        workflow_id: str,
        run_id: str,
        *,
        batch_size: int = 500,
        flush_interval: float = 0.2,
        max_queue: int = 10_000,
        task_name: str = "",
        task_instance_id: str = "",
    ):
        self._client = client
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.task_name = task_name
        self.task_instance_id = task_instance_id
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self._queue: "queue.Queue[Any]" = queue.Queue(maxsize=max_queue)
        self._errors: List[RunlogError] = []
        self._closed = False
        self._lock = threading.Lock()
        #: Batches sent again after a retryable failure (how many attempts beyond the first).
        self.retries = 0
        self._thread = threading.Thread(target=self._send_loop, name=f"runlog-logger-{run_id}", daemon=True)
        self._thread.start()

    # What users call

    def log(
        self,
        level: ev.LevelLike,
        message: str,
        *,
        task: Optional[str] = None,
        task_instance_id: Optional[str] = None,
        time: Optional[TimeLike] = None,
        attributes: Optional[Mapping[str, Any]] = None,
        **more_attributes: Any,
    ) -> None:
        """One log line; keyword arguments beyond the named ones become attributes."""
        self.emit(
            ev.log(
                self.workflow_id,
                self.run_id,
                message,
                level=level,
                task_name=self.task_name if task is None else task,
                task_instance_id=self.task_instance_id if task_instance_id is None else task_instance_id,
                attributes={**(attributes or {}), **more_attributes},
                # The agent's clock now, not when the batch leaves.
                time=time if time is not None else now_timestamp(),
            )
        )

    def trace(self, message: str, **fields: Any) -> None:
        self.log("trace", message, **fields)

    def debug(self, message: str, **fields: Any) -> None:
        self.log("debug", message, **fields)

    def info(self, message: str, **fields: Any) -> None:
        self.log("info", message, **fields)

    def warning(self, message: str, **fields: Any) -> None:
        self.log("warn", message, **fields)

    warn = warning

    def error(self, message: str, **fields: Any) -> None:
        self.log("error", message, **fields)

    def fatal(self, message: str, **fields: Any) -> None:
        self.log("fatal", message, **fields)

    def emit(self, event: events_pb2.Event) -> None:
        """Queues any event of the run (a status change, a step), in order with the log lines."""
        if self._closed:
            raise RuntimeError("the logger is closed")
        self._queue.put(event)

    def flush(self, timeout: Optional[float] = None) -> None:
        """Waits until every event queued so far is stored; raises the first refusal since the last flush."""
        marker = _Flush()
        self._queue.put(marker)
        if not marker.done.wait(timeout):
            raise TimeoutError(f"runlog: events of run {self.run_id!r} not stored within {timeout} s")
        self._raise_errors()

    def close(self, timeout: Optional[float] = None) -> None:
        """Flushes, then stops the sending thread. Safe to call twice."""
        if self._closed:
            return
        try:
            self.flush(timeout)
        finally:
            self._closed = True
            self._queue.put(_CLOSE)
            self._thread.join(timeout)

    def __enter__(self) -> "RunLogger":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _raise_errors(self) -> None:
        with self._lock:
            errors, self._errors = self._errors, []
        if errors:
            raise errors[0]

    # The sending thread

    def _send_loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is _CLOSE:
                return
            if isinstance(first, _Flush):
                first.done.set()
                continue
            batch = [first]
            size = first.ByteSize()
            markers: List[_Flush] = []
            closing = False
            deadline = time.monotonic() + self.flush_interval
            while len(batch) < self.batch_size and size < MAX_BATCH_BYTES:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    item = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
                if item is _CLOSE:
                    closing = True
                    break
                if isinstance(item, _Flush):
                    # Whoever flushes waits for this batch: send it now.
                    markers.append(item)
                    break
                batch.append(item)
                size += item.ByteSize()
            self._send(batch)
            for marker in markers:
                marker.done.set()
            if closing:
                return

    def _send(self, batch: List[events_pb2.Event]) -> None:
        request = ingest_pb2.AppendRequest(request_id=uuid.uuid4().hex, events=batch)
        backoff = Backoff(ceiling=0.5)
        while True:
            try:
                self._client._ingest.Append(request, timeout=self._client.timeout, metadata=self._client._metadata)
                return
            except grpc.RpcError as error:
                if error.code() in RETRYABLE:
                    self.retries += 1
                    backoff.sleep()
                    continue
                with self._lock:
                    self._errors.append(from_rpc_error(error))
                return
