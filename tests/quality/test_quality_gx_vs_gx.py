"""The GX 1.x suite file written by Great Expectations itself (tests/quality/data, made with
GX 1.24's ``ExpectationSuite.to_json_dict()``) runs through ``load_suite``; where GX is
installed (the ``gxtest`` extra) the same file runs through GX on the same frame and every
expectation's success, unexpected count and failing-row indexes must agree."""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from console.quality import validate
from console.quality.gx import load_suite

SUITE = Path(__file__).parent / "data" / "gx_orders_suite.json"


def orders(n: int = 400, seed: int = 11) -> pd.DataFrame:
    """A frame with a few failures for most expectations of the suite."""
    rng = np.random.default_rng(seed)
    created = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    shipped = created + pd.to_timedelta(rng.integers(0, 5, n), unit="D")
    shipped = pd.Series(shipped).where(rng.random(n) > 0.2)
    shipped.iloc[[3, 17]] = created[[3, 17]] - pd.Timedelta(days=1)
    customer = pd.Series(
        rng.choice(["anna", "bob", "carla", "dmitri", "eve", "x", "maximilianus"], n), dtype=object
    )
    customer[rng.random(n) < 0.03] = None
    email = pd.Series([f"{c}@shop.com" for c in customer], dtype=object)
    email.iloc[[5, 9, 200]] = ["no-at-sign", "two@@x.com", None]
    amount = rng.gamma(2.0, 50.0, n)
    amount[[0, 50]] = [0.0, -3.0]
    order_id = np.arange(n)
    order_id[[100, 101]] = [99, 99]
    status = rng.choice(["open", "shipped", "cancelled", "lost"], n, p=[0.4, 0.4, 0.19, 0.01])
    return pd.DataFrame(
        {
            "order_id": order_id,
            "customer": customer,
            "amount": amount,
            "discount": np.where(rng.random(n) < 0.1, np.nan, rng.uniform(0, 60, n)),
            "status": status,
            "email": email,
            "created": pd.Series(created.strftime("%Y-%m-%d")).where(rng.random(n) > 0.01, "2024-13-01"),
            "shipped": shipped.dt.strftime("%Y-%m-%d"),
        }
    )


def test_the_suite_gx_wrote_loads_and_runs() -> None:
    raw = json.loads(SUITE.read_text())
    checks = load_suite(SUITE)
    assert len(checks) == len(raw["expectations"]) == 17
    report = validate(orders(), checks)
    by_name = {r.check: r for r in report.results}
    assert not by_name["expect_column_values_to_be_unique(order_id)"].passed
    assert by_name["expect_column_values_to_be_unique(order_id)"].sample_index == [99, 100, 101]
    assert by_name["expect_table_row_count_to_be_between()"].passed
    z = by_name["expect_column_value_z_scores_to_be_less_than(amount)"]
    assert z.severity == "warn"
    assert all(r.error is None for r in report.results), [r.error for r in report.results if r.error]


def _gx_results(frame: pd.DataFrame) -> list[Any]:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    gx = pytest.importorskip("great_expectations")
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch = (
        context.data_sources.add_pandas("t")
        .add_dataframe_asset("orders")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    raw = json.loads(SUITE.read_text())
    expectations = [
        getattr(gx.expectations, _class_name(e["type"]))(**e["kwargs"]) for e in raw["expectations"]
    ]
    # one at a time: a suite's results do not come back in the suite's order
    return [batch.validate(e, result_format="COMPLETE") for e in expectations]


def _class_name(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_"))


def test_gx_and_ops_console_agree_on_the_suite_gx_wrote() -> None:
    frame = orders()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _gx_results(frame)
    ours = validate(frame, load_suite(SUITE)).results
    assert len(theirs) == len(ours)
    disagreements = []
    for gx_result, result in zip(theirs, ours, strict=True):
        got = gx_result.result
        same = gx_result.success == result.passed
        if "unexpected_count" in got:
            same &= got["unexpected_count"] == result.failing
            same &= list(got.get("unexpected_index_list", []))[:20] == result.sample_index
        if not same:
            disagreements.append(
                (result.check, gx_result.success, got.get("unexpected_count"), result.passed, result.failing)
            )
    assert not disagreements
    assert sum(not r.passed for r in ours) >= 6  # the frame does exercise failures


def test_a_suite_written_from_suggestions_passes_in_gx_too() -> None:
    from console.quality.gx import suite_from_checks
    from console.quality.suggestions import suggest_checks

    gx = pytest.importorskip("great_expectations")
    frame = orders().drop(columns=["shipped"])
    written = suite_from_checks(suggest_checks(frame), "suggested", frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        context = gx.get_context(mode="ephemeral")
        batch = (
            context.data_sources.add_pandas("s")
            .add_dataframe_asset("f")
            .add_batch_definition_whole_dataframe("all")
            .get_batch(batch_parameters={"dataframe": frame})
        )
        results = [
            batch.validate(getattr(gx.expectations, _class_name(e["type"]))(**e["kwargs"]))
            for e in written["expectations"]
        ]
    assert all(r.success for r in results), [r.expectation_config.type for r in results if not r.success]
    assert validate(frame, load_suite(written)).passed
