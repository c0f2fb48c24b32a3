"""Valid data of any shape: never a crash, never NaN in JSON, never a sentence whose inputs are missing.

Two tiers, to stay within the suite's time (an analysis with its comparisons costs seconds; checking costs
far less):

- every generated shape (hypothesis, `FAST_EXAMPLES` datasets per run, derandomized so CI is reproducible):
  `salesnb validate` and `salesnb score` in-process, the load, the metrics and what they say about the shape;
- a fixed walk through the kinds (`shapes_gen.seeded_shape`, `FULL_SHAPES` of them): `salesnb diagnose --json`,
  two reps' report facts and words and the dashboard's data functions, each analysis shared between the tests;
  a real papermill render on two of them (slow).

A failing example prints its `Shape` (with its seed): `shapes_gen.build(Shape(...))` rebuilds the dataset.
"""
from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

import shapes_gen as G
from salesnb.validate.duplicates import DOUBLE_LOGGED_SHARE
from shapes_check import CLEAR_ERROR, _no_nan, _run, explorer_texts, report_texts, run_commands

FAST_EXAMPLES = int(os.environ.get("SALESNB_SHAPES_EXAMPLES", "200"))
FULL_SHAPES = 10
SETTINGS = settings(max_examples=FAST_EXAMPLES, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], print_blob=True)


@pytest.fixture(scope="module", autouse=True)
def _no_cache():
    """Each dataset is analysed once, in memory: the facts cache would only write files no test reads again."""
    saved = os.environ.get("SALESNB_CACHE")
    os.environ["SALESNB_CACHE"] = "off"
    yield
    if saved is None:
        os.environ.pop("SALESNB_CACHE", None)
    else:
        os.environ["SALESNB_CACHE"] = saved


@contextlib.contextmanager
def _keep_dataset_and_metrics():
    """The dataset a command loaded and the metrics it computed, for the checks (not computed twice)."""
    import salesnb.metrics as M
    from salesnb.facts.source import Facts

    made, real_dataset, real_metrics = {}, Facts.dataset, M.metrics

    def dataset(self):
        made["dataset"] = real_dataset(self)
        return made["dataset"]

    def metrics(*args, **kwargs):
        made["table"] = real_metrics(*args, **kwargs)
        return made["table"]

    Facts.dataset, M.metrics = dataset, metrics
    try:
        yield made
    finally:
        Facts.dataset, M.metrics = real_dataset, real_metrics


def _renamed(shape: G.Shape) -> bool:
    """team_quotas that name a team reps.csv does not have: invalid data, refused with the line and the fix."""
    return shape.renamed_team and shape.teams and shape.quotas != "none"


def _tags(shape: G.Shape) -> list[str]:
    """The kinds a shape belongs to (counted by `test_the_shapes_cover_every_kind` and hypothesis's statistics)."""
    t = shape.activity_types
    return [f"roles:{shape.roles}", f"deals:{shape.deals}", f"quotas:{shape.quotas}", f"ids:{shape.ids}",
            f"stages:{shape.stages}", f"months:{shape.months}",
            "activities:none" if not t else "activities:all" if len(t) == len(G.ACTIVITY_TYPES) else
            "activities:one alone" if len(t) == 1 else "activities:some absent",
            *(["duplicated"] if shape.duplicated else []), *([f"linked:{shape.linked}"] if t else []),
            *(["part-window activities"] if shape.activity_weeks else []), *(["no leads"] if not shape.leads else []),
            *(["reps with no deals"] if shape.idle_reps or (shape.roles == "several" and not shape.sdr_deals) else []),
            *(["new hires"] if shape.new_hires else []), *(["renamed team"] if _renamed(shape) else []),
            *(["late lost close date"] if shape.late_lost else []), *(["no teams"] if not shape.teams else [])]


# ------------------------------------------------------------------ every generated shape


@SETTINGS
@given(G.shapes())
def test_every_shape_validates_scores_and_loads_as_it_is(shape):
    note(f"rebuild: shapes_gen.build(Shape({shape.describe()}))")
    for tag in _tags(shape):
        event(tag)
    if said := check_shape(shape):
        event(said)


def check_shape(shape: G.Shape) -> str | None:
    """validate and score in-process, then what the loaded data and its metrics say about `shape`."""
    from salesnb.diagnostics.hygiene import flag_deals
    from salesnb.metrics.coverage import activity_window
    from salesnb.periods import default_as_of

    tables = G.build(shape)
    with tempfile.TemporaryDirectory() as tmp:
        folder = G.write(tables, Path(tmp) / "data")
        rc, out, err = _run(["validate", str(folder)])
        assert "Traceback" not in out + err
        if _renamed(shape):  # refused, naming the line, the column and the fix; every command says the same
            assert rc == 1 and re.search(r"team_quotas\.csv:\d+: column team: value 'Sued Team'", out), out
            rc, _, err = _run(["score", "--data", str(folder)])
            assert rc == 1 and err.startswith("salesnb score:") and "team_quotas.csv" in err, err
            return "refused: renamed team"
        assert rc == 0, out + err
        assert re.search(r"Report date: \d{4}-\d\d-\d\d, the export's own date", out), out
        period = ["--period", shape.period] if shape.period else []
        with _keep_dataset_and_metrics() as made:
            rc, out, err = _run(["score", "--data", str(folder), *period])
        assert not re.search(r"\b(nan|inf|NaN|None)\b", out), out
        if rc != 0:  # a period the data cannot cover: said, naming what is missing
            assert CLEAR_ERROR.match(err.strip()), err
            return "score: clear error"
    ds, table = made["dataset"], made["table"]
    as_of = default_as_of(ds)
    assert as_of <= G.EXPORT_DAY  # the export's own date: never a lost deal's expected close date after it
    acts = tables.get("activities")
    if acts is not None and not len(acts):
        acts = None  # a header and no row: no activities table, as for the loader
    if acts is not None:  # copies counted once when so many that the export logged them twice; else all kept
        distinct = acts.drop(columns="activity_id").drop_duplicates()
        twice = len(acts) - len(distinct) >= DOUBLE_LOGGED_SHARE * len(acts)
        assert len(ds.activities) == (len(distinct) if twice else len(acts))
        assert twice or not shape.duplicated
    values = table.values
    assert not np.isinf(values.to_numpy(dtype=float)).any()
    for t in G.ACTIVITY_TYPES:  # a type the export lacks is absent, not zero; a type it has is counted
        logged = acts is not None and (acts["type"] == t).any()
        assert (f"act_{t}" in values) == bool(logged), t
        if acts is not None and not logged:
            assert "absent, not zero" in table.unavailable[f"act_{t}"]
    if acts is not None and shape.linked == "none":  # calls linked to no deal say nothing about any deal
        deals, basis = flag_deals(ds.opportunities, ds.activities, as_of, ds.stage_history)
        if shape.stages != "history":  # nor does anything else: not judged
            assert "stale_deals" not in values
            assert not deals["stale"].any() and basis.startswith("not judged")
        else:  # the stage history tells when each deal last changed stage: judged by that alone
            assert "activity logged" not in basis
    if acts is not None and shape.activity_weeks:
        start = table.period.start
        w = activity_window(ds.activities, start, min(table.period.end, table.as_of))
        logged_from = G.EXPORT_DAY - pd.Timedelta(weeks=shape.activity_weeks) + pd.Timedelta(days=1)
        if w is not None and (logged_from - start).days > 14:  # rates per week of the weeks logged, not the period's
            assert w.narrowed and w.start >= logged_from and w.weeks <= shape.activity_weeks


def test_every_kind_is_generated_within_one_run():
    """The strategy meets every kind within as many draws as the property makes (derandomized: every run)."""
    from collections import Counter

    seen = Counter(tag for shape in _draw(FAST_EXAMPLES) for tag in _tags(shape))
    kinds = ["roles:none", "roles:one", "roles:several", "deals:won_only", "deals:no_won_in_period",
             "deals:no_new_in_period", "quotas:none", "quotas:reps", "quotas:team_only", "ids:numeric",
             "ids:unicode", "stages:none", "stages:furthest", "stages:history", "months:1", "activities:none",
             "activities:all", "activities:one alone", "activities:some absent", "duplicated", "linked:none",
             "linked:some", "part-window activities", "no leads", "reps with no deals", "new hires", "renamed team",
             "late lost close date", "no teams"]
    assert [k for k in kinds if not seen[k]] == []


def _draw(n: int) -> list:
    out = []

    @settings(max_examples=n, database=None, derandomize=True)
    @given(G.shapes())
    def collect(shape):
        out.append(shape)

    collect()
    return out


# ------------------------------------------------------------------ the full pipeline on a walk through the kinds


@dataclass
class Run:
    """One shape through `diagnose --json`, two reps' reports and the dashboard; what failed, kept to re-raise."""

    shape: G.Shape
    folder: Path
    doc: dict | None = None
    team: object = None
    diagnose_error: BaseException | None = None
    texts: dict | None = None
    report_error: BaseException | None = None
    dashboard: str | None = None
    dashboard_error: BaseException | None = None


_FOLDERS = Path(tempfile.mkdtemp(prefix="salesnb-shapes-"))


@functools.lru_cache(maxsize=None)
def full_run(k: int) -> Run:
    shape = G.seeded_shape(k)
    run = Run(shape, G.write(G.build(shape), _FOLDERS / f"shape-{k}"))
    run.doc, run.team, run.diagnose_error = run_commands(run.folder, shape.period)
    if run.team is None:
        return run
    try:
        run.texts = report_texts(run.team, list(run.team.table.reps.index[:2]))
    except Exception as exc:  # noqa: BLE001 - re-raised by the test that reads it
        run.report_error = exc
    try:
        run.dashboard = explorer_texts(run.team)
    except Exception as exc:  # noqa: BLE001
        run.dashboard_error = exc
    return run


def _ran(k: int) -> Run:
    run = full_run(k)
    print(f"shape {k}: Shape({run.shape.describe()})")  # shown when the test fails: rebuild with shapes_gen.build
    return run


FULL = range(FULL_SHAPES)


@pytest.mark.parametrize("k", FULL)
def test_diagnose_json_on_each_kind_has_no_nan(k):
    run = _ran(k)
    if run.diagnose_error is not None:
        raise run.diagnose_error
    if _renamed(run.shape):
        assert run.doc is None
        return
    assert run.doc is not None and run.doc["schema_version"] >= 3  # parsed with NaN and Infinity refused


@pytest.mark.parametrize("k", FULL)
def test_reports_and_dashboard_on_each_kind_run_with_no_nan(k):
    run = _ran(k)
    assert run.team is not None, run.diagnose_error
    for error in (run.report_error, run.dashboard_error):
        if error is not None:
            raise error
    assert len(run.texts) == min(2, len(run.team.table.reps)) and run.dashboard


def _words(k: int) -> tuple[Run, str]:
    run = _ran(k)
    assert run.texts is not None, run.report_error or run.diagnose_error
    return run, "\n".join(run.texts.values())


@pytest.mark.parametrize("k", FULL)
def test_no_sentence_speaks_of_roles_quotas_or_activities_the_data_lacks(k):
    run, text = _words(k)
    s = run.shape
    if s.roles == "none":
        assert "your role" not in text and "the role" not in text
    if not s.has_quotas:
        assert "Weekly work and the quota" not in text and "Won against the quota" not in text
    if s.quotas not in ("reps", "some_reps"):
        assert "of quota" not in text  # a rep's quota attainment needs a rep quota
    if not s.leads:  # a new hire's pace is then counted in opportunities created, and said so
        assert "new leads" not in text and "number of leads" not in text
    held = set(s.activity_types)
    view_rows = {r["activity"] for rid in run.texts for r in (_mix_rows(run, rid))}
    assert view_rows <= held, view_rows - held
    if run.doc is not None:
        audited = {m.removeprefix("act_") for m in (v["metric"] for v in run.doc["vanity"]) if m.startswith("act_")}
        assert audited <= held, audited - held
        if s.activity_types and s.linked == "none" and s.stages != "history":
            assert not any(d["stale"] for d in run.doc["hygiene_deals"])


@pytest.mark.parametrize("k", FULL)
def test_no_sentence_states_a_finding_the_data_cannot_support(k):
    run, text = _words(k)
    s, low = run.shape, text.lower()
    if run.doc is not None and run.doc["team"].get("target"):  # attainment: on what the target covers, no more
        t = run.doc["team"]
        assert t["attainment"] == pytest.approx(t["quota_won"] / t["target"], abs=1e-4)  # the JSON keeps 4 decimals
        if s.quotas == "some_reps" and not s.teams:  # a target of some reps' quotas: the others' wins said apart
            assert t["won"] == pytest.approx(t["quota_won"] + (t["won_without_quota"] or 0.0))
    if s.deals == "won_only":  # no lost deal, no open deal: no rate of winning, no pipeline verdict
        assert "win rate" not in low and "too few deals" not in low
    if not s.leads:
        assert "qualifying leads" not in low
    if s.period and run.team.as_of >= run.team.period.end:  # a finished period
        assert "won revenue so far" not in low and "projected at period end" not in low
    if "closes no deals" in low:  # only for a group that won nothing in the period
        won = run.team.table.values["won_revenue"].fillna(0)
        assert won.sum() == 0 or s.roles == "several"
    if not s.next_step and not (s.activity_types and s.linked != "none"):  # nothing to judge hygiene by
        assert "up to date" not in low and "not stale" not in low
    if run.doc is not None and s.roles == "several" and not s.sdr_deals:  # SDRs own no deal: no revenue verdict
        sdrs = set(run.team.table.reps.index[run.team.table.reps["role"] == "SDR"])
        assert not [r["id"] for r in run.doc["reps"] if r["id"] in sdrs and r.get("at_risk")]


def _mix_rows(run: Run, rid: str) -> list[dict]:
    from salesnb.report import build_view, inputs_for

    mix = build_view(inputs_for(run.team).slice(rid)).activity_mix
    return [r.__dict__ for r in mix.rows] if mix is not None else []


@pytest.mark.slow
@pytest.mark.parametrize("k", [1, 3])  # won deals only with one role; a quarter with no new deals, no roles
def test_the_report_notebook_renders_for_a_kind(k, tmp_path):
    run = _ran(k)
    ids = list(run.team.table.reps.index[:1])
    period = ["--period", run.shape.period] if run.shape.period else []
    rc, out, err = _run(["reports", "--data", str(run.folder), "--out", str(tmp_path / "r"), "--reps", ",".join(ids),
                         "--jobs", "1", "--no-progress", *period])
    assert rc == 0, out + err
    assert len(list((tmp_path / "r").rglob("*.html"))) >= 2  # the rep's report and the index
