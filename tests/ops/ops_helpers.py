"""Shared by the day-2 operations tests (imported by name: the tests folder is not a package)."""

from __future__ import annotations

FLAKY = '''
from console import Pipeline

p = Pipeline("flaky", params={"fail": True, "n": 3})

@p.task
def load(n):
    print("loaded", n, "rows")
    return n

@p.task(retries=1, retry_delay=0.05)
def transform(load, fail):
    print("transform \\x1b[31m[bold]markup[/] \\r\\x00 done")
    if fail:
        raise ValueError("upstream file is empty")
    return load + 1

@p.task
def publish(transform):
    print("published", transform)
    return transform

other = Pipeline("other_pipe")

@other.task
def only():
    print("only task")
    return 1
'''
