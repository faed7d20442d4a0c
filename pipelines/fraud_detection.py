"""Fraud detection: the full MLOps loop on synthetic card transactions.

generate (fixed seed, ``_fraud_data.py``) -> validate (quality checks) -> features (the
model's input columns, a stratified train/holdout split) -> train (a scikit-learn pipeline:
scaling, one-hot encoding, logistic regression) -> evaluate (precision, recall and AUC on
the holdout, logged as metrics) -> register ("fraud", gated by ``Better("auc")`` on the
same holdout as the production model). The registered pipeline takes raw transaction
columns, so ``opsconsole predict fraud batch.csv`` scores a file as it lands.
"""

from console import Context, Pipeline
from console.quality import checks as qc
from console.registry import Better

p = Pipeline(
    "fraud_detection",
    params={"rows": 20_000, "seed": 7, "test_size": 0.25, "C": 1.0, "threshold": 0.5, "landed": "",
            "source": "synthetic"},
    description="Synthetic transactions -> checks -> logistic model -> precision/recall/AUC -> gated registry",
    promote_if=Better("auc", min_delta=0.0),
)

CATEGORICAL = ["merchant_category", "country", "device"]
NUMERIC = ["amount", "hour", "tx_last_1h", "tx_last_24h", "amount_vs_avg"]


@p.task
def generate(rows, seed, landed, source, ctx: Context):
    """The synthetic history, plus labelled batches that landed since (``landed``: a glob).

    The fraud monitor retrains with ``landed="assets/incoming/fraud/batch_*.csv"``, so the
    new version learns from the traffic that drifted instead of refitting the same rows.
    ``source="warehouse"`` trains on ``fct_transactions`` instead, the table the dbt project
    ``pipelines/fraud_sql`` builds (run ``opsconsole run fraud_sql`` first).
    """
    import pandas as pd
    from _fraud_data import make_transactions

    if source == "warehouse":
        from console.sql.python_models import read_table

        columns = list(make_transactions(1, seed).columns)
        frame = read_table("fct_transactions", ctx)[columns]
    else:
        frame = make_transactions(rows, seed)
    files = sorted(ctx.project_root.glob(landed)) if landed else []
    if files:
        batches = [pd.read_csv(f) for f in files]
        frame = pd.concat([frame, *(b[frame.columns] for b in batches)], ignore_index=True)
        frame = frame.drop_duplicates("transaction_id", keep="last").reset_index(drop=True)
        ctx.logger.info("added %d landed rows from %d batch file(s)", sum(map(len, batches)), len(files))
    ctx.logger.info("%d transactions, %.2f%% fraud", len(frame), 100 * frame["is_fraud"].mean())
    return frame


@p.task(
    checks=[
        qc.not_null(),
        qc.unique("transaction_id"),
        qc.between("amount", min=0, strict_min=True),
        qc.between("hour", 0, 23),
        qc.isin("device", ["mobile", "desktop", "tablet", "new_device"]),
        qc.isin("is_fraud", [0, 1]),
        qc.stat("is_fraud", "mean", min=0.002, max=0.1),
        qc.row_count(min=1000),
    ]
)
def validate(generate):
    return generate


@p.task
def features(validate, test_size, seed, ctx: Context):
    from _fraud_data import FEATURES, TARGET
    from sklearn.model_selection import train_test_split

    X = validate[FEATURES]
    y = validate[TARGET]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y
    )
    ctx.logger.info(
        "train %d rows, holdout %d rows (%d frauds)", len(X_train), len(X_test), int(y_test.sum())
    )
    return {"X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test}


@p.task(retries=1, timeout=120)
def train(features, C, seed):
    import numpy as np
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    prep = ColumnTransformer(
        [
            ("num", make_pipeline(FunctionTransformer(np.log1p), StandardScaler()), NUMERIC),
            ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
        ]
    )
    model = make_pipeline(
        prep, LogisticRegression(C=C, max_iter=1000, class_weight="balanced", random_state=seed)
    )
    model.fit(features["X_train"], features["y_train"])
    return model


@p.task
def evaluate(train, features, threshold, ctx: Context):
    import numpy as np
    from sklearn.metrics import precision_score, recall_score, roc_auc_score

    y = features["y_test"]
    proba = train.predict_proba(features["X_test"])[:, 1]
    flagged = (proba >= threshold).astype(int)
    # balanced class weights make a 0.5 cut favour recall; a fraud team also reads the top-1% queue
    top = (proba >= np.quantile(proba, 0.99)).astype(int)
    metrics = {
        "auc": float(roc_auc_score(y, proba)),
        "precision": float(precision_score(y, flagged, zero_division=0)),
        "recall": float(recall_score(y, flagged, zero_division=0)),
        "precision_top1pct": float(precision_score(y, top, zero_division=0)),
        "recall_top1pct": float(recall_score(y, top, zero_division=0)),
    }
    for name, value in metrics.items():
        ctx.log_metric(name, value)
    ctx.logger.info("holdout: %s", ", ".join(f"{k}={v:.3f}" for k, v in metrics.items()))
    return metrics


@p.task
def register(train, evaluate, features, C, threshold, ctx: Context):
    version = ctx.register_model(
        "fraud",
        train,
        metrics=evaluate,
        params={"C": C, "threshold": threshold, "model": "LogisticRegression"},
        data=features["X_train"],
        tags={"kind": "fraud", "target": "is_fraud"},
        holdout=(features["X_test"], features["y_test"]),
    )
    if version is None:  # a process/Dask worker: the runner registers and gates it
        return None
    return {"version": version.version, "promoted": version.promoted, "gate": version.gate.reason}
