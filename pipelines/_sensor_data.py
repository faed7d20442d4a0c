"""Synthetic hourly sensor readings of a fleet of machines that sometimes fail (fixed seed).

Each machine reports temperature, vibration, pressure and rpm every hour. A failure is
preceded by a degradation of 12 to 48 hours in which vibration and temperature climb and
pressure becomes noisy, so rolling-window features can see it coming; after a failure the
machine is repaired and healthy again. Vectorised: no Python loop over readings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def make_readings(
    machines: int = 30, hours: int = 24 * 60, seed: int = 0, failure_rate: float = 1 / 400
) -> pd.DataFrame:
    """``machines * hours`` rows: machine, hour, timestamp, 4 sensors and ``failure`` (0/1 at the failure hour)."""
    rng = np.random.default_rng(seed)
    n = machines * hours
    machine = np.repeat(np.arange(machines), hours)
    hour = np.tile(np.arange(hours), machines)
    failure = (rng.random(n) < failure_rate) & (hour > 48)
    # hours until the next failure of the same machine (inf when none follows)
    fail_hour = np.where(failure, hour, np.iinfo(np.int64).max).reshape(machines, hours)
    next_fail = np.minimum.accumulate(fail_hour[:, ::-1], axis=1)[:, ::-1].ravel()
    until = np.where(next_fail == np.iinfo(np.int64).max, np.inf, next_fail - hour)
    lead = rng.uniform(12, 48, machines)[machine]  # how early each machine shows wear
    wear = np.clip(1 - until / lead, 0, 1) ** 2  # 0 when healthy, 1 at the failure hour
    base_temp = rng.normal(60, 3, machines)[machine]
    frame = pd.DataFrame(
        {
            "machine": machine.astype(np.int32),
            "hour": hour.astype(np.int32),
            "timestamp": pd.Timestamp("2026-01-01") + pd.to_timedelta(hour, unit="h"),
            "temperature": base_temp + 2 * np.sin(hour * 2 * np.pi / 24) + rng.normal(0, 1.0, n) + 12 * wear,
            "vibration": rng.gamma(4, 0.5, n) + 4 * wear + rng.normal(0, 0.3, n) * wear,
            "pressure": rng.normal(100, 2, n) + rng.normal(0, 6, n) * wear,
            "rpm": rng.normal(1500, 25, n) - 120 * wear,
            "failure": failure.astype(np.int8),
        }
    )
    return frame
