"""Quality over quantity: lead quality bands from the ideal-customer profile.

A lead's band counts how many of the profile's requirements it meets (company
size at least ``min_company_size``; a real need and a decision maker when the
profile requires them; an unknown value does not count as met):
``high`` = all, ``medium`` = all but one (and at least one), ``low`` = the rest.

Per band: leads, conversion to opportunity and to a win, average won deal size
and recurring share. Per rep: the share of low-quality leads, the share of
effort (activities) spent on leads and deals that never converted, deal size
and recurring share. A rep is flagged when their low-quality share is above
the role's median by a margin that an exact binomial test finds significant
(p < ``ALPHA``), that matters (at least ``MIN_EXCESS`` points), and that stands
out from the team's own spread (above the upper quartile + 1.5 x the
interquartile range, so ordinary rep-to-rep variation is not flagged).

Good leads that are not worked are a different finding from a poor mix: a rep
whose conversion of ``high`` leads (those fitting the profile) to opportunities
is far below the role's median of that conversion is flagged
``weak_good_lead_conversion`` when an exact binomial test finds the shortfall
significant (p < ``ALPHA``) and it is material (below ``1 - MIN_RELATIVE_GAP``
of the median). The median counts reps with at least ``MIN_HIGH_LEADS`` high
leads (the pooled rate when fewer than three reps have that many).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics.profile import requirements
from ..terms import NO_ROLE
from ._stats import binom_cdf, binom_sf

BANDS = ("high", "medium", "low")
ALPHA = 0.01
MIN_EXCESS = 0.15
MIN_RELATIVE_GAP = 0.3  # good-lead conversion must be at least 30% below the team median to matter
MIN_HIGH_LEADS = 5  # a rep's good-lead conversion counts towards the team median from this many good leads


def band_leads(leads: pd.DataFrame, icp) -> pd.Series:
    """The quality band of each lead (aligned with ``leads``), on the requirements the data can check."""
    met = list(requirements(leads, icp)[0].values())
    if not met:
        return pd.Series("low", index=leads.index)
    missed = len(met) - sum(m.astype(int) for m in met)
    medium = (missed == 1) & (len(met) > 1)  # missed one, met at least one
    return pd.Series(np.select([missed == 0, medium], ["high", "medium"], "low"), index=leads.index)


def _lead_outcomes(leads: pd.DataFrame, opps: pd.DataFrame, settled_end: pd.Timestamp | None = None) -> pd.DataFrame:
    """Each lead's outcome; ``converted`` and ``won`` are NaN (not yet known) for leads created after
    `settled_end`, too young to have become an opportunity (`metrics.context.settled_leads`)."""
    opp = opps.set_index("opportunity_id")
    l = leads.copy()
    young = (l["created_date"] > settled_end if settled_end is not None else pd.Series(False, index=l.index))
    converted = ((l["status"] == "qualified") | l["opportunity_id"].notna()).astype(float)
    l["converted"] = converted.mask(young)
    l["won"] = l["opportunity_id"].map(opp["status"]).eq("won").astype(float).mask(young)
    won_amount = opp["amount"].where(opp["status"] == "won")
    # float even when no lead maps (an empty or all-missing string column maps to strings)
    l["won_amount"] = l["opportunity_id"].map(won_amount).astype(float)
    l["recurring_amount"] = l["opportunity_id"].map(won_amount.where(opp["revenue_type"] == "recurring")).astype(float)
    return l


def by_band(leads: pd.DataFrame) -> pd.DataFrame:
    """Per band: ``leads, conversion, win_rate, avg_deal_size, recurring_share`` (from banded outcomes)."""
    g = leads.groupby("band")
    out = pd.DataFrame({
        "leads": g.size(),
        "conversion": g["converted"].mean(),
        "win_rate": g["won"].mean(),
        "avg_deal_size": g["won_amount"].mean(),
        "recurring_share": g["recurring_amount"].sum() / g["won_amount"].sum().where(g["won_amount"].sum() > 0),
    }).reindex(list(BANDS))
    out["leads"] = out["leads"].fillna(0).astype(int)
    out.index.name = "band"
    return out.reset_index()


def lead_bands(leads: pd.DataFrame, opps: pd.DataFrame, icp, settled_end: pd.Timestamp | None = None) -> pd.DataFrame:
    """`by_band` of the given leads (e.g. one team's leads of the period)."""
    return by_band(_lead_outcomes(leads.assign(band=band_leads(leads, icp)), opps, settled_end))


def assess(leads: pd.DataFrame, opps: pd.DataFrame, wasted_effort: pd.Series | None, icp,
           reps: pd.DataFrame, settled_end: pd.Timestamp | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(bands, per_rep)`` for the given leads (already limited to the period). Conversions are read
    on the leads created by `settled_end` (the younger ones' fate is not known yet); shares on them all.

    ``wasted_effort``: each rep's share of the period's activity spent on lost deals and disqualified leads
    (the metric ``wasted_effort_share``, indexed by rep id), carried into ``per_rep``; None when unknown.

    ``per_rep`` has ``rep_id, leads, high_share, low_share, conversion, team_high_share, team_low_share,
    high_leads, high_conversion, team_high_conversion, high_conversion_p_value, weak_good_lead_conversion,
    wasted_effort_share, avg_deal_size, recurring_share, p_value, low_quality``.
    """
    l = _lead_outcomes(leads.assign(band=band_leads(leads, icp)), opps, settled_end)
    bands = by_band(l)
    l = l[l["rep_id"].isin(reps["rep_id"])]
    g = l.groupby("rep_id")
    per = pd.DataFrame({
        "leads": g.size(),
        "high_share": l["band"].eq("high").groupby(l["rep_id"]).mean(),
        "low_share": l["band"].eq("low").groupby(l["rep_id"]).mean(),
        "conversion": g["converted"].mean(),
        "avg_deal_size": g["won_amount"].mean(),
        "recurring_share": g["recurring_amount"].sum() / g["won_amount"].sum().where(g["won_amount"].sum() > 0),
    }).reindex(reps["rep_id"])
    per["leads"] = per["leads"].fillna(0).astype(int)
    role = reps.set_index("rep_id")["role"].reindex(per.index).fillna(NO_ROLE) if "role" in reps else \
        pd.Series(NO_ROLE, index=per.index)
    per["team_low_share"] = per.groupby(role)["low_share"].transform("median")
    per["team_high_share"] = per.groupby(role)["high_share"].transform("median")
    high = l[l["band"] == "high"]
    hg = high.groupby("rep_id")["converted"]
    per["high_leads"] = hg.count().reindex(per.index).fillna(0).astype(int)  # those whose outcome is known
    per["high_conversion"] = hg.mean().reindex(per.index)
    enough = per["high_conversion"].where(per["high_leads"] >= MIN_HIGH_LEADS)
    med = enough.groupby(role).transform("median")
    pooled_conv = high.groupby(high["rep_id"].map(role))["converted"].mean()
    few = enough.groupby(role).transform("count") < 3
    per["team_high_conversion"] = med.where(~few, role.map(pooled_conv))
    converted_high = (per["high_conversion"] * per["high_leads"]).round()
    per["high_conversion_p_value"] = binom_cdf(converted_high, per["high_leads"], per["team_high_conversion"])
    per["weak_good_lead_conversion"] = (
        (per["high_conversion_p_value"] < ALPHA)
        & (per["high_conversion"] < (1 - MIN_RELATIVE_GAP) * per["team_high_conversion"])
    ).fillna(False).astype(bool)
    q1 = per.groupby(role)["low_share"].transform("quantile", 0.25)
    q3 = per.groupby(role)["low_share"].transform("quantile", 0.75)
    per["outlier_fence"] = q3 + 1.5 * (q3 - q1)
    # one figure, the metric's: the report's table and its sentence must not disagree
    per["wasted_effort_share"] = (wasted_effort.reindex(per.index).astype(float) if wasted_effort is not None
                                  else np.nan)
    per["team_wasted_effort_share"] = per.groupby(role)["wasted_effort_share"].transform("median")
    low_n = (per["low_share"] * per["leads"]).round()
    per["p_value"] = binom_sf(low_n, per["leads"], per["team_low_share"])
    per["low_quality"] = ((per["p_value"] < ALPHA)
                          & (per["low_share"] >= per["team_low_share"] + MIN_EXCESS)
                          & (per["low_share"] > per["outlier_fence"])).fillna(False).astype(bool)

    per.index.name = "rep_id"
    return bands, per.reset_index()
