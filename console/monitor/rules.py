"""Alert rules over named metrics: ``Rule.parse("psi > 0.2")``, ``Rule("accuracy", "<", 0.9)``.

A rule compares one metric with a threshold. A missing, None or NaN value never fires; the
result says why, so an alert list can show "not evaluated" instead of a silent pass.
``drift_metrics(report)`` gives the names a drift report answers to: ``psi`` (the largest
column PSI), ``share_drifted``, ``drifted_columns``, and per column ``psi.<col>``,
``ks_stat.<col>``, ``ks_pvalue.<col>``, ``wasserstein.<col>``, ``chi2_stat.<col>``,
``chi2_pvalue.<col>``, ``js_distance.<col>`` where the statistic applies.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.errors import UsageError

if TYPE_CHECKING:
    from console.monitor.report import DriftReport

OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
SEVERITIES = ("warn", "alert")
# the metric is everything before the first operator, so column names may hold dots or spaces
_RULE = re.compile(r"^\s*(?P<metric>[^<>=!]+?)\s*(?P<op>>=|<=|==|!=|>|<)\s*(?P<value>\S+)\s*$")
_COLUMN_STATS = ("psi", "ks_stat", "ks_pvalue", "wasserstein", "chi2_stat", "chi2_pvalue", "js_distance")


@dataclass(frozen=True)
class Rule:
    """``metric op threshold``, e.g. ``Rule("psi", ">", 0.2)``; fires when the comparison holds."""

    metric: str
    op: str
    threshold: float
    severity: str = "alert"
    name: str | None = None

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise UsageError(f"rule {self.metric!r}: unknown operator {self.op!r}; one of {' '.join(OPS)}")
        if not isinstance(self.metric, str) or not self.metric.strip():
            raise UsageError(f"rule metric must be a non-empty name, not {self.metric!r}")
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, int | float):
            raise UsageError(f"rule {self.metric!r}: threshold must be a number, not {self.threshold!r}")
        if math.isnan(self.threshold):
            raise UsageError(f"rule {self.metric!r}: threshold must not be NaN")
        if self.severity not in SEVERITIES:
            raise UsageError(f"rule {self.metric!r}: severity must be one of {', '.join(SEVERITIES)}")
        object.__setattr__(self, "threshold", float(self.threshold))

    @classmethod
    def parse(cls, text: str, severity: str = "alert", name: str | None = None) -> Rule:
        """``"psi > 0.2"``, ``"accuracy < 0.9"``, ``"psi.amount >= 0.25"`` -> a Rule."""
        match = _RULE.match(text) if isinstance(text, str) else None
        if match is None:
            raise UsageError(
                f"cannot parse rule {text!r}: expected 'metric op number', op one of {' '.join(OPS)}"
            )
        try:
            threshold = float(match["value"])
        except ValueError:
            raise UsageError(f"cannot parse rule {text!r}: {match['value']!r} is not a number") from None
        return cls(match["metric"], match["op"], threshold, severity=severity, name=name)

    @property
    def expression(self) -> str:
        return f"{self.metric} {self.op} {self.threshold:g}"

    def __str__(self) -> str:
        return self.name or self.expression

    def check(self, value: float | None) -> RuleResult:
        """Compare ``value``; None or NaN does not fire and the message says so."""
        try:
            number = math.nan if value is None else float(value)
        except (TypeError, ValueError):
            return RuleResult(
                self, None, False, f"{self}: not evaluated, {self.metric} = {value!r} is not a number"
            )
        if math.isnan(number):
            return RuleResult(self, None, False, f"{self}: not evaluated, {self.metric} has no value")
        fired = OPS[self.op](number, self.threshold)
        verb = "fired" if fired else "ok"
        return RuleResult(self, number, fired, f"{self}: {verb} ({self.metric} = {number:.4g})")

    def evaluate(self, value: float | None) -> bool:
        """True when the rule fires for ``value`` (never for None or NaN)."""
        return self.check(value).fired


@dataclass(frozen=True)
class RuleResult:
    """One rule against one value: did it fire, and a message that says why."""

    rule: Rule
    value: float | None
    fired: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": str(self.rule),
            "metric": self.rule.metric,
            "op": self.rule.op,
            "threshold": self.rule.threshold,
            "severity": self.rule.severity,
            "value": self.value,
            "fired": self.fired,
            "message": self.message,
        }


def evaluate_rules(rules: Iterable[Rule | str], metrics: Mapping[str, float | None]) -> list[RuleResult]:
    """Each rule (a Rule or its text) against ``metrics``; a missing metric does not fire."""
    results = []
    for item in rules:
        rule = Rule.parse(item) if isinstance(item, str) else item
        if rule.metric not in metrics:
            known = ", ".join(sorted(metrics)[:8]) or "none"
            message = f"{rule}: not evaluated, no metric {rule.metric!r} (known: {known})"
            results.append(RuleResult(rule, None, False, message))
        else:
            results.append(rule.check(metrics[rule.metric]))
    return results


def drift_metrics(report: DriftReport) -> dict[str, float]:
    """The metrics of a drift report by name; ``psi`` is the largest column PSI (NaN if none)."""
    max_psi = report.max_psi
    metrics: dict[str, float] = {
        "psi": math.nan if max_psi is None else max_psi,
        "share_drifted": report.share_drifted,
        "drifted_columns": float(len(report.drifted_columns)),
    }
    for name, column in report.columns.items():
        for stat in _COLUMN_STATS:
            value = getattr(column, stat)
            if value is not None:
                metrics[f"{stat}.{name}"] = value
    return metrics
