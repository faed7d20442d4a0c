"""`metrics --prometheus` and serve's /metrics: the text exposition format, label values escaped."""

from __future__ import annotations

import re
from typing import Any

import pytest

CHECKED = '''
from console import Pipeline
from console.quality import checks as qc

p = Pipeline("odd")

@p.task(checks=[qc.not_null(name='quote " back \\\\ slash'), qc.row_count(min=10, severity="warn")])
def frame():
    import pandas as pd
    return pd.DataFrame({"a": [1, None, 3]})

@p.task
def fails(frame):
    raise RuntimeError("x")
'''
SAMPLE = re.compile(r'^([a-z_]+)(\{(?:[a-z_]+="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$')


def parse(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample line must be well-formed; returns {(name, labels): value}."""
    out = {}
    for line in text.splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) [a-z_]+ ", line), line
            continue
        m = SAMPLE.match(line)
        assert m, f"malformed sample: {line!r}"
        labels = frozenset(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def test_exposition_counts_runs_checks_and_models(trained: Any) -> None:
    trained.write("odd.py", CHECKED)
    trained.cli("run", "odd", check=1)
    proc = trained.cli("metrics", "--prometheus", check=0)
    samples = parse(proc.stdout)
    assert samples[("opsconsole_runs", frozenset({("pipeline", "train"), ("state", "succeeded")}))] == 1
    assert samples[("opsconsole_runs", frozenset({("pipeline", "odd"), ("state", "failed")}))] == 1
    assert samples[("opsconsole_model_versions", frozenset({("model", "iris")}))] == 1
    assert samples[("opsconsole_model_alias_version", frozenset({("model", "iris"), ("alias", "production")}))] == 1
    failing = {dict(k[1])["check"]: v for k, v in samples.items() if k[0] == "opsconsole_check_failures_total"}
    assert failing['quote \\" back \\\\ slash'] == 1  # escaped per the exposition format
    assert failing["row_count()"] == 1
    counts = [v for k, v in samples.items() if k[0] == "opsconsole_task_duration_seconds_count"]
    assert counts and all(v >= 1 for v in counts)
    assert samples[("opsconsole_metric", frozenset({("metric", "accuracy"), ("pipeline", "train"),
                                                    ("source", "task")}))] > 0.9


def test_an_empty_store_exposes_only_headers(project: Any) -> None:
    project.write("ok.py", "from console import Pipeline\np = Pipeline('ok')\n@p.task\ndef a():\n    return 1\n")
    proc = project.cli("metrics", "--prometheus", check=0)
    assert parse(proc.stdout) == {}
    assert "# TYPE opsconsole_runs gauge" in proc.stdout


def test_label_escaping() -> None:
    from console.headless.prometheus import _Family

    fam = _Family("x_total", "counter", "help")
    fam.add(2, pipeline='a"b', task="c\\d", check="e\nf")
    line = list(fam.render())[-1]
    assert line == 'x_total{pipeline="a\\"b",task="c\\\\d",check="e\\nf"} 2'
    assert SAMPLE.match(line)


@pytest.mark.skipif(pytest.importorskip("textual_serve") is None, reason="needs textual-serve")
def test_serve_exposes_metrics_behind_the_token(trained: Any) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "serve"))
    from test_serve import get, start_serve, stop

    proc, port = start_serve(trained, "--token", "metrics-token-metrics-token")
    try:
        assert get(f"http://127.0.0.1:{port}/metrics")[0] == 403
        status, headers, body = get(f"http://127.0.0.1:{port}/metrics?token=metrics-token-metrics-token")
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        assert parse(body)[("opsconsole_model_versions", frozenset({("model", "iris")}))] == 1
    finally:
        stop(proc)
