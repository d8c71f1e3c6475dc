"""runlog's Python client: `runlog.Client`, a batching run logger, and errors that keep their gRPC code.

Engine integrations: `runlog.grapheteria.RunlogStorage` (Grapheteria) and the `runlog` run log
store of Runnable (`runlog.runnable`, registered under the entry-point group `run_log_store`).
"""
from runlog.client import Client, Run, Subscription
from runlog.errors import (
    AlreadyExists,
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    MissingNodes,
    NotFound,
    OutOfRange,
    ResourceExhausted,
    RunlogError,
    Unavailable,
)
from runlog.logger import RunLogger

__all__ = [
    "AlreadyExists",
    "Client",
    "DeadlineExceeded",
    "FailedPrecondition",
    "InvalidArgument",
    "MissingNodes",
    "NotFound",
    "OutOfRange",
    "ResourceExhausted",
    "Run",
    "RunLogger",
    "RunlogError",
    "Subscription",
    "Unavailable",
]
