"""Conversions between Python values and protobuf's Struct, Value and Timestamp."""
from __future__ import annotations

import datetime as _dt
import time
from typing import Any, Dict, Mapping, Optional, Union

from google.protobuf import struct_pb2, timestamp_pb2

TimeLike = Union[_dt.datetime, float, int, timestamp_pb2.Timestamp]
JSON_SAFE_INTEGER = 2**53


def to_timestamp(value: Optional[TimeLike]) -> Optional[timestamp_pb2.Timestamp]:
    """A Timestamp from an aware datetime (a naive one is taken as local time), epoch seconds, or a Timestamp."""
    if value is None:
        return None
    if isinstance(value, timestamp_pb2.Timestamp):
        return value
    stamp = timestamp_pb2.Timestamp()
    if isinstance(value, _dt.datetime):
        aware = value if value.tzinfo is not None else value.astimezone()
        stamp.FromDatetime(aware.astimezone(_dt.timezone.utc).replace(tzinfo=None))
        return stamp
    nanos = int(round(float(value) * 1e9)) if isinstance(value, float) else int(value) * 1_000_000_000
    stamp.FromNanoseconds(nanos)
    return stamp


def now_timestamp() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromNanoseconds(time.time_ns())
    return stamp


def from_timestamp(stamp: timestamp_pb2.Timestamp) -> Optional[_dt.datetime]:
    """An aware UTC datetime, or None for an unset (zero) Timestamp."""
    if stamp.seconds == 0 and stamp.nanos == 0:
        return None
    return _dt.datetime.fromtimestamp(stamp.seconds, _dt.timezone.utc) + _dt.timedelta(microseconds=stamp.nanos // 1000)


def to_struct(value: Optional[Mapping[str, Any]]) -> Optional[struct_pb2.Struct]:
    """A Struct from a JSON-like mapping (numbers become doubles: that is what Struct holds)."""
    if value is None:
        return None
    struct = struct_pb2.Struct()
    struct.update(dict(value))
    return struct


def from_value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        return from_struct(value.struct_value)
    if kind == "list_value":
        return [from_value(item) for item in value.list_value.values]
    if kind == "number_value":
        number = value.number_value
        # Struct has only doubles; integral ones in the exact range come back as int, as they were sent.
        return int(number) if number.is_integer() and abs(number) < JSON_SAFE_INTEGER else number
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    return None


def from_struct(struct: struct_pb2.Struct) -> Dict[str, Any]:
    return {key: from_value(struct.fields[key]) for key in struct.fields}
