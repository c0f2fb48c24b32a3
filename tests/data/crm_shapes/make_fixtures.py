"""Write the small synthetic CRM exports in this folder, shaped like real public CRM datasets.

    python tests/data/crm_shapes/make_fixtures.py          # rewrites stage_only/*.csv and numeric_ids/*.csv
    python tests/data/crm_shapes/make_fixtures.py OUTDIR   # writes them under OUTDIR instead

Deterministic (a fixed seed, Python's own `random`), so the committed files are what this script
writes. The values are invented; the shapes, and the traps in them, are those of real exports:

stage_only/  a stage-only pipeline (like the public "CRM sales opportunities" sample)
    sales_pipeline.csv  opportunity_id, sales_agent, product, account, deal_stage, engage_date,
                        close_date, close_value: deal_stage is Prospecting / Engaging / Won / Lost with
                        no stage history; Prospecting deals have no engage date and often no account;
                        open deals have no close_value; lost deals are worth 0; the product is written
                        'GTXPro' where the price list says 'GTX Pro'; one agent's name has a double space.
    sales_teams.csv     sales_agent, manager, regional_office (two agents have no deals)
    products.csv        product, series, sales_price (the price list)
    accounts.csv        account, sector, year_established, revenue, employees, office_location, subsidiary_of

numeric_ids/  an export keyed by numeric employee ids
    employees.csv       employee_id 1..12 (one written '05'), first_name, last_name, role (SDR / AE / AM),
                        team, start_date as YYYYMMDD integers
    deals.csv           deal_id, owner_id, sdr_id, account, stage, deal_type, created (YYYYMMDD integers),
                        closed (YYYYMMDD as floats, '20210315.0', since open deals leave it empty), amount
                        (a few credit notes are negative), and a trailing comma in the header: an unnamed
                        column, empty but for a few stray values
    team_quotas.csv     Team, Year, Quarter, Quota as currency strings ("$200,000 ")
"""
from __future__ import annotations

import csv
import datetime as dt
import random
import string
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 13


def write(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


# --------------------------------------------------------------------------------------
# (a) stage-only pipeline

PRODUCTS = [("GTX Basic", "GTX", 550), ("GTX Pro", "GTX", 4821), ("MG Special", "MG", 55),
            ("MG Advanced", "MG", 3393), ("GTX Plus Pro", "GTX", 5482), ("GTX Plus Basic", "GTX", 1096),
            ("GTK 500", "GTK", 26768)]
TEAMS = {  # manager -> (office, agents); the last agent of each of two teams has no deals
    "Dustin Brinkmann": ("Central", ["Anna Snelling", "Cecily Lampkin", "Versie Hillebrand", "Lajuana Vencill"]),
    "Melvin Marxen": ("Central", ["Moses Frase", "Jonathan Berthelot", "Marty Freudenburg", "Gladys Colclough"]),
    "Cara Losch": ("East", ["Violet Mclelland", "Corliss Cosme", "Rosie Papadopoulos", "Garret Kinder"]),
    "Summer Sewald": ("West", ["James Ascencio", "Kary Hendrixson", "Maureen Marcano", "Hayden Neloms"]),
}
NO_DEALS = {"Lajuana Vencill", "Hayden Neloms"}
SECTORS = ["technology", "medical", "retail", "software", "finance", "marketing", "telecommunications"]
ACCOUNTS = ["Acme Corporation", "Betasoloin", "Bioholding", "Bubba Gump", "Cancity", "Codehow", "Condax",
            "Conecom", "Dalttechnology", "Dontechi", "Finhigh", "Funholding", "Gekko & Co", "Genco Pura Olive Oil",
            "Globex Corporation", "Goodsilron", "Hottechi", "Initech", "Isdom", "Kan-code"]


def _opportunity_id(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(8))


def stage_only(rng: random.Random, root: Path, n: int = 300) -> None:
    out = root / "stage_only"
    agents = [(a, m, office) for m, (office, names) in TEAMS.items() for a in names]
    write(out / "sales_teams.csv", ["sales_agent", "manager", "regional_office"], agents)
    write(out / "products.csv", ["product", "series", "sales_price"], [list(p) for p in PRODUCTS])
    write(out / "accounts.csv", ["account", "sector", "year_established", "revenue", "employees", "office_location",
                                 "subsidiary_of"],
          [[a, rng.choice(SECTORS), rng.randint(1979, 2017), f"{rng.uniform(40, 11000):.2f}", rng.randint(20, 20000),
            "United States", ""] for a in ACCOUNTS])
    sellers = [a for a, _, _ in agents if a not in NO_DEALS]
    skill = {a: rng.uniform(0.35, 0.75) for a in sellers}  # each agent's own chance of winning a closed deal
    first, last = dt.date(2016, 10, 20), dt.date(2017, 12, 31)
    rows, seen = [], set()
    for _ in range(n):
        oid = _opportunity_id(rng)
        while oid in seen:
            oid = _opportunity_id(rng)
        seen.add(oid)
        agent = rng.choice(sellers)
        name, _, price = rng.choice(PRODUCTS)
        written_product = "GTXPro" if name == "GTX Pro" else name  # the spelling mismatch
        written_agent = "Cecily  Lampkin" if agent == "Cecily Lampkin" and rng.random() < 0.5 else agent
        account = rng.choice(ACCOUNTS)
        if rng.random() < 0.08:
            rows.append([oid, written_agent, written_product, "" if rng.random() < 0.7 else account, "Prospecting",
                         "", "", ""])
            continue
        engage = first + dt.timedelta(days=rng.randint(0, (last - first).days - 5))
        close = engage + dt.timedelta(days=rng.randint(1, 138))
        if close > last or rng.random() < 0.1:
            rows.append([oid, written_agent, written_product, account, "Engaging", engage.isoformat(), "", ""])
        elif rng.random() < skill[agent]:
            value = round(price * rng.uniform(0.85, 1.1))
            rows.append([oid, written_agent, written_product, account, "Won", engage.isoformat(), close.isoformat(),
                         value])
        else:
            rows.append([oid, written_agent, written_product, account, "Lost", engage.isoformat(), close.isoformat(),
                         0])
    write(out / "sales_pipeline.csv", ["opportunity_id", "sales_agent", "product", "account", "deal_stage",
                                       "engage_date", "close_date", "close_value"], rows)


# --------------------------------------------------------------------------------------
# (b) numeric employee ids

EMPLOYEES = [  # id, first, last, role, team, start
    ("1", "Ann", "Lee", "AE", "North", 20190304), ("2", "Bob", "Stone", "AE", "North", 20200115),
    ("3", "Cara", "Diaz", "SDR", "North", 20200601), ("4", "Dan", "Ray", "AM", "North", 20180910),
    ("05", "Eve", "Moss", "AE", "South", 20190701), ("6", "Finn", "Hale", "AE", "South", 20210104),
    ("7", "Gia", "Park", "SDR", "South", 20200817), ("8", "Hugo", "Vance", "AM", "South", 20170502),
    ("9", "Ida", "Quinn", "AE", "South", 20200302), ("10", "Jon", "Abel", "SDR", "North", 20210301),
    ("11", "Kim", "Cho", "AM", "South", 20190923), ("12", "Lou", "Ng", "AE", "North", 20200720),
]
OPEN_STAGES = ["Discovery", "Demo", "Proposal", "Negotiation"]


def _yyyymmdd(d: dt.date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def numeric_ids(rng: random.Random, root: Path, n: int = 220) -> None:
    out = root / "numeric_ids"
    write(out / "employees.csv", ["employee_id", "first_name", "last_name", "role", "team", "start_date"],
          [list(e) for e in EMPLOYEES])
    owners = [e for e in EMPLOYEES if e[3] != "SDR"]  # SDRs source deals; AEs and AMs own them
    sdrs = {"North": ["3", "10"], "South": ["7"]}
    skill = {e[0]: rng.uniform(0.25, 0.7) for e in owners}
    first, last = dt.date(2021, 1, 4), dt.date(2022, 6, 30)
    rows = []
    for i in range(n):
        owner = rng.choice(owners)
        created = first + dt.timedelta(days=rng.randint(0, (last - first).days - 10))
        close = created + dt.timedelta(days=rng.randint(7, 120))
        sdr = rng.choice(sdrs[owner[4]]) if owner[3] == "AE" and rng.random() < 0.6 else ""
        amount = round(rng.uniform(2_000, 60_000) if owner[3] == "AE" else rng.uniform(5_000, 120_000), 2)
        kind = "Renewal" if owner[3] == "AM" else "New Business"
        if close > last or rng.random() < 0.15:
            stage, closed = rng.choice(OPEN_STAGES), ""
        else:
            stage = "Closed Won" if rng.random() < skill[owner[0]] else "Closed Lost"
            closed = f"{_yyyymmdd(close)}.0"  # a float column: pandas wrote it, with NaN for open deals
        stray = "x" if i % 97 == 5 else ""
        rows.append([str(5000 + i), owner[0], sdr, f"Account {rng.randint(1, 60):02d}", stage, kind,
                     _yyyymmdd(created), closed, f"{amount:.2f}", stray])
    # Credit notes: negative rows booked as won against an owner, after the deal they refund.
    for j, i in enumerate(rng.sample(range(len(rows)), 4)):
        src = rows[i]
        created = dt.datetime.strptime(str(src[6]), "%Y%m%d").date() + dt.timedelta(days=30)
        rows.append([str(9000 + j), src[1], "", src[3], "Closed Won", "Credit Note", _yyyymmdd(created),
                     f"{_yyyymmdd(created + dt.timedelta(days=2))}.0", f"-{rng.randint(5, 20) * 100}.00", ""])
    write(out / "deals.csv", ["deal_id", "owner_id", "sdr_id", "account", "stage", "deal_type", "created", "closed",
                              "amount", ""], rows)
    quotas = []
    for team in ("North", "South"):
        for year, quarters in ((2021, (1, 2, 3, 4)), (2022, (1, 2))):
            for q in quarters:
                quotas.append([team, year, f"Q{q}", f"${(200 + 10 * q + (50 if team == 'South' else 0)) * 1000:,} "])
    write(out / "team_quotas.csv", ["Team", "Year", "Quarter", "Quota"], quotas)


def main(root: Path = HERE) -> None:
    rng = random.Random(SEED)
    stage_only(rng, root)
    numeric_ids(rng, root)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
