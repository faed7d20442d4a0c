"""``drift(reference, current)``: per-column drift statistics and verdicts.

Numeric columns get PSI over 10 reference-quantile bins, the two-sample KS test and the
Wasserstein distance; categorical columns (object, string, category, bool) get PSI over
the union of categories, the chi-square test of the 2xK table of counts and the
Jensen-Shannon distance (natural log). The statistics live in :mod:`console.monitor.stats`.

Verdicts (thresholds in :class:`Thresholds`): ``alert`` when PSI >= ``psi_alert``, or when
both samples have at most ``test_max_rows`` rows and the test's p-value is below
``p_value``; ``warn`` when PSI >= ``psi_warn``; ``insufficient`` when either sample has
fewer than ``min_rows`` usable rows, the column is missing on one side, or the two sides
hold different kinds of data. On large samples p-values are not used: every tiny shift is
"significant" there, so PSI (an effect size) decides alone.

Missing values (None, NaN, NaT, pd.NA, and +-inf in numeric columns) are dropped per column
before any statistic; their share is reported as ``ref_null_rate`` / ``cur_null_rate``.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from console.errors import DataError, UsageError
from console.monitor import stats
from console.monitor.distribution import categorical_distribution, numeric_distribution
from console.monitor.report import ColumnDrift, DriftReport, Kind, Thresholds, Verdict

# below this many values per column, threads cost more than they save
_THREAD_MIN_ROWS = 200_000

Data: TypeAlias = "pd.DataFrame | Mapping[Any, Any]"


def drift(
    reference: Data,
    current: Data,
    columns: Iterable[Hashable] | Hashable | None = None,
    thresholds: Thresholds | Mapping[str, Any] | None = None,
    *,
    workers: int | None = None,
) -> DriftReport:
    """Compare ``current`` with ``reference`` column by column.

    ``reference``/``current``: pandas DataFrames or dicts of 1-D arrays (or Series).
    ``columns``: the columns to compare; by default every reference column of a supported
    dtype. A listed column missing on one side gets verdict ``insufficient`` ("column
    missing from current data"); one missing on both sides is a :class:`UsageError`.
    ``thresholds``: a :class:`Thresholds` or a dict of the ones to change
    (``{"psi_alert": 0.2}``).
    ``workers``: threads for numeric columns (numpy's sort and merge release the GIL);
    by default one per CPU when the data is large, ``1`` for a single thread.
    """
    limits = Thresholds.coerce(thresholds)
    ref, cur = _Table(reference, "reference"), _Table(current, "current")
    names, skipped = _select(ref, cur, columns)

    results: dict[str, ColumnDrift] = {}
    numeric: list[tuple[str, Any, Any]] = []
    for name in names:
        key = str(name)
        ref_values, cur_values = ref.get(name), cur.get(name)
        ref_kind = _kind(ref_values) if ref_values is not None else None
        cur_kind = _kind(cur_values) if cur_values is not None else None
        problem = _unusable(ref_values, cur_values, ref_kind, cur_kind, limits.min_rows)
        if problem is not None:
            kind: Kind = ref_kind or cur_kind or "categorical"
            results[key] = _insufficient(key, kind, problem, ref_values, cur_values)
        elif ref_kind == "numeric":
            numeric.append((key, ref_values, cur_values))
        else:
            results[key] = _categorical_column(key, ref_values, cur_values, limits)

    jobs = [(_numeric_values(r), _numeric_values(c), limits) for _, r, c in numeric]
    pool_size = _pool_size(workers, jobs)
    if pool_size > 1:
        with ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="drift") as pool:
            done = list(pool.map(_numeric_column, *zip(*jobs, strict=True)))
    else:
        done = [_numeric_column(*job) for job in jobs]
    for (key, _, _), partial in zip(numeric, done, strict=True):
        results[key] = ColumnDrift(column=key, **partial)

    ordered = {str(name): results[str(name)] for name in names}
    return DriftReport(columns=ordered, thresholds=limits, skipped=skipped)


class _Table:
    """Column access over a DataFrame or a mapping of arrays, without copying."""

    def __init__(self, data: Data, side: str) -> None:
        if not isinstance(data, pd.DataFrame | Mapping):
            raise UsageError(
                f"{side} data must be a pandas DataFrame or a dict of arrays, not {type(data).__name__}"
            )
        if isinstance(data, pd.DataFrame) and not data.columns.is_unique:
            dupes = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
            raise DataError(f"{side} data has duplicate columns: {', '.join(dupes)}")
        self.data = data
        self.side = side

    def names(self) -> list[Hashable]:
        return list(self.data.columns if isinstance(self.data, pd.DataFrame) else self.data.keys())

    def __contains__(self, name: Hashable) -> bool:
        return name in self.data

    def get(self, name: Hashable) -> pd.Series | np.ndarray | None:
        if name not in self.data:
            return None
        values = self.data[name]
        if not isinstance(values, pd.Series | np.ndarray):
            values = np.asarray(values)
        if values.ndim != 1:
            raise DataError(f"{self.side} column {name!r} is not one-dimensional")
        return values


def _select(
    ref: _Table, cur: _Table, columns: Iterable[Hashable] | Hashable | None
) -> tuple[list[Hashable], dict[str, str]]:
    skipped: dict[str, str] = {}
    if columns is None:
        names = []
        for name in ref.names():
            values = ref.get(name)
            if values is not None and _kind(values) is None:
                skipped[str(name)] = f"unsupported dtype {values.dtype}"
            else:
                names.append(name)
        return names, skipped
    if isinstance(columns, str) or not isinstance(columns, Iterable):
        columns = [columns]
    names = list(dict.fromkeys(columns))
    unknown = [str(n) for n in names if n not in ref and n not in cur]
    if unknown:
        raise UsageError(f"unknown column(s) in both reference and current data: {', '.join(unknown)}")
    return names, skipped


def _kind(values: pd.Series | np.ndarray) -> Kind | None:
    """numeric, categorical, or None for dtypes drift is not computed for (datetimes...)."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "categorical"
    if isinstance(dtype, np.dtype):
        if dtype.kind in "iuf":
            return "numeric"
        return "categorical" if dtype.kind in "OUS" else None
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return "numeric"  # nullable Int64/Float64, sparse numbers
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
        return "categorical"
    return None


def _unusable(ref: Any, cur: Any, ref_kind: Kind | None, cur_kind: Kind | None, min_rows: int) -> str | None:
    if ref is None:
        return "column missing from reference data"
    if cur is None:
        return "column missing from current data"
    if ref_kind is None or cur_kind is None:
        bad = ref if ref_kind is None else cur
        return f"unsupported dtype {bad.dtype}"
    if ref_kind != cur_kind:
        n_ref, n_cur = _non_null(ref), _non_null(cur)
        if min(n_ref, n_cur) == 0:  # an empty or all-null side has no kind of its own
            return _too_few(n_ref, n_cur, len(ref), len(cur), min_rows)
        return f"reference is {ref_kind} but current is {cur_kind} (dtype {cur.dtype})"
    return None


def _non_null(values: Any) -> int:
    return int(len(values) - pd.isna(values).sum())


def _insufficient(key: str, kind: Kind, message: str, ref: Any, cur: Any) -> ColumnDrift:
    def rate(values: Any) -> float | None:
        return None if values is None or len(values) == 0 else float(pd.isna(values).mean())

    return ColumnDrift(
        column=key,
        kind=kind,
        verdict="insufficient",
        drifted=False,
        n_ref=0 if ref is None else _non_null(ref),
        n_cur=0 if cur is None else _non_null(cur),
        ref_null_rate=rate(ref),
        cur_null_rate=rate(cur),
        message=message,
    )


def _numeric_values(values: pd.Series | np.ndarray) -> np.ndarray:
    """A float-convertible 1-D array: a view for numpy-backed columns, NaN for pd.NA."""
    if isinstance(values, pd.Series):
        if isinstance(values.dtype, np.dtype):
            return np.asarray(values.to_numpy())
        return np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan))
    return values


def _numeric_column(ref: np.ndarray, cur: np.ndarray, limits: Thresholds) -> dict[str, Any]:
    """Everything of a numeric ColumnDrift but its name (runs in a worker thread)."""
    sorted_ref, sorted_cur = stats.finite_sorted(ref), stats.finite_sorted(cur)
    n_ref, n_cur = sorted_ref.shape[0], sorted_cur.shape[0]
    common: dict[str, Any] = {
        "kind": "numeric",
        "n_ref": n_ref,
        "n_cur": n_cur,
        "ref_null_rate": _null_rate(ref.shape[0], n_ref),
        "cur_null_rate": _null_rate(cur.shape[0], n_cur),
    }
    short = _too_few(n_ref, n_cur, ref.shape[0], cur.shape[0], limits.min_rows)
    if short:
        return {**common, "verdict": "insufficient", "drifted": False, "message": short}
    result = stats.numeric_stats(sorted_ref, sorted_cur)
    verdict, message = _verdict(result.psi, result.ks_pvalue, "KS", n_ref, n_cur, limits)
    return {
        **common,
        "verdict": verdict,
        "drifted": verdict == "alert",
        "message": message,
        "psi": result.psi,
        "ks_stat": result.ks_stat,
        "ks_pvalue": result.ks_pvalue,
        "wasserstein": result.wasserstein,
        "distribution": numeric_distribution(sorted_ref, sorted_cur),
    }


def _categorical_column(key: str, ref: Any, cur: Any, limits: Thresholds) -> ColumnDrift:
    ref_vc, cur_vc = _value_counts(ref), _value_counts(cur)
    n_ref, n_cur = int(ref_vc.sum()), int(cur_vc.sum())
    common: dict[str, Any] = {
        "column": key,
        "kind": "categorical",
        "n_ref": n_ref,
        "n_cur": n_cur,
        "ref_null_rate": _null_rate(len(ref), n_ref),
        "cur_null_rate": _null_rate(len(cur), n_cur),
    }
    short = _too_few(n_ref, n_cur, len(ref), len(cur), limits.min_rows)
    if short:
        return ColumnDrift(**common, verdict="insufficient", drifted=False, message=short)
    categories = ref_vc.index.union(cur_vc.index, sort=False)
    ref_counts = ref_vc.reindex(categories, fill_value=0).to_numpy(dtype=np.int64)
    cur_counts = cur_vc.reindex(categories, fill_value=0).to_numpy(dtype=np.int64)
    result = stats.categorical_stats(ref_counts, cur_counts)
    verdict, message = _verdict(result.psi, result.chi2_pvalue, "chi-square", n_ref, n_cur, limits)
    unseen = int(np.count_nonzero(ref_counts == 0))
    if unseen:
        message += f"; {unseen} categor{'y' if unseen == 1 else 'ies'} unseen in reference"
    return ColumnDrift(
        **common,
        verdict=verdict,
        drifted=verdict == "alert",
        message=message,
        psi=result.psi,
        chi2_stat=result.chi2_stat,
        chi2_pvalue=result.chi2_pvalue,
        js_distance=result.js_distance,
        distribution=categorical_distribution(list(categories), ref_counts, cur_counts),
    )


def _value_counts(values: Any) -> pd.Series:
    """Counts of the non-null values, keyed by plain Python objects (categories unified)."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, copy=False)
    counts = series.value_counts(dropna=True, sort=False)
    counts = counts[counts > 0]  # a Categorical lists its unused categories with 0
    counts.index = pd.Index(counts.index.to_numpy(dtype=object), dtype=object)
    return counts


def _verdict(
    psi: float, pvalue: float, test: str, n_ref: int, n_cur: int, t: Thresholds
) -> tuple[Verdict, str]:
    small = n_ref <= t.test_max_rows and n_cur <= t.test_max_rows
    alerts = []
    if psi >= t.psi_alert:
        alerts.append(f"PSI {psi:.3g} >= {t.psi_alert:g}")
    if small and pvalue < t.p_value:
        alerts.append(f"{test} p-value {pvalue:.3g} < {t.p_value:g} (both samples <= {t.test_max_rows} rows)")
    if alerts:
        return "alert", "; ".join(alerts)
    if psi >= t.psi_warn:
        return "warn", f"PSI {psi:.3g} >= {t.psi_warn:g}"
    tail = f", {test} p-value {pvalue:.3g}" if small else ""
    return "ok", f"no drift: PSI {psi:.3g} < {t.psi_warn:g}{tail}"


def _too_few(n_ref: int, n_cur: int, total_ref: int, total_cur: int, min_rows: int) -> str:
    parts = []
    for n, total, side in ((n_ref, total_ref, "reference"), (n_cur, total_cur, "current")):
        if n < min_rows:
            parts.append(f"{n} {'non-null ' if total > n else ''}{side} rows")
    return f"not enough data: {', '.join(parts)} (< {min_rows})" if parts else ""


def _null_rate(total: int, usable: int) -> float | None:
    return (total - usable) / total if total else None


def _pool_size(workers: int | None, jobs: list[tuple[np.ndarray, np.ndarray, Thresholds]]) -> int:
    if workers is not None:
        if workers < 1:
            raise UsageError(f"workers must be >= 1, not {workers}")
        return min(workers, len(jobs))
    if len(jobs) < 2 or max(r.shape[0] + c.shape[0] for r, c, _ in jobs) < _THREAD_MIN_ROWS:
        return 1
    return min(len(jobs), os.cpu_count() or 1)
