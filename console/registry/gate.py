"""The champion/challenger gate: ``Better("accuracy", min_delta=0.0)`` or any callable.

After a new version is registered, the current ``production`` holder (the champion) and
the new version (the challenger) are compared. With a holdout ``(X, y)`` both are scored on
that same holdout; without one, their recorded metrics are compared. The challenger wins
when it is at least ``min_delta`` better (so with ``min_delta=0`` a tie promotes: a retrain
that is as good as production refreshes it). A first version, with no champion, is
promoted. A callable gate gets ``(challenger, champion)`` as :class:`Contender` objects and
returns a bool, or ``(bool, reason)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from console.errors import BadParamError
from console.registry.records import GateDecision, ModelVersion, fmt
from console.registry.scoring import lower_is_better, score


@dataclass
class Contender:
    """One side of a gate: its version record and a way to get the model itself."""

    version: ModelVersion
    loader: Callable[[], Any]
    _model: Any = None

    @property
    def metrics(self) -> dict[str, float]:
        return self.version.metrics

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = self.loader()
        return self._model


class Better:
    """Promote the challenger when ``metric`` beats the champion's by at least ``min_delta``.

    ``higher_is_better`` defaults to the metric's nature (``rmse``, ``mae``, ``log_loss``... are
    losses; everything else, ``accuracy``, ``auc``, ``f1``, ``r2``..., is higher-is-better).
    """

    def __init__(self, metric: str, min_delta: float = 0.0, higher_is_better: bool | None = None) -> None:
        if not isinstance(metric, str) or not metric:
            raise BadParamError(f"Better(): metric must be a metric name, got {metric!r}")
        if not isinstance(min_delta, int | float) or math.isnan(min_delta) or min_delta < 0:
            raise BadParamError(f"Better({metric!r}): min_delta must be a number >= 0, got {min_delta!r}")
        self.metric = metric
        self.min_delta = float(min_delta)
        self.higher_is_better = not lower_is_better(metric) if higher_is_better is None else higher_is_better

    def __repr__(self) -> str:
        return (
            f"Better({self.metric!r}, min_delta={self.min_delta}, higher_is_better={self.higher_is_better})"
        )

    def scores(
        self, challenger: Contender, champion: Contender, holdout: tuple[Any, Any] | None
    ) -> tuple[float | None, float | None, str]:
        """(challenger score, champion score, where they came from)."""
        if holdout is not None:
            return (
                score(challenger.model, self.metric, holdout),
                score(champion.model, self.metric, holdout),
                "on the same holdout",
            )
        return (
            _recorded(challenger.metrics, self.metric),
            _recorded(champion.metrics, self.metric),
            "recorded metrics",
        )

    def decide(
        self, challenger: Contender, champion: Contender, holdout: tuple[Any, Any] | None
    ) -> tuple[bool, float | None, float | None, str]:
        new, old, source = self.scores(challenger, champion, holdout)
        if new is None:
            return False, new, old, f"challenger has no {self.metric} ({source}); champion kept"
        if old is None:
            return True, new, old, f"champion has no {self.metric} ({source}); challenger promoted"
        gain = new - old if self.higher_is_better else old - new
        need = f"needs >= {self.min_delta:g} better" if self.min_delta else "needs at least a tie"
        if gain >= self.min_delta:
            return True, new, old, f"{self.metric} {fmt(new)} vs {fmt(old)} {source}: wins ({need})"
        return False, new, old, f"{self.metric} {fmt(new)} vs {fmt(old)} {source}: loses ({need})"


def _recorded(metrics: dict[str, Any], metric: str) -> float | None:
    value = metrics.get(metric)
    if value is None:
        lowered = {k.lower(): v for k, v in metrics.items()}
        value = lowered.get(metric.lower())
    try:
        number = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return None if number is None or math.isnan(number) else number


def evaluate(
    promote_if: Any,
    challenger: Contender,
    champion: Contender | None,
    holdout: tuple[Any, Any] | None,
    run_id: int | None,
) -> GateDecision:
    """Decide (without writing anything): returns the :class:`GateDecision`."""
    new = challenger.version
    metric = promote_if.metric if isinstance(promote_if, Better) else None
    if champion is None:
        return GateDecision(new.name, new.version, None, metric, None, None, True, "no champion yet", run_id)
    if isinstance(promote_if, Better):
        won, s_new, s_old, reason = promote_if.decide(challenger, champion, holdout)
        return GateDecision(
            new.name, new.version, champion.version.version, metric, s_new, s_old, won, reason, run_id
        )
    if not callable(promote_if):
        raise BadParamError(f"promote_if must be Better(...) or a callable, got {type(promote_if).__name__}")
    outcome = promote_if(challenger, champion)
    reason = "custom gate"
    if isinstance(outcome, tuple):
        outcome, reason = outcome[0], str(outcome[1])
    won = bool(outcome)
    name = getattr(promote_if, "__name__", type(promote_if).__name__)
    return GateDecision(
        new.name,
        new.version,
        champion.version.version,
        None,
        None,
        None,
        won,
        f"{name}: {reason}: {'wins' if won else 'loses'}",
        run_id,
    )
