"""Weights kept per dataset: what the team explorer's "Save weights" writes, and what the dashboard, the
explorer, `salesnb reports`, `score` and `diagnose` use by default for that dataset.

    path = saved_path("mydata")          # ~/.config/salesnb/datasets/mydata-1a2b3c4d5e6f/weights.toml
    weights, said = resolve("mydata", weights_file=None, preset=None)

They live in the user's settings folder (``$SALESNB_CONFIG_DIR``, else ``~/.config/salesnb`` on Linux,
``~/Library/Application Support/salesnb`` on macOS, ``%APPDATA%\\salesnb`` on Windows), one folder per dataset
folder (its resolved path), never in the dataset folder itself, so an import that replaces the data keeps them.
`--weights FILE` or `--preset NAME` on a command wins over them; delete the file to go back to the default.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from .terms import DEFAULT_PRESET

CONFIG_ENV = "SALESNB_CONFIG_DIR"
WEIGHTS_NAME = "weights.toml"


def config_root() -> Path:
    given = os.environ.get(CONFIG_ENV)
    if given:
        return Path(given).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("salesnb", appauthor=False))


def saved_path(data_dir) -> Path:
    """Where the weights saved for the dataset folder `data_dir` (default: the sample) live."""
    from .config import resolve_data_dir

    folder = Path(resolve_data_dir(data_dir)).resolve()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", folder.name).strip("-")[:40] or "data"
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    return config_root() / "datasets" / f"{slug}-{digest}" / WEIGHTS_NAME


def resolve(data_dir, weights_file=None, preset=None) -> tuple[str, str]:
    """(the weights to use, as `scorecard.as_weights` takes them; where they come from, in words)."""
    if weights_file:
        return str(Path(weights_file).resolve()), f"Weights: {Path(weights_file).resolve()} (given with --weights)."
    if preset:
        return preset, f"Weights: the {preset} preset (given with --preset)."
    saved = saved_path(data_dir)
    if saved.is_file():
        return str(saved), (f"Weights: saved for this dataset in {saved} (the team explorer's Save weights); "
                            f"--preset {DEFAULT_PRESET} uses the default instead.")
    return DEFAULT_PRESET, f"Weights: the {DEFAULT_PRESET} preset (none saved for this dataset)."
