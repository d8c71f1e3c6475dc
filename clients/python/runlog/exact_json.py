"""Python values as JSON text and back, exactly: tuples and what JSON cannot hold travel inside marker objects.

Plain dicts (string keys), lists, strings, ints, finite floats, booleans and None are written as
themselves, so a reader of the text sees ordinary JSON. A tuple becomes {"$tuple": [...]}; any
other value (a set, bytes, a NaN, a dict with other keys, an enum, an object) becomes
{"$dill": "<base64 of dill.dumps(value)>", "type": "<its type>"}. A dict that has one of the
marker keys itself goes through dill too, so no user dict is ever mistaken for a marker.
Decoding a "$dill" marker unpickles it: read only what your own programs wrote (the same
trust Grapheteria's FileSystemStorage places in its state.pkl files).
"""
from __future__ import annotations

import base64
import json
import math
from typing import Any

TUPLE = "$tuple"
DILL = "$dill"
_MARKERS = (TUPLE, DILL)


def encode(value: Any) -> Any:
    """The JSON-able tree of a value."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return value if math.isfinite(value) else _dill(value)
    if kind is list:
        return [encode(item) for item in value]
    if kind is tuple:
        return {TUPLE: [encode(item) for item in value]}
    if kind is dict and all(type(key) is str for key in value) and not any(marker in value for marker in _MARKERS):
        return {key: encode(item) for key, item in value.items()}
    return _dill(value)


def _dill(value: Any) -> Any:
    import dill  # only values JSON cannot hold need it

    return {DILL: base64.b64encode(dill.dumps(value)).decode("ascii"), "type": f"{type(value).__module__}.{type(value).__qualname__}"}


def decode(tree: Any) -> Any:
    """The value an encoded tree stands for."""
    if type(tree) is list:
        return [decode(item) for item in tree]
    if type(tree) is dict:
        if TUPLE in tree and len(tree) == 1:
            return tuple(decode(item) for item in tree[TUPLE])
        if DILL in tree:
            import dill

            return dill.loads(base64.b64decode(tree[DILL]))
        return {key: decode(item) for key, item in tree.items()}
    return tree


def dumps(value: Any) -> str:
    """Compact JSON text of the encoded value; UTF-8 as is, unless a lone surrogate forces \\u escapes."""
    tree = encode(value)
    text = json.dumps(tree, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(tree, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text


def loads(text: str) -> Any:
    return decode(json.loads(text))
