"""Fast vectorised building blocks shared by the engine, the funnel and the trend series."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._ids import arrow_strings, codes_in  # noqa: F401  (part of this module's toolkit)


def equals(series: pd.Series, value: str) -> np.ndarray:
    """Boolean numpy mask: series == value (missing is False), without Python string objects."""
    return (series == value).to_numpy(dtype=bool, na_value=False)


def days(series: pd.Series) -> np.ndarray:
    """Dates as int64 days since 1970-01-01; missing dates become a very small sentinel."""
    ms = series.to_numpy(dtype="datetime64[ms]", na_value=np.datetime64("NaT")).view(np.int64)
    nat = ms == np.iinfo(np.int64).min
    out = ms // 86_400_000  # floor division keeps dates before 1970 right
    if nat.any():
        out[nat] = NAT_DAYS
    return out


NAT_DAYS = np.iinfo(np.int64).min // 2  # compares as "before every date"
NEVER = np.iinfo(np.int64).max // 4  # "not (yet)": a day later than any real one


def day_of(ts: pd.Timestamp) -> int:
    return int(np.datetime64(pd.Timestamp(ts).date(), "D").astype(np.int64))


def bincount(codes: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Per-code sum (or count) over codes >= 0, as float64 of length n."""
    ok = codes >= 0
    if weights is None:
        return np.bincount(codes[ok], minlength=n).astype(np.float64)
    return np.bincount(codes[ok], weights=weights[ok], minlength=n)


def nonnull_any(df: pd.DataFrame | None, column: str) -> bool:
    """True when the table has the column with at least one non-missing value."""
    return df is not None and column in df.columns and bool(df[column].notna().any())


def parallel(*calls):
    """Run independent zero-argument calls on threads; return their results in order.

    Arrow's hash lookups release the GIL, so the big id lookups of a large
    activities table overlap on the available cores.
    """
    from concurrent.futures import ThreadPoolExecutor

    from ..config import default_jobs

    workers = min(len(calls), default_jobs())
    if workers <= 1:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(call) for call in calls]
        return [f.result() for f in futures]
