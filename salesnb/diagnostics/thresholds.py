"""Every bar the diagnoses judge by, in one place (docs/diagnose-json.md states them and a test checks it).

A step is called a leak (or a strength) from a test with its numbers, not from a fixed gap:

- each step of each rep is tested against the rest of the role, without that rep: a beta-binomial test for
  a conversion (the binomial widened by how much reps' rates really differ), and for a volume (leads or
  opportunities) a Poisson test per active day, widened the same way on the log scale;
- the false-discovery rate over all reps and steps of the team is held at ``FDR`` (Benjamini-Hochberg);
- and the effect must matter: at least ``MIN_EFFECT`` below (``STRONG_EFFECT`` above) the rest of the role.
"""
from __future__ import annotations

FDR = 0.10  # Benjamini-Hochberg false-discovery rate across every rep and step of the team
MARGIN = 0.05  # each test asks whether the rep is at least this much below (above) the rest, not just below
MIN_EFFECT = 0.15  # a leak: the rep's rate (or pace) at least 15% below the rest of the role's
STRONG_EFFECT = 0.15  # a strength: at least 15% above it
PASSES = 4  # the rest of the role is measured again without the leaks found, at most this many times
SUSPECT = 0.05  # ... leaving out the weak and also the reps below the rest at this unadjusted p
MIN_REACHED = 5  # a rep's rate counts towards the team's spread only from this many deals at the step
OWN_SPREAD = 3  # a step keeps its own reading of the reps' spread this many standard errors above its role's
INTERVAL = 0.90  # the interval given with each effect
# how sure, from the adjusted p-value (q): below the first bar "almost certain", below the second "very likely",
# below FDR "likely"; above FDR the difference could be chance
SURE_BARS = (0.001, 0.01)

ONE_DEAL_SHARE = 0.5  # one deal carries a rep when it is at least half of the rep's won revenue

# new hires: the first RAMP_DAYS after the hire date count as RAMP_WEIGHT of a day in volume comparisons
RAMP_DAYS = 120
RAMP_WEIGHT = 0.6

ACTIVITY_WEAK = 0.2  # |rho| from this is reported with its direction, as weak evidence at least
# the vanity audit calls an activity "vanity" only when the data rules out a strong positive relation: the upper end
# of rho's interval is below this (a wider interval is "not enough evidence either way", verdict unclear)
VANITY_RULES_OUT = 0.5
# an activity metric is audited only when at least this share of the reps with an outcome log it (a value other than 0):
# the others' zeros may be a gap in the export, not no activity
ACTIVITY_LOGGED_SHARE = 0.5
