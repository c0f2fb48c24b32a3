"""String ids as Arrow arrays, and looking them up: shared by the dataset and the metric engine."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def arrow_strings(values) -> pa.Array | pa.ChunkedArray:
    """A string column (Series, Index or list) as an Arrow large_string array, without Python objects."""
    if isinstance(values, pd.Index):
        values = values.to_series(index=None) if hasattr(values, "to_series") else pd.Series(values)
    if not isinstance(values, pd.Series):
        values = pd.Series(list(values), dtype="str")
    if values.dtype != "str":
        values = values.astype("str")
    arr = pa.array(values) if not isinstance(values.array, pa.ChunkedArray) else values.array
    if isinstance(arr, pa.ChunkedArray) and arr.num_chunks == 0:
        arr = pa.array([], type=pa.large_string())
    return arr.cast(pa.large_string())


def codes_in(values, universe) -> np.ndarray:
    """Position of each value in `universe` (-1 when absent or missing), as int64.

    Uses Arrow's hash lookup on the string buffers directly: much faster than a
    pandas merge or get_indexer on millions of string ids.
    """
    arr = arrow_strings(values)
    value_set = arrow_strings(universe)
    if isinstance(value_set, pa.ChunkedArray):
        value_set = value_set.combine_chunks()
    idx = pc.index_in(arr, value_set=value_set)
    out = idx.fill_null(-1).to_numpy(zero_copy_only=False) if isinstance(idx, pa.Array) else \
        np.concatenate([c.fill_null(-1).to_numpy(zero_copy_only=False) for c in idx.chunks]) if idx.num_chunks else \
        np.empty(0, dtype=np.int64)
    return out.astype(np.int64, copy=False)

