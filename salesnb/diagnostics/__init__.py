"""Diagnostics: why each rep is where they are, not only who is where.

    d = diagnose(dataset, period="2026", as_of="2026-09-30")
    d.reps            # one row per current rep: score, rank, attainment, bottleneck, pair_with, at_risk, ...
    d.bottleneck      # funnel step where each rep leaks most, with the numbers vs the team
    d.vanity          # activity metrics vs outcomes: driver / vanity / unclear
    to_json(d)        # salesnb.pages.diagnose_json: the document `diagnose --json` prints (docs/diagnose-json.md)

One module per diagnosis; each works on plain DataFrames so it can be tested on
small frames built by hand. A diagnosis whose tables are missing is listed in
``Diagnosis.unavailable`` with the reason instead of failing.
"""
from __future__ import annotations

from .diagnosis import Diagnosis, diagnose

__all__ = ["Diagnosis", "diagnose"]
