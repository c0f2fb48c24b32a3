"""The machine-readable document of a `Diagnosis` (schema in docs/diagnose-json.md): a page like the report.

    doc = to_document(diagnose(dataset))     # or to_json(d): the text `salesnb diagnose --json` prints

The facts come from `salesnb.diagnostics` and the sentences beside them from `salesnb.words.manager`; the
diagnostics package imports neither this module nor the words.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

SCHEMA_VERSION = 4
MONEY_DIGITS = 2
RATE_DIGITS = 4
# fields (at any depth) holding money: rounded to cents
MONEY_FIELDS = frozenset({
    "target", "won", "projection", "quota", "won_revenue", "gap_to_quota", "amount", "avg_deal_size", "pipeline",
    "gap", "low", "high", "pipeline_expected", "new_expected", "due_by_now", "short_by",
})
# fields holding counts: whole numbers, printed as ints
COUNT_FIELDS = frozenset({
    "reached", "advanced", "deals", "deals_needed", "n", "n_top", "n_rest", "rank", "reps",
    "open_deals", "no_next_step", "stale", "past_close_date", "hygiene_flags", "leads", "opportunities",
    "days_since_stage_change", "assisted_deals", "schema_version", "then_rank", "now_rank", "then_n_in_role",
    "now_n_in_role", "then_reached", "then_advanced", "now_reached", "now_advanced", "flagged", "missed",
    "flagged_missed", "flagged_made", "unflagged_missed", "unflagged_made",
})


def _rounded(value, key: str | None):
    """Round a finite float by what its field holds: counts to int, money to cents, the rest to 4 decimals."""
    if key in COUNT_FIELDS and float(value).is_integer():
        return int(value)
    return round(float(value), MONEY_DIGITS if key in MONEY_FIELDS else RATE_DIGITS)


def clean(value, key: str | None = None):
    """A JSON-safe copy: NaN/NA/inf -> None, numpy scalars -> Python, timestamps -> ISO dates.

    Floats are rounded by field name (``key``, inherited by list items): counts
    become ints, money is rounded to 2 decimals, rates and everything else to 4.
    """
    if isinstance(value, dict):
        return {str(k): clean(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray, pd.Index)):
        return [clean(v, key) for v in value]
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return _rounded(v, key) if math.isfinite(v) else None
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def records(df: pd.DataFrame, columns: list[str] | None = None) -> list[dict]:
    """Rows of `df` as cleaned dicts (only `columns` when given)."""
    if df is None or len(df) == 0:
        return []
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    return [clean(r) for r in df.to_dict(orient="records")]


def _outlook(r: dict, currency: str, words) -> dict | None:
    """The early warning's figures for one rep (None without a quota or a warning)."""
    from ..diagnostics.early_warning import REASONS

    if r.get("at_risk") is None or clean(r.get("quota")) is None or clean(r.get("projection")) is None:
        return None
    finished = bool(r.get("finished"))
    return {
        "finished": finished,
        "verdict": r.get("verdict") if finished else None,
        "short_by": r.get("short_by") if finished else None,
        "likely_low": r.get("likely_low"), "likely_high": r.get("likely_high"),
        "low": r.get("low"), "high": r.get("high"),
        "chance_of_quota": r.get("chance"), "chance_of_missing": r.get("p_miss"),
        "open_deals": r.get("open_deals"), "pipeline_expected": r.get("pipeline_expected"),
        "new_expected": r.get("new_expected"), "closing": r.get("closing"),
        "pipeline_ratio": r.get("pipeline_ratio"), "created_ratio": r.get("created_ratio"),
        "due_by_now": r.get("due_by_now"),
        "reasons": [k for k in REASONS if r.get(k) is True] if not finished else [],
        "sentence": words.verdict_line(r, currency) if finished else words.likely(r),
    }


def to_json(d, indent: int | None = 2) -> str:
    """`to_document` serialised; NaN and infinities are null (never NaN in the text)."""
    return json.dumps(to_document(d), indent=indent, ensure_ascii=False, allow_nan=False)


def to_document(d, currency: str | None = None) -> dict:
    """The JSON document of a `Diagnosis`: its facts, and the manager's sentences beside them."""
    from ..words import manager as words

    currency = d.currency if currency is None else currency

    breakdown = d.breakdown
    if breakdown is not None and len(breakdown):
        b = breakdown.set_index("rep_id") if "rep_id" in breakdown.columns else breakdown
        b = b.select_dtypes("number")
        breakdown_of = {str(rid): clean(row.dropna().to_dict()) for rid, row in b.iterrows()}
    else:
        breakdown_of = {}
    names = d.reps.set_index("rep_id")["name"]
    reps = []
    for r in d.reps.to_dict(orient="records"):
        rid = r["rep_id"]
        peer = r.get("pair_with") if isinstance(r.get("pair_with"), str) else None
        reps.append(clean({
            "id": rid,
            "name": r["name"],
            "team": r.get("team"),
            "role": r.get("role"),
            "score": r.get("score"),
            "rank": r.get("rank_in_role"),
            "breakdown": breakdown_of.get(str(rid), {}),
            "attainment": r.get("attainment"),
            "won": r.get("won_revenue"),
            "quota": r.get("quota"),
            "assisted_deals": r.get("assisted_deals"),
            "projection": r.get("projection"),
            "outlook": _outlook(r, currency, words),
            "at_risk": r.get("at_risk"),
            "at_risk_reason": (words.risk_reason(r, currency) or None) if r.get("at_risk") is True else None,
            "bottleneck": {
                "step": r.get("bottleneck"),
                **{k: r.get(f"bottleneck_{k}") for k in ("rate", "team_median", "reached", "advanced", "lost_wins",
                                                         "deals", "deals_needed", "unmeasured", "team_rate",
                                                         "rate_low", "rate_high", "effect", "q_low", "sure")},
                "sentence": words.bottleneck(r),
            },
            "strengths": r.get("strengths") if isinstance(r.get("strengths"), list) else [],
            "also_weak": r.get("also_weak") if isinstance(r.get("also_weak"), list) else [],
            "pair_with": peer,
            "pair_sentence": words.pairing(r, names.get(peer) if peer else None),
            "below_median": bool(r.get("below_median") is True),
            "joined": r.get("joined") if isinstance(r.get("joined"), str) else None,
            "largest_deal_share": r.get("largest_deal_share"),
            "carried_by_one_deal": bool(r.get("carried_by_one_deal") is True),
            "attainment_without_largest": r.get("attainment_without_largest"),
            "concentration_sentence": words.concentration(r, currency),
            "low_quality_leads": r.get("low_quality_leads"),
            "hygiene_flags": r.get("hygiene_flags"),
        }))
    vanity = d.vanity.assign(sentence=[words.vanity(v, d.outcome, d.too_early) for v in d.vanity.to_dict("records")]) \
        if len(d.vanity) else d.vanity
    tops = d.top_performers[d.top_performers["notable"]] if len(d.top_performers) else d.top_performers
    tops = tops.assign(sentence=[words.practice(t) for t in tops.to_dict("records")]) if len(tops) else tops
    hygiene = d.hygiene.assign(sentence=[words.hygiene(h, d.unavailable) for h in d.hygiene.to_dict("records")]) \
        if len(d.hygiene) else d.hygiene
    return clean({
        "schema_version": SCHEMA_VERSION,
        "period": {"label": d.period, "start": d.period_start, "end": d.period_end},
        "as_of": d.as_of,
        "outcome": d.outcome,
        "team": d.team,
        "teams": records(d.teams),
        "reps": reps,
        "vanity": records(vanity, ["metric", "label", "rho", "low", "high", "p_value", "n", "verdict", "within_role",
                                   "partial_rho", "partial_p", "follows_volume", "volume_unclear", "logged", "reps",
                                   "covered", "sentence"]),
        "top_performers": records(tops, ["feature", "group", "label", "top_mean", "rest_mean", "effect_size", "ratio",
                                         "within_role", "sentence"]),
        "hygiene": records(hygiene),
        "hygiene_deals": records(d.hygiene_deals),
        "lead_bands": records(d.lead_bands),
        "unavailable": d.unavailable,
        "shape": d.shape.to_dict() if d.shape is not None else None,
        "notes": d.notes,
        "too_early": getattr(d, "too_early", None),
        "warning": d.warning_basis or None,
        "track_record": ({**d.track_record.to_dict(), "sentence": words.track_record(d.track_record)}
                         if d.track_record is not None else None),
        "change": _change(d.change),
        "activity_window": ({**d.activity_window.to_dict(), "sentence": words.activity_window(d.activity_window)}
                            if getattr(d, "activity_window", None) else None),
    })


def _change(ch) -> dict | None:
    """What moved since the previous comparable period (None when it cannot be said: `unavailable.change`)."""
    if ch is None or ch.unavailable:
        return None
    from ..words import manager as words

    new_deals = int(ch.steps["now_reached"].sum()) if len(ch.steps) else 0
    return {"now": {"label": ch.now.label, "start": ch.now.start, "end": ch.now.end, "as_of": ch.now_as_of},
            "then": {"label": ch.then.label, "start": ch.then.start, "end": ch.then.end, "as_of": ch.then_as_of},
            "reps": records(ch.reps), "steps": records(ch.steps),
            "sentence": words.no_new_deals(ch.now.label, ch.then.label) if not new_deals else None}
