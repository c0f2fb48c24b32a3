"""Peak memory of importing a big Salesforce API export, against the export's size.

Makes a synthetic Opportunity.csv in the Salesforce API layout (BOM, zoned timestamps, 35
columns) of about --mb megabytes under bench/_data/ (reused when present), then imports it
with the salesforce-api preset in a fresh process and reports that process's peak RSS.
Baseline, measured in the same run: a process that only imports salesnb and pandas.
A second import of a file a quarter the size shows whether memory grows with the file. Target
(docs/importing.md: "a few hundred MB, not gigabytes"): at most MAX_EXTRA_MB above the baseline at any size.

    .venv/bin/python bench/bench_import.py --mb 100      # quick
    .venv/bin/python bench/bench_import.py               # ~1 GB (slow: run rarely)
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "bench" / "_data"
OUT_DIR = ROOT / "bench" / "_out"
MAX_EXTRA_MB = 500  # peak memory above the baseline, whatever the file's size

HEADER = ("Id,IsDeleted,AccountId,Name,Description,StageName,Amount,Probability,CloseDate,Type,NextStep,LeadSource,"
          "IsClosed,IsWon,ForecastCategory,ForecastCategoryName,CampaignId,HasOpportunityLineItem,Pricebook2Id,"
          "OwnerId,CreatedDate,CreatedById,LastModifiedDate,LastModifiedById,SystemModstamp,LastActivityDate,"
          "FiscalQuarter,FiscalYear,Fiscal,LastViewedDate,LastReferencedDate,HasOpenActivity,HasOverdueTask,"
          "External_id__c,Product__c").split(",")
STAGES = np.array(["Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote", "Negotiation/Review",
                   "Closed Won", "Closed Lost"])
SOURCES = np.array(["Web", "Referral", "Partner", "Cold Call", ""])


def _chunk(rng: np.random.Generator, start: int, n: int, reps: int) -> pd.DataFrame:
    idx = np.arange(start, start + n)
    stage = rng.integers(0, len(STAGES), n)
    won = stage == 5
    closed = stage >= 5
    created = np.datetime64("2023-01-01") + rng.integers(0, 700, n).astype("timedelta64[D]")
    close = created + rng.integers(5, 200, n).astype("timedelta64[D]")
    owner = np.char.add("005Ec0000", np.char.zfill(rng.integers(0, reps, n).astype(str), 9))
    ts = np.char.add(created.astype(str), "T16:14:25.000+0000")
    empty = np.full(n, "", dtype=object)
    cols = {
        "Id": np.char.add("006Ec", np.char.zfill(idx.astype(str), 13)),
        "IsDeleted": empty, "AccountId": np.char.add("001Ec", np.char.zfill((idx % 5000).astype(str), 13)),
        "Name": np.char.add("Synthetic Account - Business Checking Account - deal ", idx.astype(str)),
        "Description": empty, "StageName": STAGES[stage],
        "Amount": np.round(rng.lognormal(10, 1, n), 2).astype(str), "Probability": np.where(won, "100", "10"),
        "CloseDate": close.astype(str), "Type": empty, "NextStep": np.where(closed, "", "Call back"),
        "LeadSource": SOURCES[rng.integers(0, len(SOURCES), n)], "IsClosed": np.where(closed, "1", ""),
        "IsWon": np.where(won, "1", ""), "ForecastCategory": "Pipeline", "ForecastCategoryName": "Pipeline",
        "CampaignId": empty, "HasOpportunityLineItem": empty, "Pricebook2Id": empty, "OwnerId": owner,
        "CreatedDate": ts, "CreatedById": owner, "LastModifiedDate": ts, "LastModifiedById": owner,
        "SystemModstamp": ts, "LastActivityDate": empty, "FiscalQuarter": "4", "FiscalYear": "2024",
        "Fiscal": "2024 4", "LastViewedDate": empty, "LastReferencedDate": empty, "HasOpenActivity": empty,
        "HasOverdueTask": empty, "External_id__c": np.char.add("ext_opportunity_", idx.astype(str)),
        "Product__c": "Business Checking Account",
    }
    return pd.DataFrame({k: cols[k] for k in HEADER})


def make_export(mb: int, seed: int = 7) -> Path:
    """A synthetic Salesforce API Opportunity export of about `mb` MB (reused if already made)."""
    folder = DATA_DIR / f"sf_api_{mb}mb"
    path = folder / "Opportunity.csv"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".tmp")
    target, rows, start = mb * 1024 * 1024, 20_000, 0
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")
        while fh.tell() < target:
            _chunk(rng, start, rows, reps=200).to_csv(fh, header=False, index=False, lineterminator="\n")
            start += rows
    tmp.rename(path)
    return path


CHILD = """
import json, resource, sys, time
from pathlib import Path
import pandas, salesnb
from salesnb.importers import import_export
mode, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
rows = None
if mode == "import":
    result = import_export([src], out, "salesforce-api", overwrite=True, validate=False)
    rows = result.rows("opportunities")
print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "seconds": time.perf_counter() - t, "rows": rows}))
"""


def measure(mode: str, src: Path, out: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(src), str(out)], capture_output=True, text=True,
                          cwd=ROOT)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=int, default=1024, help="size of the synthetic export in MB (default 1024)")
    args = ap.parse_args()
    sizes = [max(1, args.mb // 4), args.mb]
    base = measure("baseline", Path("-"), Path("-"))
    print(f"baseline (python + pandas + salesnb imported): peak RSS {base['peak_mb']:.0f} MB; "
          f"target: at most {MAX_EXTRA_MB} MB above it")
    worst = 0.0
    for mb in sizes:
        t = time.perf_counter()
        src = make_export(mb)
        made = time.perf_counter() - t
        size_mb = src.stat().st_size / 2**20
        out = OUT_DIR / f"import_{mb}mb"
        r = measure("import", src, out)
        extra = r["peak_mb"] - base["peak_mb"]
        print(f"export {size_mb:,.0f} MB ({r['rows']:,} deals; made in {made:.0f} s): import {r['seconds']:.1f} s, "
              f"peak RSS {r['peak_mb']:.0f} MB = {r['peak_mb'] / size_mb:.2f} x the file, "
              f"{extra:.0f} MB above baseline = {extra / size_mb:.2f} x the file")
        shutil.rmtree(out, ignore_errors=True)
        worst = max(worst, extra)
    ok = worst <= MAX_EXTRA_MB
    print(f"most above baseline {worst:.0f} MB (target <= {MAX_EXTRA_MB} MB): {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
