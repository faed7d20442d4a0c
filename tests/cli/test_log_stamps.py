"""Task log lines carry ISO 8601 stamps with the writer's offset; readers show local time, the zone once."""

from __future__ import annotations

import json
import os
import re
import time
from datetime import datetime
from typing import Any

import pytest

from console.store import log_stamps

PIPE = """
from console import Pipeline

p = Pipeline("talk")

@p.task
def speak():
    print("hello [bold] \\x1b[31m")
    print("second line")
"""

NY = {"TZ": "America/New_York"}


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    log_stamps._memo.clear()
    yield
    monkeypatch.undo()
    time.tzset()
    log_stamps._memo.clear()


def test_a_stamp_names_its_offset_and_reads_back_in_local_time(new_york: Any) -> None:
    winter = datetime(2026, 1, 15, 17, 4, 5).timestamp()  # local (New York) wall time
    stamped = f"{log_stamps.stamp(winter)} text [x]"
    assert stamped.startswith("2026-01-15T17:04:05-05:00 ")
    summer = log_stamps.stamp(datetime(2026, 7, 15, 17, 4, 5).timestamp())
    assert summer.endswith("-04:00")  # daylight saving time: the offset changes with it
    assert log_stamps.local_line(stamped) == "17:04:05 text [x]"
    assert log_stamps.split(stamped) == ("2026-01-15T17:04:05-05:00", "text [x]")
    # a line written elsewhere (UTC) shows in this reader's zone
    assert log_stamps.local_line("2026-01-15T22:04:05+00:00 from a UTC box") == "17:04:05 from a UTC box"
    # files from before the change: shown as they are
    assert log_stamps.local_line("12:00:01 old line") == "12:00:01 old line"
    assert log_stamps.split("no stamp at all") == (None, "no stamp at all")


def _records(raw: str) -> list[dict[str, Any]]:
    decoder, pos, out = json.JSONDecoder(), 0, []
    raw = raw.rstrip()
    while pos < len(raw):
        obj, pos = decoder.raw_decode(raw, pos)
        out.append(obj)
        while pos < len(raw) and raw[pos].isspace():
            pos += 1
    return out


def test_logs_search_and_json_under_new_york(project: Any) -> None:
    project.write("talk.py", PIPE)
    project.cli("run", "talk", check=0, env=NY)
    log = project.root / ".opsconsole" / "logs" / "1" / "speak.log"
    written = log.read_text().splitlines()
    assert len(written) == 2
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[45]:00 ", ln) for ln in written), written

    proc = project.cli("logs", "1", "speak", check=0, env=NY)
    local = datetime.fromisoformat(written[0].split(" ", 1)[0]).strftime("%H:%M:%S")  # NY wall time
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"{local} hello [bold]") and lines[1].endswith("second line")
    assert re.search(r"times in E[SD]T \(UTC-0[45]:00\)", proc.stderr)  # the zone once (piped: stderr)
    assert "T" not in lines[0].split(" ", 1)[0]

    records = _records(project.cli("logs", "1", "speak", "--json", check=0, env=NY).stdout)
    assert records[0]["line"] == written[0]  # as written, unchanged
    assert records[0]["at"] == written[0].split(" ", 1)[0] and records[0]["at"][-6:] in ("-05:00", "-04:00")
    assert records[0]["text"].startswith("hello [bold]")

    found = project.cli("logs", "--search", "second", check=0, env=NY)
    assert re.search(rf"run 1 speak:2: {local[:5]}:\d\d second line", found.stdout), found.stdout
    assert "times in E" in found.stderr
    matches = json.loads(project.cli("logs", "--search", "second", "--json", check=0, env=NY).stdout)
    assert matches[0]["line"] == written[1] and matches[0]["at"].endswith(("-05:00", "-04:00"))
    assert matches[0]["text"] == "second line"

    # read from another zone, the same line shows that zone's clock
    utc = project.cli("logs", "1", "speak", check=0, env={"TZ": "UTC"}).stdout.splitlines()[0]
    expected = datetime.fromisoformat(written[0].split(" ", 1)[0]).astimezone().timestamp()
    assert utc.startswith(time.strftime("%H:%M:%S", time.gmtime(expected)))
    assert os.environ.get("TZ") != "America/New_York"  # the test process itself was not changed
