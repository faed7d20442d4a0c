"""Partition objects (Great Expectations' description of an expected distribution) and the
KL divergence of a column against one.

A categorical partition is ``{"values": [...], "weights": [...]}``; a continuous one is
``{"bins": [e0, ..., en], "weights": [w1, ..., wn]}`` with optional ``"tail_weights": [below,
above]``. Weights sum to 1. Holdouts make the comparison tolerant: ``tail_weight_holdout``
is weight given to values outside the partition (unknown categories, or below/above the
bins), ``internal_weight_holdout`` to bins the partition gives zero weight.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from console.errors import CheckDefinitionError


def is_categorical_partition(p: Any) -> bool:
    """Values and weights of equal length, weights summing to 1."""
    return (
        isinstance(p, Mapping)
        and "values" in p
        and "weights" in p
        and len(p["values"]) == len(p["weights"])
        and bool(np.allclose(np.sum(p["weights"]), 1))
    )


def is_continuous_partition(p: Any) -> bool:
    """One more bin edge than weights, increasing edges, weights (with tails) summing to 1."""
    if not (isinstance(p, Mapping) and "bins" in p and "weights" in p):
        return False
    tails = list(p.get("tail_weights", []))
    if "tail_weights" in p and len(tails) != 2:
        return False
    bins = np.asarray(p["bins"], dtype=np.float64)
    return (
        len(bins) == len(p["weights"]) + 1
        and bool(np.all(np.diff(bins) > 0))
        and bool(np.allclose(np.sum(list(p["weights"]) + tails), 1.0))
    )


def check_partition(kind: str, p: Any, *, continuous: bool | None = None) -> dict[str, Any]:
    """A valid partition object (of the given kind, if given) as a plain dict, or a definition error."""
    ok_cat, ok_cont = is_categorical_partition(p), is_continuous_partition(p)
    if (
        (continuous is True and not ok_cont)
        or (continuous is False and not ok_cat)
        or not (ok_cat or ok_cont)
    ):
        what = "" if continuous is None else ("continuous " if continuous else "categorical ")
        raise CheckDefinitionError(f"{kind}: invalid {what}partition object (weights must sum to 1)")
    return dict(p)


def categorical_kl(
    values: pd.Series, p: Mapping[str, Any], tail_holdout: float
) -> tuple[float, dict[str, Any]]:
    """KL(observed || expected) over the union of observed and expected values."""
    from scipy import stats

    observed = values.value_counts() / len(values)
    expected = pd.Series(p["weights"], index=p["values"], name="expected")
    table = pd.concat([expected, observed.rename("count")], axis=1)
    unexpected = int(table["expected"].isna().sum())
    pk = table["count"].fillna(0)
    qk = table["expected"]
    if unexpected:
        qk = (qk * (1 - tail_holdout)).fillna(tail_holdout / unexpected)
    kl = float(stats.entropy(pk, qk))
    details = {"values": [str(v) for v in table.index], "observed": pk.tolist(), "expected": qk.tolist()}
    return kl, details


def continuous_kl(
    values: np.ndarray, p: Mapping[str, Any], tail_holdout: float, internal_holdout: float
) -> tuple[float, dict[str, Any]]:
    """KL of the column's histogram on the partition's bins, with tails and holdouts."""
    from scipy import stats

    bins = [float(b) for b in p["bins"]]
    n = values.size
    hist = np.histogram(values, bins)[0]
    below, above = np.count_nonzero(values < bins[0]) / n, np.count_nonzero(values > bins[-1]) / n
    observed = hist / n
    expected = np.asarray(p["weights"], dtype=np.float64) * (1 - tail_holdout - internal_holdout)
    zero = expected == 0
    if internal_holdout > 0 and zero.any():
        expected[zero] = internal_holdout / np.count_nonzero(zero)
    lo_inf, hi_inf = bins[0] == -np.inf, bins[-1] == np.inf
    if (lo_inf or hi_inf) and "tail_weights" in p:
        raise CheckDefinitionError("kl_divergence: no tail_weights with an infinite bin edge")
    if lo_inf and hi_inf:
        if tail_holdout > 0:
            raise CheckDefinitionError("kl_divergence: tail_weight_holdout needs finite bin edges")
        comb_obs, comb_exp = observed, expected
    elif lo_inf:
        comb_obs, comb_exp = np.append(observed, above), np.append(expected, tail_holdout)
    elif hi_inf:
        comb_obs, comb_exp = np.insert(observed, 0, below), np.insert(expected, 0, tail_holdout)
    else:
        tails = list(p.get("tail_weights", [tail_holdout / 2, tail_holdout / 2]))
        comb_obs = np.concatenate(([below], observed, [above]))
        comb_exp = np.concatenate(([tails[0]], expected, [tails[1]]))
    kl = float(stats.entropy(comb_obs, comb_exp))
    details = {"bins": bins, "observed": comb_obs.tolist(), "expected": comb_exp.tolist()}
    return kl, details
