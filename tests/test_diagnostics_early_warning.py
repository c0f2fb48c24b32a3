"""Early warning: the flag at its bar, the verdict of a finished period, the projection's parts computed by
hand on tiny teams (stage-aware chances, tenure, season), and the words."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salesnb.dataset import Dataset
from salesnb.diagnostics import early_warning, projection, season
from salesnb.diagnostics.book import Book, day_of
from salesnb.diagnostics.early_warning import FLAG_AT, warn
from salesnb.diagnostics.foresight import warning_at
from salesnb.metrics import metrics
from salesnb.words import manager as words


def proj(**cols) -> pd.DataFrame:
    """A projection frame as `projection.project` returns it, with neutral parts unless given."""
    n = len(cols["chance"])
    base = dict(quota=[100_000.0] * n, won=[50_000.0] * n, projection=[90_000.0] * n, low=[80_000.0] * n,
                high=[100_000.0] * n, pipeline_expected=[10_000.0] * n, closing=[1.0] * n,
                created_pace=[1.0] * n, due_by_now=[50_000.0] * n)
    return pd.DataFrame(base | cols, index=[f"r{i}" for i in range(n)])


# ------------------------------------------------------------------ the flag at its bar


def test_a_rep_is_flagged_from_the_bar_on_and_not_just_below_it():
    eps = 0.005
    out = warn(proj(chance=[1 - FLAG_AT + eps, 1 - FLAG_AT, 1 - FLAG_AT - eps]))
    assert out["at_risk"].tolist() == [False, True, True]
    assert out["p_miss"].tolist() == pytest.approx([FLAG_AT - eps, FLAG_AT, FLAG_AT + eps])
    assert early_warning.flag(FLAG_AT - eps) is False and early_warning.flag(FLAG_AT) is True


def test_no_flag_once_quota_is_reached_or_without_a_quota():
    out = warn(proj(chance=[0.0, 0.0], quota=[100_000.0, np.nan], won=[100_000.0, 10.0]))
    assert not out["at_risk"].any()
    assert out["has_quota"].tolist() == [True, False]


def _closed_at_commit(won: int, lost: int, start: date, rep="a"):
    """Closed deals that entered commit 30 days after creation (their only stage on record) and closed 3 days
    later."""
    opps, stages = [], []
    for i in range(won + lost):
        created = start + timedelta(days=i)
        oid = f"{rep}h{i}"
        opps.append({"opportunity_id": oid, "rep_id": rep, "created_date": created, "amount": 1_000.0,
                     "status": "won" if i < won else "lost", "close_date": created + timedelta(days=33)})
        stages.append({"opportunity_id": oid, "stage": "commit", "entered_date": created + timedelta(days=30)})
    return opps, stages


def _one_deal_team(won: int, lost: int) -> Dataset:
    """One rep, a history of deals that reached commit (won of won + lost within 3 days of it), and one open
    deal at commit that decides the quota: the chance of reaching quota is the chance of that deal."""
    opps, stages = _closed_at_commit(won, lost, date(2026, 1, 1))
    opps.append({"opportunity_id": "open", "rep_id": "a", "created_date": date(2026, 3, 1), "amount": 10_000.0,
                 "status": "open", "close_date": date(2026, 3, 31)})
    stages += [{"opportunity_id": "open", "stage": "qualified", "entered_date": date(2026, 3, 1)},
               {"opportunity_id": "open", "stage": "commit", "entered_date": date(2026, 3, 28)}]
    # won so far in March: 95,000 of a 100,000 quota (a deal closed on 2 March, outside the history's pattern)
    opps.append({"opportunity_id": "march", "rep_id": "a", "created_date": date(2026, 1, 2), "amount": 95_000.0,
                 "status": "won", "close_date": date(2026, 3, 2)})
    stages.append({"opportunity_id": "march", "stage": "commit", "entered_date": date(2026, 2, 27)})
    return Dataset.from_frames(
        reps=[{"rep_id": "a", "name": "A", "role": "AE", "hire_date": "2020-01-01"}], opportunities=opps,
        stage_history=stages,
        quotas=[{"rep_id": "a", "period_start": "2026-03-01", "period_end": "2026-03-31", "quota": 100_000.0}])


@pytest.mark.parametrize("won, lost", [(12, 8), (8, 12)])
def test_the_flag_follows_the_chance_of_the_deal_that_decides_quota(won, lost):
    # 20 deals reached commit in the history, `won` of them were won within 3 days of it (plus the March win,
    # also from commit): the open deal's chance from commit at age 0 with 3 days left is the share of wins
    # within 3 days among deals at commit for 0+ days, leaning on the (same) pooled rate: (won + 1) / 21.
    # New deals cannot close in 3 days (every cycle is 33 days or more): the chance of reaching quota is that
    # chance x the rep's closing against the team's (1: the rep is the team). 13/21 = 62% of reaching quota
    # (38% of missing: not flagged); 9/21 = 43% (57% of missing: flagged).
    ds = _one_deal_team(won, lost)
    table = metrics(ds, "2026-03", "2026-03-28")
    ew, fit = warning_at(ds, table, pd.Index(["a"]), pd.Series({"a": "AE"}))
    p_win = (won + 1) / 21
    assert fit.chance[3, 0] == pytest.approx(p_win)  # commit, age 0+
    row = ew.loc["a"]
    assert row["pipeline_expected"] == pytest.approx(10_000 * p_win)
    assert row["new_expected"] == pytest.approx(0.0, abs=1e-9)
    assert row["closing"] == pytest.approx(1.0)
    assert row["chance"] == pytest.approx(p_win, abs=0.04)  # 1,000 draws: within 2.5 standard errors
    assert bool(row["at_risk"]) is (1 - p_win >= FLAG_AT)
    assert bool(row["at_risk"]) is (won == 8)


# ------------------------------------------------------------------ a finished period: a verdict


def test_a_finished_period_gets_a_verdict_not_a_warning():
    out = warn(proj(chance=[0.0, 0.0], won=[120_000.0, 88_000.0]), finished=True)
    assert out["at_risk"].tolist() == [False, False]
    assert out["verdict"].tolist() == ["made", "missed"]
    assert out["short_by"].tolist()[1] == pytest.approx(12_000)
    assert out["projection"].tolist() == [120_000.0, 88_000.0]  # the final figure is known
    rows = out.assign(finished=True).to_dict("records")
    assert words.risk_reason(rows[0], "USD") == "made it: 120% of quota"
    assert words.risk_reason(rows[1], "USD") == "missed by 12,000 USD: 88% of quota"
    assert all("/day" not in words.risk_reason(r) and "needs" not in words.risk_reason(r) for r in rows)


def test_a_period_seen_from_its_last_day_is_finished():
    ds = _one_deal_team(12, 8)
    table = metrics(ds, "2026-03", "2026-03-31")
    ew, _ = warning_at(ds, table, pd.Index(["a"]), pd.Series({"a": "AE"}))
    assert bool(ew.loc["a", "finished"]) and ew.loc["a", "verdict"] == "missed"  # 95,000 of 100,000
    assert not ew.loc["a", "at_risk"] and ew.loc["a", "short_by"] == pytest.approx(5_000)


# ------------------------------------------------------------------ stage-aware chances, by hand


def test_chances_by_stage_and_age_lean_on_the_cell_before_when_thin():
    # 10 deals reached proposal; the 4 won left it within 5 days, the 6 lost stayed 40 days
    opps, stages = [], []
    for i in range(10):
        created = date(2026, 1, 1) + timedelta(days=i)
        won = i < 4
        at_proposal = created + timedelta(days=10)
        close = at_proposal + timedelta(days=5 if won else 40)
        opps.append({"opportunity_id": f"o{i}", "rep_id": "a", "created_date": created, "amount": 100.0,
                     "status": "won" if won else "lost", "close_date": close})
        stages += [{"opportunity_id": f"o{i}", "stage": "qualified", "entered_date": created},
                   {"opportunity_id": f"o{i}", "stage": "proposal", "entered_date": at_proposal}]
    ds = Dataset.from_frames(reps=[{"rep_id": "a", "name": "A"}], opportunities=opps, stage_history=stages)
    book = Book.of(ds)
    t = day_of("2026-06-30")
    f, _ = projection.fit(book, t, t + 100)
    k = projection.PSEUDO_DEALS
    pooled = 4 / 10  # every deal entered qualified: 4 of 10 won (within 100 days)
    qualified_0 = (4 + k * pooled) / (10 + k)
    assert f.chance[0, 0] == pytest.approx(qualified_0)
    proposal_0 = (4 + k * pooled) / (10 + k)
    assert f.chance[2, 0] == pytest.approx(proposal_0)
    # at proposal for 7+ days: only the 6 lost deals were still there; 0 wins, leaning on the 0+ cell
    proposal_7 = (0 + k * proposal_0) / (6 + k)
    assert f.chance[2, 1] == pytest.approx(proposal_7)
    assert f.chance[2, 1] < f.chance[2, 0]  # a deal stuck at a stage is less likely to be won
    # without stage history: by deal age alone (the same deals, from their creation)
    f2, _ = projection.fit(Book.of(Dataset.from_frames(reps=[{"rep_id": "a", "name": "A"}], opportunities=opps)),
                           t, t + 100)
    assert f2.stages == projection.BY_AGE and f2.chance.shape[0] == 1
    assert f2.chance[0, 0] == pytest.approx(qualified_0)


# ------------------------------------------------------------------ tenure: ramp and days active


def _flat_fit(length=400) -> projection.Fit:
    """Every won deal closes the day it is created (cycle 0): new business is just the rate x the season."""
    return projection.Fit(stages=projection.BY_STAGE, chance=np.zeros((4, len(projection.AGES))),
                          eventual=np.zeros((4, len(projection.AGES))), cycle_cdf=np.ones(length),
                          typical_cycle=0, won_deals=0, closed_deals=0)


def test_a_new_hire_counts_their_days_from_hire_at_a_ramping_pace():
    f, s = _flat_fit(), season.even(1)
    march = np.arange(day_of("2026-03-01"), day_of("2026-03-31") + 1)
    hire = np.array([day_of("2020-01-01"), day_of("2026-03-11")])
    sell = projection._selling(f, s, march, hire, np.maximum(hire, march[0]))
    per_day = (31 / 365.25) / 31  # March's share of an even year, per day
    assert sell[0].sum() == pytest.approx(31 * per_day)
    # hired on the 11th: 21 days, at RAMP_START rising by (1 - RAMP_START) / RAMP_DAYS a day
    by_hand = sum(projection.RAMP_START + (1 - projection.RAMP_START) * k / projection.RAMP_DAYS for k in range(21))
    assert sell[1].sum() == pytest.approx(by_hand * per_day)
    assert projection.ramp(np.array([-1, 0, 45, 90, 400])).tolist() == [0.0, 0.5, 0.75, 1.0, 1.0]


def test_new_business_stops_on_a_reps_last_day():
    f, s = _flat_fit(), season.even(1)
    t = day_of("2026-03-31")
    hire = np.array([day_of("2020-01-01")] * 2)
    last = np.array([day_of("2026-04-30"), day_of("2026-04-15")])
    ahead = projection._ahead(f, s, t, last, hire, hire)
    assert ahead.tolist() == pytest.approx([30 / 365.25, 15 / 365.25])


# ------------------------------------------------------------------ the season, by hand


def _quotas(shares):
    rows = []
    for rep in ("a", "b"):
        for q, share in enumerate(shares):
            start = date(2026, 3 * q + 1, 1)
            end = (date(2026, 3 * q + 4, 1) if q < 3 else date(2027, 1, 1)) - timedelta(days=1)
            rows.append({"rep_id": rep, "period_start": pd.Timestamp(start), "period_end": pd.Timestamp(end),
                         "quota": 1_000_000 * share * (2 if rep == "b" else 1)})
    return pd.DataFrame(rows)


def test_quarterly_quotas_phased_15_15_20_50_shape_the_year_ahead():
    s = season.from_quotas(_quotas([0.15, 0.15, 0.20, 0.50]), day_of("2026-06-30"), 1)
    assert s.source == season.PHASED_QUOTAS
    # each quarter's share of the year, spread over its months by their days (both reps alike)
    assert s.month_share[9:].sum() == pytest.approx(0.50)
    assert s.month_share[9] == pytest.approx(0.50 * 31 / 92)
    assert s.month_share[:3].sum() == pytest.approx(0.15)
    # from 30 June, with deals that close the day they are created: 20% + 50% of the year is still ahead
    ahead = projection._ahead(_flat_fit(), s, day_of("2026-06-30"), np.array([day_of("2026-12-31")]),
                              np.array([day_of("2020-01-01")]), np.array([day_of("2020-01-01")]))
    assert ahead[0] == pytest.approx(0.70)
    # equal quarters are no season
    assert season.from_quotas(_quotas([0.25] * 4), day_of("2026-06-30"), 1) is None


def test_an_earlier_year_shapes_the_season_leaning_toward_an_even_year():
    # 2025: 60 won deals of 1,000, 45 of them in December; the data starts in September 2024
    opps = [{"opportunity_id": "first", "rep_id": "a", "created_date": date(2024, 9, 1), "amount": 1.0,
             "status": "lost", "close_date": date(2024, 9, 2)}]
    days = [date(2025, 12, 1 + i % 28) for i in range(45)] + [date(2025, 1 + i % 11, 10) for i in range(15)]
    opps += [{"opportunity_id": f"w{i}", "rep_id": "a", "created_date": d, "amount": 1_000.0, "status": "won",
              "close_date": d} for i, d in enumerate(days)]
    book = Book.of(Dataset.from_frames(reps=[{"rep_id": "a", "name": "A"}], opportunities=opps))
    s = season.from_earlier_years(book, day_of("2026-06-30"), 1)
    assert s.source == season.EARLIER_YEARS and s.years == ["2025"]
    even = season.even(1).month_share
    n, k = 60, season.PSEUDO_DEALS
    assert s.month_share[11] == pytest.approx((45 / 60 * n + even[11] * k) / (n + k))
    assert s.month_share.sum() == pytest.approx(1.0)
    # too few won deals in the earlier years: no season from them
    assert season.from_earlier_years(Book.of(Dataset.from_frames(
        reps=[{"rep_id": "a", "name": "A"}], opportunities=opps[:20])), day_of("2026-06-30"), 1) is None


def _year_of_wins(data_begins: date, cycle_days: int) -> Book:
    """One rep's book: a lost deal on `data_begins`, then 2025 with 60 won deals (45 in December), each created
    `cycle_days` before it closed."""
    opps = [{"opportunity_id": "first", "rep_id": "a", "created_date": data_begins, "amount": 1.0,
             "status": "lost", "close_date": data_begins}]
    closes = [date(2025, 12, 1 + i % 28) for i in range(45)] + [date(2025, 1 + i % 11, 10) for i in range(15)]
    opps += [{"opportunity_id": f"w{i}", "rep_id": "a", "created_date": max(d - timedelta(days=cycle_days),
                                                                           data_begins),
              "amount": 1_000.0, "status": "won", "close_date": d} for i, d in enumerate(closes)]
    return Book.of(Dataset.from_frames(reps=[{"rep_id": "a", "name": "A"}], opportunities=opps))


def test_an_earlier_year_counts_once_the_data_began_a_sales_cycle_before_it():
    as_of = day_of("2026-06-30")
    # data from 15 November 2024 (47 days before 2025): enough when deals close within 10 days of creation
    short = _year_of_wins(date(2024, 11, 15), 10)
    assert season.warmup_days(short, as_of) == season.MIN_WARMUP_DAYS
    assert season.from_earlier_years(short, as_of, 1).years == ["2025"]
    # ... not when they take 80 days: January's wins of 2025 were created before the data began
    long = _year_of_wins(date(2024, 11, 15), 80)
    assert season.warmup_days(long, as_of) == 80
    assert season.from_earlier_years(long, as_of, 1) is None
    assert season.from_earlier_years(_year_of_wins(date(2024, 10, 1), 80), as_of, 1).years == ["2025"]
    doc = " ".join((Path(__file__).resolve().parents[1] / "docs" / "diagnose-json.md").read_text().split())
    assert (f"the sales cycle {season.WARMUP_SHARE:.0%} of the won revenue fits in before it, "
            f"{season.MIN_WARMUP_DAYS} days at least; the months' shares lean by {season.PSEUDO_DEALS} won "
            "deals'") in doc


def test_an_earlier_year_leans_toward_the_phased_quotas_when_there_are_some():
    book = _year_of_wins(date(2024, 9, 1), 0)
    phased = season.from_quotas(_quotas([0.15, 0.15, 0.20, 0.50]), day_of("2026-06-30"), 1)
    s = season.season_at(book, _quotas([0.15, 0.15, 0.20, 0.50]), day_of("2026-06-30"), 1)
    assert s.source == season.EARLIER_YEARS
    n, k = 60, season.PSEUDO_DEALS
    assert s.month_share[11] == pytest.approx((45 / 60 * n + phased.month_share[11] * k) / (n + k))
    assert s.month_share[0] == pytest.approx((2 / 60 * n + 0.15 * 31 / 90 * k) / (n + k))
    assert s.month_share.sum() == pytest.approx(1.0)


# ------------------------------------------------------------------ the words


def test_chances_in_words_never_cross_the_flags_bar():
    assert words.chance(0.25) == "about a 1 in 4 chance"
    assert words.chance(0.49) == "a little less than an even chance"
    assert words.chance(0.51) == "a little better than an even chance"
    assert words.chance(0.75) == "about a 3 in 4 chance"
    assert words.chance(0.01) == "almost no chance" and words.chance(0.99) == "an almost certain chance"
    assert words.chance(0.89) == "about a 9 in 10 chance" and words.chance(0.65) == "about a 2 in 3 chance"
    assert words.chance(0.09) == "about a 1 in 10 chance" and words.chance(0.04) == "about a 1 in 30 chance"
    assert words.chance(0.5) == "an even chance"
    for p in np.linspace(0.0, 1.0, 201):  # flagged exactly when the chance of reaching quota is 1 - FLAG_AT or less
        said, flagged = words.chance(p), early_warning.flag(1 - p)
        assert flagged is not ("better" in said or " 2 in " in said or " 3 in " in said or " 4 in " in said
                               or " 9 in " in said or " 19 in " in said or " 29 in " in said or "certain" in said)
        assert flagged is ("less" in said or "no chance" in said or " 1 in " in said or said == "an even chance"), \
            (p, said)


def test_the_reason_names_the_range_the_chance_and_each_short_part():
    row = proj(chance=[0.1], likely_low=[0.62], likely_high=[0.8]).iloc[0].to_dict() | {
        "at_risk": True, "likely_low": 0.62, "likely_high": 0.8, "open_deals": 3, "pipeline_ratio": 0.4,
        "pipeline_short": True, "closing_slow": True, "closing": 0.55, "few_new_deals": False, "behind": False}
    said = words.risk_reason(row, "EUR")
    assert said.startswith("likely 62–80% of quota; about a 1 in 10 chance of reaching it; pipeline short (3 open "
                           "deals expected to bring 10,000 EUR, 40% of")
    assert "closing slow (deals win 55% as often" in said and "few new deals" not in said
    assert words.risk_reason({**row, "at_risk": False}) == ""


def test_a_team_on_track_with_reps_at_risk_says_who_makes_up_for_them():
    rows = [dict(quota=100.0, projection=150.0, at_risk=False), dict(quota=100.0, projection=130.0, at_risk=False),
            dict(quota=100.0, projection=80.0, at_risk=True), dict(quota=100.0, projection=95.0, at_risk=True),
            dict(quota=None, projection=10.0, at_risk=False)]  # no quota: not part of the sums
    said = words.carried(rows, "USD")
    # 455 projected against 400 of quota; above: 50 + 30 = 80; at risk short: 20 + 5 = 25
    assert said.startswith("Together the current reps are projected at 455 USD against quotas of 400 USD, and still "
                           "2 are at risk: the 2 projected above quota are expected to pass it by 80 USD in all, the 2 "
                           "projected below it to fall short by 25 USD.")
    # a rep at risk projected just above quota is counted once, among those above, and said
    edge = rows[:2] + [dict(quota=100.0, projection=102.0, at_risk=True), rows[3]]
    said = words.carried(edge, "USD")  # 477 against 400; above: 50 + 30 + 2 = 82; below: 5
    assert said.startswith("Together the current reps are projected at 477 USD against quotas of 400 USD, and still "
                           "2 are at risk (1 of those at risk is projected just above quota, with a range reaching "
                           "below it): the 3 projected above quota are expected to pass it by 82 USD in all, "
                           "the 1 projected below it to fall short by 5 USD.")
    # the reps together short of their quotas: nothing to reconcile; nobody at risk: nothing to explain
    assert words.carried([{**r, "projection": 60.0} if r["at_risk"] is False else r for r in rows[:4]]) is None
    assert words.carried([{**r, "at_risk": False} for r in rows]) is None


def test_the_samples_team_on_track_explains_its_reps_at_risk_in_the_terminal_and_the_explorer(sample_dir, tmp_path,
                                                                                            capsys):
    from salesnb.cli import main
    from salesnb.explorer import open_explorer

    main(["diagnose", "--data", str(sample_dir)])
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("Together the current reps are projected at "))
    assert out.index("At risk:") < out.index(line)
    app = open_explorer(sample_dir, save_dir=tmp_path)
    app.draw("summary")
    assert "Together the current reps are projected at " in app.sections["summary"].widget.value
