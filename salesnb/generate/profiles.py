"""Who the generated reps are and how each one sells: the per-rep parameters behind every table.

A rep's funnel is driven by one conversion rate per rung (lead -> qualified ->
meeting -> proposal -> commit -> won), a lead volume, a lead-quality mix and a
deal-size factor; the activity mix by per-channel rates. Stories and planted
bottlenecks are edits of these parameters, so what was planted is what the
data shows, and it is recorded as ground truth.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ..errors import ConfigError

# Funnel rungs in order; the name is the diagnosis of a rep who leaks there.
RUNGS = ("qualifying", "meeting", "proposing", "committing", "closing")
# Team-typical conversion per rung (lead->qualified, qualified->meeting, ...).
BASE_RATES = np.array([0.45, 0.72, 0.62, 0.62, 0.70])
# Leads per rep per active day at volume 1 (about 500 opportunities a rep over the data window).
BASE_LEADS_PER_DAY = 2.65
# How much weaker a planted weak rung is than the rep's normal rate.
WEAK_FACTOR = 1 / 3
NOISE_METRIC = "mail"
VANITY_METRIC = "miles"

FIRST_NAMES = np.array([
    "Alex", "Brianna", "Carlos", "Dana", "Ethan", "Fatima", "Gavin", "Hannah", "Ivan", "Julia", "Kofi", "Laura",
    "Marcus", "Nina", "Oscar", "Paula", "Quentin", "Rosa", "Samir", "Tara", "Umar", "Vera", "Wes", "Yara",
    "Zoe", "Ben", "Chloe", "Diego", "Elena", "Felix", "Gina", "Hugo", "Isla", "Jonah", "Kira", "Leo",
])
LAST_NAMES = np.array([
    "Adams", "Bennett", "Castillo", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Khan",
    "Larsen", "Morgan", "Novak", "Okafor", "Patel", "Quinn", "Rossi", "Silva", "Turner", "Ueda", "Vargas",
    "Walsh", "Young", "Zimmer", "Baker", "Cole", "Diaz", "Ellis", "Foster", "Grant", "Hayes", "Iyer", "Jones",
])
MANAGER_NAMES = np.array([
    "Diane Foster", "Robert Hale", "Ingrid Moss", "Victor Lane", "Meera Rao", "Paul Dunn", "Sofia Marsh",
    "Keith Boyd", "Amara Cole", "Lukas Berg",
])

# The bundled sample's cast: archetype -> (name, team index).
STORY_CAST = {
    "top_performer": ("Priya Shah", 0),
    "closing_bottleneck": ("John Carter", 0),
    "qualifying_bottleneck": ("Sally Nguyen", 1),
    "low_quality_leads": ("Kevin Brooks", 1),
    "collaborator": ("Grace Kim", 0),
    "mid_year_hire": ("Omar Haddad", 1),
    "leaver": ("Tom Reilly", 0),
}
# Where each story rep sits in the roster of 24 (spread over both teams), scaled for other sizes.
STORY_SLOTS = {
    "top_performer": 2, "closing_bottleneck": 5, "qualifying_bottleneck": 14, "low_quality_leads": 18,
    "collaborator": 8, "mid_year_hire": 21, "leaver": 10,
}
STORY_BOTTLENECK = {"closing_bottleneck": "closing", "qualifying_bottleneck": "qualifying"}
MIN_REPS_FOR_STORIES = 12
NEW_HIRE_WINDOW_DAYS = 150  # new hires join up to this many days either side of the analysed year's start
RAMP_DAYS = 120  # a new hire's lead flow grows from RAMP_FLOOR to full over their first RAMP_DAYS
RAMP_FLOOR = 0.3
BIG_DEAL_FACTOR = (8.0, 20.0)  # a very large deal is this many times a usual one (uniform)


@dataclass(frozen=True)
class Shape:
    """How a generated team sells over the year, when it differs from the bundled sample's kind.

    The defaults reproduce the sample's kind exactly (same bytes for the same seed): reps who differ a
    little, sell evenly through the year, with quotas equal each quarter and a few months of data before
    the analysed year. The other values make teams the early warning was not tuned on (bench/).
    """

    season: tuple[float, ...] | None = None  # share of the year's deals in each fiscal quarter, e.g. .15/.15/.2/.5
    phased_quotas: bool = False  # quarterly quotas follow `season` instead of being equal
    history_years: int = 0  # whole years of data (and quotas) before the analysed year
    spread: float | None = None  # rep-to-rep spread (log sd) of conversion rates and deal size; default .05/.08
    big_deals: float = 0.0  # share of deals that are very large (BIG_DEAL_FACTOR times a usual one)
    new_hires: float = 0.0  # share of reps who join around the year's start and ramp up (RAMP_DAYS)
    quota_stretch: float | None = None  # quota over a typical rep's sales (default generate.QUOTA_STRETCH)

    def check(self) -> None:
        """Raise ConfigError on a value that cannot make a team."""
        if self.season is not None:
            s = np.asarray(self.season, dtype=float)
            if len(s) != 4 or not (s > 0).all() or abs(s.sum() - 1) > 1e-6:
                raise ConfigError(f"season must be four positive quarter shares adding up to 1, got {self.season}.")
        if self.phased_quotas and self.season is None:
            raise ConfigError("phased_quotas follows the season: give season too.")
        if not 0 <= int(self.history_years) <= 5:
            raise ConfigError(f"history_years must be 0..5, got {self.history_years}.")
        if self.spread is not None and not 0 < self.spread <= 1:
            raise ConfigError(f"spread must be in (0, 1], got {self.spread}.")
        if not 0 <= self.big_deals <= 0.5:
            raise ConfigError(f"big_deals must be a share in [0, 0.5], got {self.big_deals}.")
        if not 0 <= self.new_hires <= 1:
            raise ConfigError(f"new_hires must be a share in [0, 1], got {self.new_hires}.")
        if self.quota_stretch is not None and not self.quota_stretch > 0:
            raise ConfigError(f"quota_stretch must be positive, got {self.quota_stretch}.")


@dataclass(frozen=True)
class RepTruth:
    """What was planted in one rep: an archetype and the funnel step where the rep leaks (or 'none')."""

    name: str
    archetype: str
    bottleneck: str


@dataclass(frozen=True)
class Truth:
    """The ground truth of a generated dataset, for tests and benchmarks of the diagnostics."""

    reps: dict[str, RepTruth]
    noise_metric: str = NOISE_METRIC  # activity type whose counts are drawn independently of everything
    vanity_metric: str = VANITY_METRIC  # unrelated to revenue by construction
    stories: dict[str, str] = field(default_factory=dict)  # archetype -> rep_id (bundled-sample stories)

    def bottlenecks(self) -> dict[str, str]:
        """rep_id -> planted bottleneck, for the reps that have one."""
        return {rid: t.bottleneck for rid, t in self.reps.items() if t.bottleneck != "none"}


@dataclass
class Team:
    """The roster (the reps table) plus one row of selling parameters per rep, aligned by position."""

    reps: pd.DataFrame
    params: pd.DataFrame
    truth: Truth


def _names(n: int, rng: np.random.Generator) -> list[str]:
    """n distinct display names (first + last; a middle initial once the pairs run out)."""
    if n <= min(len(FIRST_NAMES), len(LAST_NAMES)):  # a small team: no two reps share a first or last name
        first, last = rng.permutation(FIRST_NAMES)[:n], rng.permutation(LAST_NAMES)[:n]
        return [f"{f} {l}" for f, l in zip(first, last)]
    pairs = [f"{f} {l}" for l in LAST_NAMES for f in FIRST_NAMES]
    order = rng.permutation(len(pairs))
    names = [pairs[i] for i in order[: min(n, len(pairs))]]
    k = 0
    while len(names) < n:
        names.append(f"{pairs[order[k % len(pairs)]]} {chr(65 + (k // len(pairs)) % 26)}.")
        k += 1
    return names


def build_team(reps: int, seed: int, *, stories: bool, plant_bottlenecks: bool, start: date, as_of: date,
               leak: float | None = None, two_roles: bool = False, shape: Shape = Shape()) -> Team:
    """The roster and per-rep parameters for `reps` reps (deterministic for `seed` and `shape`)."""
    if reps < 1:
        raise ConfigError(f"--reps must be at least 1, got {reps}.")
    if stories and reps < MIN_REPS_FOR_STORIES:
        raise ConfigError(
            f"the sample stories need at least {MIN_REPS_FOR_STORIES} reps, got {reps}: "
            "use more reps or pass --no-stories.")
    rng = np.random.default_rng([seed, 1])
    width = max(3, len(str(reps)))
    rep_ids = np.array([f"R{i:0{width}d}" for i in range(1, reps + 1)])
    names = _names(reps, rng)

    # Two teams for a small company; teams of about 12 (East-01, West-01, ...) for a big one.
    n_teams = 2 if reps <= 40 else int(round(reps / 12))
    team_idx = (np.arange(reps) * n_teams) // reps
    if n_teams == 2:
        team_names = np.array(["East", "West"])
    else:
        team_names = np.array([f"{('East', 'West')[t % 2]}-{t // 2 + 1:02d}" for t in range(n_teams)])
    region = np.where(team_idx % 2 == 0, "East", "West")
    managers = np.array([MANAGER_NAMES[t % len(MANAGER_NAMES)] if n_teams <= len(MANAGER_NAMES)
                         else f"{MANAGER_NAMES[t % len(MANAGER_NAMES)]} {t // len(MANAGER_NAMES) + 1}"
                         for t in range(n_teams)])
    # Account managers only when there are enough of them to compare with each other.
    role = np.where((reps >= 40) & (np.arange(reps) % 5 == 4), "AM", "AE")
    if two_roles:
        role = np.where(np.arange(reps) % 2 == 1, "AM", "AE")

    hire = np.datetime64(start - timedelta(days=180), "D") - rng.integers(0, 6 * 365, reps).astype("timedelta64[D]")
    hire_dates = pd.Series(hire)
    end_dates = pd.Series(np.full(reps, np.datetime64("NaT"), dtype="datetime64[D]"))
    if not stories and not plant_bottlenecks and reps >= 20:
        # A few joiners and leavers, for realism in big generated teams.
        moved = rng.random(reps)
        joiners = moved < 0.04
        leavers = (moved >= 0.04) & (moved < 0.08)
        span = (as_of - start).days
        hire_dates[joiners] = np.datetime64(start, "D") + rng.integers(30, span - 60, joiners.sum()).astype("timedelta64[D]")
        end_dates[leavers] = np.datetime64(start, "D") + rng.integers(30, span - 30, leavers.sum()).astype("timedelta64[D]")

    # Per-rep selling parameters: everyone a little different from the team norm.
    def jitter(scale: float, size=reps) -> np.ndarray:
        return np.exp(rng.normal(0.0, scale, size))

    rates = np.clip(BASE_RATES[None, :] * jitter(shape.spread or 0.05, (reps, len(BASE_RATES))), 0.02, 0.95)
    params = pd.DataFrame({
        "lead_rate": BASE_LEADS_PER_DAY * jitter(0.15),  # volume is what sets typical reps apart
        **{f"p_{r}": rates[:, i] for i, r in enumerate(RUNGS)},
        "good_lead_share": np.clip(rng.normal(0.6, 0.05, reps), 0.3, 0.9),
        "junk_sources": np.zeros(reps, dtype=bool),
        "deal_size": jitter(shape.spread or 0.08),
        "cycle": jitter(0.15),
        "recurring_share": np.clip(rng.normal(0.4, 0.1, reps), 0.05, 0.9),
        # Activity habits. Calls, emails and meetings follow the deals; visits (and so miles) are a
        # personal habit unrelated to results; mail is drawn independently of everything (noise).
        "call_rate": jitter(0.2),
        "email_rate": jitter(0.2),
        "social_rate": jitter(0.4),
        "visit_rate": 1.2 * jitter(0.45),
        "office_meeting_share": np.clip(rng.normal(0.55, 0.12, reps), 0.05, 0.95),
        "mail_rate": 0.35 * jitter(0.5),
        "task_rate": jitter(0.2),
        "no_next_step": np.clip(rng.normal(0.06, 0.03, reps), 0.0, 0.3),
        "assist_weight": np.where(rng.random(reps) < 0.2, 0.0, 1.0),  # some lone wolves never help
        "ramp": np.zeros(reps, dtype=bool),  # a new hire whose lead flow is still growing (RAMP_DAYS)
    })
    if shape.new_hires > 0:  # drawn after everything else, so the defaults stay the sample's kind
        hired = (rng.random(reps) < shape.new_hires) & end_dates.isna().to_numpy()
        days = rng.integers(-NEW_HIRE_WINDOW_DAYS, NEW_HIRE_WINDOW_DAYS + 1, reps)
        hire_dates[hired] = np.datetime64(start, "D") + days[hired].astype("timedelta64[D]")
        params["ramp"] = hired

    if two_roles:  # account managers: fewer, bigger deals, closed more often
        am = role == "AM"
        params.loc[am, "lead_rate"] *= 0.5
        params.loc[am, "deal_size"] *= 2.0
        params.loc[am, "p_closing"] = np.clip(params.loc[am, "p_closing"] * 1.25, 0.02, 0.95)
        params.loc[am, "p_qualifying"] *= 0.8

    archetype = np.full(reps, "typical", dtype=object)
    bottleneck = np.full(reps, "none", dtype=object)
    story_ids: dict[str, str] = {}
    if stories:
        _plant_stories(params, archetype, bottleneck, names, team_idx, hire_dates, end_dates, reps, story_ids,
                       rep_ids, start)
    elif plant_bottlenecks:
        _plant_bottlenecks(params, bottleneck, rng, WEAK_FACTOR if leak is None else leak)
        archetype[bottleneck != "none"] = "weak_" + bottleneck[bottleneck != "none"]

    roster = pd.DataFrame({
        "rep_id": rep_ids,
        "name": names,
        "team": team_names[team_idx],
        "region": region,
        "role": role,
        "manager": managers[team_idx],
        "hire_date": hire_dates.to_numpy(dtype="datetime64[D]"),
        "end_date": end_dates.to_numpy(dtype="datetime64[D]"),
        "email": _emails(names),
    })
    params.insert(0, "team_idx", team_idx)
    truth = Truth(
        reps={str(rid): RepTruth(str(n), str(a), str(b)) for rid, n, a, b in zip(rep_ids, names, archetype, bottleneck)},
        stories=story_ids,
    )
    return Team(roster, params, truth)


EMAIL_DOMAIN = "example.com"  # reserved for examples (RFC 2606): mail to it reaches nobody


def _emails(names) -> list[str]:
    """A work address per rep from the name (``Dana Khan`` -> ``dana.khan@example.com``), unique in the team.

    Made from the names alone, with no random draw, so that adding them changed no other generated value.
    """
    taken: set[str] = set()
    out = []
    for name in names:
        ascii_name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii").lower()
        base = ".".join("".join(c if c.isalnum() else " " for c in ascii_name).split()) or "rep"
        local, k = base, 1
        while local in taken:
            k += 1
            local = f"{base}{k}"
        taken.add(local)
        out.append(f"{local}@{EMAIL_DOMAIN}")
    return out


def _plant_stories(params, archetype, bottleneck, names, team_idx, hire_dates, end_dates, reps, story_ids,
                   rep_ids, start: date) -> None:
    """Edit the parameters of the story reps of the bundled sample (seeds 000, 001, 003, 004)."""
    taken: set[int] = set()
    for story, slot24 in STORY_SLOTS.items():
        name, team = STORY_CAST[story]
        i = min(reps - 1, int(slot24 * reps / 24))
        while i in taken or team_idx[i] != team:  # keep the cast's team, never two stories on one rep
            i = (i + 1) % reps
        taken.add(i)
        names[i] = name
        archetype[i] = story
        bottleneck[i] = STORY_BOTTLENECK.get(story, "none")
        story_ids[story] = str(rep_ids[i])
        p = params.loc[i]
        if story == "top_performer":
            # More and better deals; sells by phone, email, social and meetings in the office; hardly drives.
            p["lead_rate"] = BASE_LEADS_PER_DAY * 1.1
            for r, v in zip(RUNGS, (0.48, 0.78, 0.67, 0.67, 0.77)):
                p[f"p_{r}"] = v
            p[["deal_size", "good_lead_share", "recurring_share"]] = (1.12, 0.7, 0.7)
            p[["call_rate", "email_rate", "social_rate"]] = (1.8, 1.8, 3.0)
            p[["visit_rate", "office_meeting_share", "assist_weight"]] = (0.08, 1.0, 1.0)
        elif story == "closing_bottleneck":
            # John: the fullest pipeline, many verbal commitments, few signatures.
            p["lead_rate"] = BASE_LEADS_PER_DAY * 1.3
            for r, v in zip(RUNGS, (0.52, 0.80, 0.70, 0.72, 0.15)):
                p[f"p_{r}"] = v
            p["deal_size"] = 1.0
        elif story == "qualifying_bottleneck":
            # Sally: normal number of leads, few become opportunities, but she closes what she has.
            p["lead_rate"] = BASE_LEADS_PER_DAY * 1.0
            for r, v in zip(RUNGS, (0.12, 0.82, 0.74, 0.76, 0.88)):
                p[f"p_{r}"] = v
            p["deal_size"] = 1.0
        elif story == "low_quality_leads":
            # Fills the pipeline with small companies with no need and no decision maker.
            p["lead_rate"] = BASE_LEADS_PER_DAY * 2.2
            p["good_lead_share"] = 0.12
            p["junk_sources"] = True
            p["deal_size"] = 0.75
            p["recurring_share"] = 0.1
            p[["call_rate", "email_rate"]] = (1.3, 1.3)
        elif story == "collaborator":
            p["assist_weight"] = 12.0
        elif story == "mid_year_hire":
            hire_dates[i] = np.datetime64(date(start.year, 7, 1), "D")
            p["lead_rate"] = BASE_LEADS_PER_DAY * 0.8  # still ramping up
        elif story == "leaver":
            end_dates[i] = np.datetime64(date(start.year, 6, 30), "D")
        params.loc[i] = p
    # The top performer drives least: nobody else gets close to their few visits.
    top = list(archetype).index("top_performer")
    others = np.arange(reps) != top
    params.loc[others, "visit_rate"] = np.maximum(params.loc[others, "visit_rate"], 0.5)


def _plant_bottlenecks(params, bottleneck, rng: np.random.Generator, factor: float = WEAK_FACTOR) -> None:
    """Give about half the reps one weak funnel step (or too few leads), chosen at random: the step's rate
    times `factor`."""
    steps = ("prospecting",) + RUNGS
    for i in range(len(params)):
        if rng.random() >= 0.5:
            continue
        step = steps[rng.integers(len(steps))]
        bottleneck[i] = step
        col = "lead_rate" if step == "prospecting" else f"p_{step}"
        params.loc[i, col] = params.loc[i, col] * factor
