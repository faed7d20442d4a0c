"""One exception tree for everything a user can get wrong, and everything that can break.

Every user-facing error is a subclass of :class:`OpsConsoleError` with a one-line message
that says what and where. ``exit_code`` is what the CLI exits with (see ARCHITECTURE.md, Exit codes).

    OpsConsoleError                     exit 2 unless noted
    ├── UsageError                      bad command line, bad parameter value
    │   └── BadParamError
    ├── NotFoundError                   unknown pipeline, run, task, model, version, alias
    ├── ProjectError                    no project, unreadable config, broken project
    │   └── PipelineDefinitionError     cycle, unknown parameter, duplicate name
    ├── StoreError                      the state directory or database cannot be used
    │   ├── StoreCorruptError
    │   └── StoreUnavailableError       read-only or full disk, locked for too long
    │       └── StoreVanishedError      exit 1: the state directory was deleted under a run
    ├── ResultStoreError                a task result cannot be stored (not picklable)
    ├── DataError                       unreadable input data (bad CSV, wrong encoding)
    ├── CheckDefinitionError            a quality check built with bad arguments
    │   └── GXSuiteError                a Great Expectations suite that cannot be loaded
    ├── StreamingError                  a Kafka broker, topic or warehouse a source cannot use
    ├── RegistryError
    │   ├── InvalidNameError            a model or alias name with path separators etc.
    │   ├── IntegrityError              a tampered, truncated or missing artifact
    │   ├── SignatureError              input columns do not match a model's signature
    │   └── NoPreviousVersionError      rollback with nothing to roll back to
    ├── ReadOnlyError                   an action refused in read-only mode
    ├── SqlError                        SQL models and the warehouse
    │   ├── SqlProjectError             a dbt project that cannot be loaded (file:line: reason)
    │   ├── SqlQueryError               DuckDB refused a query (its message)
    │   └── WarehouseError              the warehouse file is locked, corrupt or not writable
    │       └── WarehouseBusyError      another run holds the warehouse for writing
    ├── TaskError                       raised inside the engine for a task attempt
    │   ├── TaskTimeoutError
    │   ├── TaskCancelledError
    │   └── SqlTestFailedError          a dbt test of error severity found failing rows
    └── GateRefusedError                exit 1: a promotion gate kept the champion

PipelineDefinitionError and SqlProjectError are also ``LocatedError``s (``file:line: reason``).
"""

from __future__ import annotations


class OpsConsoleError(Exception):
    """Base of every error ops-console raises on purpose."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(OpsConsoleError):
    """The command line or an argument is wrong."""


class BadParamError(UsageError):
    """A ``--param`` value or a pipeline parameter is invalid."""


class NotFoundError(OpsConsoleError):
    """Something named does not exist (pipeline, run, task, model, version, alias)."""


class ProjectError(OpsConsoleError):
    """The project cannot be found or read."""


class LocatedError(OpsConsoleError):
    """An error at a place in a file: the message reads ``file:line: reason``; the parts are kept."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
        super().__init__(f"{where}{message}")
        self.reason = message
        self.file = file
        self.line = line


class PipelineDefinitionError(LocatedError, ProjectError):
    """A pipeline declares a cycle, an unknown parameter or a duplicate name."""


class StoreError(OpsConsoleError):
    """The state store cannot be used."""


class StoreCorruptError(StoreError):
    """The database file is not a valid SQLite database or failed its integrity check."""


class StoreUnavailableError(StoreError):
    """The state directory is read-only, the disk is full, or the lock was held too long."""


class StoreVanishedError(StoreUnavailableError):
    """The state directory was deleted (or replaced) while this process used it."""

    exit_code = 1


class ResultStoreError(OpsConsoleError):
    """A task returned an object that cannot be stored."""


class DataError(OpsConsoleError):
    """Input data cannot be read: broken CSV quoting, wrong encoding, an empty file."""


class CheckDefinitionError(OpsConsoleError):
    """A quality check was declared with bad arguments."""


class GXSuiteError(CheckDefinitionError):
    """A Great Expectations suite cannot be loaded: unreadable, unknown type or argument."""


class StreamingError(OpsConsoleError):
    """A Kafka source cannot read its topic or write the warehouse."""


class RegistryError(OpsConsoleError):
    """Base of model registry errors."""


class InvalidNameError(RegistryError):
    """A model or alias name that is not allowed."""


class IntegrityError(RegistryError):
    """A model artifact is tampered, truncated or missing."""


class SignatureError(RegistryError):
    """Input data does not match the model version's signature."""


class NoPreviousVersionError(RegistryError):
    """A rollback has no previous holder to go back to."""


class ReadOnlyError(OpsConsoleError):
    """An action was refused because the console is read-only."""


class SqlError(OpsConsoleError):
    """Base of SQL model and warehouse errors."""


class SqlProjectError(LocatedError, SqlError):
    """A dbt project (or a SQL model) cannot be loaded or rendered: file, line and reason."""


class SqlQueryError(SqlError):
    """DuckDB refused a statement; the message is DuckDB's, on one line."""


class WarehouseError(SqlError):
    """The warehouse file cannot be used: locked, corrupt or not writable."""


class WarehouseBusyError(WarehouseError):
    """Another run holds the warehouse for writing; readers gave up waiting."""


class TaskError(OpsConsoleError):
    """A task attempt failed inside the engine."""

    exit_code = 1


class TaskTimeoutError(TaskError):
    """A task ran past its timeout."""


class TaskCancelledError(TaskError):
    """A task stopped because its run was cancelled."""


class SqlTestFailedError(TaskError):
    """A dbt test (generic or singular) of error severity returned failing rows."""


class GateRefusedError(OpsConsoleError):
    """A promotion gate kept the current champion."""

    exit_code = 1
