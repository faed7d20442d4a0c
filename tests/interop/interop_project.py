"""A pipeline that registers an iris model (version 1, production), shared by the interop tests."""

TRAIN = '''
from console import Pipeline

p = Pipeline("train", params={"c": 1.0})

@p.task
def data():
    from sklearn.datasets import load_iris
    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    return X.assign(species=y)

@p.task
def model(data, c, ctx):
    from sklearn.linear_model import LogisticRegression
    X, y = data.drop(columns=["species"]), data["species"]
    clf = LogisticRegression(C=c, max_iter=500).fit(X, y)
    ctx.log_metric("accuracy", float(clf.score(X, y)))
    return ctx.register_model("iris", clf, metrics={"accuracy": float(clf.score(X, y))}, data=X, alias="production").version
'''
