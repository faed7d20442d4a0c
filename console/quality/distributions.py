"""Distribution checks with scipy: ``kl_divergence``, ``chisquare``, ``ks_test``,
``bootstrapped_ks`` and ``cramers_phi`` (two columns' dependence).

Each judges the non-null values as a whole; ``observed`` is the statistic or p-value.
``bootstrapped_ks`` draws its samples from a seeded generator, so a run is reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from console.errors import CheckDefinitionError
from console.quality import partitions
from console.quality.aggchecks import fmt
from console.quality.check import AggOutcome, Check, EvalContext, check_column, frame_check
from console.quality.frameview import ColumnError, FrameView

__all__ = ["bootstrapped_ks", "chisquare", "cramers_phi", "kl_divergence", "ks_test"]

# scipy's positional shape arguments for the named parameters of each distribution
_DIST_ARGS = {
    "norm": ("mean", "std_dev"),
    "beta": ("alpha", "beta", "loc", "scale"),
    "gamma": ("alpha", "loc", "scale"),
    "uniform": ("min", "max"),
    "chi2": ("df", "loc", "scale"),
    "expon": ("loc", "scale"),
}
_DEFAULTS = {"loc": 0, "scale": 1, "mean": 0, "std_dev": 1, "min": 0, "max": 1}


def _non_null(view: FrameView, column: str) -> pd.Series:
    s = view.series(column)
    nulls = view.nulls(column)
    return s if nulls is None or not nulls.any() else s[~nulls]


def _numbers(view: FrameView, column: str) -> np.ndarray:
    num = view.numeric(column)
    if num.bad is not None:
        raise ColumnError(f"column {column!r} holds values that are not numbers")
    values = num.values if num.nulls is None else num.values[~num.nulls]
    return np.asarray(values, dtype=np.float64)


def eval_kl(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """KL divergence of the column against the partition at most ``threshold``."""
    p, column = check.params["partition"], check.columns[0]
    tail, internal = check.params["tail_weight_holdout"], check.params["internal_weight_holdout"]
    if partitions.is_categorical_partition(p):
        values = _non_null(view, column)
        if values.empty:
            return AggOutcome(False, None, "no values")
        kl, details = partitions.categorical_kl(values, p, tail)
    else:
        numbers = _numbers(view, column)
        if numbers.size == 0:
            return AggOutcome(False, None, "no values")
        kl, details = partitions.continuous_kl(numbers, p, tail, internal)
    finite = bool(np.isfinite(kl))
    threshold = check.params["threshold"]
    ok = threshold is None or kl <= threshold
    shown = fmt(kl) if finite else "infinite"
    return AggOutcome(
        bool(ok), kl if finite else None, f"KL divergence {shown} (max {threshold})", details=details
    )


def eval_chisquare(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """Chi-square goodness of fit of the value counts against the partition: p > ``p``."""
    from scipy import stats

    values = _non_null(view, check.columns[0])
    p = check.params["partition"]
    expected = pd.Series(p["weights"], index=p["values"], name="expected") * len(values)
    table = pd.concat([expected, values.value_counts().rename("count")], axis=1)
    unexpected = int(table["expected"].isna().sum())
    if unexpected:
        tail = check.params["tail_weight_holdout"]
        table["expected"] = (table["expected"] * (1 - tail)).fillna(len(values) * tail / unexpected)
    observed = table["count"].fillna(0)
    pvalue = float(stats.chisquare(observed, table["expected"])[1])
    ok = pvalue > check.params["p"]
    return AggOutcome(bool(ok), pvalue, f"chi-square p = {fmt(pvalue)} (must be > {check.params['p']})")


def eval_ks(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """Kolmogorov-Smirnov test against a scipy distribution: p >= ``p_value``."""
    from scipy import stats

    values = _numbers(view, check.columns[0])
    result = stats.kstest(values, check.params["distribution"], args=check.params["args"])
    pvalue = float(result[1])
    ok = pvalue >= check.params["p_value"]
    message = (
        f"KS p = {fmt(pvalue)} against {check.params['distribution']} (must be >= {check.params['p_value']})"
    )
    return AggOutcome(bool(ok), pvalue, message, details={"statistic": float(result[0])})


def eval_bootstrapped_ks(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """Share of bootstrap samples whose KS p-value against the partition's CDF reaches ``p``."""
    from scipy import stats

    values = _numbers(view, check.columns[0])
    p = check.params["partition"]
    bins = np.asarray(p["bins"], dtype=np.float64)
    cdf = np.append(0.0, np.cumsum(p["weights"]))
    rng = np.random.default_rng(check.params["seed"])
    samples, size = check.params["samples"], check.params["sample_size"] or 2 * len(p["weights"])
    draws = rng.choice(values, size=(samples, size))
    pvalues = [
        stats.kstest(row, lambda x: np.interp(x, bins, cdf))[1] for row in draws
    ]  # per sample, not per row
    share = (1 + sum(v >= check.params["p"] for v in pvalues)) / (samples + 1)
    ok = share > check.params["p"]
    return AggOutcome(bool(ok), float(share), f"bootstrapped KS {fmt(share)} (must be > {check.params['p']})")


def _binned(s: pd.Series, bins: Any, n_bins: int | None) -> pd.Series:
    n_bins = n_bins or 10
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        known = s.dropna().to_numpy(dtype=np.float64)
        if bins is None:
            edges = np.histogram_bin_edges(known, bins=n_bins)
        else:
            edges = np.unique(np.asarray(bins, dtype=np.float64))
            edges = np.concatenate(([min(known.min(), edges[0])], edges, [max(known.max(), edges[-1])]))
            edges = np.unique(edges)
        edges[-1] = np.nextafter(edges[-1], edges[-1] + 1)
        codes = np.digitize(s.to_numpy(dtype=np.float64, na_value=np.nan), edges)
        return pd.Series(codes, index=s.index)
    if bins is not None:
        groups = {v: ", ".join(map(str, group)) for group in bins for v in group}
        s = s.map(lambda v: groups.get(v, v))
    elif s.nunique() > n_bins:
        top = set(s.value_counts().index[:n_bins])
        s = s.where(s.isin(top) | s.isna(), "(other)")
    return s.astype(object).where(s.notna(), "(missing)")


def eval_cramers_phi(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """Cramér's phi of the two (binned) columns' crosstab at most ``threshold``."""
    from scipy import stats

    (a, b), prm = check.columns, check.params
    table = pd.crosstab(
        _binned(view.series(a), prm["bins_a"], prm["n_bins_a"]),
        _binned(view.series(b), prm["bins_b"], prm["n_bins_b"]),
    )
    if min(table.shape) < 2:
        return AggOutcome(False, None, "cramers_phi needs two or more values in each column")
    chi2 = float(stats.chi2_contingency(table)[0])
    phi = max(min(float(np.sqrt(chi2 / view.n / (min(table.shape) - 1))), 1.0), 0.0)
    ok = phi <= prm["threshold"]
    return AggOutcome(ok, phi, f"Cramér's phi {fmt(phi)} (max {prm['threshold']})")


def _probability(kind: str, label: str, value: Any, *, closed: bool = True) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (0 <= value <= 1 if closed else 0 < value < 1)
    ):
        raise CheckDefinitionError(f"{kind}: {label} must be a number between 0 and 1, not {value!r}")
    return float(value)


def kl_divergence(
    column: str,
    partition: Mapping[str, Any],
    threshold: float | None,
    internal_weight_holdout: float = 0.0,
    tail_weight_holdout: float = 0.0,
    *,
    severity: str = "error",
    name: str | None = None,
) -> Check:
    """KL divergence of the column's distribution from the partition at most ``threshold``."""
    column = check_column("kl_divergence", column)
    p = partitions.check_partition("kl_divergence", partition)
    if threshold is not None and (
        isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold < 0
    ):
        raise CheckDefinitionError(f"kl_divergence: threshold must be a number >= 0, not {threshold!r}")
    internal = _probability("kl_divergence", "internal_weight_holdout", internal_weight_holdout)
    tail = _probability("kl_divergence", "tail_weight_holdout", tail_weight_holdout)
    if tail and "tail_weights" in p:
        raise CheckDefinitionError("kl_divergence: tail_weight_holdout must be 0 with tail_weights")
    if internal and partitions.is_categorical_partition(p):
        raise CheckDefinitionError("kl_divergence: internal_weight_holdout needs a continuous partition")
    params = {
        "partition": p,
        "threshold": threshold,
        "internal_weight_holdout": internal,
        "tail_weight_holdout": tail,
    }
    return frame_check(
        "kl_divergence", (column,), f"kl_divergence({column})", eval_kl, params, severity, "fail", name
    )


def chisquare(
    column: str,
    partition: Mapping[str, Any],
    p: float = 0.05,
    tail_weight_holdout: float = 0.0,
    *,
    severity: str = "error",
    name: str | None = None,
) -> Check:
    """Chi-square test that the value counts follow the categorical partition (p-value > ``p``)."""
    column = check_column("chisquare", column)
    params = {
        "partition": partitions.check_partition("chisquare", partition, continuous=False),
        "p": _probability("chisquare", "p", p),
        "tail_weight_holdout": _probability("chisquare", "tail_weight_holdout", tail_weight_holdout),
    }
    return frame_check(
        "chisquare", (column,), f"chisquare({column})", eval_chisquare, params, severity, "fail", name
    )


def ks_test(
    column: str,
    distribution: str,
    params: Mapping[str, float] | Sequence[float] | None = None,
    p_value: float = 0.05,
    *,
    severity: str = "error",
    name: str | None = None,
) -> Check:
    """Kolmogorov-Smirnov test that the values follow a scipy distribution (norm, beta, gamma,
    uniform, chi2, expon) with named ``params`` (or scipy's positional ones): p >= ``p_value``."""
    column = check_column("ks_test", column)
    if distribution not in _DIST_ARGS:
        raise CheckDefinitionError(
            f"ks_test: distribution must be one of {', '.join(_DIST_ARGS)}, not {distribution!r}"
        )
    if isinstance(params, Mapping):
        unknown = set(params) - set(_DIST_ARGS[distribution]) - {"loc", "scale"}
        if unknown:
            raise CheckDefinitionError(
                f"ks_test: {distribution} takes no parameter {', '.join(sorted(unknown))}"
            )
        required = {"beta": ("alpha", "beta"), "gamma": ("alpha",), "chi2": ("df",)}.get(distribution, ())
        missing = [k for k in required if k not in params]
        if missing:
            raise CheckDefinitionError(f"ks_test: {distribution} needs {', '.join(missing)}")
        args = tuple(float(params.get(k, _DEFAULTS.get(k, 0))) for k in _DIST_ARGS[distribution])
    else:
        args = tuple(float(v) for v in (params or ()))
    if args and distribution in ("norm", "beta", "gamma") and args[-1] <= 0:
        raise CheckDefinitionError(f"ks_test: {distribution} needs a positive scale")
    prm = {
        "distribution": distribution,
        "args": args,
        "p_value": _probability("ks_test", "p_value", p_value, closed=False),
    }
    return frame_check(
        "ks_test", (column,), f"ks_test({column}, {distribution})", eval_ks, prm, severity, "fail", name
    )


def bootstrapped_ks(
    column: str,
    partition: Mapping[str, Any],
    p: float = 0.05,
    samples: int = 1000,
    sample_size: int | None = None,
    seed: int = 0,
    *,
    severity: str = "error",
    name: str | None = None,
) -> Check:
    """Bootstrapped KS test against a continuous partition with finite edges."""
    column = check_column("bootstrapped_ks", column)
    part = partitions.check_partition("bootstrapped_ks", partition, continuous=True)
    if not np.all(np.isfinite(part["bins"])) or sum(part.get("tail_weights", [0, 0])) > 0:
        raise CheckDefinitionError("bootstrapped_ks: the partition needs finite edges and no tail weights")
    params = {
        "partition": part,
        "p": _probability("bootstrapped_ks", "p", p),
        "samples": int(samples),
        "sample_size": sample_size,
        "seed": seed,
    }
    return frame_check(
        "bootstrapped_ks",
        (column,),
        f"bootstrapped_ks({column})",
        eval_bootstrapped_ks,
        params,
        severity,
        "fail",
        name,
    )


def cramers_phi(
    a: str,
    b: str,
    threshold: float = 0.1,
    bins_a: Any = None,
    bins_b: Any = None,
    n_bins_a: int | None = None,
    n_bins_b: int | None = None,
    *,
    severity: str = "error",
    name: str | None = None,
) -> Check:
    """Cramér's phi between two columns (numbers binned, 10 bins unless given) at most ``threshold``."""
    cols = (check_column("cramers_phi", a), check_column("cramers_phi", b))
    params = {
        "threshold": float(threshold),
        "bins_a": bins_a,
        "bins_b": bins_b,
        "n_bins_a": n_bins_a,
        "n_bins_b": n_bins_b,
    }
    return frame_check(
        "cramers_phi", cols, f"cramers_phi({a}, {b})", eval_cramers_phi, params, severity, "fail", name
    )
