"""gRPC errors as Python exceptions that keep the status code, the details and runlog's trailers."""
from __future__ import annotations

import json
from typing import Dict, List, Mapping, Optional, Tuple, Type

import grpc

MISSING_NODES_TRAILER = "runlog-missing-nodes"
MISSING_NODES_COUNT_TRAILER = "runlog-missing-nodes-count"
RESUME_CURSOR_TRAILER = "runlog-resume-cursor"


class RunlogError(Exception):
    """A call to runlog failed. `code` is the grpc.StatusCode, `details` the server's message."""

    def __init__(self, code: grpc.StatusCode, details: str, trailers: Optional[Mapping[str, object]] = None):
        super().__init__(f"{code.name}: {details}")
        self.code = code
        self.details = details
        self.trailers: Dict[str, object] = dict(trailers or {})


class InvalidArgument(RunlogError):
    """The request was refused as given (a bad event, id, token or page token); retrying does not help."""


class NotFound(RunlogError):
    """No such run, or no such step."""


class AlreadyExists(RunlogError):
    """A Fork's new run id is taken."""


class FailedPrecondition(RunlogError):
    """The request does not fit the stored data."""


class MissingNodes(FailedPrecondition):
    """A Resume was refused: nodes recorded in the run are missing from the given definition.

    `missing_nodes` lists them in the order they were recorded (the server stops the list after
    about 2 KiB of ids); `missing_count` is how many there are in all.
    """

    def __init__(self, code: grpc.StatusCode, details: str, trailers: Mapping[str, object], missing_nodes: List[str], missing_count: int):
        super().__init__(code, details, trailers)
        self.missing_nodes = missing_nodes
        self.missing_count = missing_count


class OutOfRange(RunlogError):
    """A step above the run's head."""


class ResourceExhausted(RunlogError):
    """Too large, stream full, or a subscriber too slow (then `resume_cursor` says where to continue)."""

    @property
    def resume_cursor(self) -> Optional[str]:
        value = self.trailers.get(RESUME_CURSOR_TRAILER)
        return value if isinstance(value, str) else None


class Unavailable(RunlogError):
    """runlog or one of its parts is not answering: retry."""


class DeadlineExceeded(RunlogError):
    """The call took longer than its timeout."""


_BY_CODE: Dict[grpc.StatusCode, Type[RunlogError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.OUT_OF_RANGE: OutOfRange,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
}

# Worth sending again unchanged (with the same request_id for appends).
RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})


def _trailers_of(error: grpc.RpcError) -> Dict[str, object]:
    trailing = getattr(error, "trailing_metadata", None)
    pairs: Tuple[Tuple[str, object], ...] = tuple(trailing() or ()) if callable(trailing) else ()
    return {key: value for key, value in pairs}


def from_rpc_error(error: grpc.RpcError) -> RunlogError:
    """The exception for a failed call (grpc.RpcError is also a grpc.Call for unary and stream calls)."""
    code_of = getattr(error, "code", None)
    details_of = getattr(error, "details", None)
    code = code_of() if callable(code_of) else grpc.StatusCode.UNKNOWN
    details = (details_of() if callable(details_of) else None) or str(error)
    trailers = _trailers_of(error)
    if code == grpc.StatusCode.FAILED_PRECONDITION and MISSING_NODES_TRAILER in trailers:
        listed = json.loads(str(trailers[MISSING_NODES_TRAILER]))
        count_text = trailers.get(MISSING_NODES_COUNT_TRAILER)
        count = int(str(count_text)) if count_text is not None else len(listed)
        return MissingNodes(code, details, trailers, [str(node) for node in listed], count)
    return _BY_CODE.get(code, RunlogError)(code, details, trailers)
