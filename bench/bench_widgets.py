"""Benchmark: a control change in the team explorer, end to end (new state, re-score or filter, every section
redrawn), next to a bare re-score.

    .venv/bin/python bench/bench_widgets.py               # the bundled sample team
    .venv/bin/python bench/bench_widgets.py --reps 1000   # a generated team (bench/_data/, made once)

Sets widget `.value`s as a person does (the observers fire synchronously) and, after each change, draws every
section of every tab that reads what changed, not only the tab on screen. Sections in a closed fold (the
month trend and audit charts, drawn offline; attainment rep by rep; the figures behind the at-risk list; every
rep's funnel; rank stability) and the one-on-one view are drawn when opened: they are timed on their own below.
Work done once and kept (a period's analysis, a team's or role's audit) is timed on its first use, before the
runs. Targets: a control change <= 150 ms on the sample, <= 1 s on 1,000 reps.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_S = {None: 0.150, 1000: 1.0}  # a control change (median), on the sample and on 1,000 reps


def data_dir(reps: int | None, volume: float) -> Path:
    """The sample, or a generated team kept under bench/_data/ (what `salesnb sample --reps N` writes)."""
    from salesnb.config import SAMPLE_DIR

    if not reps:
        return SAMPLE_DIR
    out = HERE / "_data" / f"explorer-{reps}-v{volume:g}"
    if not out.exists():
        from salesnb.generate import generate

        generate(out, reps=reps, seed=3, stories=False, volume=volume)
    return out


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def on_open(app) -> list[str]:
    """The sections drawn when their fold (or the one-on-one tab) is opened."""
    return [n for n, s in app.sections.items() if s.fold is not None or n == "one_on_one"]


def redraw_all(app) -> None:
    """Every section but the ones drawn on opening (see the module docstring)."""
    for name in app.sections:
        if name not in on_open(app):
            app.draw(name)


def changes(app) -> dict[str, list]:
    """Per control, the values a run cycles through (each one a change)."""
    c = app.controls
    scopes = [k for _label, k in c.scope.options]
    roles = [k for _label, k in c.role.options]
    periods = list(c.period.options)[:3]
    return {
        "slider move": [(c.sliders["won_revenue"], 5.0 + i) for i in range(10)],
        "preset": [(c.preset, p) for p in ("balanced", "activity-coaching", "outcomes-first")] * 2,
        "scoring": [(c.normalisation, n) for n in ("zscore", "target", "percentile")] * 2,
        "team": [(c.scope, s) for s in (scopes[1:3] + scopes[:1])] * 2,
        "role": [(c.role, r) for r in (roles[1:2] + roles[:1])] * 3 if len(roles) > 1 else [],
        "period (analysed before)": [(c.period, p) for p in (periods[1:] + periods[:1])] * 2,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=None, help="generated team size (default: the sample team)")
    parser.add_argument("--volume", type=float, default=1.0, help="deals and activities per rep, as salesnb sample")
    args = parser.parse_args()

    from salesnb.explorer import explore
    from salesnb.load import load

    folder = data_dir(args.reps, args.volume)
    ds = load(folder)
    start = time.perf_counter()
    app = explore(ds, save_dir=HERE / "_out")
    print(f"{folder.name}: {len(app.view.board)} current reps; opening (load done, analysis of one period): "
          f"{time.perf_counter() - start:.1f} s")
    for p in list(app.controls.period.options)[1:3]:  # every period of the run is analysed once, before timing
        print(f"  first visit of period {p} (analysis, once): {timed(lambda: setattr(app.controls.period, 'value', p)):.1f} s")
    app.controls.period.value = app.controls.period.options[0]
    scopes = [k for _l, k in app.controls.scope.options][1:3]
    for s in scopes:  # a team's own findings (audit, top performers) are computed on first use, then kept
        t = timed(lambda: (setattr(app.controls.scope, "value", s), redraw_all(app)))
        print(f"  first visit of team {s!r} (its audit and top performers, once): {t * 1e3:.0f} ms")
    app.controls.scope.value = ""
    for r in [k for _l, k in app.controls.role.options][1:2]:
        t = timed(lambda: (setattr(app.controls.role, "value", r), redraw_all(app)))
        print(f"  first visit of role {r!r} (its audit and top performers, once): {t * 1e3:.0f} ms")
    app.controls.role.value = ""
    redraw_all(app)

    scorer = app.explorer.scorer(app.state.period, app.view.weights.group_by)
    bare = statistics.median(timed(lambda: scorer.score(app.view.weights)) for _ in range(20))
    print(f"bare Scorer.score of the weights on screen: median {bare * 1e3:.1f} ms")
    target = TARGET_S.get(args.reps)
    print(f"{'control change, every section redrawn':<42} {'median':>8} {'max':>8}  ratio to bare re-score"
          + (f"  (target: median <= {target * 1e3:.0f} ms)" if target else ""))
    missed = []
    for name, steps in changes(app).items():
        if not steps:
            print(f"{name:<42} (one value only)")
            continue
        times = [timed(lambda: (setattr(w, "value", v), redraw_all(app))) for w, v in steps]
        med = statistics.median(times)
        ok = target is None or med <= target
        missed += [] if ok else [name]
        print(f"{name:<42} {med * 1e3:6.1f}ms {max(times) * 1e3:6.1f}ms  {med / bare:6.1f}x{'' if ok else '  MISSED'}")

    print("drawn when opened:")
    app.controls.rep.value = app.view.ids[0]
    for name in on_open(app):
        app.sections[name].stale = True
        print(f"  {name:<12} {timed(lambda: app.draw(name)) * 1e3:7.0f} ms (first)", end="")
        app.sections[name].stale = True
        print(f", {timed(lambda: app.draw(name)) * 1e3:7.0f} ms (again)")
    print("all targets met" if not missed else f"MISSED: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
