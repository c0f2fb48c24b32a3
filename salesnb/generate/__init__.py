"""Generated sales datasets: the bundled sample team and teams of any size for tests and benchmarks.

`generate(out_dir, reps, seed)` writes every table of the canonical data model
(reps, opportunities, quotas, team_quotas, leads, activities, stage_history)
plus `dataset.toml`. Output is deterministic for its arguments, written a
chunk of reps at a time (memory stays flat however many reps), staged in a
hidden folder and moved into `out_dir` only once every file is complete.

With `stories=True` the team carries the seeds' stories (top performer who
drives least, John, Sally, ...); with `plant_bottlenecks=True` about half the
reps get one weak funnel step. Either way `GenerationResult.truth` says what
was planted.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import ConfigError
from ..schema import TABLES
from ..dataset_folder import recover
from .output import TableSink, check_destination, publish, staging_dir
from .profiles import RUNGS, RepTruth, Shape, Team, Truth, build_team
from .simulate import Window, epoch_days, simulate_chunk

__all__ = ["generate", "GenerationResult", "Shape", "Truth", "RepTruth", "RUNGS"]

CHUNK_REPS = 50  # reps simulated and written at a time (fixed: part of what makes output reproducible)
WARMUP_DAYS = 90  # the pipeline is already running when the analysed year starts
# Booked revenue per active day of a typical rep at volume 1; quotas are set a little above it.
TYPICAL_REVENUE_PER_DAY = 2700.0
QUOTA_STRETCH = 1.05
TEAM_QUOTA_SHARE = 0.92  # the company's team targets are a little below the sum of the reps' quotas
ID_WIDTHS = {"leads": 8, "opportunities": 7, "activities": 9}


@dataclass
class GenerationResult:
    """What `generate` wrote: file paths and row counts per table, and the planted ground truth."""

    out_dir: Path
    paths: dict[str, Path]
    rows: dict[str, int]
    truth: Truth

    def summary(self) -> str:
        lines = [f"Wrote {self.out_dir}:"]
        for name, path in self.paths.items():
            count = f"{self.rows[name]:>12,} rows" if name in self.rows else ""
            lines.append(f"  {path.name:<24}{count}")
        return "\n".join(lines)


def _parse_date(value, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{what} must be a date like 2026-01-01, got {value!r}.") from None


def generate(out_dir, reps: int = 24, seed: int = 0, *, stories: bool = True, plant_bottlenecks: bool = False,
             start="2026-01-01", as_of="2026-11-15", fmt: str = "csv", volume: float = 1.0,
             leak: float | None = None, two_roles: bool = False, shape: Shape | None = None,
             overwrite: bool = False, events_seed: int | None = None) -> GenerationResult:
    """Write a generated dataset of `reps` reps into `out_dir`; same arguments, same bytes.

    The analysed year runs from `start` for a year; data begins 90 days before `start` (so the pipeline
    is already full) and ends at `as_of`. `volume` scales leads, deals and activities per rep (1.0 is
    about 500 opportunities and 5,000 activities per rep over the data window). `fmt` is "csv" or
    "parquet". `out_dir` must be absent or empty; `overwrite` replaces a salesnb dataset there (and only
    that: `dataset_folder.check_replaceable`). With planted bottlenecks, `leak`
    is the weak step's rate as a share of the rep's normal rate (default 1/3: a clear leak; 0.6 is a mild
    one). `two_roles`: half the reps are account managers (AM), who sell fewer, bigger deals and close
    more of them, so comparisons must be made within role. `shape` (a `Shape`) makes teams unlike the
    sample's kind: seasons, phased quotas, earlier years of data, a wider spread between reps, very large
    deals, new hires who ramp up; the default is the sample's kind. `events_seed` (default `seed`) seeds the
    events alone: another value plays the same team (the same reps and selling habits) out again with other
    luck, as benchmarks need to tell skill from chance.
    """
    out_dir = Path(out_dir)
    start_d, as_of_d = _parse_date(start, "start"), _parse_date(as_of, "as_of")
    if not start_d < as_of_d:
        raise ConfigError(f"as_of ({as_of_d}) must come after start ({start_d}).")
    if stories and plant_bottlenecks:
        raise ConfigError("plant_bottlenecks replaces the sample's stories: pass stories=False with it.")
    if not volume > 0:
        raise ConfigError(f"volume must be positive, got {volume}.")
    recover(out_dir)  # a staging folder a killed run left
    check_destination(out_dir, fmt, overwrite)
    if leak is not None and not 0 < leak < 1:
        raise ConfigError(f"leak must be between 0 and 1 (a share of the normal rate), got {leak}.")
    shape = shape or Shape()
    shape.check()
    team = build_team(int(reps), int(seed), stories=stories, plant_bottlenecks=plant_bottlenecks,
                      start=start_d, as_of=as_of_d, leak=leak, two_roles=two_roles, shape=shape)
    first = _years_before(start_d, int(shape.history_years))
    window = Window(
        data_start=int(np.datetime64(first - timedelta(days=WARMUP_DAYS), "D").astype(np.int64)),
        start=int(np.datetime64(start_d, "D").astype(np.int64)),
        as_of=int(np.datetime64(as_of_d, "D").astype(np.int64)),
        volume=float(volume),
        season=None if shape.season is None else tuple(float(x) for x in shape.season),
        first_year=int(np.datetime64(first, "D").astype(np.int64)),
    )
    stage = staging_dir(out_dir)
    try:
        rows = _write_all(stage, team, window, int(seed if events_seed is None else events_seed), fmt, start_d,
                          shape)
        _write_meta(stage / "dataset.toml", start_d, as_of_d, stories, plant_bottlenecks)
        paths = publish(stage, out_dir)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    by_table = {name: paths[f"{name}.{fmt}"] for name in TABLES if f"{name}.{fmt}" in paths}
    by_table["dataset.toml"] = paths["dataset.toml"]
    return GenerationResult(out_dir, by_table, rows, team.truth)


def _years_before(day: date, years: int) -> date:
    """The same day `years` years earlier (28 February for a 29th in a year without one)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _write_all(stage: Path, team: Team, window: Window, seed: int, fmt: str, start_d: date,
               shape: Shape) -> dict[str, int]:
    sinks = {name: TableSink(stage / f"{name}.{fmt}", TABLES[name].column_names, fmt) for name in TABLES}
    try:
        sinks["reps"].write(pa.Table.from_pandas(team.reps, preserve_index=False))
        quotas, team_quotas = _quotas(team, window, start_d, shape)
        sinks["quotas"].write(pa.Table.from_pandas(quotas, preserve_index=False))
        sinks["team_quotas"].write(pa.Table.from_pandas(team_quotas, preserve_index=False))
        assist_pool = {
            t: (team.reps["rep_id"].to_numpy(dtype=str)[m], team.params["assist_weight"].to_numpy()[m])
            for t in np.unique(team.params["team_idx"]) for m in [team.params["team_idx"].to_numpy() == t]
        }
        offsets = {"leads": 0, "opportunities": 0, "activities": 0}
        for k, lo in enumerate(range(0, len(team.reps), CHUNK_REPS)):
            rng = np.random.default_rng([seed, 2, k])
            chunk = simulate_chunk(rng, team.reps.iloc[lo:lo + CHUNK_REPS].reset_index(drop=True),
                                   team.params.iloc[lo:lo + CHUNK_REPS].reset_index(drop=True),
                                   window, offsets, assist_pool, ID_WIDTHS, shape.big_deals)
            for name in ("leads", "opportunities", "stage_history", "activities"):
                table = getattr(chunk, name)
                sinks[name].write(table)
                if name in offsets:
                    offsets[name] += table.num_rows
    finally:
        for sink in sinks.values():
            sink.close()
    return {name: sink.rows for name, sink in sinks.items()}


def _quotas(team: Team, window: Window, start_d: date, shape: Shape) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Quarterly quotas of the analysed year (and of the earlier years of data, `shape.history_years`) for
    each rep's tenure (prorated by day), and team targets. Equal quarters unless `shape.phased_quotas`."""
    stretch = QUOTA_STRETCH if shape.quota_stretch is None else shape.quota_stretch
    per_day = TYPICAL_REVENUE_PER_DAY * window.volume * stretch
    first = _years_before(start_d, int(shape.history_years))
    n_q = 4 * (int(shape.history_years) + 1)
    q_starts = [date(first.year + (first.month - 1 + 3 * q) // 12, (first.month - 1 + 3 * q) % 12 + 1, 1)
                for q in range(n_q + 1)]
    hire = epoch_days(team.reps["hire_date"])
    end = epoch_days(pd.to_datetime(team.reps["end_date"]).fillna(pd.Timestamp("2262-01-01")))
    frames = []
    for q in range(n_q):
        qs = int(np.datetime64(q_starts[q], "D").astype(np.int64))
        qe = int(np.datetime64(q_starts[q + 1], "D").astype(np.int64)) - 1
        lo, hi = np.maximum(qs, hire), np.minimum(qe, end)
        if shape.phased_quotas:  # the quarter's share of the year, as the season has it
            full = round(per_day * 365.25 * shape.season[q % 4], -3)
        else:
            full = round(per_day * 365.25 / 4, -3)  # the same full-quarter quota every quarter
        share = (hi - lo + 1) / (qe - qs + 1)
        keep = hi >= lo
        frames.append(pd.DataFrame({
            "rep_id": team.reps["rep_id"].to_numpy()[keep],
            "period_start": lo[keep].astype("datetime64[D]"),
            "period_end": hi[keep].astype("datetime64[D]"),
            "quota": np.round(full * share[keep], -2),
            "team": team.reps["team"].to_numpy()[keep],
            "q": q, "qs": qs, "qe": qe,
        }))
    quotas = pd.concat(frames, ignore_index=True).sort_values(["rep_id", "period_start"], kind="stable")
    team_quotas = (quotas.groupby(["team", "q"], sort=True)
                   .agg(qs=("qs", "first"), qe=("qe", "first"), quota=("quota", "sum")).reset_index())
    team_quotas = pd.DataFrame({
        "team": team_quotas["team"],
        "period_start": team_quotas["qs"].to_numpy().astype("datetime64[D]"),
        "period_end": team_quotas["qe"].to_numpy().astype("datetime64[D]"),
        "quota": np.round(team_quotas["quota"].to_numpy() * TEAM_QUOTA_SHARE, -3),
    })
    return quotas[["rep_id", "period_start", "period_end", "quota"]].reset_index(drop=True), team_quotas


def _write_meta(path: Path, start_d: date, as_of_d: date, stories: bool, plant: bool) -> None:
    name = ("Sample sales team" if stories else
            "Generated team with planted bottlenecks" if plant else "Generated sales team")
    text = (
        f'name = "{name}"\n'
        'currency = "USD"\n'
        f"fiscal_year_start_month = {start_d.month}\n"
        f'default_period = "{start_d.year}"\n'
        f'as_of = "{as_of_d.isoformat()}"\n'
        "\n[icp]\n"
        "min_company_size = 50\n"
        "require_need = true\n"
        "require_decision_maker = true\n"
    )
    path.write_text(text, encoding="utf-8")
