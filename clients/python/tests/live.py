"""What the Python tests share: the live stack's addresses, unique ids, and the control channel to the harness."""
from __future__ import annotations

import os
import sys
import unittest
import uuid

import runlog


def addresses() -> tuple:
    ingest = os.environ.get("RUNLOG_TEST_INGEST")
    query = os.environ.get("RUNLOG_TEST_QUERY")
    if not ingest or not query:
        raise unittest.SkipTest("set RUNLOG_TEST_INGEST and RUNLOG_TEST_QUERY to a running stack (npm test does)")
    return ingest, query


def client() -> runlog.Client:
    ingest, query = addresses()
    return runlog.Client(ingest=ingest, query=query, timeout=20.0)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def control(command: str) -> None:
    """Asks the test harness (test/python-client.test.ts) to act on the stack, and waits until it did."""
    if os.environ.get("RUNLOG_TEST_CONTROL") != "1":
        raise unittest.SkipTest("needs the harness to stop and start ingest (RUNLOG_TEST_CONTROL=1, set by npm test)")
    print(f"RUNLOG-CONTROL {command}", flush=True)
    answer = sys.stdin.readline().strip()
    if answer != "ok":
        raise RuntimeError(f"the harness answered {answer!r} to {command!r}")
