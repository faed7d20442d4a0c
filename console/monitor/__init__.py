"""Monitoring: drift statistics, metric series, alert rules, monitors and retrain triggers.

``drift(reference, current) -> DriftReport`` compares two DataFrames column by column;
``Monitor(...)`` in a pipeline file watches a registered model on new data and raises
alerts by its ``rules`` (``Rule("psi", ">", 0.2)``), which may ``retrain("pipeline")``.

``drift`` lives in ``compute.py`` (a submodule named ``drift`` would shadow the function
on the package once imported). Names are imported on first use, so ``from console.monitor import Monitor`` in a pipeline
file does not pull in pandas or scipy while the project is discovered.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from console.monitor.actions import Retrain, retrain
    from console.monitor.compute import drift
    from console.monitor.evaluation import Evaluation
    from console.monitor.monitors import Monitor
    from console.monitor.report import ColumnDrift, DriftReport, Thresholds
    from console.monitor.rules import Rule, RuleResult, drift_metrics, evaluate_rules
    from console.monitor.sources import MonitorContext, recent, recent_results

_WHERE = {
    "drift": "console.monitor.compute",
    "ColumnDrift": "console.monitor.report",
    "DriftReport": "console.monitor.report",
    "Thresholds": "console.monitor.report",
    "Rule": "console.monitor.rules",
    "RuleResult": "console.monitor.rules",
    "drift_metrics": "console.monitor.rules",
    "evaluate_rules": "console.monitor.rules",
    "Monitor": "console.monitor.monitors",
    "Evaluation": "console.monitor.evaluation",
    "Retrain": "console.monitor.actions",
    "retrain": "console.monitor.actions",
    "MonitorContext": "console.monitor.sources",
    "recent": "console.monitor.sources",
    "recent_results": "console.monitor.sources",
}

__all__ = [
    "ColumnDrift",
    "DriftReport",
    "Evaluation",
    "Monitor",
    "MonitorContext",
    "Retrain",
    "Rule",
    "RuleResult",
    "Thresholds",
    "drift",
    "drift_metrics",
    "evaluate_rules",
    "recent",
    "recent_results",
    "retrain",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'console.monitor' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
