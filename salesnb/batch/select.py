"""Which reps a batch run reports on: a rep list (`--reps`) and this machine's shard (`--shard K/N`)."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable

from ..errors import ConfigError
from ..present import clip


def parse_rep_list(spec: str | Iterable[str] | None) -> list[str] | None:
    """Rep ids from ``"R1,R2"`` (or a list), in order, without repeats; None for "every rep".

    An id that itself holds a comma can be given in a list (Python) rather than on the command line.
    """
    if spec is None:
        return None
    items = spec.split(",") if isinstance(spec, str) else [str(x) for x in spec]
    ids = [i.strip() for i in items if i.strip()]
    if not ids:
        raise ConfigError(f"--reps {spec!r} names no rep id. Give ids separated by commas, e.g. --reps R001,R007, "
                          "or leave --reps out for every rep.")
    return list(dict.fromkeys(ids))


def parse_shard(spec: str | tuple[int, int] | None) -> tuple[int, int] | None:
    """``"K/N"`` (1 <= K <= N) as (K, N); None for no sharding."""
    if spec is None or spec == "":
        return None
    if isinstance(spec, tuple):
        k, n = spec
    else:
        try:
            k_text, n_text = str(spec).split("/")
            k, n = int(k_text), int(n_text)
        except ValueError:
            raise ConfigError(f"--shard {spec!r}: write it as K/N, e.g. 2/4 for the second of four shards.") from None
    if not (n >= 1 and 1 <= k <= n):
        raise ConfigError(f"--shard {k}/{n}: K must be between 1 and N (shards are numbered from 1).")
    return k, n


def shard_of(rep_id: str, n: int) -> int:
    """The shard (1..n) a rep belongs to: a stable hash of its id, the same on every machine and run."""
    digest = hashlib.sha256(str(rep_id).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


def select_reps(current: list[str], wanted: list[str] | None, all_ids: set[str]) -> list[str]:
    """The reps to report on: `wanted` (checked against the current reps) or every current rep.

    current: reps with a report this period (employed at as_of); all_ids: every rep id in the dataset.
    """
    if wanted is None:
        return list(current)
    known = set(current)
    left = [r for r in wanted if r not in known and r in all_ids]
    if left:
        raise ConfigError(f"--reps: {', '.join(repr(clip(r, 40)) for r in left)} left the team before the report "
                          "date, or joined after it (end_date / hire_date in reps), so there is no report for them "
                          "this period. Leave them out of --reps.")
    unknown = [r for r in wanted if r not in known]
    if unknown:
        shown = ", ".join(repr(clip(r, 24)) for r in current[:10])
        raise ConfigError(f"--reps: unknown rep id(s) {', '.join(repr(clip(r, 40)) for r in unknown[:10])}: not in "
                          f"reps.csv. Known ids include: {shown}.")
    return wanted
