"""Reading a Great Expectations suite: GX 1.x JSON ``{"name", "expectations": [{"type",
"kwargs", "meta"}]}`` or the 0.x form (``expectation_suite_name``, ``expectation_type``).

The result is a list of :class:`Expectation` records, each knowing its position and type so
that every later error can name the expectation it is about.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.errors import GXSuiteError

# Fields of an expectation (beside type and kwargs) that say nothing about what is checked.
DESCRIPTIVE = frozenset(
    {"meta", "id", "notes", "rendered_content", "description", "ge_cloud_id", "expectation_context"}
)
SEVERITIES = {"critical": "error", "warning": "warn", "info": "warn"}


@dataclass(frozen=True)
class Expectation:
    """One expectation of a suite: ``where`` names it in messages (``orders #3 expect_...``)."""

    type: str
    kwargs: dict[str, Any]
    where: str
    severity: str = "error"
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Suite:
    """A suite's name and its expectations, in file order."""

    name: str
    expectations: list[Expectation]


def read(source: str | Path | Mapping[str, Any]) -> Suite:
    """Parse a suite from a path or an already-loaded dict; bad structure is a :class:`GXSuiteError`."""
    origin = "suite"
    if isinstance(source, str | Path):
        path = Path(source)
        origin = path.name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise GXSuiteError(f"{path}: no such suite file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise GXSuiteError(f"{path}: cannot read: {exc}") from None
        except json.JSONDecodeError as exc:
            raise GXSuiteError(
                f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
    elif isinstance(source, Mapping):
        data = source
    else:
        raise GXSuiteError(f"load_suite needs a path or a dict, not {type(source).__name__}")
    if not isinstance(data, Mapping):
        raise GXSuiteError(f"{origin}: a suite is a JSON object, not a {type(data).__name__}")
    name = data.get("name", data.get("expectation_suite_name"))
    if not isinstance(name, str) or not name:
        raise GXSuiteError(f"{origin}: the suite has no 'name' (or 'expectation_suite_name')")
    items = data.get("expectations")
    if not isinstance(items, list):
        raise GXSuiteError(f"suite {name!r}: 'expectations' must be a list")
    return Suite(name, [_expectation(name, i, item) for i, item in enumerate(items, start=1)])


def _expectation(suite: str, position: int, item: Any) -> Expectation:
    where = f"suite {suite!r} expectation #{position}"
    if not isinstance(item, Mapping):
        raise GXSuiteError(f"{where}: an expectation is an object, not {type(item).__name__}")
    kind = item.get("type", item.get("expectation_type"))
    if not isinstance(kind, str) or not kind:
        raise GXSuiteError(f"{where}: no 'type' (or 'expectation_type')")
    where = f"{where} ({kind})"
    unknown = set(item) - DESCRIPTIVE - {"type", "expectation_type", "kwargs", "severity"}
    if unknown:
        raise GXSuiteError(f"{where}: unknown field {', '.join(sorted(map(repr, unknown)))}")
    kwargs = item.get("kwargs", {})
    if not isinstance(kwargs, Mapping):
        raise GXSuiteError(f"{where}: 'kwargs' must be an object")
    severity = item.get("severity", "critical")
    if severity not in SEVERITIES:
        raise GXSuiteError(f"{where}: severity must be critical, warning or info, not {severity!r}")
    meta = item.get("meta") or {}
    return Expectation(
        kind, dict(kwargs), where, SEVERITIES[severity], dict(meta) if isinstance(meta, Mapping) else {}
    )
