"""salesnb: outcome-first sales performance analysis for Jupyter.

The public API notebooks use is re-exported here.
"""
from .dataset import Dataset, DatasetMeta
from .errors import ConfigError, DatasetError, MappingError, ReportError, SalesnbError

__version__ = "0.1.0"

__all__ = [
    "Dataset",
    "DatasetMeta",
    "SalesnbError",
    "DatasetError",
    "ConfigError",
    "MappingError",
    "ReportError",
]
