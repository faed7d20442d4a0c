"""suggest(): produced code executes and its checks pass on the reference frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from console.errors import CheckDefinitionError
from console.quality import Check, suggest, validate
from console.quality.suggestions import nice_bounds


def run_code(code: str, name: str = "checks") -> list[Check]:
    namespace: dict = {}
    exec(compile(code, "<suggested>", "exec"), namespace)
    checks = namespace[name]
    assert all(isinstance(c, Check) for c in checks)
    return checks


@pytest.fixture
def reference() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 500
    age = rng.uniform(18, 95, n).round(1)
    age[:7] = np.nan
    return pd.DataFrame(
        {
            "customer_id": np.arange(1000, 1000 + n),
            "age": age,
            "amount": rng.gamma(2.0, 40.0, n),
            "country": rng.choice(["DE", "FR", "IT", 'quote"d'], n),
            "tier": pd.Categorical(rng.choice(["gold", "silver"], n)),
            "email": [f"user{i}@example.com" for i in range(n)],
            "signed_up": pd.date_range("2023-01-01", periods=n, freq="h", tz="UTC"),
            "active": rng.random(n) > 0.5,
            "visits": pd.array(rng.integers(0, 40, n), dtype="Int64"),
            "notes": [None] * n,
        }
    )


def test_suggested_code_runs_and_passes_on_the_reference(reference: pd.DataFrame) -> None:
    code = suggest(reference)
    assert code.startswith("from console.quality import checks as qc\n")
    checks = run_code(code)
    report = validate(reference, checks)
    assert report.passed, str(report)
    kinds = {(c.kind, c.columns) for c in checks}
    assert ("unique", ("customer_id",)) in kinds
    assert ("not_null", ("customer_id",)) in kinds
    assert ("isin", ("country",)) in kinds and ("isin", ("tier",)) in kinds
    assert ("between", ("age",)) in kinds and ("between", ("visits",)) in kinds
    assert ("unique", ("email",)) not in kinds and ("isin", ("email",)) not in kinds
    assert ("between", ("active",)) not in kinds
    assert 'qc.not_null("age", mostly=0.98)' in code
    assert "qc.row_count(min=250, max=1000)" in code
    assert '"signed_up": "datetime"' in code and '"customer_id": "int64"' in code


def test_suggested_checks_catch_a_bad_frame(reference: pd.DataFrame) -> None:
    checks = run_code(suggest(reference))
    bad = reference.copy()
    bad.loc[3, "amount"] = -1e6
    bad.loc[4, "country"] = "XX"
    bad.loc[5, "customer_id"] = bad.loc[6, "customer_id"]
    failed = {r.check for r in validate(bad, checks).results if not r.passed}
    assert failed == {"between(amount)", "isin(country)", "unique(customer_id)"}


def test_custom_name_and_empty_frame() -> None:
    checks = run_code(suggest(pd.DataFrame({"a": pd.Series([], dtype=float)}), name="rules"), "rules")
    assert validate(pd.DataFrame({"a": pd.Series([], dtype=float)}), checks).passed
    with pytest.raises(CheckDefinitionError):
        suggest(pd.DataFrame({"a": [1]}), name="not valid")


@pytest.mark.parametrize(
    ("lo", "hi", "integer", "expected"),
    [
        (18, 95, True, (18, 95)),
        (0.0123, 0.9871, False, (0.01, 0.99)),
        (0.0003, 0.9871, False, (0.0, 0.99)),
        (-12.3, 1000.2, False, (-100, 1100)),
        (5, 5, True, (5, 5)),
        (2.5, 2.5, False, (2.5, 2.5)),
        (1e-5, 3e-5, False, (1e-5, 3e-5)),
    ],
)
def test_nice_bounds_round_outwards(lo, hi, integer, expected) -> None:
    nice = nice_bounds(lo, hi, integer)
    assert nice == pytest.approx(expected)
    assert nice[0] <= lo and nice[1] >= hi
