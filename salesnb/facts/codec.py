"""Facts as data on disk: a tree of salesnb dataclasses, frames and plain values written as Parquet files and
one JSON document, and read back as equal objects. No pickle: reading a folder builds only salesnb's own
dataclasses (named in the JSON, checked to be dataclasses of the package), DataFrames and plain values.

    files = dump(team, folder)          # folder/tree.json + folder/f0.parquet, f1.parquet, ...
    team = load(folder)

Whatever a dataclass gains (a new field of frames, dates, nested facts) is written and read without a change
here; a value of a kind this module does not know is an error at write time, never a silent loss.
"""
from __future__ import annotations

import dataclasses
import importlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

TREE = "tree.json"
PACKAGE = "salesnb"


class CodecError(TypeError):
    """A value the facts codec cannot write as data (a bug to fix where the value comes from)."""


# ------------------------------------------------------------------ writing


def dump(obj, folder: Path) -> list[Path]:
    """Write `obj` into `folder` (which must exist); returns the files written."""
    writer = _Writer(Path(folder))
    tree = writer.enc(obj)
    path = Path(folder) / TREE
    path.write_text(json.dumps(tree, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    return [*writer.files, path]


class _Writer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.files: list[Path] = []

    def enc(self, v):
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, (np.bool_,)):
            return bool(v)
        if isinstance(v, (int, np.integer)):
            return int(v)
        if isinstance(v, (float, np.floating)):
            f = float(v)
            return f if math.isfinite(f) else {"$f": repr(f)}
        if v is pd.NaT:
            return {"$nat": True}
        if v is pd.NA:
            return {"$na": True}
        if isinstance(v, pd.Timestamp):
            return {"$ts": v.isoformat(), "unit": v.unit}
        if isinstance(v, pd.Timedelta):
            return {"$td": int(v.value)}
        if isinstance(v, np.datetime64):
            return {"$ts": pd.Timestamp(v).isoformat(), "unit": pd.Timestamp(v).unit}
        if isinstance(v, pd.DataFrame):
            return self.frame(v)
        if isinstance(v, pd.Series):
            return {"$series": True, "name": self.enc(v.name), "frame": self.frame(v.to_frame(name="value"))}
        if isinstance(v, pd.Index):
            return {"$index": [self.enc(x) for x in v.tolist()], "name": self.enc(v.name)}
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            cls = type(v)
            if not cls.__module__.startswith(PACKAGE + "."):
                raise CodecError(f"{cls.__module__}.{cls.__qualname__} is not a salesnb dataclass")
            return {"$dc": f"{cls.__module__}:{cls.__qualname__}",
                    "fields": {f.name: self.enc(getattr(v, f.name)) for f in dataclasses.fields(v) if f.init}}
        if isinstance(v, tuple):
            return {"$tuple": [self.enc(x) for x in v]}
        if isinstance(v, (set, frozenset)):
            return {"$set": sorted((self.enc(x) for x in v), key=repr)}
        if isinstance(v, list):
            return [self.enc(x) for x in v]
        if isinstance(v, np.ndarray):
            return {"$array": [self.enc(x) for x in v.tolist()]}
        if isinstance(v, dict):
            if all(isinstance(k, str) and not k.startswith("$") for k in v):
                return {k: self.enc(x) for k, x in v.items()}
            return {"$items": [[self.enc(k), self.enc(x)] for k, x in v.items()]}
        if isinstance(v, Path):
            return {"$path": str(v)}
        raise CodecError(f"cannot write a {type(v).__name__} as facts")

    def frame(self, df: pd.DataFrame) -> dict:
        if self.folder is None:
            raise CodecError("a frame cannot be written as plain JSON")
        name = f"f{len(self.files)}.parquet"
        path = self.folder / name
        out = df.copy(deep=False)
        out.attrs = {}
        columns = list(out.columns)
        out.columns = [f"c{i}" for i in range(len(columns))]
        lists, jsons = [], []
        for i, col in enumerate(out.columns):
            s = out[col]
            if s.dtype != object:
                continue
            sample = s.dropna()
            if len(sample) and sample.map(lambda x: isinstance(x, (list, tuple))).all():
                lists.append(i)
            elif len(sample) and not sample.map(lambda x: isinstance(x, str)).all():
                # mixed values (bools with NaN, numbers with text): each kept exactly, as JSON text
                jsons.append(i)
                out[col] = s.map(lambda x: json.dumps(self.enc(x), allow_nan=False))
        try:
            out.to_parquet(path, index=True)
        except (TypeError, ValueError, ImportError, NotImplementedError) as exc:  # pyarrow errors derive from these
            raise CodecError(f"cannot write a frame with columns {columns}: {exc}") from exc
        self.files.append(path)
        return {"$df": name, "columns": [self.enc(c) for c in columns], "attrs": self.enc(dict(df.attrs)),
                "lists": lists, "json": jsons, "index_name": self.enc(df.index.name)}


def to_plain(obj):
    """`obj` (dataclasses and plain values, no frames) as a JSON-ready tree; `from_plain` reads it back."""
    return _Writer(None).enc(obj)


def from_plain(tree):
    return _Reader(None).dec(tree)


# ------------------------------------------------------------------ reading


def load(folder: Path):
    """The object `dump` wrote into `folder`."""
    folder = Path(folder)
    tree = json.loads((folder / TREE).read_text(encoding="utf-8"))
    return _Reader(folder).dec(tree)


class _Reader:
    def __init__(self, folder: Path):
        self.folder = folder

    def dec(self, v):
        if isinstance(v, list):
            return [self.dec(x) for x in v]
        if not isinstance(v, dict):
            return v
        if "$f" in v:
            return float(v["$f"])
        if "$nat" in v:
            return pd.NaT
        if "$na" in v:
            return pd.NA
        if "$ts" in v:
            ts = pd.Timestamp(v["$ts"])
            return ts.as_unit(v["unit"]) if v.get("unit") else ts
        if "$td" in v:
            return pd.Timedelta(v["$td"])
        if "$df" in v:
            return self.frame(v)
        if "$series" in v:
            s = self.frame(v["frame"])["value"]
            s.name = self.dec(v["name"])
            return s
        if "$index" in v:
            return pd.Index([self.dec(x) for x in v["$index"]], name=self.dec(v["name"]))
        if "$dc" in v:
            return self.dataclass(v)
        if "$tuple" in v:
            return tuple(self.dec(x) for x in v["$tuple"])
        if "$set" in v:
            return {self.dec(x) for x in v["$set"]}
        if "$array" in v:
            return np.array([self.dec(x) for x in v["$array"]])
        if "$items" in v:
            return {self.dec(k): self.dec(x) for k, x in v["$items"]}
        if "$path" in v:
            return Path(v["$path"])
        return {k: self.dec(x) for k, x in v.items()}

    def dataclass(self, v: dict):
        module, _, qualname = v["$dc"].partition(":")
        if module != PACKAGE and not module.startswith(PACKAGE + "."):
            raise CodecError(f"facts name {v['$dc']}, which is not a salesnb class")
        cls = importlib.import_module(module)
        for part in qualname.split("."):
            cls = getattr(cls, part)
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise CodecError(f"facts name {v['$dc']}, which is not a dataclass")
        known = {f.name for f in dataclasses.fields(cls) if f.init}
        return cls(**{k: self.dec(x) for k, x in v["fields"].items() if k in known})

    def frame(self, v: dict) -> pd.DataFrame:
        df = pd.read_parquet(self.folder / v["$df"])
        for i in v.get("lists", []):
            col = df.columns[i]
            df[col] = df[col].map(lambda x: list(x) if isinstance(x, (np.ndarray, list, tuple)) else x).astype(object)
        for i in v.get("json", []):
            col = df.columns[i]
            df[col] = df[col].map(lambda x: self.dec(json.loads(x))).astype(object)
        df.columns = [self.dec(c) for c in v["columns"]] if v["columns"] else df.columns[:0]
        df.attrs = self.dec(v.get("attrs") or {})
        return df

