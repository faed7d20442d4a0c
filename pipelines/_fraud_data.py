"""Synthetic card transactions with a fixed seed (shared by fraud_detection and its monitor).

``make_transactions(n, seed, drift=0.0)`` returns one row per transaction: ``amount``
(lognormal), ``merchant_category``, ``hour``, ``country``, ``device``, the velocity
features ``tx_last_1h``/``tx_last_24h``/``amount_vs_avg`` and the label ``is_fraud``
(about 2%, more likely at night, abroad, on a new device, for large amounts and bursts).
``drift > 0`` shifts the amount distribution up (the log-mean moves by ``drift``) and
brings in a merchant category never seen in training, ``crypto_exchange`` (up to 30% of
rows), the kind of change a drift monitor must catch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CATEGORIES = ["grocery", "fuel", "restaurant", "online_retail", "travel", "electronics", "pharmacy", "gaming"]
CATEGORY_P = [0.26, 0.14, 0.18, 0.16, 0.06, 0.08, 0.08, 0.04]
CATEGORY_RISK = {"electronics": 0.9, "gaming": 1.1, "travel": 0.6, "online_retail": 0.5}
NEW_CATEGORY = "crypto_exchange"
COUNTRIES = ["US", "GB", "DE", "FR", "NG", "BR", "IN"]
COUNTRY_P = [0.62, 0.1, 0.09, 0.08, 0.03, 0.04, 0.04]
DEVICES = ["mobile", "desktop", "tablet", "new_device"]
DEVICE_P = [0.55, 0.3, 0.1, 0.05]
FEATURES = [
    "amount",
    "merchant_category",
    "hour",
    "country",
    "device",
    "tx_last_1h",
    "tx_last_24h",
    "amount_vs_avg",
]
TARGET = "is_fraud"
BASE_LOGIT = -7.9  # tuned so that about 2% of rows are fraud


def make_transactions(n: int, seed: int = 0, drift: float = 0.0) -> pd.DataFrame:
    """``n`` synthetic transactions; the same ``(n, seed, drift)`` gives the same frame."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    rng = np.random.default_rng(seed)
    cats = np.array([*CATEGORIES, NEW_CATEGORY], dtype=object)
    p_cat = np.array([*CATEGORY_P, 0.0])
    if drift > 0:
        share = min(0.3, 0.15 * drift)
        p_cat = np.append(np.array(CATEGORY_P) * (1 - share), share)
    category = cats[rng.choice(len(cats), size=n, p=p_cat / p_cat.sum())]
    amount = rng.lognormal(mean=3.6 + drift, sigma=0.9, size=n)
    hour = rng.choice(24, size=n, p=_hour_profile())
    country = np.array(COUNTRIES, dtype=object)[rng.choice(len(COUNTRIES), size=n, p=COUNTRY_P)]
    device = np.array(DEVICES, dtype=object)[rng.choice(len(DEVICES), size=n, p=DEVICE_P)]
    tx_1h = rng.poisson(0.6, size=n)
    tx_24h = tx_1h + rng.poisson(4.0, size=n)
    amount_vs_avg = amount / rng.lognormal(mean=3.6, sigma=0.5, size=n)

    risk = pd.Series(category).map(CATEGORY_RISK).fillna(0.0).to_numpy(dtype=float)
    logit = (
        BASE_LOGIT
        + 1.4 * np.log1p(amount_vs_avg)
        + 2.0 * ((hour <= 4) | (hour >= 23))
        + 2.0 * np.isin(country, ["NG", "BR", "IN"])
        + 2.6 * (device == "new_device")
        + 0.9 * np.minimum(tx_1h, 6)
        + 1.6 * risk
    )
    is_fraud = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
    return pd.DataFrame(
        {
            "transaction_id": np.arange(1, n + 1, dtype=np.int64) + seed * 10_000_000,
            "amount": np.round(amount, 2),
            "merchant_category": pd.array(category, dtype="str"),
            "hour": hour.astype(np.int64),
            "country": pd.array(country, dtype="str"),
            "device": pd.array(device, dtype="str"),
            "tx_last_1h": tx_1h.astype(np.int64),
            "tx_last_24h": tx_24h.astype(np.int64),
            "amount_vs_avg": np.round(amount_vs_avg, 4),
            TARGET: is_fraud.astype(np.int64),
        }
    )


def _hour_profile() -> np.ndarray:
    hours = np.arange(24)
    weights = 0.3 + np.exp(-((hours - 13) ** 2) / 30.0) + 0.6 * np.exp(-((hours - 19) ** 2) / 8.0)
    return weights / weights.sum()
