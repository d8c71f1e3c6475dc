"""runlog.Client: every IngestService, QueryService and StateService call, paged transparently, errors as exceptions."""
from __future__ import annotations

import json
import time
import uuid
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence, TypeVar, Union

import grpc

from runlog import events as ev
from runlog._stubs import events_pb2, ingest_pb2, ingest_pb2_grpc, query_pb2, query_pb2_grpc, state_pb2, state_pb2_grpc
from runlog.errors import RESUME_CURSOR_TRAILER, RETRYABLE, RunlogError, from_rpc_error
from runlog.values import TimeLike, to_struct, to_timestamp

T = TypeVar("T")

# A GetState answer can exceed gRPC's default 4 MiB (states reach 4 MiB, plus the fields around them).
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
# gRPC's default reconnect backoff grows to 2 minutes; a client that outlived a short outage of
# runlog should find it again within a second or so.
CHANNEL_OPTIONS = (
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
)

KindLike = Union[str, int]


def _kind(value: KindLike) -> int:
    if isinstance(value, int):
        return value
    name = value.upper().removeprefix("EVENT_KIND_")
    return events_pb2.EventKind.Value(f"EVENT_KIND_{name}")


class Backoff:
    """Exponential backoff between retries: 50 ms doubling to `ceiling` seconds."""

    def __init__(self, ceiling: float = 1.0):
        self.delay = 0.05
        self.ceiling = ceiling

    def sleep(self) -> None:
        time.sleep(self.delay)
        self.delay = min(self.delay * 2, self.ceiling)


class Client:
    """A connection to runlog's ingest and query services.

    >>> with runlog.Client(ingest="127.0.0.1:7070", query="127.0.0.1:7071") as client:
    ...     with client.run("etl", "r-1") as run:
    ...         run.started(workflow_name="Nightly ETL", parameters={"day": "2026-01-01"})
    ...         run.log.info("extracted", task="extract", rows=120)
    ...     for record in client.query_logs(workflow_id="etl", run_id="r-1"):
    ...         print(record.event.log.message)

    `token` travels as `authorization: Bearer <token>` on every call. `tls` is False (plaintext),
    True (TLS with the system's roots) or grpc.ChannelCredentials of your own.
    """

    def __init__(
        self,
        ingest: str = "127.0.0.1:7070",
        query: str = "127.0.0.1:7071",
        *,
        token: Optional[str] = None,
        tls: Union[bool, grpc.ChannelCredentials] = False,
        timeout: float = 30.0,
        retry_for: float = 30.0,
    ):
        self.timeout = timeout
        self.retry_for = retry_for
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self._ingest_channel = self._channel(ingest, tls)
        self._query_channel = self._channel(query, tls) if query != ingest else self._ingest_channel
        self._ingest = ingest_pb2_grpc.IngestServiceStub(self._ingest_channel)
        self._query = query_pb2_grpc.QueryServiceStub(self._query_channel)
        self._state = state_pb2_grpc.StateServiceStub(self._query_channel)

    @staticmethod
    def _channel(address: str, tls: Union[bool, grpc.ChannelCredentials]) -> grpc.Channel:
        if tls is False:
            return grpc.insecure_channel(address, options=CHANNEL_OPTIONS)
        credentials = grpc.ssl_channel_credentials() if tls is True else tls
        return grpc.secure_channel(address, credentials, options=CHANNEL_OPTIONS)

    def close(self) -> None:
        self._ingest_channel.close()
        if self._query_channel is not self._ingest_channel:
            self._query_channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(self, method: Callable[..., T], request: Any, *, retry: bool = True) -> T:
        """One unary call; UNAVAILABLE and DEADLINE_EXCEEDED are retried for up to `retry_for` seconds."""
        deadline = time.monotonic() + self.retry_for
        backoff = Backoff()
        while True:
            try:
                return method(request, timeout=self.timeout, metadata=self._metadata)
            except grpc.RpcError as error:
                if retry and error.code() in RETRYABLE and time.monotonic() < deadline:
                    backoff.sleep()
                    continue
                raise from_rpc_error(error) from None

    def _request_pages(self, method: Any, base: Any, items: Callable[[Any], Iterable[T]]) -> Iterator[T]:
        """Every item of every page of a paged RPC: the request `base` with each page's token in turn."""
        token = ""
        while True:
            request = type(base)()
            request.CopyFrom(base)
            request.page_token = token
            page = self._call(method, request)
            yield from items(page)
            token = page.next_page_token
            if not token:
                return

    # IngestService

    def append(self, events: Sequence[events_pb2.Event], *, request_id: Optional[str] = None, retry: bool = True) -> ingest_pb2.AppendResponse:
        """Appends events (all or nothing). Retries keep the request id, so they are stored once."""
        request = ingest_pb2.AppendRequest(request_id=request_id or uuid.uuid4().hex, events=list(events))
        return self._call(self._ingest.Append, request, retry=retry)

    def run(self, workflow_id: str, run_id: str, **logger_options: Any) -> "Run":
        """A handle on one run: its events and a batching logger (`run.log.info(...)`)."""
        from runlog.logger import RunLogger

        return Run(self, workflow_id, run_id, RunLogger(self, workflow_id, run_id, **logger_options))

    # QueryService

    @staticmethod
    def _filter(
        workflow_id: Optional[str] = None,
        run_id: Optional[str] = None,
        task_name: Optional[str] = None,
        min_level: Optional[ev.LevelLike] = None,
        kinds: Iterable[KindLike] = (),
    ) -> query_pb2.EventFilter:
        return query_pb2.EventFilter(
            workflow_id=workflow_id or "",
            run_id=run_id or "",
            task_name=task_name or "",
            min_level=ev.to_level(min_level) if min_level is not None else 0,
            kinds=[_kind(kind) for kind in kinds],
        )

    def subscribe(
        self,
        workflow_id: Optional[str] = None,
        run_id: Optional[str] = None,
        *,
        task_name: Optional[str] = None,
        min_level: Optional[ev.LevelLike] = None,
        kinds: Iterable[KindLike] = (),
        from_beginning: bool = False,
        since: Optional[TimeLike] = None,
        after_cursor: Optional[str] = None,
        reconnect: bool = True,
    ) -> "Subscription":
        """Matching events, stored history first then live, as an iterator of StoredEvent.

        On UNAVAILABLE (a restart) or RESOURCE_EXHAUSTED (too slow) it reopens after the last
        event it yielded, so nothing is missed or repeated. Stop it with `close()`.
        """
        request = query_pb2.SubscribeRequest(filter=self._filter(workflow_id, run_id, task_name, min_level, kinds))
        if after_cursor:
            request.after_cursor = after_cursor
        elif from_beginning:
            request.from_beginning = True
        elif since is not None:
            request.since.CopyFrom(to_timestamp(since))
        return Subscription(self, request, reconnect)

    def query_logs(
        self,
        workflow_id: Optional[str] = None,
        run_id: Optional[str] = None,
        *,
        task_name: Optional[str] = None,
        min_level: Optional[ev.LevelLike] = None,
        start_time: Optional[TimeLike] = None,
        end_time: Optional[TimeLike] = None,
        contains: Optional[str] = None,
        descending: bool = False,
        page_size: int = 1000,
    ) -> Iterator[events_pb2.StoredEvent]:
        """Stored log records in store order (or newest first), every page."""
        base = query_pb2.QueryLogsRequest(
            filter=self._filter(workflow_id, run_id, task_name, min_level),
            contains=contains or "",
            order=query_pb2.ORDER_DESCENDING if descending else query_pb2.ORDER_ASCENDING,
            page_size=page_size,
        )
        if start_time is not None:
            base.start_time.CopyFrom(to_timestamp(start_time))
        if end_time is not None:
            base.end_time.CopyFrom(to_timestamp(end_time))

        return self._request_pages(self._query.QueryLogs, base, lambda page: page.records)

    def list_workflows(self, *, page_size: int = 1000) -> Iterator[query_pb2.WorkflowSummary]:
        """Workflows that have runs, ordered by id."""
        return self._request_pages(self._query.ListWorkflows, query_pb2.ListWorkflowsRequest(page_size=page_size), lambda page: page.workflows)

    def list_runs(
        self,
        workflow_id: Optional[str] = None,
        *,
        statuses: Iterable[ev.StatusLike] = (),
        tags: Optional[Mapping[str, str]] = None,
        start_time: Optional[TimeLike] = None,
        end_time: Optional[TimeLike] = None,
        page_size: int = 1000,
    ) -> Iterator[query_pb2.RunSummary]:
        """Runs, newest start first."""
        base = query_pb2.ListRunsRequest(
            workflow_id=workflow_id or "", statuses=[ev.to_status(s) for s in statuses], tags=dict(tags or {}), page_size=page_size
        )
        if start_time is not None:
            base.start_time.CopyFrom(to_timestamp(start_time))
        if end_time is not None:
            base.end_time.CopyFrom(to_timestamp(end_time))

        return self._request_pages(self._query.ListRuns, base, lambda page: page.runs)

    def get_run(self, workflow_id: str, run_id: str) -> query_pb2.Run:
        """One run in full: summary, status timeline, tasks, parameters, config, forks."""
        return self._call(self._query.GetRun, query_pb2.GetRunRequest(workflow_id=workflow_id, run_id=run_id)).run

    # StateService

    def get_state(self, workflow_id: str, run_id: str, step: Optional[int] = None) -> state_pb2.StepState:
        """The state after `step` (default: the head of the current timeline)."""
        request = state_pb2.GetStateRequest(run=state_pb2.RunRef(workflow_id=workflow_id, run_id=run_id))
        if step is not None:
            request.step = step
        return self._call(self._state.GetState, request).state

    def list_steps(self, workflow_id: str, run_id: str, *, omit_state: bool = False, page_size: int = 1000) -> Iterator[state_pb2.StepState]:
        """The steps of the run's current timeline, oldest first."""
        run = state_pb2.RunRef(workflow_id=workflow_id, run_id=run_id)
        return self._request_pages(
            self._state.ListSteps, state_pb2.ListStepsRequest(run=run, page_size=page_size, omit_state=omit_state), lambda page: page.steps
        )

    def resume(self, workflow_id: str, run_id: str, node_ids: Iterable[str], resume_from: Optional[int] = None) -> state_pb2.ResumeResponse:
        """The state to continue from; raises MissingNodes when the definition lacks recorded nodes."""
        request = state_pb2.ResumeRequest(run=state_pb2.RunRef(workflow_id=workflow_id, run_id=run_id), node_ids=list(node_ids))
        if resume_from is not None:
            request.resume_from = resume_from
        return self._call(self._state.Resume, request)

    def fork(
        self,
        workflow_id: str,
        run_id: str,
        from_step: int,
        *,
        new_run_id: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        state_patch: Union[None, str, Mapping[str, Any]] = None,
        parameters: Optional[Mapping[str, Any]] = None,
    ) -> state_pb2.ForkResponse:
        """A new run sharing the parent's steps 0..from_step; `state_patch` is an RFC 7386 merge patch (dict or JSON text)."""
        request = state_pb2.ForkRequest(
            run=state_pb2.RunRef(workflow_id=workflow_id, run_id=run_id),
            from_step=from_step,
            new_run_id=new_run_id or "",
            tags=dict(tags or {}),
            state_patch_json=state_patch if isinstance(state_patch, str) else json.dumps(state_patch) if state_patch is not None else "",
        )
        if parameters is not None:
            request.parameters.CopyFrom(to_struct(parameters))
        # Not retried blindly: a Fork that reached the server answers ALREADY_EXISTS when sent again.
        return self._call(self._state.Fork, request, retry=new_run_id is None)

    def lineage(self, workflow_id: str, run_id: str) -> state_pb2.GetLineageResponse:
        """Ancestors (nearest first) and the tree of forks below the run."""
        return self._call(self._state.GetLineage, state_pb2.GetLineageRequest(run=state_pb2.RunRef(workflow_id=workflow_id, run_id=run_id)))


class Subscription(Iterator[events_pb2.StoredEvent]):
    """A Subscribe stream that reopens after its last event when the connection breaks."""

    def __init__(self, client: Client, request: query_pb2.SubscribeRequest, reconnect: bool):
        self._client = client
        self._request = request
        self._reconnect = reconnect
        self._call: Any = None
        self._closed = False
        #: Cursor of the last event yielded: where a reopened stream continues.
        self.cursor: Optional[str] = request.after_cursor or None
        #: How many times the stream was reopened.
        self.reconnects = 0

    def _open(self) -> Any:
        request = query_pb2.SubscribeRequest()
        request.CopyFrom(self._request)
        if self.cursor:
            request.after_cursor = self.cursor
        # No timeout: a subscription lives as long as its reader wants it.
        return self._client._query.Subscribe(request, metadata=self._client._metadata)

    def __iter__(self) -> "Subscription":
        return self

    def __next__(self) -> events_pb2.StoredEvent:
        backoff = Backoff()
        while True:
            if self._closed:
                raise StopIteration
            if self._call is None:
                self._call = self._open()
            try:
                response = next(self._call)
            except StopIteration:
                self._closed = True
                raise
            except grpc.RpcError as error:
                self._call = None
                code = error.code()
                if self._closed or code == grpc.StatusCode.CANCELLED:
                    raise StopIteration from None
                if self._reconnect and code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED):
                    trailers = dict(error.trailing_metadata() or ())
                    self.cursor = str(trailers.get(RESUME_CURSOR_TRAILER) or self.cursor or "") or None
                    self.reconnects += 1
                    backoff.sleep()
                    continue
                raise from_rpc_error(error) from None
            self.cursor = response.event.cursor
            return response.event

    def close(self) -> None:
        self._closed = True
        if self._call is not None:
            self._call.cancel()

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Run:
    """Events of one run: `started`, `status`, `task_status`, `step`, and `log` (a batching RunLogger).

    Everything goes through the run's logger, so events keep the order they were made in.
    Use it as a context manager, or call `close()`: both flush.
    """

    def __init__(self, client: Client, workflow_id: str, run_id: str, logger: Any):
        self.client = client
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.log = logger

    def started(self, **fields: Any) -> None:
        self.log.emit(ev.run_started(self.workflow_id, self.run_id, **fields))

    def status(self, status: ev.StatusLike, *, reason: str = "", time: Optional[TimeLike] = None) -> None:
        self.log.emit(ev.run_status(self.workflow_id, self.run_id, status, reason=reason, time=time))

    def task_status(self, task_name: str, status: ev.StatusLike, **fields: Any) -> None:
        self.log.emit(ev.task_status(self.workflow_id, self.run_id, task_name, status, **fields))

    def step(self, step: int, **fields: Any) -> None:
        self.log.emit(ev.step(self.workflow_id, self.run_id, step, **fields))

    def flush(self, timeout: Optional[float] = None) -> None:
        self.log.flush(timeout)

    def close(self, timeout: Optional[float] = None) -> None:
        self.log.close(timeout)

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


__all__ = ["Client", "Run", "Subscription", "RunlogError"]
