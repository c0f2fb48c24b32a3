"""What every report of one run shares, computed once: metrics, scorecard, diagnosis, team aggregates.

    snap = build_snapshot(dataset, period="2026", as_of="2026-11-15")
    snap.save("run/snapshot.pkl")
    view = Snapshot.load("run/snapshot.pkl").rep_view("r07")   # only that rep + anonymous aggregates

A `RepView` is plain Python data (numbers, strings, lists, dicts and Vega-Lite spec dicts), so a report
kernel needs neither pandas nor altair to show it. Loading a saved snapshot unpickles the per-rep views
only; the heavy tables are unpickled when first used.
"""
from __future__ import annotations

import math
import os
import pickle
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
ACTIVITY_TYPES = ("call", "email", "meeting", "visit", "social", "mail", "task", "other")
STEP_OF_RUNG = {
    "lead->qualified": "qualifying",
    "qualified->meeting": "meeting",
    "meeting->proposal": "proposing",
    "proposal->commit": "committing",
    "commit->won": "closing",
}
HYGIENE_METRICS = ("open_no_next_step", "stale_deals", "past_close_date")
QUALITY_ROWS = (
    ("leads", "Leads created", "count"),
    ("lead_quality_high_share", "Share of high-quality leads", "ratio"),
    ("conv_quality_high", "Conversion of high-quality leads", "ratio"),
    ("conv_quality_low", "Conversion of other leads", "ratio"),
    ("conv_lead_qualified", "Lead -> opportunity", "ratio"),
    ("wasted_effort_share", "Effort on leads/deals that ended lost", "ratio"),
    ("avg_deal_size", "Average deal size", "money"),
    ("recurring_share", "Recurring share of revenue", "ratio"),
)


@dataclass
class RepView:
    """Everything one rep's report shows: that rep's figures, anonymous team aggregates, the peer's name.

    Plain data only; no other rep's name or id appears anywhere in it.
    """

    rep_id: str
    name: str
    role: str | None
    period_label: str
    as_of: str
    currency: str
    headline: dict[str, Any]
    strengths: list[str] = field(default_factory=list)
    funnel: dict | None = None
    activity_mix: dict | None = None
    lead_quality: dict | None = None
    hygiene: dict | None = None
    trend: dict | None = None
    peer: dict | None = None
    breakdown: list[dict] = field(default_factory=list)
    weights: dict = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    charts: dict[str, dict] = field(default_factory=dict)
    rendered: dict[str, dict] = field(default_factory=dict)  # chart key -> MIME bundle drawn in advance


class Snapshot:
    """The shared figures of one run. Build with `build_snapshot`; `save`/`load` to pass it to report kernels."""

    def __init__(self, *, meta: dict, views: dict[str, RepView], heavy: dict | None = None,
                 heavy_bytes: bytes | None = None):
        self.meta = meta
        self.views = views
        self._heavy = heavy
        self._heavy_bytes = heavy_bytes

    # the heavy part: MetricTable, Scorecard, Diagnosis, aggregates (unpickled on first use)
    @property
    def heavy(self) -> dict:
        if self._heavy is None:
            self._heavy = pickle.loads(self._heavy_bytes) if self._heavy_bytes else {}
        return self._heavy

    table = property(lambda self: self.heavy.get("table"))
    card = property(lambda self: self.heavy.get("card"))
    diagnosis = property(lambda self: self.heavy.get("diagnosis"))
    aggregates = property(lambda self: self.heavy.get("aggregates"))
    funnel = property(lambda self: self.heavy.get("funnel"))
    trend = property(lambda self: self.heavy.get("trend"))

    @property
    def rep_ids(self) -> list[str]:
        return list(self.views)

    def rep_view(self, rep_id: str) -> RepView:
        """The report content of one rep; a ReportError naming the known ids if it is not in the snapshot."""
        try:
            return self.views[str(rep_id)]
        except KeyError:
            from .errors import ReportError

            known = ", ".join(list(self.views)[:10])
            raise ReportError(f"rep_id {rep_id!r} is not in this snapshot. Known rep ids include: {known}.") from None

    def save(self, path: str | os.PathLike) -> Path:
        """Write the snapshot as one pickle file, atomically (temporary file, then rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        heavy_bytes = self._heavy_bytes if self._heavy is None else pickle.dumps(self._heavy, protocol=5)
        payload = {"version": FORMAT_VERSION, "meta": self.meta, "views": self.views, "heavy": heavy_bytes}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".snapshot-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(payload, fh, protocol=5)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Snapshot":
        """Read a snapshot written by `save` (views at once, heavy tables on first use)."""
        from .errors import ReportError

        try:
            with open(path, "rb") as fh:
                payload = pickle.load(fh)
        except FileNotFoundError:
            raise ReportError(f"snapshot file {path} does not exist. Build one with build_snapshot(...).save(path).") from None
        if not isinstance(payload, dict) or payload.get("version") != FORMAT_VERSION:
            raise ReportError(f"{path} is not a salesnb snapshot of format {FORMAT_VERSION}: rebuild it.")
        return cls(meta=payload["meta"], views=payload["views"], heavy_bytes=payload["heavy"])


def load_rep_view(path: str | os.PathLike, rep_id: str) -> RepView:
    """Shortcut for the report notebook: one rep's view from a saved snapshot."""
    return Snapshot.load(path).rep_view(rep_id)


# ------------------------------------------------------------------------------------------ building

def build_snapshot(dataset, period=None, as_of=None, weights=None, *, render: bool = True,
                   png: bool = False) -> Snapshot:
    """Compute once what every report and the team explorer share.

    `weights`: a `Weights`, a preset name, a path to a weights file, or None (the default preset).
    `render`: draw every rep's charts to SVG now (one warm renderer here is much cheaper than starting
    one in every report kernel); `png` adds a PNG fallback for untrusted notebooks (slower).
    """
    import pandas as pd

    from .diagnostics import diagnose
    from .metrics import funnel_counts, metrics
    from .metrics import trend as trend_series
    from .periods import default_as_of, resolve_period
    from .scorecard import score

    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(default_as_of(dataset))
    w = resolve_weights(weights)
    table = metrics(dataset, period, as_of)
    period_obj = table.period
    card = score(table, w)
    funnel = funnel_counts(dataset, period_obj, as_of)
    diagnosis = diagnose(dataset, period_obj, as_of, w, table=table, card=card, funnel=funnel)
    trend = trend_series(dataset, as_of=as_of, freq="M", period=period_obj)
    # a rep's own trend covers only the weeks/months on the team (from hire, to leaving)
    rep_trend = employed_rows(trend, table.reps, "M")
    weekly = employed_rows(trend_series(dataset, as_of=as_of, freq="W", period=period_obj), table.reps, "W")
    quota_now = current_quota(dataset.quotas if dataset.has("quotas") else None, as_of)
    aggregates = team_aggregates(table.values, table.reps)
    mix = activity_mix(table.values)
    meta = {
        "period_label": period_obj.label,
        "as_of": as_of.date().isoformat(),
        "currency": dataset.meta.currency,
        "dataset_name": dataset.meta.name,
        "weights": _weights_summary(card.weights),
        "missing": {name: dataset.missing(name) for name in ("quotas", "activities", "leads")},
    }
    heavy = {"table": table, "card": card, "diagnosis": diagnosis, "aggregates": aggregates, "mix": mix,
             "funnel": funnel, "trend": trend, "rep_trend": rep_trend, "weekly": weekly, "quota_now": quota_now}
    current = list(diagnosis.reps["rep_id"]) if diagnosis is not None else list(table.reps.index)
    views = {str(rid): _rep_view(str(rid), meta, heavy) for rid in current}
    if render:
        from .report_view import chart_bundle

        for view in views.values():
            view.rendered = {key: chart_bundle(spec, png=png) for key, spec in view.charts.items()}
    return Snapshot(meta=meta, views=views, heavy=heavy)


def resolve_weights(weights):
    """A `Weights` from a Weights, a preset name, a weights-file path, or None (default preset)."""
    from .scorecard import PRESETS, Weights, load_weights

    if weights is None or weights == "":
        return None
    if isinstance(weights, Weights):
        return weights
    if isinstance(weights, str) and weights in PRESETS:
        return PRESETS[weights]
    return load_weights(weights)


def _weights_summary(w) -> dict:
    return {"name": w.name, "normalisation": w.normalisation, "group_by": w.group_by, "weights": dict(w.active)}


def team_aggregates(values, reps):
    """Anonymous quartiles of every metric within each role: columns ``role, metric, q1, median, q3, n``."""
    import pandas as pd

    role = reps["role"].reindex(values.index).fillna("all").astype(str)
    long = values.assign(role=role.values).melt(id_vars="role", var_name="metric").dropna(subset=["value"])
    g = long.groupby(["role", "metric"])["value"]
    out = pd.DataFrame({"q1": g.quantile(0.25), "median": g.median(), "q3": g.quantile(0.75), "n": g.size()})
    return out.reset_index()


def employed_rows(long, reps, freq: str):
    """The rows of a per-rep time series (``rep_id, period_start``) whose bucket overlaps the rep's employment.

    A bucket is a month ("M") or a Monday-to-Sunday week ("W"); a missing hire or end date means no limit.
    """
    import pandas as pd

    if long is None or not len(long):
        return long
    start = long["period_start"]
    end = start + (pd.offsets.MonthEnd(0) if freq == "M" else pd.Timedelta(days=6))
    hire = long["rep_id"].map(reps["hire_date"]) if "hire_date" in reps else None
    leave = long["rep_id"].map(reps["end_date"]) if "end_date" in reps else None
    keep = pd.Series(True, index=long.index)
    if hire is not None:
        keep &= hire.isna() | (hire <= end)
    if leave is not None:
        keep &= leave.isna() | (leave >= start)
    return long[keep.to_numpy()].reset_index(drop=True)


def current_quota(quotas, as_of):
    """Per rep, the quota row whose span holds `as_of` (e.g. this quarter): index rep_id, ``start, end, quota``."""
    import pandas as pd

    if quotas is None or not len(quotas):
        return None
    q = quotas[(quotas["period_start"] <= as_of) & (quotas["period_end"] >= as_of)]
    q = q.sort_values(["rep_id", "period_end"]).drop_duplicates("rep_id", keep="first")
    return pd.DataFrame({"start": q["period_start"].to_numpy(), "end": q["period_end"].to_numpy(),
                         "quota": q["quota"].astype(float).to_numpy()}, index=pd.Index(q["rep_id"].astype(str), name="rep_id"))


def activity_mix(values):
    """Per rep, the share of each activity type among the rep's activities (columns = types present)."""
    cols = [f"act_{t}" for t in ACTIVITY_TYPES if f"act_{t}" in values.columns]
    if not cols:
        return None
    counts = values[cols].fillna(0.0)
    total = counts.sum(axis=1)
    shares = counts.div(total.where(total > 0), axis=0)
    shares.columns = [c.removeprefix("act_") for c in cols]
    return shares


def top_quartile(card, role: str | None = None) -> list[str]:
    """Rep ids in the top quartile of the score within `role` (all roles if None); at least one rep."""
    s = card.scores
    if role is not None and "role" in s.columns:
        s = s[s["role"].fillna("all").astype(str) == role]
    s = s.dropna(subset=["score"]).sort_values(["score"], ascending=False)
    k = max(1, math.ceil(len(s) / 4))
    return [str(r) for r in s["rep_id"].head(k)]


# ------------------------------------------------------------------------------------------ per rep

def _f(x) -> float | None:
    """A plain float, or None for missing values."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _agg(aggregates, role: str, metric: str) -> dict | None:
    a = aggregates[(aggregates["role"] == role) & (aggregates["metric"] == metric)]
    if a.empty:
        return None
    r = a.iloc[0]
    return {"q1": _f(r["q1"]), "median": _f(r["median"]), "q3": _f(r["q3"]), "n": int(r["n"])}


def _value(values, rep_id: str, metric: str) -> float | None:
    if metric not in values.columns or rep_id not in values.index:
        return None
    return _f(values.at[rep_id, metric])


def metric_strengths(values, aggregates, rep_id: str, role_key: str, weights: dict, currency: str = "",
                     limit: int = 4) -> list[str]:
    """Sentences for the weighted metrics where the rep is among the best of the role: in the top quarter
    (bottom quarter for lower-is-better metrics) AND strictly better than the role's median, heaviest
    weight first. Roles of fewer than 3 reps or metrics with no spread give none."""
    from .metrics import CATALOGUE

    out = []
    for metric, _w in sorted(weights.items(), key=lambda kv: -kv[1]):
        a, v = _agg(aggregates, role_key, metric), _value(values, rep_id, metric)
        m = CATALOGUE.get(metric)
        if a is None or v is None or m is None or a["n"] < 3 or a["q3"] == a["q1"] or a["median"] is None:
            continue
        good = (v >= a["q3"] and v > a["median"]) if m.higher_is_better else (v <= a["q1"] and v < a["median"])
        if good:
            out.append(f"{m.label}: {_fmt(v, m.unit, currency)}, among the best in the role "
                       f"(team median {_fmt(a['median'], m.unit, currency)}).")
    return out[:limit]


def _fmt(value, unit: str, currency: str = "") -> str:
    from .report_view import money, num, pct

    if unit == "ratio":
        return pct(value)
    if unit == "money":
        return money(value, currency)
    if unit in ("multiple",):
        return "—" if value is None else f"{value:.1f}x"
    return num(value, 0 if unit in ("count",) else 1)


def _rep_view(rep_id: str, meta: dict, heavy: dict) -> RepView:
    from .metrics import CATALOGUE

    table, card, diagnosis = heavy["table"], heavy["card"], heavy["diagnosis"]
    reps, values, agg = table.reps, table.values, heavy["aggregates"]
    rep = reps.loc[rep_id]
    name = str(rep["name"])
    role = None if _f(rep.get("role")) is None and not isinstance(rep.get("role"), str) else str(rep["role"])
    role_key = role or "all"
    cur = meta["currency"]
    notes: dict[str, str] = {}
    charts: dict[str, dict] = {}
    d = _diagnosis_for(diagnosis, rep_id)

    # headline
    scores = card.scores.set_index("rep_id")
    srow = scores.loc[rep_id] if rep_id in scores.index else None
    same_role = scores[scores["role"].fillna("all").astype(str) == role_key] if "role" in scores else scores
    headline = {
        "won": _value(values, rep_id, "won_revenue"),
        "quota": _value(values, rep_id, "quota"),
        "attainment": _value(values, rep_id, "attainment"),
        "projection": d.get("projection"),
        "projected_attainment": d.get("projected_attainment"),
        "score": _f(srow["score"]) if srow is not None else None,
        "rank": int(srow["rank_in_role"]) if srow is not None and _f(srow["rank_in_role"]) is not None else None,
        "n_in_role": int(same_role["score"].notna().sum()),
        "at_risk": d.get("at_risk"),
        "status": d.get("risk_sentence"),
    }
    if meta["missing"].get("quotas"):
        notes["headline"] = meta["missing"]["quotas"]

    # what goes well: the diagnosis's strong funnel steps, else metrics among the best of the role
    strengths = list(d.get("strengths") or []) or metric_strengths(values, agg, rep_id, role_key,
                                                                   meta["weights"]["weights"], cur)

    # funnel
    funnel = None
    f = heavy["funnel"]
    if f is not None and len(f):
        mine = f[f["rep_id"] == rep_id]
        role_of = reps["role"].fillna("all").astype(str)
        ff = f.assign(role=f["rep_id"].map(role_of))
        ff = ff[(ff["role"] == role_key) & (ff["reached"] > 0)]
        steps = []
        for rung, step in STEP_OF_RUNG.items():
            conv = ff.loc[ff["step"] == rung, "conversion"].dropna()
            r = mine[mine["step"] == rung]
            if conv.empty or r.empty:
                continue
            steps.append({"step": step, "rep": _f(r["conversion"].iloc[0]), "q1": _f(conv.quantile(0.25)),
                          "median": _f(conv.median()), "q3": _f(conv.quantile(0.75)),
                          "reached": int(r["reached"].iloc[0]), "advanced": int(r["advanced"].iloc[0])})
        if steps:
            funnel = {"bottleneck": d.get("bottleneck"), "sentence": d.get("bottleneck_sentence") or
                      "The funnel below compares each step with the team.", "steps": steps}
            from .charts import rep_funnel_vs_team, spec

            charts["funnel"] = spec(rep_funnel_vs_team([s for s in steps if s["rep"] is not None] or steps))

    # activity mix vs top performers
    mix_view = None
    mix = heavy["mix"]
    if mix is None:
        notes["activity_mix"] = meta["missing"].get("activities") or "No activities recorded in this period."
    elif rep_id in mix.index:
        top = top_quartile(card, role_key if "role" in card.scores else None)
        in_role = [r for r in mix.index if str(reps.at[r, "role"] if isinstance(reps.at[r, "role"], str) else "all") == role_key]
        rows = []
        for t in mix.columns:
            you = _f(mix.at[rep_id, t])
            toq = _f(mix.loc[[r for r in top if r in mix.index], t].mean())
            team = _f(mix.loc[in_role, t].median())
            if (you or 0) == 0 and (toq or 0) == 0 and (team or 0) == 0:
                continue
            rows.append({"type": t, "you": you, "top": toq, "team": team})
        mix_view = {"rows": rows, "sentences": [], "practices": list(d.get("practice_sentences") or []),
                    "practices_note": d.get("practices_note")}
        from .charts import grouped_bars, spec

        long = [{"category": r["type"], "group": g, "value": r[k] or 0.0}
                for r in rows for g, k in (("You", "you"), ("Top quartile", "top"), ("Team median", "team"))]
        from .report_view import ACTIVITY_NAMES

        charts["activity_mix"] = spec(grouped_bars(long, "Activity mix: you vs top performers", "Share of activities",
                                                   labels=ACTIVITY_NAMES))

    # lead quality and deal quality
    q_rows = []
    for metric, label, unit in QUALITY_ROWS:
        v, a = _value(values, rep_id, metric), _agg(agg, role_key, metric)
        if v is None and a is None:
            continue
        q_rows.append({"label": label, "you": _fmt(v, unit, cur), "team": _fmt(a and a["median"], unit, cur)})
    lead_quality = None
    if meta["missing"].get("leads"):
        notes["lead_quality"] = meta["missing"]["leads"]
    if q_rows:
        lead_quality = {"rows": q_rows, "sentences": list(d.get("quality_sentences") or [])}

    # hygiene
    h_rows = []
    for metric in HYGIENE_METRICS:
        v, a = _value(values, rep_id, metric), _agg(agg, role_key, metric)
        if v is None:
            continue
        h_rows.append({"label": CATALOGUE[metric].label, "you": _fmt(v, "count"), "team": _fmt(a and a["median"], "count")})
    hygiene = {"counts": h_rows, "deals": d.get("hygiene_deals") or []} if h_rows else None

    # trend: the rep's won per month vs the team median per month (within role)
    trend_view = None
    tr = heavy["rep_trend"]
    if tr is not None and len(tr):
        role_of = reps["role"].fillna("all").astype(str)
        tt = tr.assign(role=tr["rep_id"].map(role_of))
        tt = tt[tt["role"] == role_key]
        med = tt.groupby("period_start")["won_revenue"].median()
        mine = tt[tt["rep_id"] == rep_id].set_index("period_start")["won_revenue"]
        rows = []
        for p in med.index:  # only the months the rep was on the team (from hire, to leaving)
            if p not in mine.index:
                continue
            label = p.strftime("%Y-%m")
            rows.append({"period": label, "series": "You", "value": _f(mine[p]) or 0.0})
            rows.append({"period": label, "series": "Team median", "value": _f(med[p]) or 0.0})
        if rows:
            trend_view = {"rows": rows, "series": ["You", "Team median"]}
            from .charts import spec, trend as trend_chart

            charts["trend"] = spec(trend_chart(rows, title="Won per month: you vs the team median", y_title=f"Won ({cur})"))
    pace = _pace(rep_id, role_key, reps, heavy, headline, tr, meta["as_of"])
    if pace is not None:
        trend_view = dict(trend_view or {"rows": [], "series": []}, pace=pace)
        if pace["weeks"]:
            from .charts import spec, trend as trend_chart

            week_rows = [{"period": w["week"], "series": s, "value": w[k] if w[k] is not None else 0.0}
                         for w in pace["weeks"] for s, k in (("You", "you"), ("Team median", "team"))]
            charts["activity_weeks"] = spec(trend_chart(week_rows, title="Activities per week: you vs the team median",
                                                        y_title="Activities"))

    # suggested peer
    peer = None
    if d.get("peer_name"):
        peer = {"name": d["peer_name"], "sentence": d.get("peer_sentence") or f"Pair with {d['peer_name']}."}

    # score breakdown
    breakdown = []
    if rep_id in card.breakdown.index:
        for _, r in card.explain(rep_id).iterrows():
            metric = r["metric"]
            m = CATALOGUE.get(metric)
            breakdown.append({"metric": metric, "label": m.label if m else metric,
                              "value_text": _fmt(_value(values, rep_id, metric), m.unit if m else "", cur),
                              "weight": _f(r["weight"]), "points": _f(r["points"])})
    if breakdown:
        from .charts import rep_score_breakdown, spec

        charts["breakdown"] = spec(rep_score_breakdown(
            [{"metric": b["label"], "points": b["points"] or 0.0, "weight": b["weight"] or 0.0} for b in breakdown]))

    view = RepView(rep_id=rep_id, name=name, role=role, period_label=meta["period_label"], as_of=meta["as_of"],
                   currency=cur, headline=headline, strengths=strengths, funnel=funnel, activity_mix=mix_view,
                   lead_quality=lead_quality, hygiene=hygiene, trend=trend_view, peer=peer, breakdown=breakdown,
                   weights=meta["weights"], notes=notes, charts=charts)
    return redact_others(view, reps, keep={rep_id, *( [d["peer_id"]] if d.get("peer_id") else [])})


RECENT_WEEKS = 6


def _pace(rep_id: str, role_key: str, reps, heavy: dict, headline: dict, monthly, as_of: str) -> dict | None:
    """Daily work next to long-term goals: activities per recent week (you vs the role's median) and
    progress on the quota of the period and of the current quota span (e.g. the quarter)."""
    import pandas as pd

    weeks = []
    wk = heavy.get("weekly")
    if wk is not None and len(wk) and wk["activities"].notna().any():
        role_of = reps["role"].fillna("all").astype(str)
        ww = wk[wk["rep_id"].map(role_of) == role_key]
        med = ww.groupby("period_start")["activities"].median()
        mine = ww[ww["rep_id"] == rep_id].set_index("period_start")["activities"]
        for p in [p for p in med.index if p in mine.index][-RECENT_WEEKS:]:
            weeks.append({"week": p.strftime("%Y-%m-%d"), "you": _f(mine[p]), "team": _f(med[p])})
    quotas = []
    if headline.get("quota") is not None:
        quotas.append({"span": "period", "won": headline.get("won"), "quota": headline["quota"]})
    qn = heavy.get("quota_now")
    if qn is not None and rep_id in qn.index and monthly is not None and len(monthly):
        q = qn.loc[rep_id]
    else:
        q = None
    # won in the span from the monthly series: only when the span starts on a month inside the series
    if q is not None and q["start"].day == 1 and q["start"] >= monthly["period_start"].min():
        m = monthly[(monthly["rep_id"] == rep_id) & (monthly["period_start"] >= q["start"])
                    & (monthly["period_start"] <= pd.Timestamp(as_of))]
        quotas.append({"span": "current", "start": q["start"].date().isoformat(), "end": q["end"].date().isoformat(),
                       "won": _f(m["won_revenue"].sum()), "quota": _f(q["quota"])})
    if not weeks and not quotas:
        return None
    return {"weeks": weeks, "quotas": quotas}


def _diagnosis_for(diagnosis, rep_id: str) -> dict:
    """The diagnosis facts of one rep as plain values (empty when the diagnosis has nothing for it)."""
    if diagnosis is None:
        return {}
    reps = diagnosis.reps
    row = reps[reps["rep_id"] == rep_id]
    if row.empty:
        return {}
    r = row.iloc[0]
    out: dict[str, Any] = {
        "projection": _f(r.get("projection")),
        "projected_attainment": (_f(r.get("projection")) / _f(r.get("quota"))
                                 if _f(r.get("projection")) is not None and _f(r.get("quota")) else None),
        "bottleneck": r.get("bottleneck") if isinstance(r.get("bottleneck"), str) else None,
        "bottleneck_sentence": r.get("bottleneck_sentence") if isinstance(r.get("bottleneck_sentence"), str) else None,
    }
    at_risk = r.get("at_risk")
    if isinstance(at_risk, (bool,)) or (at_risk is not None and _f(at_risk) is not None):
        out["at_risk"] = bool(at_risk)
        reason = r.get("at_risk_reason") if isinstance(r.get("at_risk_reason"), str) else ""
        out["risk_sentence"] = (f"At risk: {reason}." if out["at_risk"] and reason else
                                "At risk." if out["at_risk"] else "On track: no early warning this period.")
    from .diagnostics.bottleneck import STEP_PHRASE

    steps = r.get("strengths")
    if isinstance(steps, list) and steps:
        out["strengths"] = [f"Strong at {STEP_PHRASE.get(s, s)}: clearly above the team at this funnel step." for s in steps]
    peer = r.get("pair_with")
    if isinstance(peer, str) and peer:
        names = diagnosis.reps.set_index("rep_id")["name"]
        out["peer_id"] = peer
        out["peer_name"] = str(names.get(peer, peer))
        out["peer_sentence"] = r.get("pair_sentence") if isinstance(r.get("pair_sentence"), str) else None
    tp = diagnosis.top_performers
    if tp is not None and "sentence" in tp.columns:
        out["practice_sentences"] = [x for x in tp["sentence"] if isinstance(x, str) and x]
    reason = (getattr(diagnosis, "unavailable", None) or {}).get("top_performers")
    if reason:
        out["practices_note"] = f"What top performers do differently: {reason}."
    lq = diagnosis.lead_quality
    if lq is not None and "sentence" in lq.columns:
        q = lq[lq["rep_id"] == rep_id]
        if len(q) and isinstance(q["sentence"].iloc[0], str) and q["sentence"].iloc[0]:
            out["quality_sentences"] = [q["sentence"].iloc[0]]
    deals = diagnosis.hygiene_deals
    if deals is not None and len(deals):
        mine = deals[deals["rep_id"] == rep_id].sort_values(["close_date", "opportunity_id"])
        flags = [c for c in ("no_next_step", "stale", "past_close_date") if c in mine.columns]
        out["hygiene_deals"] = [
            {"Deal": str(d["opportunity_id"]), "Account": "" if not isinstance(d.get("account"), str) else d["account"],
             "Amount": _money_plain(d.get("amount")),
             "Expected close": "" if d.get("close_date") is None or str(d.get("close_date")) == "NaT"
             else str(d["close_date"])[:10],
             "Flags": ", ".join(f.replace("_", " ") for f in flags if bool(d[f]))}
            for _, d in mine.iterrows()
        ]
    return out


def _money_plain(x) -> str:
    v = _f(x)
    return "" if v is None else f"{v:,.0f}"


def redact_others(view: RepView, reps, keep: set[str]) -> RepView:
    """Replace any other rep's name or id found in the view's text by "a colleague" (defence in depth)."""
    others = [str(x) for x in reps.index if str(x) not in keep]
    names = [str(n) for rid, n in zip(reps.index, reps["name"]) if str(rid) not in keep]
    keep_names = {str(reps.at[k, "name"]) for k in keep if k in reps.index}
    tokens = sorted({t for t in others + names if t and t not in keep_names}, key=len, reverse=True)
    if not tokens:
        return view
    pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(t) for t in tokens) + r")(?![\w])")

    def clean(obj):
        if isinstance(obj, str):
            return pattern.sub("a colleague", obj)
        if isinstance(obj, list):
            return [clean(x) for x in obj]
        if isinstance(obj, tuple):
            return tuple(clean(x) for x in obj)
        if isinstance(obj, dict):
            return {clean(k) if isinstance(k, str) else k: clean(v) for k, v in obj.items()}
        return obj

    for f in ("strengths", "funnel", "activity_mix", "lead_quality", "hygiene", "peer", "headline", "notes", "trend"):
        setattr(view, f, clean(getattr(view, f)))
    return view
