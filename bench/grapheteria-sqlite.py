# Baseline for bench/state.ts: Grapheteria's SQLiteStorage way of saving a run, one upsert of the whole tracking JSON per step.
#
# As in its storage docs: table workflow_states(workflow_id, run_id, state_json, updated_at,
# PRIMARY KEY (workflow_id, run_id)); after every step, json.dumps(tracking_data) of the whole
# run (every step so far) is upserted and committed. One connection is kept open (cheaper than
# reconnecting, so the baseline is, if anything, flattered).
#
# Input (argv[1], JSON): {"db": path, "lengths": [10, 100, ...], "window": 50, "step_template": {...}}
# For each length L the run is first filled to L - window steps in one write (not timed), then
# the last `window` steps are saved one by one and timed: the per-step cost at that length.
# Output (stdout, JSON): per length, the timed steps' mean ms and bytes per step, and the exact
# bytes a whole run of that length writes (the sum over its steps of the tracking JSON's size).
import copy
import json
import sqlite3
import sys
import time


def step_state(template, step):
    """The engine's state after a step, as Grapheteria's ExecutionState.to_dict() gives it."""
    state = copy.deepcopy(template)
    state["shared"]["counter"] = step
    state["metadata"]["step"] = step
    state["previous_node_id"] = "node-%d" % (step % 20)
    state["next_node_id"] = "node-%d" % ((step + 1) % 20)
    state["node_statuses"]["node-%d" % (step % 20)] = "completed"
    return state


def main():
    spec = json.loads(sys.argv[1])
    conn = sqlite3.connect(spec["db"])
    conn.execute(
        "CREATE TABLE IF NOT EXISTS workflow_states (workflow_id TEXT, run_id TEXT, state_json TEXT,"
        " updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (workflow_id, run_id))"
    )
    conn.commit()
    results = []
    for length in spec["lengths"]:
        run_id = "run-%d" % length
        tracking = {"workflow_id": "bench.state", "run_id": run_id, "steps": []}
        window = min(length, spec["window"])
        # What a whole run writes, computed rather than written (10,000 saves of up to 10 MB): save n
        # writes the tracking JSON with n steps, i.e. the empty document plus each step and a ", "
        # between steps (json.dumps escapes to ASCII, so characters are bytes).
        empty_size = len(json.dumps(tracking))
        whole_run_bytes = 0
        steps_size = 0
        for step in range(length):
            steps_size += len(json.dumps(step_state(spec["step_template"], step))) + (2 if step > 0 else 0)
            whole_run_bytes += empty_size + steps_size
        tracking["steps"] = [step_state(spec["step_template"], step) for step in range(length - window)]
        if tracking["steps"]:
            conn.execute("INSERT OR REPLACE INTO workflow_states (workflow_id, run_id, state_json) VALUES (?, ?, ?)",
                         ("bench.state", run_id, json.dumps(tracking)))
            conn.commit()
        timed_bytes = 0
        started = time.perf_counter()
        for step in range(length - window, length):
            tracking["steps"].append(step_state(spec["step_template"], step))
            state_json = json.dumps(tracking)
            timed_bytes += len(state_json.encode("utf-8"))
            conn.execute("INSERT OR REPLACE INTO workflow_states (workflow_id, run_id, state_json) VALUES (?, ?, ?)",
                         ("bench.state", run_id, state_json))
            conn.commit()
        elapsed = time.perf_counter() - started
        results.append({
            "length": length,
            "timed_steps": window,
            "ms_per_step": elapsed * 1000 / window,
            "bytes_per_step": timed_bytes / window,
            "whole_run_bytes": whole_run_bytes,
        })
    conn.close()
    print(json.dumps({"sqlite_version": sqlite3.sqlite_version, "results": results}))


main()
