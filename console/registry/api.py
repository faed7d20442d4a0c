"""The registry's entry points: ``register`` and ``load`` (used by ``ctx``), and the rest.

from console import registry
mv = registry.register(store, "iris", clf, metrics={"accuracy": 0.97}, data=train,
                       promote_if=registry.Better("accuracy"), holdout=(X_test, y_test))
model = registry.load(store, "iris", alias="production")
"""

from __future__ import annotations

import json
import logging
import math
import time
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from console.errors import BadParamError, OpsConsoleError, ReadOnlyError
from console.registry import aliases, artifact_io, lineage, queries, txn
from console.registry.gate import Better, Contender, evaluate
from console.registry.names import PRODUCTION, check_name
from console.registry.records import GateDecision, ModelVersion
from console.registry.scoring import KNOWN

if TYPE_CHECKING:
    from console.store.state import Store

logger = logging.getLogger("console.registry")


class ModelEnvironmentWarning(UserWarning):
    """A model is loaded under a different scikit-learn version than the one that saved it."""


def _numbers(metrics: Mapping[str, Any] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in (metrics or {}).items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise BadParamError(f"metric {key!r}: {value!r} is not a number") from None
        if math.isnan(number):
            raise BadParamError(f"metric {key!r} is NaN")
        out[str(key)] = number
    return out


def _jsonable(what: str, value: Mapping[str, Any] | None) -> str:
    if value is None:
        return "{}"
    if not isinstance(value, Mapping):
        raise BadParamError(f"{what} must be a mapping, got {type(value).__name__}")
    return json.dumps(dict(value), default=str, sort_keys=True)


def register(
    store: Store,
    name: str,
    model: Any,
    *,
    run_id: int | None = None,
    task: str | None = None,
    pipeline: str | None = None,
    log: Callable[[str], None] | None = None,
    promote_if: Any = None,
    metrics: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    data: Any = None,
    tags: Mapping[str, Any] | None = None,
    holdout: tuple[Any, Any] | None = None,
    signature: Any = None,
    compress: int = 0,
    alias: str | None = None,
) -> ModelVersion:
    """Store ``model`` as the next version of ``name``; run the gate when ``promote_if`` is set.

    ``data`` (a frame, array, ``(X, y)`` or a file path) gives the lineage hash and, for a
    frame, the input signature. ``signature``: a frame or a list of ``{"name", "dtype"}``
    instead; ``compress``: the joblib level; ``alias``: also point this alias at the new
    version, without a gate.
    """
    say = log or (lambda line: logger.info(line))
    check_name(name)
    if store.readonly:
        raise ReadOnlyError(f"{store.db_path}: the store is open read-only; model {name!r} not registered")
    extra_alias = check_name(alias, "alias") if alias else None
    if isinstance(promote_if, Better) and holdout is not None and promote_if.metric.lower() not in KNOWN:
        raise BadParamError(
            f"Better({promote_if.metric!r}) cannot score a holdout: use one of {sorted(KNOWN)} "
            "or drop holdout= to compare recorded metrics"
        )
    if promote_if is not None and not (isinstance(promote_if, Better) or callable(promote_if)):
        raise BadParamError(f"promote_if must be Better(...) or a callable, got {type(promote_if).__name__}")
    metric_values = _numbers(metrics)
    params_json = _jsonable("params", params)
    tags_json = _jsonable("tags", tags)
    data_hash = lineage.data_sha256(data)
    given = signature
    sig = lineage.signature(model, given if given is not None and not isinstance(given, list) else data)
    if isinstance(given, list):
        sig = [{"name": str(c["name"]), "dtype": str(c["dtype"])} for c in given]
    env = lineage.environment()
    if pipeline:
        env = {**env, "pipeline": pipeline}
    key, size, chunks = artifact_io.dump(store.artifacts, model, compress=int(compress or 0))
    now = time.time()
    with txn.write(store) as tx:
        row = tx.one("SELECT coalesce(max(version), 0) + 1 AS v FROM model_versions WHERE name=?", (name,))
        version = int(row["v"]) if row is not None else 1
        tx.execute(
            "INSERT INTO model_versions (name, version, created_at, sha256, size, data_sha256, run_id, task,"
            " metrics, params, tags, signature, env, chunks, gate_pending)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                name,
                version,
                now,
                key,
                size,
                data_hash,
                run_id,
                task,
                json.dumps(metric_values, sort_keys=True),
                params_json,
                tags_json,
                json.dumps(sig) if sig is not None else None,
                json.dumps(env, sort_keys=True),
                json.dumps(chunks),
                int(promote_if is not None),  # cleared with the decision: a kill between leaves it set
            ),
        )
        tx.event(
            "model.registered",
            {
                "name": name,
                "version": version,
                "sha256": key,
                "metrics": metric_values,
                "summary": f"registered model {name} v{version} (sha256 {key[:12]})",
            },
            run_id=run_id,
            task=task,
        )
        if extra_alias is not None:
            aliases.move(
                tx,
                name,
                extra_alias,
                version,
                action="promote",
                reason="set at registration",
                command=_where(run_id, task),
                run_id=run_id,
                task=task,
            )
    mv = queries.get_version(store.db, name, version)
    say(
        f"model {name} v{version}: sha256 {key[:12]} ({size:,} bytes)"
        + (f", data sha256 {data_hash[:12]}" if data_hash else "")
        + (f", signature {len(sig)} columns" if sig else "")
    )
    if promote_if is not None:
        mv.gate = gate(store, mv, promote_if, holdout=holdout, run_id=run_id, task=task, log=say, model=model)
        mv.aliases = queries.get_version(store.db, name, version).aliases
    return mv


def _where(run_id: int | None, task: str | None) -> str:
    if run_id is None:
        return aliases.invocation()
    return f"run {run_id}" + (f" task {task}" if task else "")


def gate(
    store: Store,
    challenger: ModelVersion,
    promote_if: Any,
    *,
    holdout: tuple[Any, Any] | None = None,
    run_id: int | None = None,
    task: str | None = None,
    log: Callable[[str], None] | None = None,
    model: Any = None,
) -> GateDecision:
    """Compare ``challenger`` with the production holder, record the decision, promote on a win.

    ``model`` is the challenger's object when the caller still has it (the one just pickled),
    which saves loading it back; the champion is always loaded from the store, verified.
    """
    say = log or (lambda line: logger.info(line))
    name = challenger.name
    current = queries.aliases_of(store.db, name).get(PRODUCTION)
    champion_mv = (
        queries.get_version(store.db, name, current) if current not in (None, challenger.version) else None
    )
    challenger_c = Contender(
        challenger,
        (lambda: model) if model is not None else (lambda: load(store, name, version=challenger.version)),
    )
    champion_c = (
        Contender(champion_mv, lambda: load(store, name, version=champion_mv.version))
        if champion_mv is not None
        else None
    )
    if current == challenger.version:
        decision = GateDecision(
            name, challenger.version, None, None, None, None, True, "already production", run_id
        )
    else:
        try:
            decision = evaluate(promote_if, challenger_c, champion_c, holdout, run_id)
        except Exception as exc:  # noqa: BLE001 - a gate that cannot decide keeps the champion
            text = str(exc) if isinstance(exc, OpsConsoleError) else f"{type(exc).__name__}: {exc}"
            decision = GateDecision(
                name,
                challenger.version,
                None if champion_mv is None else champion_mv.version,
                getattr(promote_if, "metric", None),
                None,
                None,
                False,
                f"gate could not decide, champion kept: {text}",
                run_id,
            )
    decision.at = time.time()
    with txn.write(store) as tx:
        row = tx.one("SELECT version FROM aliases WHERE name=? AND alias=?", (name, PRODUCTION))
        holder = row["version"] if row is not None else None
        if decision.promoted and holder not in (current, challenger.version):
            # another process moved production while this gate was scoring: its verdict is stale
            decision.promoted = False
            decision.reason = (
                f"production moved to v{holder} while the gate ran; not promoted ({decision.reason})"
            )
        tx.execute(
            "INSERT INTO gate_decisions (at, name, challenger, champion, metric, challenger_score,"
            " champion_score, promoted, reason, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                decision.at,
                name,
                decision.challenger,
                decision.champion,
                decision.metric,
                decision.challenger_score,
                decision.champion_score,
                int(decision.promoted),
                decision.reason,
                run_id,
            ),
        )
        tx.execute(
            "UPDATE model_versions SET gate_pending=0 WHERE name=? AND version=?", (name, challenger.version)
        )
        tx.event(
            "gate.decided", {**decision.to_dict(), "summary": decision.describe()}, run_id=run_id, task=task
        )
        if decision.promoted:
            aliases.move(
                tx,
                name,
                PRODUCTION,
                challenger.version,
                action="gate",
                reason=decision.reason,
                command=_where(run_id, task),
                run_id=run_id,
                task=task,
            )
    say(decision.describe())
    return decision


def load(
    store: Store | str,
    name: str | None = None,
    alias: str | None = None,
    version: int | str | None = None,
) -> Any:
    """The model object of a version (by ``version``, else ``alias``, default ``production``).

    ``load(store, "iris")`` reads the given store; ``load("iris")`` (or ``load("iris", "staging")``)
    the store of the project found from the working directory, as the CLI would.
    The artifact's sha256 (and size) are checked before a single byte is unpickled; a
    tampered, truncated or missing file raises :class:`console.errors.IntegrityError`.
    """
    if isinstance(store, str):
        from console import workspace

        if name is not None and alias is None:
            alias = name
        target, model_name = workspace.store(), store
    elif name is None:
        raise BadParamError("registry.load: which model? load(store, NAME) or load(NAME)")
    else:
        target, model_name = store, name
    mv = queries.resolve(target.db, model_name, alias=alias, version=version)
    return load_version(target, mv)


def load_version(store: Store, mv: ModelVersion) -> Any:
    what = f"model {mv.name!r} v{mv.version}"
    model = artifact_io.load_verified(store.artifacts, mv.sha256, mv.size, what, mv.chunks)
    saved = mv.env.get("sklearn")
    running = lineage.environment().get("sklearn")
    if saved and running and saved != running:
        message = f"{what} was saved with scikit-learn {saved}; this is {running}: predictions may differ"
        logger.warning(message)
        warnings.warn(message, ModelEnvironmentWarning, stacklevel=3)
    return model


promote = aliases.promote
rollback = aliases.rollback
resolve = queries.resolve
versions = queries.versions
history = queries.history


def decide_pending(
    store: Store, run_id: int, promote_if: Any, log: Callable[[str], None] | None = None
) -> list[GateDecision]:
    """Run the gate of every version ``run_id`` registered whose decision never came.

    ``register`` stores a version with ``gate_pending=1`` when a gate is due and the gate's
    verdict clears it in the same transaction, so a process killed in between leaves it
    pending: ``models`` shows it so, and a rerun of its run decides it here (against
    today's production holder) before starting.
    """
    return [
        gate(store, mv, promote_if, run_id=run_id, task=mv.task, log=log)
        for mv in queries.pending_versions(store.db, run_id)
    ]
