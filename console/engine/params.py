"""Parsing ``--param k=v`` overrides against a pipeline's declared params."""

from __future__ import annotations

import json
from typing import Any

from console.engine.pipeline import Pipeline
from console.errors import BadParamError

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def parse_pairs(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            shown = pair if len(pair) <= 80 else pair[:80] + "…"
            raise BadParamError(f"bad --param {shown!r}: expected NAME=VALUE")
        out[key.strip()] = value
    return out


def coerce(name: str, raw: Any, default: Any) -> Any:
    """Convert ``raw`` to the type of the declared default (strings only; other values pass)."""
    if not isinstance(raw, str) or isinstance(default, str) or default is None:
        return raw
    try:
        if isinstance(default, bool):
            low = raw.strip().lower()
            if low in TRUE:
                return True
            if low in FALSE:
                return False
            raise ValueError(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, (list, dict)):
            value = json.loads(raw)
            if not isinstance(value, type(default)):
                raise ValueError(raw)
            return value
    except (ValueError, json.JSONDecodeError, RecursionError):
        shown = raw if len(raw) <= 80 else raw[:80] + "…"
        raise BadParamError(f"param {name}: expected {type(default).__name__}, got {shown!r}") from None
    return raw


def resolve_params(pipeline: Pipeline, overrides: dict[str, Any] | None) -> dict[str, Any]:
    """The pipeline's params with overrides applied and type-checked."""
    params = dict(pipeline.params)
    for name, raw in (overrides or {}).items():
        if name not in pipeline.params:
            known = ", ".join(sorted(pipeline.params)) or "none"
            raise BadParamError(f"unknown param {name!r} for pipeline {pipeline.name!r} (known: {known})")
        params[name] = coerce(name, raw, pipeline.params[name])
    return params
