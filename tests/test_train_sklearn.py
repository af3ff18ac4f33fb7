"""NeuralNetClassifier / NeuralNetRegressor behave as scikit-learn estimators."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import minidl as md
from minidl import nn
from minidl.train import NeuralNetClassifier, NeuralNetRegressor


class MLP(nn.Module):
    def __init__(self, n_in=4, hidden=16, n_out=3):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_out))

    def forward(self, x):
        return self.net(x)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def net(**kw):
    params = {
        "module__hidden": 16,
        "max_epochs": 30,
        "lr": 0.1,
        "batch_size": 16,
        "random_state": 0,
    }
    return NeuralNetClassifier(MLP, **{**params, **kw})


def test_params_include_prefixed_arguments_and_clone_copies_them():
    est = net(optimizer__momentum=0.9)
    params = est.get_params()
    assert params["module__hidden"] == 16 and params["optimizer__momentum"] == 0.9
    assert params["lr"] == 0.1 and params["max_epochs"] == 30
    twin = clone(est)
    assert twin.get_params() == params and twin is not est
    est.set_params(module__hidden=8, lr=0.5)
    assert est.module__hidden == 8 and est.lr == 0.5
    with pytest.raises(TypeError, match="unexpected argument"):
        NeuralNetClassifier(MLP, hiden=3)
    with pytest.raises(TypeError, match="unexpected argument"):
        est.set_params(modul__hidden=3)


def test_fit_predict_proba_score_and_reproducibility(iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]  # any label type works
    pipe = make_pipeline(StandardScaler(), net())
    pipe.fit(X, labels)
    clf = pipe[-1]
    assert list(clf.classes_) == list(labels[np.sort(np.unique(labels, return_index=True)[1])])
    proba = pipe.predict_proba(X)
    assert proba.shape == (150, 3) and np.allclose(proba.sum(axis=1), 1.0)
    pred = pipe.predict(X)
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    assert (
        pipe.score(X, labels) == pytest.approx(np.mean(pred == labels))
        and pipe.score(X, labels) > 0.9
    )
    before = md.random.default_generator().bit_generator.state
    again = make_pipeline(StandardScaler(), net()).fit(X, labels)
    np.testing.assert_array_equal(again.predict_proba(X), proba)  # same seed, same bits
    assert md.random.default_generator().bit_generator.state == before  # caller's stream kept


def test_cross_val_score_and_grid_search_on_iris(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), net(max_epochs=15))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.6)
    grid = GridSearchCV(
        pipe,
        {
            "neuralnetclassifier__module__hidden": [4, 16],
            "neuralnetclassifier__lr": [0.01, 0.2],
        },  # fmt: skip
        cv=3,
    )
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    best = grid.best_params_
    assert best["neuralnetclassifier__module__hidden"] in (4, 16)
    means = grid.cv_results_["mean_test_score"]
    assert grid.best_score_ == pytest.approx(means.max())
    # the slow, narrow setting (lr 0.01 with 4 hidden units in 15 epochs) is not the best
    worst = grid.cv_results_["params"][int(np.argmin(means))]
    assert worst["neuralnetclassifier__lr"] == 0.01


def test_regressor_on_diabetes():
    X, y = load_diabetes(return_X_y=True)
    y = (y - y.mean()) / y.std()
    reg = NeuralNetRegressor(MLP, module__n_in=10, module__n_out=1, max_epochs=40, lr=0.05,
                             batch_size=32, random_state=1)  # fmt: skip
    pipe = make_pipeline(StandardScaler(), reg).fit(X, y)
    pred = pipe.predict(X)
    assert pred.shape == (len(y),)
    r2 = 1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)
    assert pipe.score(X, y) == pytest.approx(r2, rel=1e-5) and r2 > 0.3


def test_predict_before_fit_says_so():
    with pytest.raises(AttributeError, match="not fitted"):
        net().predict(np.zeros((2, 4)))
