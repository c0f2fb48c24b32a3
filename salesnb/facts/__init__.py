"""Facts computed once and kept: a dataset's analysis per period, cached on disk as data (Parquet + JSON) and
shared by every kernel, the command line and the reports.

`source.Facts` is the way in (a dataset folder's analyses, from the cache or computed and stored);
`store` is the cache folder (location, keys, atomic writes, locks, clearing); `codec` writes and reads the
facts (salesnb's dataclasses, frames and plain values) without pickle; `warm` computes a dataset's periods
ahead, in another process, for the explorer and the dashboard.
"""
from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {"Facts": "source", "describe": "source", "cache_root": "store", "enabled": "store"}
__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
