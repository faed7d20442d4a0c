"""The reference and current distributions of one column, as shares per bin, for a chart.

Numeric columns use the reference quantile bins PSI is computed over (so the picture is the
statistic's own view); categorical columns their most common categories, the rest summed
into "other". Shares, not counts, so samples of different sizes overlay.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from console.monitor import stats

MAX_CATEGORIES = 10


def numeric_distribution(sorted_ref: np.ndarray, sorted_cur: np.ndarray) -> dict[str, Any]:
    """``{"labels", "ref", "cur"}`` over the reference quantile bins (``≤edge`` ... ``>last``)."""
    edges = stats.quantile_edges(sorted_ref)
    labels = [f"≤{e:.3g}" for e in edges] + ([f">{edges[-1]:.3g}"] if len(edges) else ["all"])
    return {
        "labels": labels,
        "ref": _shares(stats.bin_counts(sorted_ref, edges)),
        "cur": _shares(stats.bin_counts(sorted_cur, edges)),
    }


def categorical_distribution(categories: list[Any], ref: np.ndarray, cur: np.ndarray) -> dict[str, Any]:
    """The ``MAX_CATEGORIES`` most common categories (by both samples), the rest as "other"."""
    ref_s, cur_s = _shares(ref), _shares(cur)
    order = np.argsort(-(np.asarray(ref_s) + np.asarray(cur_s)), kind="stable")
    top, rest = order[:MAX_CATEGORIES], order[MAX_CATEGORIES:]
    labels = [str(categories[i]) for i in top]
    out_ref = [ref_s[i] for i in top]
    out_cur = [cur_s[i] for i in top]
    if len(rest):
        labels.append("other")
        out_ref.append(float(sum(ref_s[i] for i in rest)))
        out_cur.append(float(sum(cur_s[i] for i in rest)))
    return {"labels": labels, "ref": out_ref, "cur": out_cur}


def _shares(counts: np.ndarray) -> list[float]:
    total = float(np.sum(counts))
    return [float(c) / total if total else 0.0 for c in counts]
