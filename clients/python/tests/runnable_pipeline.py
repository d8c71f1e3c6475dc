"""The Runnable pipeline of tests/test_runnable.py: a map over values (names with dots allowed), a parallel, and a step that fails until retried.

Runnable imports this module again to read the pipeline (main() is called without arguments),
so everything it varies comes from the environment: RUNLOG_TEST_CONFIG (the configuration file),
RUNLOG_TEST_RUN_ID, RUNLOG_TEST_MAP_VALUES (JSON list) and RUNLOG_TEST_PASS=1 for the retry.
"""
import json
import os

from runnable import Map, Parallel, Pipeline, PythonTask, Stub


def make_values():
    return json.loads(os.environ["RUNLOG_TEST_MAP_VALUES"])


def process(value):
    return f"done {value} ✓"


def right_side():
    return {"side": "right", "unicode": "ü🚀"}


def flaky():
    if os.environ.get("RUNLOG_TEST_PASS") != "1":
        raise ValueError("flaky fails until it is retried")


def main():
    values = PythonTask(name="values", function=make_values, returns=["values"])
    per_value = Map(
        name="per value",
        iterate_on="values",
        iterate_as="value",
        branch=Pipeline(steps=[PythonTask(name="process", function=process, returns=["processed"], terminate_with_success=True)]),
    )
    both = Parallel(
        name="both",
        branches={
            "left": Pipeline(steps=[Stub(name="left stub", terminate_with_success=True)]),
            "right": Pipeline(steps=[PythonTask(name="right task", function=right_side, returns=["right"], terminate_with_success=True)]),
        },
    )
    last = PythonTask(name="flaky", function=flaky, terminate_with_success=True)
    pipeline = Pipeline(steps=[values, per_value, both, last])
    pipeline.execute(configuration_file=os.environ.get("RUNLOG_TEST_CONFIG", ""), run_id=os.environ.get("RUNLOG_TEST_RUN_ID", ""))
    return pipeline


def job_function():
    return {"answer": 42, "text": "ü"}


def job():
    from runnable import PythonJob

    the_job = PythonJob(function=job_function, returns=["result"])
    the_job.execute(configuration_file=os.environ.get("RUNLOG_TEST_CONFIG", ""), job_id=os.environ.get("RUNLOG_TEST_RUN_ID", ""))
    return the_job
