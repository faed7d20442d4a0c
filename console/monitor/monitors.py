"""``Monitor``: score a registered model on new data, measure drift, raise alerts, retrain.

Declared at module level in a pipeline file, a monitor is discovered with the pipelines
(its class sets ``opsconsole_kind = "monitor"``) and evaluated by the trigger service
every ``every`` (``"10m"``, ``"30s"``, ``"2h"``), or once with ``opsconsole monitor NAME
--run``::

    fraud = Monitor(
        "fraud", model="fraud",
        reference="fraud_detection.features.X_train",  # see console.monitor.sources
        current=recent_results("fraud_scoring.score", n=2),  # the last scored batches
        every="10m", label="is_fraud",
        rules=[Rule("psi", ">", 0.2), Rule("auc", "<", 0.8)],
        on_alert=retrain("fraud_detection"),
    )

One evaluation: load the ``alias`` version of the model (hash verified) and both frames;
drift on the model's signature columns (else the columns both frames share, less the
label and prediction columns); when the current frame has the ``label`` column, the
model's scores on it (``scoring.py``). The rules see ``{**drift_metrics(report), **scores}``
(``psi`` is the largest column PSI). Storing is ``evaluation.py``'s; each rule that fires
becomes an alert, and ``on_alert`` runs once per evaluation (``actions.py``).

Storm guard and cool-down: a rule does not fire again while the run its previous alert
started is queued or running, nor within ``cooldown`` of that alert (default 0: only the
running-run guard). Held-back firings are listed in the evaluation's evidence.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from console.errors import BadParamError, DataError, NotFoundError, ReadOnlyError, RegistryError
from console.monitor.actions import action_name
from console.monitor.evaluation import Evaluation
from console.monitor.sources import MonitorContext, describe, load_source

if TYPE_CHECKING:
    from console.monitor.report import Thresholds

DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)", re.IGNORECASE)
DURATION_UNITS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
    **dict.fromkeys(("w", "week", "weeks"), 604800),
}
# columns that are never model inputs, when the model has no signature
NON_FEATURES = {"prediction", "score", "predicted", "proba", "probability"}


def parse_duration(value: str | float | int | None, what: str = "every") -> float:
    """Seconds of ``"10m"``, ``"30s"``, ``"2h"``, ``"1h30m"``, ``"every 10m"`` or a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        text = str(value or "").strip().lower().removeprefix("every").strip()
        parts = DURATION_RE.findall(text)
        if not parts or DURATION_RE.sub("", text).strip():
            raise BadParamError(f"{what}={value!r}: expected a duration such as '30s', '10m' or '2h'")
        seconds = 0.0
        for number, unit in parts:
            factor = DURATION_UNITS.get(unit)
            if factor is None:
                raise BadParamError(f"{what}={value!r}: unknown unit {unit!r} (use s, m, h, d or w)")
            seconds += float(number) * factor
    if seconds < 0:
        raise BadParamError(f"{what}={value!r}: must not be negative")
    return seconds


class Monitor:
    """A model watched on new data (see the module docstring). ``MonitorLike`` for the service."""

    opsconsole_kind = "monitor"

    def __init__(
        self,
        name: str,
        *,
        model: str,
        reference: Any,
        current: Any,
        every: str | float = "10m",
        rules: Sequence[Any] = (),
        on_alert: Callable[[Any, dict[str, Any]], Any] | None = None,
        alias: str = "production",
        label: str | None = None,
        columns: Sequence[str] | None = None,
        thresholds: Thresholds | dict[str, Any] | None = None,
        cooldown: str | float | None = None,
        description: str = "",
    ) -> None:
        from console.monitor.report import Thresholds
        from console.monitor.rules import Rule

        if not isinstance(name, str) or not name.strip():
            raise BadParamError("a monitor needs a non-empty name")
        self.name = name
        self.model = model
        self.reference = reference
        self.current = current
        self.every = every
        self.every_s = parse_duration(every, "every")
        if self.every_s <= 0:
            raise BadParamError(f"monitor {name!r}: every={every!r} must be positive")
        self.rules = [Rule.parse(r) if isinstance(r, str) else r for r in rules]
        bad = [r for r in self.rules if not isinstance(r, Rule)]
        if bad:
            raise BadParamError(
                f"monitor {name!r}: rules must be Rule(...) or 'metric op number', not {bad[0]!r}"
            )
        if on_alert is not None and not callable(on_alert):
            raise BadParamError(f"monitor {name!r}: on_alert must be callable, e.g. retrain('pipeline')")
        self.on_alert = on_alert
        self.alias = alias
        self.label = label
        self.columns = list(columns) if columns is not None else None
        self.thresholds = Thresholds.coerce(thresholds)
        self.cooldown_s = parse_duration(cooldown, "cooldown") if cooldown is not None else 0.0
        self.description = description
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Monitor({self.name!r}, model={self.model!r}, every={self.every!r})"

    @property
    def action_name(self) -> str | None:
        return action_name(self.on_alert)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.model,
            "alias": self.alias,
            "every_s": self.every_s,
            "reference": describe(self.reference),
            "current": describe(self.current),
            "label": self.label,
            "rules": [str(r) for r in self.rules],
            "on_alert": self.action_name,
            "cooldown_s": self.cooldown_s,
            "description": self.description,
        }

    # -- evaluation ---------------------------------------------------------------------------
    def evaluate(self, engine: Any, *, actions: bool = True, now: float | None = None) -> Evaluation:
        """Evaluate once (one at a time per monitor object); see the module docstring."""
        if getattr(engine, "read_only", False):
            raise ReadOnlyError(f"read-only mode: monitor {self.name} is not evaluated")
        with self._lock:
            return self._evaluate(engine, actions=actions, now=now if now is not None else time.time())

    def _evaluate(self, engine: Any, *, actions: bool, now: float) -> Evaluation:
        from console.monitor import evaluation
        from console.monitor.actions import run_action
        from console.monitor.rules import evaluate_rules
        from console.monitor.scoring import served_model

        store = engine.store
        ev = Evaluation(self.name, self.model, at=now)
        try:
            served = served_model(store, self.model, self.alias)
            ev.version = served.version
            ctx = MonitorContext(
                store=store,
                project_root=engine.project_root,
                monitor=self.name,
                model=self.model,
                version=served.version,
                model_run_id=served.run_id,
                engine=engine,
                role="reference",
            )
            reference = load_source(self.reference, ctx)
            current = load_source(self.current, replace(ctx, role="current"))
            ev.metrics, evidence = self._measure(served, reference, current)
        except (DataError, NotFoundError, RegistryError) as exc:
            ev.status, ev.reason = "skipped", str(exc)
            evaluation.record_skip(store, ev)
            evaluation.announce(engine, ev)
            return ev
        results = evaluate_rules(self.rules, ev.metrics)
        action = self.action_name if actions else None
        evaluation.record(store, ev, evidence, results, action=action, cooldown_s=self.cooldown_s)
        pending = [a for a in ev.alerts if a["action"]]
        if pending and self.on_alert is not None:
            ev.runners = run_action(engine, self.on_alert, self.name, pending)
        evaluation.announce(engine, ev)
        return ev

    def _measure(self, served: Any, reference: Any, current: Any) -> tuple[dict[str, float], dict[str, Any]]:
        from console.monitor.compute import drift
        from console.monitor.rules import drift_metrics
        from console.monitor.scoring import score

        label = self.label or served.label
        columns = self._drift_columns(served.features, reference, current, label)
        report = drift(reference, current, columns=columns, thresholds=self.thresholds)
        evidence: dict[str, Any] = {
            "reference": {"source": describe(self.reference), "rows": len(reference)},
            "current": {"source": describe(self.current), "rows": len(current)},
            "columns": columns,
            "drift": report.to_dict(),
        }
        scores: dict[str, float] = {}
        if label and label in current.columns:
            scores, evidence["scoring"] = score(served.model, current, label=label, features=served.features)
        elif label:
            evidence["scoring"] = {"skipped": f"the current data has no {label!r} column"}
        evidence["scores"] = scores
        metrics = {**drift_metrics(report), **scores}
        # a statistic that does not apply (NaN) is no point of a series
        return {k: float(v) for k, v in metrics.items() if v is not None and math.isfinite(v)}, evidence

    def _drift_columns(
        self, features: list[str] | None, reference: Any, current: Any, label: str | None
    ) -> list[str]:
        common = [c for c in reference.columns if c in set(current.columns)]
        if self.columns is not None:
            missing = [c for c in self.columns if c not in common]
            if missing:
                raise DataError(f"monitor {self.name}: column(s) {', '.join(missing)} not in both frames")
            return list(self.columns)
        if features:
            # a model input missing on one side stays listed: drift() reports it as insufficient
            either = set(reference.columns) | set(current.columns)
            listed = [c for c in features if c in either]
            if listed:
                return listed
        skip = {label, *NON_FEATURES}
        return [c for c in common if c not in skip]
