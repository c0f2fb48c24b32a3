"""The weighted scorecard: normalise each metric within a role, weight, and sum into a score.

    card = score(table)                      # outcomes-first preset
    card.scores     # rep_id, name, team, role, score, rank_in_role, rank_overall
    card.breakdown  # points per metric per rep; each row sums to the score
    card.explain("r01")  # value, normalised value, weight and points per metric

How a score is made: each weighted metric is normalised to 0..1 against the
rep's group (their role by default): percentile rank, z-score (clipped at +-3
and mapped to 0..1) or value / target. A metric where less is better is turned
round first. An optional floor and cap bound each normalised value so no metric
dominates. Points = 100 x weight x normalised / sum of the weights of the metrics
the rep's group owns (some rep of it has a value: an SDR role owning no deals is
scored over the metrics it does own), so the score is 0..100. Under target
normalisation the sum is a share of target (above 100 when a cap above 1 allows
it), and the pages do not call it a score out of 100.

Missing values (NaN: see `MetricTable.reason`) are read by their reason:

- the target is already met (`MetricTable.target_met`: pipeline coverage of a
  rep who has reached quota, nothing left to cover): the rep counts as the best
  in their group on that metric. Percentile: 1.0, and the others rank below
  them; z-score: 1.0; target: the metric's cap (1.5 by default). A rep is
  never marked down for having already met quota;
- anything else (no deals, no quota, no activities): 0 points, since a figure
  that does not exist cannot earn credit.
"""
from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .config import WEIGHTS_PRESETS_DIR
from .atomic import write_text_atomic
from .errors import ConfigError
from .metrics.catalogue import CATALOGUE, get_metric
from .terms import DEFAULT_PRESET, NO_ROLE, NO_TEAM, NORMALISATIONS, group_key

GROUPINGS = ("role", "team", None)
MAX_WEIGHT = 1_000_000  # far beyond any slider; bigger ones overflow the weighted sums
DEFAULT_TARGET_PERCENTILE = 0.75  # "target" without an explicit target: the group's top-quartile value


@dataclass
class Weights:
    """How a score is made: metric -> weight (>= 0), with optional floor/cap/target per metric.

    normalisation: "percentile" (rank within the group, 0..1), "zscore" (clipped to
        +-3 and mapped to 0..1) or "target" (value / target; default target: the
        group's 75th percentile).
    floors/caps: bounds on a metric's normalised value (so no metric dominates).
    group_by: "role" (compare within a role, the default), "team", or None (everyone).
    skip_unavailable: drop weighted metrics the dataset cannot compute instead of
        raising (presets do this; custom weights are strict).
    """

    weights: dict[str, float]
    normalisation: str = "percentile"
    floors: dict[str, float] = field(default_factory=dict)
    caps: dict[str, float] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)
    group_by: str | None = "role"
    name: str = "custom"
    skip_unavailable: bool = False

    def validate(self, where: str = "weights") -> "Weights":
        """Raise ConfigError for unknown metrics, bad numbers or settings; return self."""
        if self.normalisation not in NORMALISATIONS:
            raise ConfigError(f"{where}: normalisation {self.normalisation!r} is not one of {', '.join(NORMALISATIONS)}.")
        if self.group_by not in GROUPINGS:
            raise ConfigError(f"{where}: group_by {self.group_by!r} must be \"role\", \"team\" or \"none\".")
        if not self.weights:
            raise ConfigError(f"{where}: no weights given. Give at least one metric a weight above 0.")
        for section, values in (("weights", self.weights), ("floors", self.floors), ("caps", self.caps),
                                ("targets", self.targets)):
            for metric, value in values.items():
                get_metric(metric)
                try:
                    if isinstance(value, bool):  # TOML's true would count as 1
                        raise TypeError
                    v = float(value)
                except (TypeError, ValueError):
                    raise ConfigError(f"{where}: {section}.{metric} = {value!r} is not a number. Fix: write a plain "
                                      f"number, e.g. {metric} = 2.") from None
                if not math.isfinite(v):
                    raise ConfigError(f"{where}: {section}.{metric} = {value!r} must be a finite number.")
                if section == "weights" and v < 0:
                    raise ConfigError(f"{where}: weight of {metric} is {v}; weights must be 0 or more.")
                if section == "weights" and v > MAX_WEIGHT:
                    raise ConfigError(f"{where}: weight of {metric} is {v:g}; weights must be at most {MAX_WEIGHT:,} "
                                      "(only their ratios matter: 2 and 1 weigh like 2,000 and 1,000).")
                if section == "targets" and v <= 0:
                    raise ConfigError(f"{where}: target of {metric} is {v}; targets must be above 0.")
        for metric in set(self.floors) & set(self.caps):
            if float(self.floors[metric]) > float(self.caps[metric]):
                raise ConfigError(f"{where}: floor of {metric} ({self.floors[metric]}) is above its cap ({self.caps[metric]}).")
        if sum(float(v) for v in self.weights.values()) <= 0:
            raise ConfigError(f"{where}: all weights are 0. Give at least one metric a weight above 0.")
        return self

    @property
    def active(self) -> dict[str, float]:
        """The metrics with a weight above 0."""
        return {m: float(w) for m, w in self.weights.items() if float(w) > 0}

    def scaled(self, factor: float) -> "Weights":
        return replace(self, weights={m: float(w) * factor for m, w in self.weights.items()})


@dataclass
class Scorecard:
    """The result of scoring: scores, the per-metric breakdown, and what made them."""

    scores: pd.DataFrame  # rep_id, name, team, role, score, rank_in_role, rank_overall (best first)
    breakdown: pd.DataFrame  # index rep_id, one column of points per weighted metric (NaN: not the role's)
    normalised: pd.DataFrame  # index rep_id, the 0..1 (after floor/cap) value behind the points
    weights: Weights
    notes: list[str] = field(default_factory=list)

    def explain(self, rep_id: str, table=None) -> pd.DataFrame:
        """How one rep's score is made: per metric the weight, normalised value and points (and value)."""
        if rep_id not in self.breakdown.index:
            raise ConfigError(f"rep {rep_id!r} is not on this scorecard.")
        metrics = list(self.breakdown.columns)
        out = pd.DataFrame({
            "metric": metrics,
            "label": [CATALOGUE[m].label for m in metrics],
            "weight": [self.weights.active[m] for m in metrics],
            "normalised": self.normalised.loc[rep_id, metrics].to_numpy(),
            "points": self.breakdown.loc[rep_id, metrics].to_numpy(),
        })
        if table is not None:
            out.insert(2, "value", [table.values.at[rep_id, m] for m in metrics])
        return out.sort_values("points", ascending=False, kind="stable").reset_index(drop=True)


def _current_reps(table) -> pd.DataFrame:
    """The metric values of reps still employed at as_of: people who left stay in history, not in rankings."""
    values = table.values
    reps = getattr(table, "reps", None)
    if reps is None or "active" not in reps.columns:
        return values
    active = reps["active"].reindex(values.index).fillna(True).astype(bool).to_numpy()
    return values[active]


class Scorer:
    """Scores one MetricTable many times, fast: normalised values are computed once.

    The widgets create one Scorer per table and call `score(weights)` on every
    slider move; only the weighted sum and the ranks are recomputed.
    """

    def __init__(self, table, group_by: str | None = "role"):
        if group_by not in GROUPINGS:
            raise ConfigError(f"group_by {group_by!r} must be \"role\", \"team\" or \"none\".")
        self.table = table
        self.group_by = group_by
        values = _current_reps(table)
        reps = table.reps.reindex(values.index)
        self.rep_ids = values.index
        self.info = pd.DataFrame({
            "rep_id": self.rep_ids.astype("str"),
            **{c: (reps[c] if c in reps.columns else pd.Series(pd.NA, index=reps.index, dtype="str")).to_numpy()
               for c in ("name", "team", "role")},
        })
        self.metrics = list(values.columns)
        self.col = {m: j for j, m in enumerate(self.metrics)}
        self.raw = values.to_numpy(dtype=np.float64, copy=True)
        # NaNs that mean "target already met": scored as the best value, not as missing
        target_met = getattr(table, "target_met", None)
        self.met = np.zeros(self.raw.shape, dtype=bool)
        if target_met is not None:
            for m in getattr(table, "nan_reasons", {}):
                if m in self.col and np.isnan(self.raw[:, self.col[m]]).any():
                    self.met[:, self.col[m]] = target_met(m).reindex(values.index).fillna(False).to_numpy(dtype=bool)
        # turn "less is better" metrics round so that higher is always better below
        self.sign = np.array([1.0 if CATALOGUE[m].higher_is_better else -1.0 for m in self.metrics])
        keys = self._group_keys(reps, group_by)
        self.group_codes, self.group_names = pd.factorize(pd.Series(keys, dtype="str"), sort=True)
        self.groups = [np.flatnonzero(self.group_codes == g) for g in range(len(self.group_names))]
        self._cache: dict[str, np.ndarray] = {}

    @staticmethod
    def _group_keys(reps: pd.DataFrame, group_by):
        if group_by is None or group_by not in reps.columns:
            return np.full(len(reps), "(everyone)", dtype=object)
        missing = NO_TEAM if group_by == "team" else NO_ROLE
        return np.array([group_key(v, missing) for v in reps[group_by]], dtype=object)

    # -- normalisation, cached per method -------------------------------------------------
    def normalised(self, method: str) -> np.ndarray:
        """reps x metrics matrix of 0..1 values (NaN where the metric is NaN) for `method`."""
        if method not in self._cache:
            if method == "percentile":
                self._cache[method] = self._percentile()
            elif method == "zscore":
                self._cache[method] = self._zscore()
            elif method == "target":
                self._cache[method] = self._default_targets()
            else:
                raise ConfigError(f"normalisation {method!r} is not one of {', '.join(NORMALISATIONS)}.")
        return self._cache[method]

    def _percentile(self) -> np.ndarray:
        # a met target ranks above every value (then normalises to 1.0 in `matrix`)
        signed = pd.DataFrame(np.where(self.met, np.inf, self.raw * self.sign))
        ranks = signed.groupby(self.group_codes).rank(method="average", pct=False).to_numpy()
        counts = signed.notna().groupby(self.group_codes).transform("sum").to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(counts > 1, (ranks - 1) / (counts - 1), 0.5)
        return np.where(np.isnan(self.raw), np.nan, out)

    def _zscore(self) -> np.ndarray:
        signed = pd.DataFrame(self.raw * self.sign)
        g = signed.groupby(self.group_codes)
        mean = g.transform("mean").to_numpy()
        std = g.transform(lambda s: s.std(ddof=0)).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(std > 0, (signed.to_numpy() - mean) / std, 0.0)
        out = (np.clip(z, -3.0, 3.0) + 3.0) / 6.0
        return np.where(np.isnan(self.raw), np.nan, out)

    def _default_targets(self) -> np.ndarray:
        """Per rep and metric, the group's default target (the 75th percentile of the raw values)."""
        q = pd.DataFrame(self.raw).groupby(self.group_codes).quantile(DEFAULT_TARGET_PERCENTILE)
        return q.to_numpy()[self.group_codes]

    def _target_values(self, cols: list[int], weights: Weights) -> np.ndarray:
        raw = self.raw[:, cols]
        targets = self.normalised("target")[:, cols].copy()
        for k, j in enumerate(cols):
            m = self.metrics[j]
            if m in weights.targets:
                targets[:, k] = float(weights.targets[m])
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            ratio = np.where(self.sign[cols] > 0, raw / targets, targets / raw)
            # a non-positive target (group of zeros) means everyone met it
            ratio = np.where(targets <= 0, 1.0, ratio)
            ratio = np.where((self.sign[cols] < 0) & (raw <= 0) & (targets > 0), np.inf, ratio)
        return np.where(np.isnan(raw), np.nan, ratio)

    # -- scoring ---------------------------------------------------------------------------
    def check(self, weights: Weights | dict | str | None) -> tuple[Weights, list[str], list[str]]:
        """Validated weights, the weighted metrics to use, and notes about dropped ones."""
        w = as_weights(weights)
        unavailable = getattr(self.table, "unavailable", {})
        use, notes = [], []
        for m in w.active:
            if m in self.col:
                use.append(m)
                continue
            why = unavailable.get(m, "not computed for this table")
            if w.skip_unavailable:
                notes.append(f"{m} left out of the {w.name} weights: {why}")
            else:
                raise ConfigError(f"weights ({w.name}): {m} has a weight but is not available for this dataset: {why}. "
                                  f"Set its weight to 0 or add the missing data.")
        if not use:
            raise ConfigError(f"weights ({w.name}): none of the weighted metrics is available for this dataset "
                              f"({', '.join(w.active)}).")
        return w, use, notes

    def matrix(self, w: Weights, use: list[str]) -> np.ndarray:
        """reps x used-metrics matrix of normalised values after floor and cap.

        A met target takes the best value (1.0; the cap under target normalisation);
        any other NaN becomes 0. Nothing achieved earns nothing: where more is better, a value of 0 or
        less gets 0 (a tie at zero would otherwise share the average rank's points).
        """
        cols = [self.col[m] for m in use]
        if w.normalisation == "target":
            norm = self._target_values(cols, w)
            best = np.inf  # clipped to the cap below
        else:
            norm = self.normalised(w.normalisation)[:, cols]
            best = 1.0
        met = self.met[:, cols]
        if met.any():
            norm = np.where(met, best, norm)
        nothing = (self.sign[cols] > 0) & (self.raw[:, cols] <= 0)
        norm = np.where(nothing, 0.0, norm)
        default_cap = 1.5 if w.normalisation == "target" else np.inf
        lo = np.array([float(w.floors.get(m, 0.0)) for m in use])
        hi = np.array([float(w.caps.get(m, default_cap)) for m in use])
        return np.nan_to_num(np.clip(norm, lo, hi), nan=0.0)

    def owned(self, use: list[str]) -> np.ndarray:
        """reps x used-metrics: whether the rep's group owns the metric (some rep of it has a value, or met its
        target). An SDR role that owns no deals does not own won revenue: its reps are scored out of 100 over
        the metrics it does own, not held to 22 points at most."""
        cols = [self.col[m] for m in use]
        has = ~np.isnan(self.raw[:, cols]) | self.met[:, cols]
        out = np.zeros(has.shape, dtype=bool)
        for idx in self.groups:
            out[idx] = has[idx].any(axis=0)
        return out

    def shares(self, w: Weights, use: list[str]) -> np.ndarray:
        """reps x used-metrics: each metric's share of the 100 points, the weights re-normalised over the
        metrics the rep's group owns (a group owning none of them scores nothing)."""
        wv = np.array([w.active[m] for m in use]) * self.owned(use)
        total = wv.sum(axis=1, keepdims=True)
        return np.divide(wv, total, out=np.zeros_like(wv), where=total > 0)

    def score(self, weights: Weights | dict | str | None = None) -> Scorecard:
        """Score every rep with `weights` (a Weights, {metric: weight}, a preset name, or None = default)."""
        w, use, notes = self.check(weights)
        if w.group_by != self.group_by:
            return Scorer(self.table, w.group_by).score(w)
        norm = self.matrix(w, use)
        # a metric the rep's group does not own is no part of the score: NaN points, not 0 of its weight
        points = np.where(self.owned(use), norm * (100.0 * self.shares(w, use)), np.nan)
        total = np.nansum(points, axis=1)
        scores = self.info.copy()
        scores["score"] = total
        scores["rank_in_role"] = _rank_desc(total, self.group_codes)
        scores["rank_overall"] = _rank_desc(total, np.zeros(len(total), dtype=np.int64))
        scores = scores.sort_values(["rank_overall", "rep_id"], kind="stable").reset_index(drop=True)
        breakdown = pd.DataFrame(points, index=self.rep_ids, columns=use)
        normalised = pd.DataFrame(norm, index=self.rep_ids, columns=use)
        return Scorecard(scores, breakdown, normalised, w, notes)


def _rank_desc(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Rank within each group, 1 = highest; ties share the best rank ("min")."""
    s = pd.Series(np.round(values, 9))
    return s.groupby(groups).rank(method="min", ascending=False).to_numpy(dtype=np.int64)


# -- weights files -------------------------------------------------------------------------
_SECTIONS = ("weights", "floors", "caps", "targets")


def weights_from_dict(raw: dict, where: str = "weights") -> Weights:
    """Build and validate Weights from the parsed TOML layout (see `save_weights`)."""
    known = {"name", "normalisation", "group_by", "skip_unavailable", *_SECTIONS}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
    for section in _SECTIONS:
        if section in raw and not isinstance(raw[section], dict):
            raise ConfigError(f"{where}: [{section}] must be a table of metric = number.")
    group_by = raw.get("group_by", "role")
    w = Weights(
        weights=dict(raw.get("weights", {})),
        normalisation=str(raw.get("normalisation", "percentile")),
        floors=dict(raw.get("floors", {})),
        caps=dict(raw.get("caps", {})),
        targets=dict(raw.get("targets", {})),
        group_by=None if group_by in (None, "none", "") else group_by,
        name=str(raw.get("name", "custom")),
        skip_unavailable=bool(raw.get("skip_unavailable", False)),
    )
    return w.validate(where)


def load_weights(path) -> Weights:
    """Read weights from a small TOML file (the layout `save_weights` writes)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: weights file not found. Presets: {', '.join(PRESETS)}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from exc
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text. Save it as UTF-8 (the team explorer's \"save weights\" "
                          "does), or leave the weights file out to use the default weights.") from None
    raw.setdefault("name", path.stem)
    return weights_from_dict(raw, str(path))


def weights_to_toml(weights: Weights) -> str:
    """The TOML text of `weights` (small and hand-editable)."""
    lines = [f"name = {_toml_str(weights.name)}", f"normalisation = {_toml_str(weights.normalisation)}",
             f"group_by = {_toml_str(weights.group_by or 'none')}"]
    if weights.skip_unavailable:
        lines.append("skip_unavailable = true")
    for section in _SECTIONS:
        values = getattr(weights, section)
        if values or section == "weights":
            lines.append(f"\n[{section}]")
            lines += [f"{m} = {float(v)!r}" for m, v in values.items()]
    return "\n".join(lines) + "\n"


def _toml_str(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def save_weights(weights: Weights, path) -> Path:
    """Write weights to a TOML file atomically (a crash never leaves half a file)."""
    weights.validate(str(path))
    path = Path(path)
    write_text_atomic(path, weights_to_toml(weights))
    return path


def _load_presets() -> dict[str, Weights]:
    presets = {}
    for file in sorted(WEIGHTS_PRESETS_DIR.glob("*.toml")):
        presets[file.stem] = load_weights(file)
    order = [DEFAULT_PRESET, "balanced", "activity-coaching"]
    return {k: presets[k] for k in sorted(presets, key=lambda k: (order.index(k) if k in order else 99, k))}


PRESETS: dict[str, Weights] = _load_presets()  # outcomes-first (default), balanced, activity-coaching


def as_weights(weights: Weights | dict | str | None) -> Weights:
    """Weights from a Weights, a {metric: weight} dict, a preset name or a .toml path; None = default preset."""
    if weights is None:
        weights = DEFAULT_PRESET
    if isinstance(weights, Weights):
        return weights.validate(f"weights ({weights.name})")
    if isinstance(weights, dict):
        return Weights(weights=dict(weights)).validate()
    if isinstance(weights, (str, os.PathLike)):
        key = str(weights)
        if key in PRESETS:
            return PRESETS[key]
        if key.endswith(".toml") or Path(key).exists():
            return load_weights(key)
        raise ConfigError(f"unknown weights preset {key!r}. Presets: {', '.join(PRESETS)}; or give a .toml file.")
    raise ConfigError(f"weights must be a preset name, a .toml path, a dict or Weights, not {type(weights).__name__}.")


def score(table, weights: Weights | dict | str | None = None) -> Scorecard:
    """Score every rep of a MetricTable. weights: Weights, {metric: weight}, preset name, path, or None.

    None uses the outcomes-first preset. Raises ConfigError for an unknown
    metric, a negative weight, all-zero weights or a weight on a metric the
    dataset cannot compute (presets skip such metrics and say so in `.notes`).
    """
    w = as_weights(weights)
    return Scorer(table, w.group_by).score(w)


def rank_stability(table, weights=None, n: int = 200, jitter: float = 0.2, seed: int = 0) -> pd.DataFrame:
    """How robust each rep's rank within role is to the exact weights.

    Each of `n` runs multiplies every weight by a random factor in
    [1 - jitter, 1 + jitter] (seeded). Returns per rep (index rep_id): rank (with
    the given weights), changed_share (share of runs where the rank differs),
    min_rank and max_rank.
    """
    if n < 1 or not 0 <= jitter < 1:
        raise ConfigError(f"rank_stability: n must be >= 1 and jitter in [0, 1), got n={n}, jitter={jitter}.")
    w = as_weights(weights)
    scorer = table if isinstance(table, Scorer) else Scorer(table, w.group_by)
    w, use, _ = scorer.check(w)
    norm = scorer.matrix(w, use)
    base = np.array([w.active[m] for m in use])
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1 - jitter, 1 + jitter, size=(len(use), n))
    wm = base[:, None] * factors
    all_scores = norm @ (wm / wm.sum(axis=0))  # reps x runs (the scale does not change ranks)
    base_scores = norm @ (base / base.sum())
    base_rank = _rank_desc(base_scores * 100, scorer.group_codes)
    ranks = np.empty_like(all_scores, dtype=np.int64)
    for idx in scorer.groups:
        block = np.round(all_scores[idx] * 100, 9)
        # rank "min" per column: 1 + number of reps in the group with a strictly higher score
        ranks[idx] = 1 + (block[None, :, :] > block[:, None, :]).sum(axis=1) if len(idx) <= 400 else \
            pd.DataFrame(block).rank(method="min", ascending=False).to_numpy(dtype=np.int64)
    changed = (ranks != base_rank[:, None]).mean(axis=1)
    out = pd.DataFrame({"rank": base_rank, "changed_share": changed, "min_rank": ranks.min(axis=1),
                        "max_rank": ranks.max(axis=1)}, index=scorer.rep_ids)
    out.index.name = "rep_id"
    return out
