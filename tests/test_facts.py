"""Facts computed once and kept (`salesnb.facts`): data only on disk, read back equal, keyed by the files, the
package and the settings, written whole under concurrent writers, shared by kernels and the command line; a
kernel never loads the data; weights saved per dataset and used by default; lab and dashboard options."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salesnb.facts import codec, store
from salesnb.facts.source import Facts
from salesnb.pages.diagnose_json import to_json


@pytest.fixture
def cache(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("SALESNB_CACHE_DIR", str(root))
    return root


@pytest.fixture
def data(tmp_path, two_table_dir):
    """A small dataset folder of our own (its files may be changed)."""
    out = tmp_path / "data"
    shutil.copytree(two_table_dir, out)
    return out


def _no_load(monkeypatch):
    import salesnb.load

    def refuse(*_a, **_k):
        raise AssertionError("the data was loaded")
    monkeypatch.setattr(salesnb.load, "load", refuse)


# ------------------------------------------------------------------ the codec


def test_frames_and_dataclasses_come_back_equal_with_lists_mixed_values_and_attrs(tmp_path):
    from salesnb.periods import Period

    frame = pd.DataFrame({"ids": pd.array(["a", "b", None], dtype="str"), "lists": [["x", "y"], [], None],
                          "mixed": [True, np.nan, False], "n": pd.array([1, None, 3], dtype="Int64"),
                          "when": pd.to_datetime(["2026-01-01", None, "2026-03-01"]).astype("datetime64[ms]")},
                         index=pd.Index(["r1", "r2", "r3"], name="rep_id"))
    frame.attrs["unmeasured"] = "no stage history"
    p = Period(pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-31"), "2026-Q1", "quarter")
    obj = {"frame": frame, "period": p, "t": (1, 2.5, float("nan")), "s": pd.Series([1.0, 2.0], name="x"),
           7: "int key"}
    files = codec.dump(obj, tmp_path)
    assert sorted(f.suffix for f in files) == [".json", ".parquet", ".parquet"]  # data only: no pickle
    back = codec.load(tmp_path)
    pd.testing.assert_frame_equal(back["frame"], frame)
    assert back["frame"].attrs == frame.attrs and back["frame"]["lists"].tolist() == [["x", "y"], [], None]
    assert back["frame"]["mixed"].tolist()[0] is True and np.isnan(back["frame"]["mixed"].tolist()[1])
    assert back["period"] == p and back["period"].kind == "quarter"
    assert back["t"][:2] == (1, 2.5) and np.isnan(back["t"][2]) and back[7] == "int key"
    pd.testing.assert_series_equal(back["s"], obj["s"])


def test_a_class_outside_salesnb_is_never_built_from_a_cache_file(tmp_path):
    import json

    (tmp_path / codec.TREE).write_text(json.dumps({"$dc": "subprocess:Popen", "fields": {"args": ["true"]}}))
    with pytest.raises(codec.CodecError, match="not a salesnb class"):
        codec.load(tmp_path)


# ------------------------------------------------------------------ the cache


def test_an_analysis_is_kept_and_read_back_equal_and_the_second_time_nothing_is_loaded(cache, data, monkeypatch):
    first = Facts(data).team()
    assert first.dataset is not None  # the one who computed it still has the data at hand
    _no_load(monkeypatch)
    again = Facts(data).cached()
    assert again is not None and again.dataset is None
    assert to_json(again.diagnosis) == to_json(first.diagnosis)
    pd.testing.assert_frame_equal(again.table.values, first.table.values)
    pd.testing.assert_frame_equal(again.card.breakdown, first.card.breakdown)
    # "2026" is what the default period resolves to: the same entry
    assert Facts(data).cached(period="2026") is not None
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} <= {".json", ".parquet", ".lock"}
    assert not any(str(data) in str(p) for p in files) and sorted(data.iterdir()) == sorted(data.iterdir())


def test_the_key_follows_the_files_the_package_and_the_settings(cache, data, monkeypatch):
    import salesnb.facts.store as st

    Facts(data).team()
    assert Facts(data).cached(period="2026-Q1") is None  # another period
    assert Facts(data).cached(weights="balanced") is None  # other weights
    reps = data / "reps.csv"
    reps.write_text(reps.read_text(encoding="utf-8").replace("Priya", "Pria"), encoding="utf-8")
    assert Facts(data).cached() is None  # a changed file
    Facts(data).team()
    monkeypatch.setattr(st, "package_hash", lambda: "0.0.0+another")
    assert Facts(data).cached() is None  # another salesnb


def test_a_damaged_entry_is_dropped_and_computed_again(cache, data):
    Facts(data).team()
    entry = next(p for p in cache.rglob("manifest.json") if p.parent.parent.name != "tables").parent
    victim = next(entry.glob("*.parquet"))
    victim.write_bytes(victim.read_bytes()[:-10])
    assert Facts(data).cached() is None and not entry.exists()
    assert Facts(data).team().diagnosis is not None and entry.exists()


def test_two_processes_computing_the_same_facts_compute_them_once_and_leave_one_whole_entry(cache, data):
    cmd = [sys.executable, "-m", "salesnb", "cache", "warm", "--data", str(data)]
    env = {**os.environ, "SALESNB_CACHE_DIR": str(cache)}
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    said = "".join(o for o, _e in outs)
    assert said.count("analysed in") == 1 and said.count("already there") == 1, said
    entries = [p.parent for p in cache.rglob("manifest.json")]
    assert len(entries) == 1 and not list(cache.rglob("*.salesnb-tmp*"))


def test_the_cache_can_be_listed_cleared_and_turned_off(cache, data, monkeypatch, capsys):
    from salesnb.cli import main

    assert main(["diagnose", "--data", str(data)]) == 0
    assert main(["cache", "info"]) == 0
    out = capsys.readouterr().out
    assert str(cache) in out and str(data.resolve()) in out and "1 entry" in out
    assert main(["cache", "clear"]) == 0 and not any(cache.iterdir())
    monkeypatch.setenv("SALESNB_CACHE", "off")
    assert main(["diagnose", "--data", str(data)]) == 0 and not any(cache.iterdir())


def test_diagnose_score_and_the_reports_share_one_analysis(cache, data, monkeypatch, capsys, tmp_path):
    from salesnb.cli import main

    assert main(["diagnose", "--data", str(data), "--json"]) == 0
    fresh = capsys.readouterr().out
    _no_load(monkeypatch)
    assert main(["diagnose", "--data", str(data), "--json"]) == 0  # from the cache: the data is not loaded
    assert capsys.readouterr().out == fresh
    assert main(["score", "--data", str(data), "--top", "1"]) == 0
    assert "Weights: the outcomes-first preset" in capsys.readouterr().err


# ------------------------------------------------------------------ the explorer never holds the data


def test_the_explorer_reads_facts_and_computes_a_new_period_in_another_process(cache, data, monkeypatch):
    from salesnb.explorer import explore, open_explorer
    from salesnb.load import load

    dataset = load(data)
    reference = explore(dataset, period="2026")  # the data in memory: the findings computed here
    _no_load(monkeypatch)  # from here on this process may not load the data
    app = open_explorer(str(data))  # the first period: computed in a child process, read here
    app.controls.period.value = "2026-Q2"  # a new period: also computed elsewhere
    assert app.state.period == "2026-Q2" and "2026-Q2" in app.sections["title"].widget.value
    app.controls.period.value = "2026"
    # a team filter reads that team's rows from the cache's copy: the same findings as from the data
    for a in (app, reference):
        a.controls.scope.value = a.controls.scope.options[1][1]
    f, g = app.view.findings, reference.view.findings
    pd.testing.assert_frame_equal(f.vanity, g.vanity)
    pd.testing.assert_frame_equal(f.top_performers, g.top_performers)
    assert f.n_reps == g.n_reps and f.unavailable == g.unavailable


# ------------------------------------------------------------------ weights kept per dataset


def test_saved_weights_are_used_by_default_and_each_command_says_which(cache, data, monkeypatch, capsys, tmp_path):
    from salesnb.cli import main
    from salesnb.saved_weights import resolve, saved_path
    from salesnb.scorecard import Weights, save_weights

    monkeypatch.setenv("SALESNB_CONFIG_DIR", str(tmp_path / "cfg"))
    assert resolve(data) == ("outcomes-first", "Weights: the outcomes-first preset (none saved for this dataset).")
    target = saved_path(data)
    assert not target.is_relative_to(data.resolve()) and target.is_relative_to(tmp_path / "cfg")
    target.parent.mkdir(parents=True)
    save_weights(Weights({"won_revenue": 1.0}, name="ours"), target)
    spec, said = resolve(data)
    assert spec == str(target) and str(target) in said and "saved for this dataset" in said
    assert resolve(data, preset="balanced")[0] == "balanced"  # the command line wins
    assert main(["score", "--data", str(data)]) == 0
    captured = capsys.readouterr()
    assert str(target) in captured.err and "Won revenue 100" in captured.out  # scored on won revenue alone


# ------------------------------------------------------------------ lab and dashboard options


def test_lab_passes_jupyter_options_on_and_allow_root_as_root():
    from salesnb.workspace import lab_command

    cmd = lab_command("jupyter", Path("w"), port=9000, browser=False, ip="0.0.0.0",
                      extra=["--ServerApp.base_url=/x/"])
    assert cmd[:3] == ["jupyter", "lab", "--notebook-dir=w"]
    assert {"--port=9000", "--no-browser", "--ip=0.0.0.0"} <= set(cmd) and cmd[-1] == "--ServerApp.base_url=/x/"
    assert ("--allow-root" in cmd) == (os.geteuid() == 0)
    assert "--allow-root" in lab_command("jupyter", Path("w"), allow_root=True)


def test_the_dashboard_stays_on_this_machine_unless_told_and_passes_options_on(monkeypatch):
    from salesnb import cli
    from salesnb.explorer.serve import voila_command

    cmd = voila_command(Path("nb.ipynb"), 9001, browser=False, extra=["--MappingKernelManager.cull_idle_timeout=60"])
    assert "--Voila.ip=127.0.0.1" in cmd and cmd[-1] == "--MappingKernelManager.cull_idle_timeout=60"
    seen = {}
    monkeypatch.setattr("salesnb.explorer.serve.serve_dashboard", lambda *a, **k: seen.update(k) or 0)
    assert cli.main(["dashboard", "--no-browser", "--", "--Voila.tornado_settings={}", "--x"]) == 0
    assert seen["ip"] == "127.0.0.1" and seen["extra"] == ["--Voila.tornado_settings={}", "--x"]
    seen.clear()
    monkeypatch.setattr("salesnb.workspace.start_lab", lambda *a, **k: seen.update(k) or 0)
    assert cli.main(["lab", "mywork", "--allow-root", "--", "--ServerApp.token=abc"]) == 0
    assert seen["allow_root"] and seen["extra"] == ["--ServerApp.token=abc"]
