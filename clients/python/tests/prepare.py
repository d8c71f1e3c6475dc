"""Readies the Python tests (run by test/python-client.test.ts before them); prints what it found as JSON on stdout.

1. Generates the stubs from proto/ into runlog/v1 (generate_stubs.py).
2. Checks that this python imports grpc, google.protobuf and dill (Debian: python3-grpcio,
   python3-protobuf, python3-dill; scripts/ensure-python.mjs installs them).
3. Finds Grapheteria's source at its pinned commit (engines.py says where it looks).
4. For Runnable: a virtual environment in clients/python/.venv with the pinned requirements
   (requirements-runnable.txt), Runnable's pinned source and this package installed into it.
Progress and reasons go to stderr; an engine that cannot be had is reported, and its tests skip.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
sys.path.insert(0, str(PACKAGE))
sys.path.insert(0, str(HERE))

import engines  # noqa: E402  (tests/engines.py, found through the path above)
import generate_stubs  # noqa: E402


def main() -> int:
    result: dict = {"ok": True, "grapheteria": {}, "runnable": {}}
    try:
        generate_stubs.generate_into_package(PACKAGE)
    except (generate_stubs.GeneratorMissing, FileNotFoundError, RuntimeError) as error:
        result.update(ok=False, problem=str(error))
    missing = [name for name in ("grpc", "google.protobuf", "dill") if importlib.util.find_spec(name.split(".")[0]) is None]
    if missing:
        result.update(
            ok=False,
            problem=f"{sys.executable} cannot import {', '.join(missing)}: apt-get install python3-grpcio python3-protobuf python3-dill "
            "(or pip install grpcio protobuf dill)",
        )
    result["grapheteria"] = engines.grapheteria()
    if "--no-runnable" in sys.argv:
        result["runnable"] = {"skip": "not asked for (--no-runnable)"}
    else:
        result["runnable"] = engines.runnable_env() if result["ok"] else {"skip": "the package itself is not ready"}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
