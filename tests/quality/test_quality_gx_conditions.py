"""The fast path for simple row conditions gives exactly what ``df.eval`` gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from console.quality.gx.conditions import condition_mask
from console.quality.gx.simple_query import simple_mask

FRAME = pd.DataFrame(
    {
        "country": pd.Categorical(["US", "DE", None, "US", "FR"]),
        "amount": [1.0, np.nan, 3.0, 10.0, -2.0],
        "n": [1, 2, 3, 4, 5],
        "s": ["a", "b", None, "a", "c"],
    }
)


@pytest.mark.parametrize(
    "condition",
    [
        'country == "US"',
        "country != 'US'",
        "amount > 2",
        "2 < amount",
        "amount <= 3 and n >= 2",
        "amount > 0 or s == 'c'",
        "(n > 1) & (n < 5)",
        "~(n > 3)",
        "not n > 3",
        's in ["a", "c"]',
        "s not in ('a',)",
    ],
)
def test_simple_conditions_match_pandas_eval(condition: str) -> None:
    fast = simple_mask(FRAME, condition)
    assert fast is not None
    expected = FRAME.eval(condition, parser="pandas").to_numpy(dtype=bool, na_value=False)
    assert fast.tolist() == expected.tolist()


@pytest.mark.parametrize("condition", ["n > amount", "n + 1 > 3", "n.between(1, 2)", "missing == 1"])
def test_other_conditions_go_to_pandas(condition: str) -> None:
    assert simple_mask(FRAME, condition) is None


def test_condition_mask_falls_back_to_eval() -> None:
    assert condition_mask(FRAME, "n + 1 > 4").tolist() == [False, False, False, True, True]
