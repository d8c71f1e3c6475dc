# A 1,000-step Grapheteria workflow saved by RunlogStorage, FileSystemStorage and SQLiteStorage: time and bytes per step as the run grows.
#
# Input (argv[1], JSON): {"ingest", "query": runlog's addresses, "dir": a scratch folder, "steps": N,
# "checkpoints": [10, 100, 1000], "window": steps averaged up to each checkpoint}.
# The workflow is one node that loops on itself until shared["i"] reaches N, then ends: each
# engine.step() runs the node once and saves. Timed: each engine.step() (node + save), wall clock.
# Bytes per step: what the storage hands to its medium for that save: FileSystemStorage the
# size of the state.pkl it rewrites, SQLiteStorage the state_json it upserts, RunlogStorage the
# events it appends (protobuf bytes of the request's events).
# Output (stdout, JSON): {storage: {checkpoint: {"ms_per_step", "bytes_per_step"}}}.
import asyncio
import json
import os
import sys
import time

from grapheteria import Node, WorkflowEngine
from grapheteria.utils import FileSystemStorage, SQLiteStorage

import runlog
from runlog.grapheteria import RunlogStorage


class Work(Node):
    def cleanup(self, shared, prepared, result):
        shared["i"] = shared.get("i", 0) + 1
        shared["last"] = {"item": shared["i"], "note": "processed ✓", "values": [shared["i"] * k for k in range(8)]}


class Done(Node):
    def cleanup(self, shared, prepared, result):
        shared["done"] = True


class CountingClient(runlog.Client):
    """A client that counts the bytes of the events it appends."""

    appended = 0

    def append(self, events, **options):
        self.appended += sum(event.ByteSize() for event in events)
        return super().append(events, **options)


def workflow(steps):
    work, done = Work(id="work"), Done(id="done")
    work - f"shared['i'] < {steps}" > work
    work > done
    return [work, done]


def measure(storage, bytes_written, steps, workflow_id):
    engine = WorkflowEngine(nodes=workflow(steps), workflow_id=workflow_id, storage_backend=storage, initial_shared_state={"i": 0})
    samples = []

    async def loop():
        while True:
            before_bytes = bytes_written()
            start = time.perf_counter()
            going = await engine.step()
            samples.append((time.perf_counter() - start, bytes_written() - before_bytes))
            if not going:
                return

    asyncio.run(loop())
    return samples


def main():
    spec = json.loads(sys.argv[1])
    steps, window = spec["steps"], spec["window"]
    client = CountingClient(ingest=spec["ingest"], query=spec["query"])
    file_dir = os.path.join(spec["dir"], "logs")
    db_path = os.path.join(spec["dir"], "workflows.db")
    sqlite_written = {"bytes": 0}

    class CountingSQLite(SQLiteStorage):
        def save_state(self, workflow_id, run_id, save_data):
            sqlite_written["bytes"] += len(json.dumps(save_data).encode())
            super().save_state(workflow_id, run_id, save_data)

    file_written = {"bytes": 0}

    class CountingFiles(FileSystemStorage):
        def save_state(self, workflow_id, run_id, save_data):
            super().save_state(workflow_id, run_id, save_data)
            # The file is rewritten whole: a save writes the file's new size.
            file_written["bytes"] += os.path.getsize(os.path.join(self.base_dir, workflow_id, run_id, "state.pkl"))

    storages = {
        "runlog": (RunlogStorage(client), lambda: client.appended),
        "file-system": (CountingFiles(base_dir=file_dir), lambda: file_written["bytes"]),
        "sqlite": (CountingSQLite(db_path=db_path), lambda: sqlite_written["bytes"]),
    }
    results = {}
    for name, (storage, counter) in storages.items():
        samples = measure(storage, counter, steps, f"bench.{name}")
        results[name] = {
            str(checkpoint): {
                "ms_per_step": round(1000 * sum(s for s, _ in samples[checkpoint - window : checkpoint]) / window, 3),
                "bytes_per_step": round(sum(b for _, b in samples[checkpoint - window : checkpoint]) / window, 1),
            }
            for checkpoint in spec["checkpoints"]
            if checkpoint <= len(samples)
        }
        results[name]["steps"] = len(samples)
    client.close()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
