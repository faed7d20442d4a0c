"""Predictive maintenance: will this machine fail within the next N hours?

Hourly sensor readings of a fleet (synthetic, fixed seed: ``_sensor_data.py``) become
rolling-window features per machine (mean, std and change over 6 and 24 hours); the label
is "a failure within ``horizon`` hours". A gradient-boosted classifier is trained on the
first weeks and evaluated on the later ones; precision and recall are logged for the
whole test period and week by week (``step`` = week), so ``opsconsole metrics recall``
shows them over time, and the model is registered as ``maintenance``.
"""

from console import Context, Pipeline
from console.quality import checks as qc

SENSORS = ["temperature", "vibration", "pressure", "rpm"]
WINDOWS = (6, 24)

p = Pipeline(
    "predictive_maintenance",
    params={"machines": 30, "days": 60, "horizon": 24, "train_days": 40, "threshold": 0.5, "seed": 0},
    description="Rolling-window sensor features, a failure-within-N-hours classifier, precision/recall per week",
)


@p.task(checks=[qc.not_null(), qc.between("vibration", 0, 100), qc.row_count(min=1000)])
def readings(machines, days, seed, ctx: Context):
    from _sensor_data import make_readings

    frame = make_readings(machines=machines, hours=24 * days, seed=seed)
    ctx.logger.info(
        "%d readings of %d machines, %d failures", len(frame), machines, int(frame["failure"].sum())
    )
    return frame


@p.task
def features(readings, horizon):
    import numpy as np
    import pandas as pd

    frame = readings.sort_values(["machine", "hour"], kind="stable").reset_index(drop=True)
    grouped = frame.groupby("machine", sort=False)
    cols = {}
    for window in WINDOWS:
        rolling = grouped[SENSORS].rolling(window, min_periods=1)
        mean = rolling.mean().reset_index(level=0, drop=True)
        std = rolling.std().reset_index(level=0, drop=True).fillna(0.0)
        for s in SENSORS:
            cols[f"{s}_mean_{window}h"] = mean[s].to_numpy()
            cols[f"{s}_std_{window}h"] = std[s].to_numpy()
            cols[f"{s}_delta_{window}h"] = (frame[s] - grouped[s].shift(window).bfill()).to_numpy()
    out = pd.DataFrame(cols, index=frame.index)
    # label: a failure in (t, t + horizon] of the same machine (a reversed rolling max)
    future = grouped["failure"].transform(
        lambda s: s[::-1].rolling(horizon, min_periods=1).max()[::-1].shift(-1)
    )
    out["fails_soon"] = future.fillna(0).astype(np.int8).to_numpy()
    out["machine"] = frame["machine"].to_numpy()
    out["hour"] = frame["hour"].to_numpy()
    return out


@p.task
def model(features, train_days, threshold, seed, ctx: Context):
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import precision_score, recall_score, roc_auc_score

    cols = [c for c in features.columns if c not in ("fails_soon", "machine", "hour")]
    train = features[features["hour"] < 24 * train_days]
    test = features[features["hour"] >= 24 * train_days]
    clf = HistGradientBoostingClassifier(max_iter=80, learning_rate=0.1, random_state=seed)
    clf.fit(train[cols], train["fails_soon"])
    proba = clf.predict_proba(test[cols])[:, 1]
    predicted = (proba >= threshold).astype(np.int8)
    y = test["fails_soon"].to_numpy()
    precision = precision_score(y, predicted, zero_division=0)
    recall = recall_score(y, predicted, zero_division=0)
    auc = roc_auc_score(y, proba) if 0 < y.sum() < len(y) else float("nan")
    ctx.log_metric("precision", precision)
    ctx.log_metric("recall", recall)
    ctx.log_metric("auc", auc)
    weeks = (test["hour"].to_numpy() // (24 * 7)).astype(int)
    for week in np.unique(weeks):
        mask = weeks == week
        if y[mask].sum() == 0:
            continue  # no failure that week: recall undefined
        ctx.log_metric(
            "weekly_precision", precision_score(y[mask], predicted[mask], zero_division=0), step=int(week)
        )
        ctx.log_metric("weekly_recall", recall_score(y[mask], predicted[mask]), step=int(week))
    ctx.logger.info(
        "failure within the horizon: precision %.3f recall %.3f auc %.3f on %d test hours (%d positive)",
        precision, recall, auc, len(y), int(y.sum()),
    )  # fmt: skip
    metrics = {"precision": float(precision), "recall": float(recall), "auc": float(auc)}
    version = ctx.register_model(
        "maintenance", clf, metrics=metrics, data=train[cols], tags={"label": "fails_soon"}
    )
    return {"metrics": metrics, "version": getattr(version, "version", None), "features": cols}
