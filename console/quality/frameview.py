"""Column access for one ``validate`` call, with the per-column work shared between checks.

``not_null(age)`` and ``between(age, 18, 120)`` both need the null mask of ``age``; the
view computes it once. Columns come out as numpy arrays without copies where pandas allows
(a float64 column is a view), and object columns holding garbage are coerced once.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as pdt


class ColumnError(Exception):
    """A check cannot run on this frame (missing column, wrong type): becomes an error result."""


@dataclass
class Numeric:
    """A column as numbers: ``values`` to compare, ``nulls`` (None: no nulls possible) and
    ``bad`` (non-null values that are not numbers, or None when there can be none)."""

    values: np.ndarray
    nulls: np.ndarray | None
    bad: np.ndarray | None


def is_categorical(s: pd.Series) -> bool:
    """True for pandas ``category`` columns."""
    return isinstance(s.dtype, pd.CategoricalDtype)


def is_plain_numeric(dtype: Any) -> bool:
    """numpy int, uint, float or bool (not an extension dtype)."""
    return isinstance(dtype, np.dtype) and dtype.kind in "iufb"


def is_masked_numeric(dtype: Any) -> bool:
    """Nullable pandas numbers: Int64, Float64, boolean..."""
    return isinstance(dtype, pd.api.extensions.ExtensionDtype) and (
        pdt.is_integer_dtype(dtype) or pdt.is_float_dtype(dtype) or pdt.is_bool_dtype(dtype)
    )


def is_datetime_like(dtype: Any) -> bool:
    """datetime64 (naive or tz-aware) or timedelta64."""
    return bool(pdt.is_datetime64_any_dtype(dtype) or pdt.is_timedelta64_dtype(dtype))


def owned(values: Any) -> np.ndarray:
    """A writable boolean numpy array (pandas hands out read-only views under copy-on-write)."""
    mask = np.asarray(values, dtype=bool)
    return mask if mask.flags.writeable else mask.copy()


def count(mask: np.ndarray | None) -> int:
    """Number of True values; 0 for None."""
    return 0 if mask is None else int(np.count_nonzero(mask))


def category_mask(s: pd.Series, per_category: np.ndarray) -> np.ndarray:
    """Map a per-category failing flag onto the rows through the codes (nulls never fail)."""
    lut = np.empty(len(per_category) + 1, dtype=bool)
    lut[:-1] = per_category
    lut[-1] = False  # code -1 (null) reads the last slot
    return np.asarray(np.take(lut, s.cat.codes.to_numpy()), dtype=bool)


def coerce_numeric(s: pd.Series) -> Numeric:
    """Any column as float64 numbers; unparseable non-null values are flagged ``bad``."""
    nulls = s.isna().to_numpy()
    coerced = pd.to_numeric(s, errors="coerce")
    values = np.asarray(coerced.to_numpy(dtype="float64", na_value=np.nan))
    bad = np.isnan(values)
    bad &= ~nulls
    return Numeric(values, nulls, bad if bad.any() else None)


def coerce_datetime(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Any column as datetimes (mixed time zones become UTC) and the mask of unparseable values."""
    nulls = np.asarray(s.isna().to_numpy(), dtype=bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns when it cannot infer one format
        try:
            parsed = pd.to_datetime(s, errors="coerce", format="mixed")
        except (ValueError, TypeError):
            parsed = pd.to_datetime(s, errors="coerce", format="mixed", utc=True)
    if not pdt.is_datetime64_any_dtype(parsed.dtype):
        parsed = pd.to_datetime(parsed, errors="coerce", utc=True)
    bad = np.asarray(parsed.isna().to_numpy(), dtype=bool) & ~nulls
    return parsed, bad


class FrameView:
    """Read-only access to the columns of ``df`` for the checks of one ``validate`` call."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self.n = len(df)
        self._nulls: dict[str, np.ndarray | None] = {}
        self._numeric: dict[str, Numeric] = {}

    def series(self, column: str) -> pd.Series:
        """The column, or :class:`ColumnError` if it is missing or duplicated."""
        columns = self.df.columns
        if column not in columns:
            shown = ", ".join(map(str, columns[:12])) + (", ..." if len(columns) > 12 else "")
            raise ColumnError(f"column {column!r} not in frame (columns: {shown or 'none'})")
        if not isinstance(columns.get_loc(column), int):
            raise ColumnError(f"column {column!r} appears more than once in the frame")
        return self.df[column]

    def nulls(self, column: str) -> np.ndarray | None:
        """Boolean mask of null values (NaN, None, NA, NaT); None when the dtype cannot hold one."""
        if column not in self._nulls:
            s = self.series(column)
            dtype = s.dtype
            mask: np.ndarray | None
            if isinstance(dtype, np.dtype) and dtype.kind in "iub":
                mask = None
            elif isinstance(dtype, np.dtype) and dtype.kind == "f":
                mask = np.isnan(s.to_numpy())
            elif isinstance(dtype, np.dtype) and dtype.kind in "mM":
                mask = np.isnat(s.to_numpy())
            elif is_categorical(s):
                mask = s.cat.codes.to_numpy() < 0
            else:
                mask = np.asarray(s.isna().to_numpy(), dtype=bool)
            self._nulls[column] = mask
        return self._nulls[column]

    def non_null_count(self, column: str) -> int:
        """Rows where the column is not null."""
        return self.n - count(self.nulls(column))

    def numeric(self, column: str) -> Numeric:
        """The column as numbers for comparisons; object/string columns are coerced."""
        if column not in self._numeric:
            self._numeric[column] = self._to_numeric(column)
        return self._numeric[column]

    def _to_numeric(self, column: str) -> Numeric:
        s = self.series(column)
        dtype = s.dtype
        if is_plain_numeric(dtype):
            return Numeric(s.to_numpy(), self.nulls(column), None)
        if is_masked_numeric(dtype):
            nulls = self.nulls(column)
            if pdt.is_bool_dtype(dtype):
                values = s.to_numpy(dtype=bool, na_value=False)
            elif pdt.is_integer_dtype(dtype):
                values = s.to_numpy(
                    dtype="int64" if pdt.is_signed_integer_dtype(dtype) else "uint64", na_value=0
                )
            else:
                values = s.to_numpy(dtype="float64", na_value=np.nan)
            return Numeric(np.asarray(values), nulls, None)
        if is_categorical(s):
            cats = coerce_numeric(pd.Series(s.cat.categories))
            codes = s.cat.codes.to_numpy()
            values = np.take(np.append(cats.values, np.nan), codes)
            bad = None if cats.bad is None else np.take(np.append(cats.bad, False), codes)
            return Numeric(values, self.nulls(column), bad)
        if is_datetime_like(dtype):
            raise ColumnError(f"column {column!r} is {dtype}, not numeric")
        return coerce_numeric(s)
