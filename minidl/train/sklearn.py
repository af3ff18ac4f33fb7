"""scikit-learn estimators around a minidl module, as skorch does for PyTorch.

    net = NeuralNetClassifier(MLP, module__hidden=32, max_epochs=20, lr=0.1, random_state=0)
    GridSearchCV(make_pipeline(StandardScaler(), net),
                 {"neuralnetclassifier__module__hidden": [16, 32]}, cv=3).fit(X, y)

Parameters. `module` is a Module class (or a function returning a Module), built at each `fit`
with the `module__*` keyword arguments; `criterion` a loss class with `criterion__*`;
`optimizer` an optimizer class with `lr` and `optimizer__*`; `max_epochs`, `batch_size`,
`callbacks` and `verbose` go to `Trainer.fit`. Every one of them, the double-underscore ones
included, is an estimator parameter: `get_params` / `set_params` see them, so `clone`,
`Pipeline`, `cross_val_score` and `GridSearchCV` work unchanged.

Seeding. With `random_state` (an int), `fit` runs with minidl's default generator set to that
seed — the module's initial weights, dropout masks and the shuffling all come from it — and
puts the generator's previous state back afterwards, so the same estimator fit on the same data
gives the same bits, and fitting does not disturb the caller's random stream. With
`random_state=None` the draws continue minidl's default stream.

Classifier. `classes_` are the sorted labels of y; the module outputs one score per class
(logits); `predict_proba` is their softmax (with NLLLoss, the exponential of the outputs, which
are then log-probabilities; with a Keras loss on probabilities, the outputs themselves); `predict` returns the class of the largest score; `score` is the
accuracy. Regressor: `predict` returns the outputs (flattened to (N,) when y was 1-D);
`score` is R².
"""

from __future__ import annotations

import copy
import inspect
from contextlib import contextmanager

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import NotFittedError

from minidl import nn, optim
from minidl.autograd import Tensor
from minidl.random import default_generator
from minidl.train.losses import outputs_are_probabilities
from minidl.train.trainer import Trainer

_PREFIXES = ("module", "criterion", "optimizer")


@contextmanager
def _seeded(random_state):
    """Draw from the default generator as if `md.manual_seed(random_state)` had been called,
    then give the generator its previous state back."""
    if random_state is None:
        yield None
        return
    if isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer)):
        raise ValueError(
            f"fit: parameter `random_state` must be an int or None; received {random_state!r}"
        )
    rng = default_generator()
    saved = rng.bit_generator.state
    rng.bit_generator.state = np.random.default_rng(int(random_state)).bit_generator.state
    try:
        yield rng
    finally:
        rng.bit_generator.state = saved


class _NeuralNet(BaseEstimator):
    """What the classifier and the regressor share: parameters, building, training."""

    _default_criterion = nn.MSELoss

    def __init__(
        self,
        module,
        criterion=None,
        optimizer=optim.SGD,
        lr: float = 0.01,
        max_epochs: int = 10,
        batch_size: int = 128,
        callbacks=None,
        random_state=None,
        verbose: int = 0,
        **kwargs,
    ) -> None:
        self.module = module
        self.criterion = criterion
        self.optimizer = optimizer
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.callbacks = callbacks
        self.random_state = random_state
        self.verbose = verbose
        for key, value in kwargs.items():
            self._check_prefixed(key)
            setattr(self, key, value)

    # --- parameters: the signature's, plus module__*, criterion__*, optimizer__* ---------------
    def _check_prefixed(self, key: str) -> None:
        if key.split("__", 1)[0] not in _PREFIXES or "__" not in key:
            raise TypeError(
                f"{type(self).__name__}: unexpected argument {key!r}; expected one of "
                f"{sorted(self._get_param_names())} or a name starting with 'module__', "
                "'criterion__' or 'optimizer__'"
            )

    def _prefixed_names(self) -> list[str]:
        return sorted(k for k in vars(self) if "__" in k and k.split("__", 1)[0] in _PREFIXES)

    def get_params(self, deep: bool = True) -> dict:
        """The signature's parameters plus every module__/criterion__/optimizer__ one."""
        params = super().get_params(deep=deep)
        params.update({k: getattr(self, k) for k in self._prefixed_names()})
        return params

    def set_params(self, **params):
        """Set parameters, prefixed ones included (what GridSearchCV calls); returns self."""
        own = self._get_param_names()
        for key, value in params.items():
            if key not in own:
                self._check_prefixed(key)
            setattr(self, key, value)
        return self

    def _kwargs(self, prefix: str) -> dict:
        return {
            k.split("__", 1)[1]: getattr(self, k)
            for k in self._prefixed_names()
            if k.startswith(prefix + "__")
        }

    # --- building and training ----------------------------------------------------------------
    def _build_module(self) -> nn.Module:
        if isinstance(self.module, nn.Module):
            module = copy.deepcopy(self.module)  # never train the parameter object itself
            if self._kwargs("module"):
                raise ValueError("fit: module__* arguments need `module` to be a class")
            return module
        if not callable(self.module):
            raise TypeError(
                f"fit: parameter `module` must be a Module class or instance; received "
                f"{type(self.module).__name__}"
            )
        module = self.module(**self._kwargs("module"))
        if not isinstance(module, nn.Module):
            raise TypeError(f"fit: `module(...)` returned {type(module).__name__}, not a Module")
        return module

    def _fit(self, X, y):
        X = _features(X, f"{type(self).__name__}.fit")
        self.n_features_in_ = X.shape[1] if X.ndim == 2 else None
        with _seeded(self.random_state) as rng:
            self.module_ = self._build_module()
            criterion = self.criterion or self._default_criterion
            self.criterion_ = (
                criterion(**self._kwargs("criterion")) if inspect.isclass(criterion) else criterion
            )
            self.optimizer_ = self.optimizer(
                self.module_.parameters(), lr=self.lr, **self._kwargs("optimizer")
            )
            self.trainer_ = Trainer(self.module_, self.criterion_, self.optimizer_, generator=rng)
            callbacks = copy.deepcopy(self.callbacks) if self.callbacks else None
            self.history_ = self.trainer_.fit(
                X, y, batch_size=self.batch_size, epochs=self.max_epochs, verbose=self.verbose,
                callbacks=callbacks,
            )  # fmt: skip
        return self

    def _outputs(self, X) -> np.ndarray:
        if not hasattr(self, "trainer_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' first."
            )
        X = _features(X, f"{type(self).__name__}.predict")
        return self.trainer_.predict(X, batch_size=max(self.batch_size, 256))


class NeuralNetClassifier(ClassifierMixin, _NeuralNet):
    """A scikit-learn classifier that trains `module` (logits out) with cross-entropy."""

    _default_criterion = nn.CrossEntropyLoss

    def fit(self, X, y):
        """Train a fresh module on (X, y) for `max_epochs` epochs; returns self."""
        y = np.asarray(y.data if isinstance(y, Tensor) else y)
        if y.ndim != 1:
            raise ValueError(
                f"NeuralNetClassifier.fit: `y` must be 1-D class labels; received shape {y.shape}"
            )
        self.classes_, y_index = np.unique(y, return_inverse=True)
        return self._fit(X, y_index.astype(np.int64))

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (N, n_classes), columns in the order of `classes_`."""
        out = self._outputs(X).astype(np.float64)
        if isinstance(self.criterion_, nn.NLLLoss):
            return np.exp(out)
        if outputs_are_probabilities(self.criterion_):  # a softmax already ends the module
            return out / out.sum(axis=1, keepdims=True)
        out = out - out.max(axis=1, keepdims=True)  # softmax, shifted for stability
        e = np.exp(out)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """The class with the largest score for each sample."""
        scores = self._outputs(X)
        return self.classes_[scores.argmax(axis=1)]


class NeuralNetRegressor(RegressorMixin, _NeuralNet):
    """A scikit-learn regressor that trains `module` with the mean squared error."""

    def fit(self, X, y):
        """Train a fresh module on (X, y) for `max_epochs` epochs; returns self."""
        y = np.asarray(y.data if isinstance(y, Tensor) else y, dtype=np.float32)
        self._y_ndim = y.ndim
        return self._fit(X, y)

    def predict(self, X) -> np.ndarray:
        """The module's outputs; (N,) when the targets were 1-D."""
        out = self._outputs(X)
        return out.reshape(-1) if self._y_ndim == 1 and out.ndim == 2 and out.shape[1] == 1 else out


def _features(X, where: str) -> np.ndarray:
    X = np.asarray(X.data if isinstance(X, Tensor) else X)
    if X.dtype.kind not in "fiub":
        raise TypeError(f"{where}: `X` must be numeric; received dtype {X.dtype}")
    return X.astype(np.float32)
