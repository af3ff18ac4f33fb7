"""Streaming metrics equal scikit-learn's numbers on the same predictions, fed in batches."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from minidl.train import metrics


def feed(metric, y_true, y_pred, w=None, batch=7):
    """Update in batches of `batch` (streaming must equal all-at-once)."""
    metric.reset_state()
    for s in range(0, len(y_true), batch):
        sw = None if w is None else w[s : s + batch]
        metric.update_state(y_true[s : s + batch], y_pred[s : s + batch], sample_weight=sw)
    return metric.result()


def multiclass(n, c, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, c, n), rng.standard_normal((n, c)), rng.random(n)


def binary(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return y, rng.standard_normal(n) + y, rng.random(n)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 60), c=st.integers(2, 5), seed=st.integers(0, 10_000))
def test_multiclass_accuracy_precision_recall_f1_match_sklearn(n, c, seed):
    y, logits, w = multiclass(n, c, seed)
    pred = logits.argmax(1)
    assert feed(metrics.Accuracy(), y, logits) == pytest.approx(skm.accuracy_score(y, pred))
    assert feed(metrics.Accuracy(), y, logits, w) == pytest.approx(
        skm.accuracy_score(y, pred, sample_weight=w)
    )
    for cls, fn in ((metrics.Precision, skm.precision_score), (metrics.Recall, skm.recall_score),
                    (metrics.F1Score, skm.f1_score)):  # fmt: skip
        for average in ("micro", "macro", "weighted"):
            ours = feed(cls(average=average), y, logits, w)
            theirs = fn(y, pred, average=average, sample_weight=w, zero_division=0)
            assert ours == pytest.approx(theirs), (cls.__name__, average)
        per_class = feed(cls(average=None), y, logits)
        np.testing.assert_allclose(per_class, fn(y, pred, average=None, zero_division=0))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 60), seed=st.integers(0, 10_000))
def test_binary_metrics_from_logits_and_probabilities_match_sklearn(n, seed):
    y, logits, w = binary(n, seed)
    prob = 1 / (1 + np.exp(-logits))
    pred = (prob > 0.5).astype(int)
    for scores, from_logits in ((logits, True), (prob, False), (prob[:, None], False)):
        acc = feed(metrics.Accuracy(from_logits=from_logits), y, scores)
        assert acc == pytest.approx(skm.accuracy_score(y, pred))
        for cls, fn in (
            (metrics.Precision, skm.precision_score),
            (metrics.Recall, skm.recall_score),
            (metrics.F1Score, skm.f1_score),
        ):
            ours = feed(cls(from_logits=from_logits), y, scores, w)
            assert ours == pytest.approx(fn(y, pred, sample_weight=w, zero_division=0))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 80), seed=st.integers(0, 10_000), ties=st.booleans())
def test_auc_is_exact_and_matches_sklearn(n, seed, ties):
    y, scores, w = binary(n, seed)
    if ties:
        scores = np.round(scores)  # many tied scores: half credit, as sklearn
    if len(np.unique(y)) < 2:
        assert np.isnan(feed(metrics.AUC(), y, scores))
        return
    assert feed(metrics.AUC(), y, scores) == pytest.approx(skm.roc_auc_score(y, scores))
    assert feed(metrics.AUC(), y, scores, w) == pytest.approx(
        skm.roc_auc_score(y, scores, sample_weight=w)
    )
    two_column = np.stack([-scores, scores], axis=1)
    assert feed(metrics.AUC(), y, two_column) == pytest.approx(skm.roc_auc_score(y, scores))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 60), d=st.integers(1, 3), seed=st.integers(0, 10_000))
def test_regression_metrics_match_sklearn(n, d, seed):
    rng = np.random.default_rng(seed)
    t, p, w = rng.standard_normal((n, d)), rng.standard_normal((n, d)), rng.random(n)
    assert feed(metrics.MeanSquaredError(), t, p) == pytest.approx(skm.mean_squared_error(t, p))
    assert feed(metrics.MeanAbsoluteError(), t, p, w) == pytest.approx(
        skm.mean_absolute_error(t, p, sample_weight=w)
    )
    if d == 1:  # targets (N,) against predictions (N, 1)
        assert feed(metrics.MeanSquaredError(), t[:, 0], p) == pytest.approx(
            skm.mean_squared_error(t[:, 0], p[:, 0])
        )


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 60), c=st.integers(4, 6), k=st.integers(1, 3), seed=st.integers(0, 10_000))
def test_top_k_accuracy_matches_sklearn(n, c, k, seed):
    y, scores, w = multiclass(n, c, seed)
    labels = np.arange(c)
    ours = feed(metrics.TopKCategoricalAccuracy(k=k), y, scores, w)
    assert ours == pytest.approx(
        skm.top_k_accuracy_score(y, scores, k=k, labels=labels, sample_weight=w)
    )
    one_hot = np.eye(c)[y]
    assert feed(metrics.TopKCategoricalAccuracy(k=k), one_hot, scores) == pytest.approx(
        skm.top_k_accuracy_score(y, scores, k=k, labels=labels)
    )


@pytest.mark.filterwarnings("ignore:A single label")
@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 60), c=st.integers(2, 5), seed=st.integers(0, 10_000))
def test_confusion_matrix_matches_sklearn(n, c, seed):
    y, logits, w = multiclass(n, c, seed)
    pred = logits.argmax(1)
    np.testing.assert_array_equal(
        feed(metrics.ConfusionMatrix(), y, logits), skm.confusion_matrix(y, pred)
    )
    np.testing.assert_array_equal(
        feed(metrics.ConfusionMatrix(num_classes=c), y, logits),
        skm.confusion_matrix(y, pred, labels=np.arange(c)),
    )
    np.testing.assert_allclose(
        feed(metrics.ConfusionMatrix(), y, logits, w),
        skm.confusion_matrix(y, pred, sample_weight=w),
    )


def test_metrics_by_name_and_keras_keys():
    assert metrics.get("accuracy").name == "accuracy"
    assert metrics.get("acc").name == "acc"  # the name asked for is the History key (Keras)
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)
    assert metrics.get("mse").name == "mse" and metrics.get("mse").direction == "down"
    assert metrics.get(metrics.AUC).name == "auc" and metrics.get("auc").direction == "up"
    assert metrics.get(metrics.Recall()).name == "recall"

    def hinge(y_true, y_pred):
        return np.maximum(0, 1 - y_true * y_pred)

    fn = metrics.get(hinge)
    assert fn.name == "hinge" and fn([1.0, -1.0], [0.5, 0.5]) == pytest.approx(1.0)


def test_bad_metric_input_is_named():
    with pytest.raises(ValueError, match="same number of samples"):
        metrics.Accuracy().update_state([0, 1, 1], [[0.1, 0.9]])
    with pytest.raises(ValueError, match="multiclass"):
        feed(metrics.Precision(), np.array([0, 1, 2]), np.eye(3))
    with pytest.raises(ValueError, match="binary labels"):
        metrics.AUC().update_state([0, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="sample_weight"):
        metrics.Accuracy().update_state([0, 1], [0.2, 0.7], sample_weight=[1.0])
    with pytest.raises(TypeError, match="y_pred"):
        metrics.Accuracy().update_state([0, 1], object())
