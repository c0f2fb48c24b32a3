"""Benchmark: the full per-rep metric table against the same aggregates in DuckDB SQL.

    .venv/bin/python bench/bench_metrics.py                    # bench/_data/big-2000 (2,000 reps, ~1M deals, ~10M activities)
    .venv/bin/python bench/bench_metrics.py --reps 100         # a quick run on a generated 100-rep team
    .venv/bin/python bench/bench_metrics.py --data DIR         # any dataset folder

The dataset is loaded once with `salesnb.load.load`; both contenders then work on
the same in-memory frames: `salesnb.metrics.metrics(dataset)` and one DuckDB
query (all cores) computing the same per-rep aggregates (won/lost, cycle,
pipeline, hygiene, funnel rungs from stage_history (each counting the deals
that reached it long enough ago to be decided), activities by type, miles,
effort on lost causes, stale deals, leads and lead quality). The main figures are
cross-checked between the two. Target: engine / DuckDB <= 1.5.

The loader hands the engine the row positions it resolved while checking the
references between tables (`Dataset.positions`); DuckDB joins on the string ids.
For transparency the engine is also timed "cold", on a Dataset built from the same
frames without those positions, where it first looks every id up itself.

Memory: the peak resident memory each adds on top of the loaded frames (Linux
VmHWM, reset before each run), printed against the frames' own size. Target:
frames + the kept positions + engine peak < 2 x frames.
"""
from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "_data"
sys.path.insert(0, str(BENCH_DIR.parent))


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def peak_extra_mib(fn):
    """Run fn(); return (result, seconds, MiB of peak resident memory above the start)."""
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
    except OSError:
        pass
    before = _status_kib("VmRSS")
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    extra = max(0, _status_kib("VmHWM") - before) / 1024
    return result, seconds, extra


def traced_peak_mib(fn) -> float:
    """Peak bytes fn() allocates through numpy and Python (tracemalloc; Arrow's own buffers are not seen)."""
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


SQL = """
WITH o AS (
  SELECT rep_id, opportunity_id, amount, created_date::DATE AS created, close_date::DATE AS closed, next_step,
         revenue_type, furthest_stage,
         (status = 'won'  AND close_date::DATE <= $as_of AND created_date::DATE <= $as_of) AS won,
         (status = 'lost' AND close_date::DATE <= $as_of AND created_date::DATE <= $as_of) AS lost,
         created_date::DATE <= $as_of AND NOT ((status IN ('won', 'lost')) AND coalesce(close_date::DATE <= $as_of, false)) AS open_at
  FROM opps
),
stage_idx AS (
  SELECT s.opportunity_id, max(CASE s.stage WHEN 'qualified' THEN 0 WHEN 'meeting' THEN 1 WHEN 'proposal' THEN 2
                                           WHEN 'commit' THEN 3 WHEN 'won' THEN 4 END) AS sidx
  FROM stage_history s WHERE s.entered_date::DATE <= $as_of GROUP BY s.opportunity_id
),
f AS (
  SELECT o.*, CASE WHEN o.won THEN 4 ELSE least(3, greatest(coalesce(si.sidx, 0),
           coalesce(CASE o.furthest_stage WHEN 'qualified' THEN 0 WHEN 'meeting' THEN 1 WHEN 'proposal' THEN 2
                    WHEN 'commit' THEN 3 WHEN 'won' THEN 4 END, 0))) END AS idx
  FROM o LEFT JOIN stage_idx si USING (opportunity_id)
),
ent AS (  -- the first day at each stage or later (a won deal is at won on its close date)
  SELECT opportunity_id,
         min(entered_date::DATE) FILTER (stage IN ('proposal', 'commit', 'won')) AS h2,
         min(entered_date::DATE) FILTER (stage IN ('commit', 'won')) AS h3,
         min(entered_date::DATE) FILTER (stage = 'won') AS h4
  FROM stage_history WHERE entered_date::DATE <= $as_of GROUP BY opportunity_id
),
g AS (
  SELECT f.*, least(e.h2, CASE WHEN f.won THEN f.closed END) AS e2, least(e.h3, CASE WHEN f.won THEN f.closed END) AS e3,
         least(e.h4, CASE WHEN f.won THEN f.closed END) AS e4
  FROM f LEFT JOIN ent e USING (opportunity_id)
),
lags AS (  -- a step is decided when the deal reaches the next stage or later, or is lost before it
  SELECT CASE WHEN idx >= 2 THEN coalesce(e2, created) END AS at_pc,
         coalesce(e3, CASE WHEN lost AND idx < 3 THEN closed END) AS done_pc,
         CASE WHEN idx >= 3 THEN coalesce(e3, created) END AS at_cw,
         coalesce(e4, CASE WHEN lost AND idx < 4 THEN closed END) AS done_cw
  FROM g
),
settle AS (  -- the time 9 in 10 of the decided deals took, from 20 of them (else no cut)
  SELECT CASE WHEN count(*) FILTER (done_pc >= at_pc) >= 20
              THEN ceil(quantile_cont(date_diff('day', at_pc, done_pc), 0.9) FILTER (done_pc >= at_pc)) ELSE 0 END AS d_pc,
         CASE WHEN count(*) FILTER (done_cw >= at_cw) >= 20
              THEN ceil(quantile_cont(date_diff('day', at_cw, done_cw), 0.9) FILTER (done_cw >= at_cw)) ELSE 0 END AS d_cw
  FROM lags
),
h AS (
  SELECT g.*, coalesce(g.e2, g.created) <= $as_of - to_days(CAST(settle.d_pc AS INTEGER)) AS old_pc,
         coalesce(g.e3, g.created) <= $as_of - to_days(CAST(settle.d_cw AS INTEGER)) AS old_cw
  FROM g CROSS JOIN settle
),
opp_agg AS (
  SELECT rep_id,
    coalesce(sum(amount) FILTER (won AND closed BETWEEN $s AND $e), 0) AS won_revenue,
    count(*) FILTER (won AND closed BETWEEN $s AND $e) AS deals_won,
    count(*) FILTER (lost AND closed BETWEEN $s AND $e) AS deals_lost,
    coalesce(sum(amount) FILTER (lost AND closed BETWEEN $s AND $e), 0) AS lost_amount,
    median(date_diff('day', created, closed)) FILTER (won AND closed BETWEEN $s AND $e) AS sales_cycle_days,
    coalesce(sum(amount) FILTER (won AND closed BETWEEN $s AND $e AND revenue_type = 'recurring'), 0) AS recurring,
    coalesce(sum(amount) FILTER (open_at), 0) AS open_pipeline,
    count(*) FILTER (open_at) AS open_deals,
    coalesce(sum(amount) FILTER (open_at AND closed BETWEEN $ps AND $pe), 0) AS pipeline_in_period,
    count(*) FILTER (created BETWEEN $s AND $e) AS opportunities_created,
    count(*) FILTER (open_at AND next_step IS NULL) AS open_no_next_step,
    count(*) FILTER (open_at AND closed < $as_of) AS past_close_date,
    count(*) FILTER (created BETWEEN $s AND $e AND idx >= 0 AND NOT (open_at AND idx < 1)) AS r_qm,
    count(*) FILTER (created BETWEEN $s AND $e AND idx >= 1) AS a_qm,
    count(*) FILTER (created BETWEEN $s AND $e AND idx >= 1 AND NOT (open_at AND idx < 2)) AS r_mp,
    count(*) FILTER (created BETWEEN $s AND $e AND idx >= 2) AS a_mp,
    count(*) FILTER (created BETWEEN $s AND $e AND idx >= 2 AND NOT (open_at AND idx < 3) AND old_pc) AS r_pc,
    count(*) FILTER (created BETWEEN $s AND $e AND idx >= 3 AND old_pc) AS a_pc,
    count(*) FILTER (created BETWEEN $s AND $e AND idx >= 3 AND NOT (open_at AND idx < 4) AND old_cw) AS r_cw,
    count(*) FILTER (created BETWEEN $s AND $e AND idx >= 4 AND old_cw) AS a_cw
  FROM h GROUP BY rep_id
),
act_agg AS (
  SELECT a.rep_id, count(*) AS activities,
    count(*) FILTER (a.type = 'call') AS act_call, count(*) FILTER (a.type = 'email') AS act_email,
    count(*) FILTER (a.type = 'meeting') AS act_meeting, count(*) FILTER (a.type = 'visit') AS act_visit,
    count(*) FILTER (a.type = 'social') AS act_social, count(*) FILTER (a.type = 'mail') AS act_mail,
    count(*) FILTER (a.type = 'task') AS act_task, count(*) FILTER (a.type = 'other') AS act_other,
    coalesce(sum(a.miles), 0) AS miles,
    count(*) FILTER (coalesce(o.lost, false) OR coalesce(l.status = 'disqualified', false)) AS wasted
  FROM acts a LEFT JOIN o ON a.opportunity_id = o.opportunity_id LEFT JOIN leads l ON a.lead_id = l.lead_id
  WHERE a.date::DATE BETWEEN $s AND $e GROUP BY a.rep_id
),
touched AS (
  SELECT DISTINCT opportunity_id FROM acts
  WHERE opportunity_id IS NOT NULL AND a_date_ok(date::DATE)
),
stale AS (
  SELECT o.rep_id, count(*) AS stale_deals FROM o ANTI JOIN touched USING (opportunity_id)
  WHERE o.open_at AND o.created <= $as_of - INTERVAL 14 DAY GROUP BY o.rep_id
),
lead_agg AS (
  SELECT rep_id, count(*) AS leads, count(*) FILTER (status = 'qualified') AS qualified,
    count(*) FILTER (company_size >= $min_size AND coalesce(has_need, false) AND coalesce(decision_maker, false)) AS high,
    count(*) FILTER (status = 'qualified' AND company_size >= $min_size AND coalesce(has_need, false)
                     AND coalesce(decision_maker, false)) AS high_qualified
  FROM leads WHERE created_date::DATE BETWEEN $s AND $e AND rep_id IS NOT NULL GROUP BY rep_id
)
SELECT r.rep_id, opp_agg.*, act_agg.*, stale.stale_deals, lead_agg.*
FROM reps r
LEFT JOIN opp_agg USING (rep_id) LEFT JOIN act_agg USING (rep_id) LEFT JOIN stale USING (rep_id)
LEFT JOIN lead_agg USING (rep_id)
"""


def duckdb_metrics(con, table):
    as_of = table.as_of.date()
    s = table.period.start.date()
    e = min(table.period.end, table.as_of).date()
    sql = SQL.replace("a_date_ok(date::DATE)", f"date::DATE BETWEEN DATE '{as_of}' - INTERVAL 13 DAY AND DATE '{as_of}'")
    params = {"as_of": as_of, "s": s, "e": e, "ps": table.period.start.date(), "pe": table.period.end.date(),
              "min_size": 50.0}
    return con.execute(sql, params).df()


def dataset_folder(args) -> Path:
    if args.data:
        return Path(args.data)
    if args.reps:
        from salesnb.generate import generate

        out = DATA_DIR / f"reps{args.reps}-seed1"
        if not out.exists():
            generate(out, reps=args.reps, seed=1)
        return out
    parquet = DATA_DIR / "big-2000-parquet"
    return parquet if parquet.exists() else DATA_DIR / "big-2000"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="dataset folder (default: bench/_data/big-2000[-parquet])")
    parser.add_argument("--reps", type=int, help="generate (once) and use a team of this many reps instead")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of each contender (best is reported)")
    args = parser.parse_args()

    import duckdb

    from salesnb.dataset import Dataset
    from salesnb.load import load
    from salesnb.metrics import metrics

    folder = dataset_folder(args)
    start = time.perf_counter()
    ds = load(folder)
    print(f"dataset {folder}: " + ", ".join(f"{k} {len(v):,}" for k, v in ds.tables().items())
          + f" (loaded in {time.perf_counter() - start:.1f} s)")
    frames_mib = sum(df.memory_usage(deep=True).sum() for df in ds.tables().values()) / 2**20
    positions_mib = sum(pos.nbytes for pos, _, _ in ds._positions.values()) / 2**20

    con = duckdb.connect()
    for name, df in (("reps", ds.reps), ("opps", ds.opportunities), ("acts", ds.activities), ("leads", ds.leads),
                     ("stage_history", ds.stage_history)):
        con.register(name, df)

    eng_times, db_times, cold_times, eng_mem, db_mem = [], [], [], [], []
    table = ref = None
    for _ in range(max(1, args.repeat)):
        table, secs, mem = peak_extra_mib(lambda: metrics(ds))
        eng_times.append(secs)
        eng_mem.append(mem)
        ref, secs, mem = peak_extra_mib(lambda: duckdb_metrics(con, table))
        db_times.append(secs)
        db_mem.append(mem)
        cold = Dataset(**ds.tables(), meta=ds.meta)  # same frames, no positions from the loader
        cold_times.append(peak_extra_mib(lambda: metrics(cold))[1])
        del cold

    check(table, ref)
    traced = traced_peak_mib(lambda: metrics(ds))
    eng, db = min(eng_times), min(db_times)
    print(f"period {table.period.label}, as of {table.as_of.date()}: {len(table.values):,} reps x "
          f"{table.values.shape[1]} metrics")
    print(f"salesnb metrics(): {eng:6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in eng_times)})")
    print(f"DuckDB SQL       : {db:6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in db_times)}, "
          f"{duckdb.execute('select current_setting(' + repr('threads') + ')').fetchone()[0]} threads)")
    ratio = eng / db
    print(f"ratio engine / DuckDB = {ratio:.2f}   target <= 1.5: {'OK' if ratio <= 1.5 else 'MISSED'}")
    cold = min(cold_times)
    print(f"cold (ids looked up first, no loader positions): {cold:.2f} s (runs: "
          f"{', '.join(f'{t:.2f}' for t in cold_times)}) = {cold / db:.2f} x DuckDB")
    peak = max(eng_mem)
    loaded = frames_mib + positions_mib
    print(f"loaded frames {frames_mib:,.0f} MiB + reference positions {positions_mib:,.0f} MiB; engine peak extra "
          f"{peak:,.0f} MiB (DuckDB peak extra {max(db_mem):,.0f} MiB); (frames + positions + engine peak) / frames = "
          f"{(loaded + peak) / frames_mib:.2f}   target < 2: {'OK' if loaded + peak < 2 * frames_mib else 'MISSED'}")
    print(f"engine numpy/Python allocations at their peak (tracemalloc): "
          f"{traced:,.0f} MiB = {traced / frames_mib:.2f} x frames; process peak RSS {_status_kib('VmHWM') / 1024:,.0f} MiB")
    missed = [name for name, ok in (("time", ratio <= 1.5), ("memory", loaded + peak < 2 * frames_mib)) if not ok]
    print("all targets met" if not missed else f"MISSED: {', '.join(missed)}")
    return 1 if missed else 0


def check(table, ref: pd.DataFrame) -> None:
    """The engine and DuckDB must agree on the figures both computed."""
    ref = ref.loc[:, ~ref.columns.duplicated()].set_index("rep_id").loc[table.values.index]
    v = table.values
    pairs = {
        "won_revenue": ref["won_revenue"], "deals_won": ref["deals_won"], "open_pipeline": ref["open_pipeline"],
        "opportunities_created": ref["opportunities_created"], "sales_cycle_days": ref["sales_cycle_days"],
        "past_close_date": ref["past_close_date"], "activities": ref["activities"], "act_call": ref["act_call"],
        "act_visit": ref["act_visit"], "miles": ref["miles"], "stale_deals": ref["stale_deals"],
        "leads": ref["leads"], "pipeline_in_period": ref["pipeline_in_period"],
        "win_rate": ref["deals_won"] / (ref["deals_won"] + ref["deals_lost"]),
        "wasted_effort_share": ref["wasted"] / ref["activities"],
        "conv_proposal_commit": ref["a_pc"] / ref["r_pc"], "conv_commit_won": ref["a_cw"] / ref["r_cw"],
        "lead_quality_high_share": ref["high"] / ref["leads"],
    }
    bad = []
    for name, expected in pairs.items():
        if name not in v.columns:
            continue
        got = v[name].to_numpy(dtype=float)
        exp = expected.to_numpy(dtype=float)
        both = ~np.isnan(got) & ~np.isnan(exp)
        if not np.allclose(got[both], exp[both], rtol=1e-9, atol=1e-6):
            bad.append(name)
    print("cross-check with DuckDB: " + ("all agree" if not bad else "DIFFER on " + ", ".join(bad)))


if __name__ == "__main__":
    sys.exit(main())
