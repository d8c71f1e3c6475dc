"""The generated stubs, imported in one place with a clear message when they were not generated."""
from __future__ import annotations

try:
    from runlog.v1 import events_pb2, ingest_pb2, ingest_pb2_grpc, query_pb2, query_pb2_grpc, state_pb2, state_pb2_grpc
except ImportError as error:  # pragma: no cover - only without generated stubs
    raise ImportError(
        "runlog's gRPC stubs are missing: install the package (pip install ./clients/python generates them) "
        "or run `python3 clients/python/generate_stubs.py` in a checkout"
    ) from error

__all__ = ["events_pb2", "ingest_pb2", "ingest_pb2_grpc", "query_pb2", "query_pb2_grpc", "state_pb2", "state_pb2_grpc"]
