"""New hires: their first days count as part of a day in the volume test, and the report says they joined."""
from __future__ import annotations

import pandas as pd
import pytest

from salesnb.diagnostics import thresholds as th
from salesnb.diagnostics.diagnosis import ramped_days, ramping_since

START, END = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-04-10")  # a 100-day window


def reps(*hires) -> pd.DataFrame:
    return pd.DataFrame({"rep_id": [f"r{i}" for i in range(len(hires))],
                         "hire_date": pd.to_datetime(list(hires)),
                         "end_date": pd.NaT}).set_index("rep_id")


def test_days_inside_the_ramp_count_as_part_of_a_day():
    assert (END - START).days + 1 == 100
    got = ramped_days(reps("2020-01-01", "2025-11-02", "2026-03-12", "2026-05-01"), START, END)
    # a veteran: all 100 days. Hired 60 days before the window: 120 - 60 = 60 ramp days inside it, each
    # counting 0.6: 100 - 0.4 x 60 = 76. Hired 30 days before the end: 30 days, all ramping: 30 x 0.6 = 18.
    # Hired after the window: nothing.
    assert pd.Timestamp("2025-11-02") + pd.Timedelta(days=60) == START
    assert (END - pd.Timestamp("2026-03-12")).days + 1 == 30
    assert list(got) == pytest.approx([100.0, 100 - (1 - th.RAMP_WEIGHT) * 60, 30 * th.RAMP_WEIGHT, 0.0])
    assert (th.RAMP_DAYS, th.RAMP_WEIGHT) == (120, 0.6)  # the numbers above are worked for these


def test_without_hire_dates_every_day_counts_whole():
    r = reps("2026-02-01").drop(columns="hire_date")
    assert list(ramped_days(r, START, END)) == [100.0]
    assert list(ramping_since(r, START, END)) == [None]


def test_the_report_names_the_hire_date_only_while_the_ramp_overlaps_the_period():
    # ramp ends 119 days after the hire: hired 2025-09-04 ramps until 2026-01-01 (the window's first day);
    # hired a day earlier, the ramp is over before the window opens
    r = reps("2025-09-04", "2025-09-03", "2026-03-12", "2026-05-01", "2020-06-01")
    assert pd.Timestamp("2025-09-04") + pd.Timedelta(days=th.RAMP_DAYS - 1) == START
    assert list(ramping_since(r, START, END)) == ["2025-09-04", None, "2026-03-12", None, None]
