"""Do the diagnoses hold on harder teams? Recall, false alarms and wrong statements per kind of team.

Each kind is a generated team (seeds kept apart from the tests') with one thing planted:

- ``volume 0.6x`` / ``volume 0.7x``: half the reps leak at a first step (too few leads, or leads turned into
  opportunities) at 0.6x / 0.7x of their normal rate;
- ``one rep 0.6x`` / ``one rep 0.7x``: one rep of the team turns leads into opportunities at 0.6x / 0.7x (the
  issue's own measure; 4 teams per seed, so 40 such reps at the default 10 seeds);
- ``conversion 0.6x``: a later step (meeting .. closing) at 0.6x;
- ``two roles``: half the reps account managers, leaks at any step at 0.6x;
- ``new hires``: 40% of the reps join around the year's start and ramp up; leaks at any step at 0.6x;
- ``one big deal``: a third of the reps close at 0.6x, and two of them get one won deal worth 1.5x the rest
  of their year (60% of their revenue);
- ``busy but worse``: reps with lower revenue log more calls and emails; visits grow with each rep's number
  of opportunities (volume, not a driver);
- ``mid-year change``: a third of the reps see their meeting or proposal rate halve from July; the second
  half is compared with the first (half the seeds' data start a few days into the year).

Per kind it prints recall (planted step named), false alarms (% of unplanted reps given a step) and counts
of wrong statements, then the targets; the exit code is 1 when a target is missed.

    nice -n 10 python bench/bench_diagnoses.py                 # 10 seeds per kind, 24 reps, volume 0.3
    nice -n 10 python bench/bench_diagnoses.py --kinds "volume 0.7x" --seeds 3
"""
from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from salesnb.analysis import analyse  # noqa: E402
from salesnb.generate import Shape, generate  # noqa: E402
from salesnb.generate import profiles  # noqa: E402
from salesnb.load import load  # noqa: E402
from salesnb.report import build_view, inputs_for  # noqa: E402
from salesnb.terms import STEP  # noqa: E402
from salesnb.words import manager as mwords  # noqa: E402
from salesnb.words import rep as rwords  # noqa: E402

DATA = ROOT / "bench" / "_data"  # each run generates its teams in a folder of its own here, removed after
FIRST_SEED = 7100  # the tests use seeds below 3000
ALL_STEPS = ("prospecting",) + profiles.RUNGS
PRAISE = ("keep doing what works", "others may well learn from you")
CAVEAT = "largest deal"  # the words that say one deal carries a rep
FROM_STAGE = {"meeting": "qualified", "proposing": "meeting"}
TO_STAGE = {"meeting": "meeting", "proposing": "proposal"}
STAGES = ("qualified", "meeting", "proposal", "commit", "won")

KINDS = {
    "volume 0.6x": dict(steps=("prospecting", "qualifying"), factor=0.6),
    "volume 0.7x": dict(steps=("prospecting", "qualifying"), factor=0.7),
    "one rep 0.6x": dict(steps=("qualifying",), factor=0.6, one=True, teams=4),
    "one rep 0.7x": dict(steps=("qualifying",), factor=0.7, one=True, teams=4),
    "conversion 0.6x": dict(steps=profiles.RUNGS[1:], factor=0.6),
    "two roles": dict(steps=ALL_STEPS, factor=0.6, two_roles=True),
    "new hires": dict(steps=ALL_STEPS, factor=0.6, shape=Shape(new_hires=0.4)),
    "one big deal": dict(steps=("closing",), factor=0.6, share=1 / 3, edit="big_deal"),
    "busy but worse": dict(steps=(), edit="busy"),
    "mid-year change": dict(steps=(), edit="halve"),
}


def planter(steps, share=0.5, one=False):
    """A replacement for the generator's planting: `share` of the reps leak at one of `steps` (`one`: exactly one
    rep, drawn at random)."""
    def plant(params, bottleneck, rng, factor):
        chosen = int(rng.integers(len(params))) if one else None
        for i in range(len(params)):
            if not steps or (i != chosen if one else rng.random() >= share):
                continue
            step = steps[rng.integers(len(steps))]
            bottleneck[i] = step
            col = "lead_rate" if step == "prospecting" else f"p_{step}"
            params.loc[i, col] = params.loc[i, col] * factor
    return plant


def _read(out, name, dates):
    return pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False).pipe(
        lambda f: f.assign(**{d: pd.to_datetime(f[d].replace("", None)) for d in dates}))


def _write(frame, out, name):
    f = frame.copy()
    for c in f.columns:
        if pd.api.types.is_datetime64_any_dtype(f[c]):
            f[c] = f[c].dt.strftime("%Y-%m-%d").fillna("")
    f.to_csv(out / f"{name}.csv", index=False)


def big_deal(out, truth, rng) -> dict:
    """Two closing-leak reps get one won deal worth 1.5x the rest of their year's revenue."""
    o = _read(out, "opportunities", ["created_date", "close_date", "stage_changed_date"])
    sh = _read(out, "stage_history", ["entered_date"])
    o["amount_f"] = o["amount"].astype(float)
    year = (o["status"] == "won") & (o["close_date"] >= "2026-01-01")
    won = o[year].groupby("rep_id")["amount_f"].sum()
    leaky = [r for r, s in truth.items() if s == "closing" and r in won.index]
    chosen = list(rng.permutation(leaky)[:2])
    for rid in chosen:
        src = o[year & (o["rep_id"] == rid)].iloc[0]
        new = src.copy()
        new["opportunity_id"] = f"OBIG{rid}"
        new["amount"] = str(int(round(1.5 * won[rid])))
        new["lead_id"] = ""
        o = pd.concat([o, new.to_frame().T], ignore_index=True)
        rows = sh[sh["opportunity_id"] == src["opportunity_id"]].assign(opportunity_id=new["opportunity_id"])
        sh = pd.concat([sh, rows], ignore_index=True)
    _write(o.drop(columns="amount_f"), out, "opportunities")
    _write(sh, out, "stage_history")
    return {"carried": set(chosen)}


def busy(out, truth, rng) -> dict:
    """Lower revenue, more calls and emails; visits (with miles) in proportion to each rep's opportunities."""
    o = _read(out, "opportunities", ["created_date", "close_date"])
    a = _read(out, "activities", ["date"])
    won = o[(o["status"] == "won") & (o["close_date"] >= "2026-01-01")].groupby("rep_id")["amount"].apply(
        lambda s: s.astype(float).sum())
    reps = sorted(a["rep_id"].unique())
    rank = won.reindex(reps).fillna(0).rank(pct=True)
    opps = o[o["created_date"] >= "2026-01-01"].groupby("rep_id").size().reindex(reps).fillna(0)
    days = pd.date_range("2026-01-02", "2026-11-14", freq="D")
    extra = []
    for rid in reps:
        base = a[(a["rep_id"] == rid) & (a["date"] >= "2026-01-01")]
        for kind in ("call", "email"):
            n = int((base["type"] == kind).sum() * 1.0 * (1 - rank[rid]) * rng.uniform(0.6, 1.4))
            extra.append(pd.DataFrame({"rep_id": rid, "date": rng.choice(days, n), "type": kind,
                                       "duration_minutes": "5", "miles": ""}))
        n = int(1.0 * opps[rid])
        extra.append(pd.DataFrame({"rep_id": rid, "date": rng.choice(days, n), "type": "visit",
                                   "duration_minutes": "60", "miles": rng.integers(10, 60, n).astype(str)}))
    e = pd.concat(extra, ignore_index=True)
    e["activity_id"] = [f"AX{i:08d}" for i in range(len(e))]
    a = pd.concat([a, e], ignore_index=True).fillna("")
    _write(a, out, "activities")
    return {}


def halve(out, truth, rng, late_start: bool) -> dict:
    """A third of the reps: from July, half the deals that reached the step's stage stop before it (lost)."""
    o = _read(out, "opportunities", ["created_date", "close_date", "stage_changed_date"])
    sh = _read(out, "stage_history", ["entered_date"])
    reps = sorted(o["rep_id"].unique())
    planted = {r: ("meeting", "proposing")[rng.integers(2)] for r in reps if rng.random() < 1 / 3}
    drop_ids = []
    for rid, step in planted.items():
        to = TO_STAGE[step]
        later = STAGES[STAGES.index(to):]
        ids = o.loc[(o["rep_id"] == rid) & (o["created_date"] >= "2026-07-01"), "opportunity_id"]
        reached = sh[sh["opportunity_id"].isin(ids) & (sh["stage"] == to)]
        for _, row in reached.iterrows():
            if rng.random() < 0.5:
                oid = row["opportunity_id"]
                sh = sh[~((sh["opportunity_id"] == oid) & sh["stage"].isin(later))]
                m = o["opportunity_id"] == oid
                o.loc[m, ["status", "furthest_stage"]] = ["lost", FROM_STAGE[step]]
                o.loc[m, "close_date"] = row["entered_date"]
                o.loc[m, "stage_changed_date"] = row["entered_date"]
    if late_start:  # the data starts a few days into the year
        first = pd.Timestamp("2026-01-05")
        drop_ids = o.loc[o["created_date"] < first, "opportunity_id"]
        o = o[o["created_date"] >= first]
        sh = sh[~sh["opportunity_id"].isin(drop_ids)]
        for name, col in (("leads", "created_date"), ("activities", "date")):
            f = _read(out, name, [col])
            f = f[f[col] >= first]
            if name == "activities":
                f.loc[f["opportunity_id"].isin(drop_ids), "opportunity_id"] = ""
            _write(f, out, name)
        q = _read(out, "quotas", [])
        _write(q, out, "quotas")
        o.loc[~o["lead_id"].isin(set(_read(out, "leads", [])["lead_id"])), "lead_id"] = ""
    _write(o, out, "opportunities")
    _write(sh, out, "stage_history")
    return {"halved": planted}


def texts(team) -> dict[str, str]:
    """Every rep's worded verdicts, as the rep's report and the manager's views say them, lower case."""
    d = team.diagnosis
    inputs = inputs_for(team)
    names = d.reps.set_index("rep_id")["name"]
    out = {}
    for row in d.reps.to_dict("records"):
        rid = str(row["rep_id"])
        view = build_view(inputs.slice(rid))
        parts = [mwords.bottleneck(row), mwords.pairing(row, names.get(row.get("pair_with")))]
        for name in ("rank", "funnel", "risk"):
            parts.append(str(getattr(rwords, name)(view) or ""))
        parts.append(rwords.peer(view) if view.peer else rwords.no_peer(view))
        if getattr(view.headline, "joined", None):
            parts.append(rwords.joined(view))
        parts += [rwords.strength(view, s) for s in view.strengths]
        if view.change:
            parts += rwords.since_period(view)
        for extra in ("concentration",):  # caveats that later versions add
            if hasattr(mwords, extra):
                parts.append(getattr(mwords, extra)(row) or "")
        out[rid] = " ".join(parts).lower()
    return out


def below(d) -> set[str]:
    """Reps projected below quota, flagged at risk, or below their role's median attainment."""
    r = d.reps.copy()
    med = r.groupby("role")["attainment"].transform("median")
    low = (r["projected_attainment"] < 1.0) | (r["at_risk"] == True) | (r["attainment"] < med)  # noqa: E712
    return set(r.loc[low.fillna(False), "rep_id"].astype(str))


def run_kind(kind: str, spec: dict, seeds, reps: int, volume: float) -> dict:
    DATA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="diagnoses-", dir=DATA) as tmp:
        return _run_kind(Path(tmp), kind, spec, seeds, reps, volume)


def _run_kind(data: Path, kind: str, spec: dict, seeds, reps: int, volume: float) -> dict:
    c = dict(planted=0, found=0, unplanted=0, alarms=0, praised=0, below=0, carried=0, carried_top_bare=0,
             worse_acts=0, worse_wrong=0, volume_acts=0, volume_encouraged=0, halved=0, named_drop=0,
             drop_praised=0, hires=0, hires_alarm=0, hires_ramp=0, t=0.0)
    real = profiles._plant_bottlenecks
    profiles._plant_bottlenecks = planter(spec.get("steps", ()), spec.get("share", 0.5), spec.get("one", False))
    try:
        for k, seed in enumerate(seeds):
            out = data / f"{kind.replace(' ', '_')}_{seed}"
            res = generate(out, reps=reps, seed=seed, stories=False, plant_bottlenecks=True, volume=volume,
                           leak=spec.get("factor", 0.6), two_roles=spec.get("two_roles", False),
                           shape=spec.get("shape"))
            truth = {str(r): s for r, s in res.truth.bottlenecks().items()}
            rng = np.random.default_rng([seed, 99])
            edit = spec.get("edit")
            extra = {}
            if edit == "big_deal":
                extra = big_deal(out, truth, rng)
            elif edit == "busy":
                extra = busy(out, truth, rng)
            elif edit == "halve":
                extra = halve(out, truth, rng, late_start=k % 2 == 1)
                truth = dict(extra["halved"])  # the second half really leaks there
            ds = load(out)
            t0 = time.perf_counter()
            if edit == "halve":
                team = analyse(ds, period="2026-07-01..2026-11-15", compare_to="2026-01-01..2026-06-30")
            else:
                team = analyse(ds)
            said = texts(team)
            c["t"] += time.perf_counter() - t0
            _count(c, team, said, truth, extra, ds)
            shutil.rmtree(out, ignore_errors=True)
    finally:
        profiles._plant_bottlenecks = real
    return c


def _count(c, team, said, truth, extra, ds) -> None:
    d = team.diagnosis
    named = d.reps.set_index("rep_id")["bottleneck"]
    for rid, got in named.items():
        want = truth.get(str(rid), "none")
        if want == "none":
            c["unplanted"] += 1
            c["alarms"] += got in STEP
        else:
            c["planted"] += 1
            c["found"] += got == want
    low = below(d)
    c["below"] += len(low)
    c["praised"] += sum(any(p in said[r] for p in PRAISE) for r in low)
    r = d.reps.set_index("rep_id")
    for rid in extra.get("carried", ()):
        c["carried"] += 1
        rank, n = r.at[rid, "rank_in_role"], r.at[rid, "n_in_role"]
        top = not pd.isna(rank) and not pd.isna(n) and rank <= math.ceil(n / 4)
        c["carried_top_bare"] += top and CAVEAT not in said[rid]
    if "halved" in extra and d.change is not None and len(d.change.steps):
        st = d.change.steps.set_index(["rep_id", "step"])["moved"]
        for rid, step in extra["halved"].items():
            c["halved"] += 1
            drop = st.get((rid, step)) == "down"
            c["named_drop"] += drop
            c["drop_praised"] += drop and any(p in said[rid] for p in PRAISE)
    elif "halved" in extra:
        c["halved"] += len(extra["halved"])
    if len(d.vanity):
        c.setdefault("_vanity", []).append({row["metric"]: (mwords.vanity(row, d.outcome, d.too_early).lower(), row)
                                            for row in d.vanity.to_dict("records")})
    info = ds.reps.set_index("rep_id")
    hires = [rid for rid in named.index if pd.notna(info.at[rid, "hire_date"])
             and info.at[rid, "hire_date"] >= pd.Timestamp("2025-10-01")]
    for rid in hires:
        c["hires"] += 1
        c["hires_alarm"] += truth.get(str(rid), "none") == "none" and named[rid] in STEP
        c["hires_ramp"] += "ramp" in said[str(rid)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--reps", type=int, default=24)
    ap.add_argument("--volume", type=float, default=0.3)
    ap.add_argument("--kinds", nargs="*", default=list(KINDS))
    args = ap.parse_args(argv)
    print(f"{args.seeds} seeds x {args.reps} reps per kind (one rep kinds: 4 teams per seed), volume {args.volume}")
    head = (f"{'kind':<16} {'recall':>12} {'false alarms':>14} {'praise<tgt':>11} {'1-deal top':>10} "
            f"{'worse: enc/none':>15} {'vol: enc':>8} {'drop named':>10} {'drop+praise':>11} {'hires: FA/ramp':>14}")
    print(head)
    miss = []
    tot = {}
    for kind in args.kinds:
        spec = KINDS[kind]
        teams = spec.get("teams", 1)  # a kind with one planted rep per team runs more teams
        c = run_kind(kind, spec, range(FIRST_SEED, FIRST_SEED + args.seeds * teams), args.reps, args.volume)
        if spec.get("edit") == "busy":
            for w in c["_vanity"]:
                for m in w:  # any activity that does go with lower results (planted: calls, emails)
                    if (w[m][1].get("rho") or 0) < -0.2:
                        c["worse_acts"] += 1
                        c["worse_wrong"] += "worth encouraging" in w[m][0] or "no relation" in w[m][0]
                for m in ("act_visit", "miles"):
                    if m in w:
                        c["volume_acts"] += 1
                        c["volume_encouraged"] += "worth encouraging" in w[m][0]
        tot[kind] = c
        rec = f"{c['found']}/{c['planted']} {c['found'] / max(c['planted'], 1):.0%}" if c["planted"] else "—"
        fa = f"{c['alarms']}/{c['unplanted']} {c['alarms'] / max(c['unplanted'], 1):.1%}"
        worse = f"{c['worse_wrong']}/{c['worse_acts']}" if c["worse_acts"] else "—"
        vol = f"{c['volume_encouraged']}/{c['volume_acts']}" if c["volume_acts"] else "—"
        drop = f"{c['named_drop']}/{c['halved']}" if c["halved"] else "—"
        dp = f"{c['drop_praised']}" if c["halved"] else "—"
        hires = f"{c['hires_alarm']}/{c['hires']} {c['hires_ramp']}r" if c["hires"] else "—"
        carried = f"{c['carried_top_bare']}/{c['carried']}" if c["carried"] else "—"
        print(f"{kind:<16} {rec:>12} {fa:>14} {c['praised']:>5}/{c['below']:<5} {carried:>10} {worse:>15} "
              f"{vol:>8} {drop:>10} {dp:>11} {hires:>14}   ({c['t'] / (args.seeds * teams):.1f}s/team)", flush=True)
        target = {"volume 0.7x": 0.85, "one rep 0.7x": 0.85}.get(kind, 0.95 if spec.get("factor") == 0.6 and
                                                                     kind != "one big deal" else None)
        if target and c["planted"] and c["found"] / c["planted"] < target:
            miss.append(f"{kind}: recall {c['found'] / c['planted']:.0%} < {target:.0%}")
        if c["unplanted"] and c["alarms"] / c["unplanted"] > 0.03:
            miss.append(f"{kind}: false alarms {c['alarms'] / c['unplanted']:.1%} > 3%")
        if c["praised"]:
            miss.append(f"{kind}: {c['praised']} reps below target or the median praised/reassured")
        if c["carried_top_bare"]:
            miss.append(f"{kind}: {c['carried_top_bare']} one-deal reps in the top quarter without the caveat")
        if c["worse_wrong"]:
            miss.append(f"{kind}: {c['worse_wrong']} lower-going activities called worth encouraging/no relation")
        if c["halved"] and c["named_drop"] / c["halved"] < 0.8:
            miss.append(f"{kind}: mid-year halving named a drop {c['named_drop'] / c['halved']:.0%} < 80%")
    print("targets: recall >= 95% at 0.6x (conversion, two roles and one rep too) and >= 85% at 0.7x; false alarms <= 3%;"
          " 0 praised below target/median; 0 one-deal reps in the top quarter without caveat; 0 lower-going "
          "activities 'worth encouraging'/'no relation'; mid-year halving named a drop >= 80%")
    for m in miss:
        print("MISS", m)
    print("all targets met" if not miss else f"{len(miss)} targets missed")
    return 1 if miss else 0


if __name__ == "__main__":
    sys.exit(main())
