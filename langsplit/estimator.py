"""The page classifier as a scikit-learn estimator: fit here, predict anywhere.

``PageLineClassifier`` follows scikit-learn's conventions (get_params, fit,
predict, predict_proba) and is what training code works with.  A model folder
stores its ``predictor()``, a ``model.PagePredictor`` of plain numpy arrays,
so that loading a model never imports scikit-learn (about a second, mostly SciPy).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

from .forest import Forest
from .model import PagePredictor, _second_pass_matrix
from .textmodel import LABELS


class PageLineClassifier(ClassifierMixin, BaseEstimator):
    """Two-pass gradient-boosted classifier of the lines of pages.

    ``X`` stacks the first-pass feature rows (``features.context_features``)
    of many pages; ``page_ptr`` gives where each page starts, like a CSR
    index pointer (``page_ptr[k]:page_ptr[k+1]`` are page k's rows).
    """

    # 80 trees per class at rate 0.25: in quick training runs within 0.004 dev macro-F1 of 150
    # trees at 0.15, for half the prediction cost (the trees are a third of classify's time).
    # The second pass starts from the first pass's beliefs and needs fewer: 40 instead of 80
    # cost at most 0.002 dev macro-F1 and nothing on the seed pages or CleanEval (issue 7).
    def __init__(
        self,
        max_iter: int = 80,
        second_max_iter: int = 40,
        learning_rate: float = 0.25,
        max_leaf_nodes: int = 31,
        l2_regularization: float = 1.0,
        n_folds: int = 3,
        random_state: int = 0,
    ):
        self.max_iter = max_iter
        self.second_max_iter = second_max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.l2_regularization = l2_regularization
        self.n_folds = n_folds
        self.random_state = random_state

    def _booster(self, max_iter: int | None = None) -> HistGradientBoostingClassifier:
        return HistGradientBoostingClassifier(
            max_iter=self.max_iter if max_iter is None else max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=self.random_state,
        )

    def fit(self, X, y, page_ptr, groups=None, sample_weight=None):
        """Fit both passes.

        groups: one group id per row (e.g. the template family); the second
        pass learns from first-pass beliefs predicted for groups the first
        pass did not see, so that it trusts them only as far as they carry.
        """
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y)
        page_ptr = np.asarray(page_ptr)
        self.classes_ = np.array(LABELS)
        y_idx = np.searchsorted(self.classes_, y)
        if groups is None:
            groups = np.repeat(np.arange(len(page_ptr) - 1), np.diff(page_ptr))
        self.first_ = self._booster().fit(X, y_idx, sample_weight=sample_weight)

        oof = np.zeros((len(y), len(LABELS)), dtype=np.float32)
        n_groups = len(np.unique(groups))
        folds = min(self.n_folds, n_groups)
        if folds >= 2:
            for tr, te in GroupKFold(n_splits=folds).split(X, y_idx, groups):
                sw = None if sample_weight is None else np.asarray(sample_weight)[tr]
                m = self._booster().fit(X[tr], y_idx[tr], sample_weight=sw)
                oof[te] = self._proba(m, X[te])
        else:
            oof = self._proba(self.first_, X)
        self.second_ = self._booster(self.second_max_iter).fit(
            _second_pass_matrix(X, oof, page_ptr), y_idx, sample_weight=sample_weight
        )
        self.n_features_in_ = X.shape[1]
        return self

    def _proba(self, booster: HistGradientBoostingClassifier, X: np.ndarray) -> np.ndarray:
        # A fold may lack a class; put each known class's column where it belongs.
        out = np.zeros((X.shape[0], len(LABELS)), dtype=np.float32)
        if X.shape[0]:
            out[:, booster.classes_] = booster.predict_proba(X)
        return out

    def _proba_two_pass(self, X, page_ptr) -> np.ndarray:
        """Both passes through scikit-learn's own predict_proba: what predictor() must reproduce."""
        X = np.asarray(X, dtype=np.float32)
        P1 = self._proba(self.first_, X)
        return self._proba(self.second_, _second_pass_matrix(X, P1, np.asarray(page_ptr)))

    def predictor(self) -> PagePredictor:
        """The fitted passes as numpy arrays: what a model folder stores and Splitter uses."""
        return PagePredictor(Forest.from_booster(self.first_), Forest.from_booster(self.second_),
                             self.n_features_in_)

    def predict_proba(self, X, page_ptr) -> np.ndarray:
        """(body, chrome, teaser) probabilities of each row; page_ptr as in fit."""
        return self.predictor().predict_proba(X, page_ptr)

    def predict(self, X, page_ptr) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X, page_ptr), axis=1)]
