"""Seed example: train a random forest on iris, register it, and promote it through a gate.

The new version is scored on the same held-out rows as the current production version and
becomes production only when its accuracy is at least as good (``Better("accuracy")``).
"""

from console import Context, Pipeline
from console.quality import checks as qc
from console.registry import Better

p = Pipeline(
    "iris_train",
    params={"n_estimators": 100, "seed": 0, "test_size": 0.3},
    description="Train a random forest on iris and register it",
    promote_if=Better("accuracy", min_delta=0.0),
)


@p.task
def raw(ctx: Context):
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    frame.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width", "target"]
    ctx.logger.info("loaded iris: %d rows, %d columns", len(frame), frame.shape[1])
    return frame


@p.task(checks=[qc.not_null(), qc.between("sepal_length", 0, 20), qc.row_count(min=100)])
def clean(raw):
    return raw.dropna()


@p.task
def split(clean, test_size, seed):
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(clean, test_size=test_size, random_state=seed, stratify=clean["target"])
    return {"train": train, "test": test}


@p.task(retries=2, retry_delay=0.5, timeout=120)
def model(split, n_estimators, seed):
    from sklearn.ensemble import RandomForestClassifier

    train = split["train"]
    clf = RandomForestClassifier(n_estimators=n_estimators, random_state=seed)
    clf.fit(train.drop(columns="target"), train["target"])
    return clf


@p.task
def evaluate(model, split, ctx: Context):
    from sklearn.metrics import accuracy_score

    test = split["test"]
    acc = float(accuracy_score(test["target"], model.predict(test.drop(columns="target"))))
    ctx.log_metric("accuracy", acc)
    print(f"accuracy on {len(test)} held-out rows: {acc:.3f}")
    return {"accuracy": acc}


@p.task
def register(model, evaluate, split, n_estimators, seed, ctx: Context):
    test = split["test"]
    version = ctx.register_model(
        "iris",
        model,
        metrics=evaluate,
        params={"n_estimators": n_estimators, "seed": seed},
        data=split["train"],
        holdout=(test.drop(columns="target"), test["target"]),
    )
    if version is None:  # a process/Dask worker: the runner registers and gates it
        return None
    return {"version": version.version, "promoted": version.promoted}
