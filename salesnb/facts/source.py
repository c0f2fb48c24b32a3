"""One dataset folder's facts, analysed once and shared: `Facts(data_dir).team(period=...)` returns the period's
`TeamAnalysis` from the cache when any process (a kernel, `salesnb diagnose`, the reports) computed it before
from the same files with the same salesnb and settings, and computes and stores it otherwise.

    facts = Facts("data/sample")
    team = facts.team(period="2026-Q3")               # analysed once, then read (Parquet + JSON)
    team = facts.cached(period="2026-Q3")             # None unless already computed: never loads the data

A period, report date and weights are keyed by what they resolve to (the report date and fiscal year the data
gives, the weights' full settings), so the explorer's "2026-Q3" and `--period 2026-Q3` share one entry.
"""
from __future__ import annotations

from pathlib import Path

from . import codec, store
from .store import Store, data_key

SHARED_TABLES = ("opportunities", "leads")  # re-read for one team's findings in the explorer


class Facts:
    """The facts of one dataset folder (see the module docstring). `dataset`: the loaded dataset when the
    caller has it (not loaded again)."""

    def __init__(self, data_dir, dataset=None, *, folder: bool = True):
        from ..config import resolve_data_dir

        self.data_dir = Path(resolve_data_dir(data_dir)).resolve() if folder else None
        self._dataset = dataset
        self.store = None
        if store.enabled() and self.data_dir is not None and self.data_dir.is_dir():
            try:
                self.store = Store(data_key(self.data_dir))
            except OSError:  # a file that cannot be read: loading the data says which and what to do
                self.store = None
        self._info = self.store.info() if self.store else None
        self.computed = False  # the last `team` call analysed (False: read what another process kept)

    @classmethod
    def in_memory(cls, dataset) -> "Facts":
        """The facts of a dataset built in memory (no folder: nothing is cached)."""
        return cls(None, dataset=dataset, folder=False)

    # ------------------------------------------------------------------ the data, loaded only when needed
    def dataset(self):
        """The loaded, validated dataset (loaded once; its report date, settings and shared tables are stored)."""
        if self._dataset is None:
            from ..load import load

            self._dataset = load(self.data_dir)
        if self._info is None:
            self._info = describe(self._dataset, self.data_dir)
            if self.store:
                self.store.put_info(self._info)
        if self.store:
            for name in SHARED_TABLES:
                if self._dataset.has(name):
                    self.store.put_table(name, self._dataset.table(name))
        return self._dataset

    @property
    def info(self) -> dict:
        """What the data says about itself: default report date and period, settings (`describe`)."""
        if self._info is None:
            self.dataset()
        return self._info

    @property
    def meta(self):
        return codec.from_plain(self.info["meta"])

    # ------------------------------------------------------------------ settings and keys
    def settings(self, period=None, as_of=None, weights=None, compare_to=None) -> dict:
        """What an analysis depends on besides the files, resolved: period bounds, report date, weights."""
        import pandas as pd

        from ..scorecard import as_weights, weights_to_toml

        p, as_of_ts = self.resolve(period, as_of)
        return {"kind": "team", "period": [p.label, str(p.start.date()), str(p.end.date()), p.kind],
                "as_of": str(as_of_ts.date()), "weights": weights_to_toml(as_weights(weights)),
                "compare_to": str(compare_to.label if hasattr(compare_to, "label") else compare_to or "")}

    def resolve(self, period=None, as_of=None):
        """(`Period`, report date) a period spec and report date resolve to for this data."""
        import pandas as pd

        from ..periods import resolve_period

        info = self.info
        as_of_ts = pd.Timestamp(as_of) if as_of else pd.Timestamp(info["as_of"])
        if not period and not as_of:
            return codec.from_plain(info["default_period"]), as_of_ts
        if not period:
            from ..periods import default_period

            return default_period(_MetaOnly(self.meta), as_of_ts), as_of_ts
        return resolve_period(period, as_of_ts, info["fiscal_year_start_month"]), as_of_ts

    def key(self, **settings) -> str:
        return store.entry_key(self.store.data if self.store else "", self.settings(**settings))

    # ------------------------------------------------------------------ the analysis of one period
    def cached(self, period=None, as_of=None, weights=None, compare_to=None):
        """The period's `TeamAnalysis` if it is in the cache (never loads the data), else None."""
        if not self.store:
            return None
        if self._info is None:
            self._info = self.store.info()  # another process may have described the data since
            if self._info is None:
                return None
        return self.store.get(self.key(period=period, as_of=as_of, weights=weights, compare_to=compare_to))

    def stored(self, period=None, as_of=None, weights=None, compare_to=None) -> bool:
        """The period's analysis is in the cache (checked cheaply: not read)."""
        if not self.store or self._info is None:
            return False
        key = self.key(period=period, as_of=as_of, weights=weights, compare_to=compare_to)
        return (self.store.path(key) / store.MANIFEST).is_file()

    def team(self, period=None, as_of=None, weights=None, compare_to=None):
        """The period's `TeamAnalysis`: from the cache, or computed (once, under a lock) and stored."""
        from ..analysis import analyse

        if not self.store:
            return analyse(self.dataset(), period=period, as_of=as_of, weights=weights, compare_to=compare_to)
        settings = self.settings(period=period, as_of=as_of, weights=weights, compare_to=compare_to)
        key = store.entry_key(self.store.data, settings)
        self.computed = False
        found = self.store.get(key)
        if found is not None:
            return found
        with self.store.lock(key):
            found = self.store.get(key)  # another process may have computed it while we waited
            if found is not None:
                return found
            self.computed = True
            p, as_of_ts = self.resolve(period, as_of)
            team = analyse(self.dataset(), period=p, as_of=as_of_ts, weights=weights, compare_to=compare_to)
            team.dataset = None  # the facts only: the data stays in its folder
            self.store.put(key, team, {"period": settings["period"][0], "as_of": settings["as_of"],
                                       "weights": _weights_name(weights)})
            if self._dataset is not None:
                team.dataset = self._dataset
            return team

    def explorer_team(self, label: str, period, menu_spec, as_of, weights):
        """A period of the explorer's menu: from the cache; else computed in another process when the data is
        not loaded here (a kernel never holds a big team's data), else here."""
        found = self.cached(period=period, as_of=as_of, weights=weights)
        if found is not None:
            return found
        if self.store and self._dataset is None:
            from .child import in_another_process

            in_another_process(self.data_dir, period=menu_spec, as_of=str(as_of.date()), weights=weights,
                               labels=[label])
            found = self.cached(period=period, as_of=as_of, weights=weights)
            if found is not None:
                return found
        return self.team(period=period, as_of=as_of, weights=weights)

    # ------------------------------------------------------------------ rows for one team's findings
    def rows(self, table: str, column: str, values) -> "object | None":
        """The rows of a shared table whose `column` is in `values` (read from the cache's copy, or the data)."""
        values = [str(v) for v in values]
        if self._dataset is not None or not self.store:
            df = self.dataset().table(table)
            return None if df is None else df[df[column].isin(values)]
        path = self.store.table_path(table)
        if not self.info["has"].get(table):
            return None
        if not path.is_file():
            self.dataset()
        import pandas as pd

        rows = pd.read_parquet(path, filters=[(column, "in", values)]) if values else pd.read_parquet(path).iloc[0:0]
        return rows.sort_values("_row").drop(columns="_row").reset_index(drop=True)


def describe(dataset, data_dir: Path) -> dict:
    """What a dataset says about itself that keys and choices need, as JSON: its default report date and period,
    its settings (dataset.toml), which tables it has and what a missing one costs."""
    from ..periods import default_as_of, default_period
    from ..schema import TABLES

    as_of = default_as_of(dataset)
    meta = dataset.meta
    return {"source": str(data_dir), "name": meta.name, "currency": meta.currency,
            "as_of": str(as_of.date()), "default_period": codec.to_plain(default_period(dataset, as_of)),
            "fiscal_year_start_month": int(meta.fiscal_year_start_month or 1), "meta": codec.to_plain(meta),
            "has": {t: dataset.has(t) for t in TABLES}, "missing": {t: dataset.missing(t) for t in TABLES}}


class _MetaOnly:
    """A stand-in dataset holding only settings (what `periods.default_period` reads with a given date)."""

    def __init__(self, meta):
        self.meta = meta


def _weights_name(weights) -> str:
    from ..scorecard import as_weights

    return str(weights) if isinstance(weights, (str, Path)) else as_weights(weights).name
