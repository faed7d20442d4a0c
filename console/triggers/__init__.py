"""Triggers: schedules (cron, intervals), file arrival, hot reload, monitors, backfill, gc.

``Service`` is the loop that owns them (see ``service.py``); ``parse_schedule`` reads a
``Pipeline(schedule=...)``; ``MonitorLike`` is what the service needs of a monitor.
Imports engine, store and errors only; never textual, pandas or sklearn.
"""

from console.triggers.monitors import MonitorLike
from console.triggers.schedule import Schedule, parse_schedule
from console.triggers.service import Decision, Service

__all__ = ["Decision", "MonitorLike", "Schedule", "Service", "parse_schedule"]
