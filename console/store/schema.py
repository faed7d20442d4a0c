"""The SQLite schema and its migrations.

``events.seq`` is a plain INTEGER PRIMARY KEY (max + 1, assigned under the write lock), so
it only grows while the newest event is never deleted; retention deletes old events only.
Events carry no secondary index: the hot path inserts thousands per second.

``PRAGMA user_version`` holds the schema version. Each entry of ``MIGRATIONS`` moves the
database from version ``i`` to ``i + 1``; they run in one ``BEGIN IMMEDIATE`` transaction
so two processes opening a new store at once cannot both apply them.
"""

from __future__ import annotations

V1 = """
CREATE TABLE IF NOT EXISTS runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline        TEXT NOT NULL,
    status          TEXT NOT NULL,
    trigger         TEXT NOT NULL,
    params          TEXT NOT NULL DEFAULT '{}',
    created_at      REAL NOT NULL,
    started_at      REAL,
    ended_at        REAL,
    pid             INTEGER,
    pid_start       TEXT,
    host            TEXT,
    source_sha256   TEXT,
    git_commit      TEXT,
    parent_run_id   INTEGER,
    group_key       TEXT,
    n_tasks         INTEGER NOT NULL DEFAULT 0,
    n_done          INTEGER NOT NULL DEFAULT 0,
    error           TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_by_pipeline ON runs (pipeline, id);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status, id);

CREATE TABLE IF NOT EXISTS tasks (
    run_id      INTEGER NOT NULL,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    started_at  REAL,
    ended_at    REAL,
    duration_s  REAL,
    error       TEXT,
    result_key  TEXT,
    reused      INTEGER NOT NULL DEFAULT 0,
    log_lines   INTEGER NOT NULL DEFAULT 0,
    upstream    TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (run_id, name)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS events (
    seq     INTEGER PRIMARY KEY,
    at      REAL NOT NULL,
    run_id  INTEGER,
    task    TEXT,
    kind    TEXT NOT NULL,
    status  TEXT,
    data    TEXT
);

CREATE TABLE IF NOT EXISTS results (
    key     TEXT PRIMARY KEY,
    size    INTEGER NOT NULL,
    inline  BLOB,
    at      REAL NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS checks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      INTEGER NOT NULL,
    pipeline    TEXT NOT NULL,
    task        TEXT NOT NULL,
    check_name  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    columns     TEXT NOT NULL DEFAULT '[]',
    severity    TEXT NOT NULL,
    passed      INTEGER NOT NULL,
    failing     INTEGER NOT NULL DEFAULT 0,
    total       INTEGER NOT NULL DEFAULT 0,
    observed    REAL,
    error       TEXT,
    duration_s  REAL,
    detail      TEXT NOT NULL DEFAULT '{}',
    at          REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS checks_by_run ON checks (run_id);
CREATE INDEX IF NOT EXISTS checks_by_name ON checks (pipeline, task, check_name, id);

CREATE TABLE IF NOT EXISTS metrics (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    value       REAL NOT NULL,
    step        INTEGER,
    at          REAL NOT NULL,
    run_id      INTEGER,
    pipeline    TEXT,
    task        TEXT,
    model       TEXT,
    version     INTEGER,
    source      TEXT
);
CREATE INDEX IF NOT EXISTS metrics_by_name ON metrics (name, id);
CREATE INDEX IF NOT EXISTS metrics_by_run ON metrics (run_id);

CREATE TABLE IF NOT EXISTS model_versions (
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_at  REAL NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    data_sha256 TEXT,
    run_id      INTEGER,
    task        TEXT,
    metrics     TEXT NOT NULL DEFAULT '{}',
    params      TEXT NOT NULL DEFAULT '{}',
    tags        TEXT NOT NULL DEFAULT '{}',
    signature   TEXT,
    env         TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (name, version)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS aliases (
    name     TEXT NOT NULL,
    alias    TEXT NOT NULL,
    version  INTEGER NOT NULL,
    PRIMARY KEY (name, alias)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS alias_history (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           REAL NOT NULL,
    user         TEXT NOT NULL,
    name         TEXT NOT NULL,
    alias        TEXT NOT NULL,
    from_version INTEGER,
    to_version   INTEGER,
    reason       TEXT,
    command      TEXT
);
CREATE INDEX IF NOT EXISTS alias_history_by_name ON alias_history (name, alias, id);

CREATE TABLE IF NOT EXISTS gate_decisions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    at                 REAL NOT NULL,
    name               TEXT NOT NULL,
    challenger         INTEGER NOT NULL,
    champion           INTEGER,
    metric             TEXT,
    challenger_score   REAL,
    champion_score     REAL,
    promoted           INTEGER NOT NULL,
    reason             TEXT,
    run_id             INTEGER
);

CREATE TABLE IF NOT EXISTS monitor_evals (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    monitor   TEXT NOT NULL,
    at        REAL NOT NULL,
    model     TEXT,
    version   INTEGER,
    metrics   TEXT NOT NULL DEFAULT '{}',
    evidence  TEXT NOT NULL DEFAULT '{}',
    run_id    INTEGER
);
CREATE INDEX IF NOT EXISTS monitor_evals_by_monitor ON monitor_evals (monitor, id);

CREATE TABLE IF NOT EXISTS alerts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          REAL NOT NULL,
    monitor     TEXT NOT NULL,
    rule        TEXT NOT NULL,
    metric      TEXT NOT NULL,
    value       REAL,
    threshold   REAL,
    severity    TEXT NOT NULL DEFAULT 'alert',
    evidence    TEXT NOT NULL DEFAULT '{}',
    eval_id     INTEGER,
    action      TEXT,
    action_run_id INTEGER,
    acknowledged INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS triggers_state (
    pipeline  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    key       TEXT NOT NULL,
    value     TEXT,
    PRIMARY KEY (pipeline, kind, key)
) WITHOUT ROWID;
"""

# v2: per-chunk sha256 digests of a model artifact, so a big model can be verified while it
# is read (console/registry/verified_stream.py) instead of hashed in full before unpickling
V2 = """
ALTER TABLE model_versions ADD COLUMN chunks TEXT;
"""

# ops: hand marks (audit), paused pipelines, pipeline sources by sha256 (for diff), deadlines
# (a run's SLA and whether it was missed), notification deliveries (one row per event and URL)
V_OPS = """
CREATE TABLE IF NOT EXISTS marks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      INTEGER NOT NULL,
    task        TEXT,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    reason      TEXT,
    user        TEXT NOT NULL,
    at          REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS marks_by_run ON marks (run_id, id);
CREATE TABLE IF NOT EXISTS paused (
    pipeline    TEXT PRIMARY KEY,
    at          REAL NOT NULL,
    user        TEXT NOT NULL,
    reason      TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sources (
    sha256      TEXT PRIMARY KEY,
    text        TEXT NOT NULL,
    at          REAL NOT NULL
) WITHOUT ROWID;
ALTER TABLE runs ADD COLUMN sla_s REAL;
ALTER TABLE runs ADD COLUMN task_slas TEXT;
ALTER TABLE runs ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_seq   INTEGER NOT NULL,
    event       TEXT NOT NULL,
    target      TEXT NOT NULL,
    run_id      INTEGER,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    created_at  REAL NOT NULL,
    sent_at     REAL,
    next_at     REAL,
    UNIQUE (event_seq, target)
);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications (status, next_at);
"""


# sql: what each SQL task of a run built in the warehouse (tables, views, seeds), so
# `opsconsole tables`, lineage and the Data tab can say which model, run and time made a table
V_SQL = """
CREATE TABLE IF NOT EXISTS sql_builds (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id       INTEGER,
    pipeline     TEXT NOT NULL,
    task         TEXT NOT NULL,
    relation     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    materialized TEXT NOT NULL,
    rows         INTEGER,
    columns      TEXT NOT NULL DEFAULT '[]',
    compiled_sql TEXT,
    upstream     TEXT NOT NULL DEFAULT '[]',
    at           REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sql_builds_by_relation ON sql_builds (relation, id);
CREATE INDEX IF NOT EXISTS sql_builds_by_run ON sql_builds (run_id);
"""


# process: the audit of forced recoveries (`recover RUN --force`), and a version's gate
# that was due but not yet decided (a kill between registering it and its decision)
V_PROCESS = """
CREATE TABLE IF NOT EXISTS run_recoveries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      INTEGER NOT NULL,
    at          REAL NOT NULL,
    user        TEXT NOT NULL,
    host        TEXT NOT NULL,
    run_host    TEXT,
    run_pid     INTEGER,
    from_status TEXT NOT NULL,
    forced      INTEGER NOT NULL,
    reason      TEXT
);
CREATE INDEX IF NOT EXISTS run_recoveries_by_run ON run_recoveries (run_id, id);
ALTER TABLE model_versions ADD COLUMN gate_pending INTEGER NOT NULL DEFAULT 0;
"""

MIGRATIONS: list[str] = [V1, V2, V_OPS, V_SQL, V_PROCESS]
SCHEMA_VERSION = len(MIGRATIONS)
