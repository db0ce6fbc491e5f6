"""The numpy forest predicts what scikit-learn's HistGradientBoostingClassifier predicts.

Model folders store trees as numpy arrays (langsplit.forest), so that loading a model
never imports scikit-learn.  These tests fit small boosters here and check that the
copy reaches the same leaves: same raw scores, bit for bit, and the same probabilities.
"""

import os

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from langsplit import speedups
from langsplit.forest import Forest


def _data(n_classes: int, n: int = 3000, n_features: int = 12, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features)).astype(np.float32)
    X[:, 3] = rng.integers(0, 4, n)  # few distinct values: bins with gaps between them
    X[rng.random(n) < 0.1, 2] = np.nan  # the trees learn a side for missing values
    score = X[:, 0] + np.where(np.isnan(X[:, 2]), 1.5, X[:, 2]) * X[:, 1] + 0.3 * X[:, 3]
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1]))
    return X, y


def _hostile_rows(booster, n_features: int) -> np.ndarray:
    """Rows on, just below and just above every bin edge, plus NaN and infinities."""
    rng = np.random.default_rng(1)
    edges = booster._bin_mapper.bin_thresholds_
    k = max(len(e) for e in edges)
    X = rng.normal(size=(3 * k + 30, n_features)).astype(np.float32)
    for j, e in enumerate(edges):
        e = e.astype(np.float32)
        X[:len(e), j] = e
        X[k:k + len(e), j] = np.nextafter(e, np.float32(-np.inf))
        X[2 * k:2 * k + len(e), j] = np.nextafter(e, np.float32(np.inf))
    X[::5, 0], X[1::7, 1], X[2::7, 2] = np.nan, np.inf, -np.inf
    return X


@pytest.mark.parametrize("n_classes", [2, 3])
def test_same_raw_scores_and_probabilities_as_scikit_learn(n_classes):
    X, y = _data(n_classes)
    booster = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=31, learning_rate=0.3,
                                             early_stopping=False, random_state=0).fit(X, y)
    forest = Forest.from_booster(booster)
    for rows in (X[:500], _hostile_rows(booster, X.shape[1])):
        raw = booster._raw_predict(rows)
        assert np.array_equal(forest.raw(rows), raw)
        np.testing.assert_allclose(forest.predict_proba(rows, n_classes), booster.predict_proba(rows),
                                   rtol=0, atol=1e-6)


def test_the_first_iterations_of_a_forest_are_the_forest_boosted_that_many_times():
    # What lets a packaged model drop its last iterations without refitting.
    X, y = _data(3)
    params = dict(max_leaf_nodes=31, learning_rate=0.3, early_stopping=False, random_state=0)
    long = Forest.from_booster(HistGradientBoostingClassifier(max_iter=12, **params).fit(X, y))
    short = HistGradientBoostingClassifier(max_iter=5, **params).fit(X, y)
    for rows in (X[:500], _hostile_rows(short, X.shape[1])):
        assert np.array_equal(long.truncated(5).raw(rows), short._raw_predict(rows))
    with pytest.raises(ValueError, match="between 1 and 12"):
        long.truncated(13)


def test_a_second_forest_reuses_the_codes_of_columns_binned_alike():
    # The second pass sees the first pass's columns first, fitted on the same rows.
    X, y = _data(3)
    X2 = np.hstack([X, np.random.default_rng(2).normal(size=(len(X), 3)).astype(np.float32)])
    params = dict(max_iter=5, early_stopping=False, random_state=0)
    first = Forest.from_booster(HistGradientBoostingClassifier(**params).fit(X, y))
    second = Forest.from_booster(HistGradientBoostingClassifier(**params).fit(X2, y))
    rows = X2[:700]  # NaN in column 2 included
    shared, _ = second._shared_codes(first)
    assert len(shared) > 0
    assert np.array_equal(second.bin_codes(rows, reuse=(first, first.bin_codes(rows[:, :X.shape[1]]))),
                          second.bin_codes(rows))
    # Edges fitted on other values are not the same edges: nothing is reused, codes still right.
    other = Forest.from_booster(HistGradientBoostingClassifier(**params).fit(X * 2, y))
    assert len(second._shared_codes(other)[0]) == 0
    assert np.array_equal(second.bin_codes(rows, reuse=(other, other.bin_codes(rows[:, :X.shape[1]]))),
                          second.bin_codes(rows))


def test_bin_codes_equal_the_bin_mapper():
    X, y = _data(3)
    booster = HistGradientBoostingClassifier(max_iter=5, early_stopping=False, random_state=0).fit(X, y)
    forest = Forest.from_booster(booster)
    rows = _hostile_rows(booster, X.shape[1])
    want = booster._bin_mapper.transform(rows)[:, forest.features]
    assert np.array_equal(forest.bin_codes(rows), want.T)  # float32 rows: float32 edges rounded down
    wide = rows.astype(np.float64)
    wide[::3] += 1e-9  # float64 values between float32 ones take the float64 edges
    assert np.array_equal(forest.bin_codes(wide), booster._bin_mapper.transform(wide)[:, forest.features].T)


def test_classes_go_to_their_columns():
    # A booster that saw only classes 0 and 2 of three fills columns 0 and 2.
    X, y = _data(2)
    booster = HistGradientBoostingClassifier(max_iter=5, early_stopping=False, random_state=0).fit(X, y * 2)
    P = Forest.from_booster(booster).predict_proba(X[:50], 3)
    assert P.shape == (50, 3) and np.all(P[:, 1] == 0)
    np.testing.assert_allclose(P[:, [0, 2]], booster.predict_proba(X[:50]), atol=1e-6)


def test_trees_with_more_than_32_leaves_are_refused():
    X, y = _data(3)
    booster = HistGradientBoostingClassifier(max_iter=2, max_leaf_nodes=63, min_samples_leaf=5,
                                             early_stopping=False, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="at most 32"):
        Forest.from_booster(booster)


def test_rows_in_several_blocks_score_as_in_one(monkeypatch):
    import langsplit.forest

    X, y = _data(3)
    booster = HistGradientBoostingClassifier(max_iter=10, early_stopping=False, random_state=0).fit(X, y)
    forest = Forest.from_booster(booster)
    whole = forest.raw(X)
    monkeypatch.setattr(langsplit.forest, "ROWS_PER_BLOCK", 700)  # 3000 rows: 5 blocks, the last short
    assert np.array_equal(forest.raw(X), whole)


def test_a_tree_that_never_split_gives_its_one_leaf():
    X, y = _data(3, n=200)
    booster = HistGradientBoostingClassifier(max_iter=3, min_samples_leaf=150, early_stopping=False,
                                             random_state=0).fit(X, y)
    assert all(len(p.nodes) == 1 for it in booster._predictors for p in it)
    # Such a root's value is 0 at the prior; give one a value, as a later iteration's could have.
    booster._predictors[1][2].nodes["value"][0] = 0.5
    assert np.array_equal(Forest.from_booster(booster).raw(X), booster._raw_predict(X))


def test_a_pickled_forest_leaves_its_caches_behind():
    import pickle

    X, y = _data(3)
    forest = Forest.from_booster(HistGradientBoostingClassifier(max_iter=3, early_stopping=False,
                                                                random_state=0).fit(X, y))
    before = forest.raw(X[:100])  # fills the float32 edge cache
    copy = pickle.loads(pickle.dumps(forest))
    assert "_edges32" not in copy.__dict__
    assert np.array_equal(copy.raw(X[:100]), before)


needs_c = pytest.mark.skipif(not speedups.available() and os.environ.get("LANGSPLIT_REQUIRE_C") != "1",
                             reason="the C loops were not built (no C compiler at install time)")


@needs_c
@pytest.mark.parametrize("n_classes", [2, 3])
def test_the_c_walk_and_the_numpy_walk_give_the_same_scores(n_classes, monkeypatch):
    assert speedups.available(), "LANGSPLIT_REQUIRE_C=1 but the C walk is not importable"
    X, y = _data(n_classes, n=3000)
    booster = HistGradientBoostingClassifier(max_iter=20, max_leaf_nodes=31, early_stopping=False,
                                             random_state=0).fit(X, y)
    forest = Forest.from_booster(booster)
    # Several blocks of the C loop, the last one partial; hostile values at every bin edge.
    rows = np.vstack([X[:1000], _hostile_rows(booster, X.shape[1])])
    compiled = forest.raw(rows)
    monkeypatch.setenv("LANGSPLIT_PURE_NUMPY", "1")
    assert np.array_equal(compiled, forest.raw(rows))
    assert np.array_equal(compiled, booster._raw_predict(rows))


@needs_c
def test_the_c_walk_refuses_buffers_that_do_not_fit():
    X, y = _data(3)
    forest = Forest.from_booster(HistGradientBoostingClassifier(max_iter=2, early_stopping=False,
                                                                random_state=0).fit(X, y))
    codes = forest.bin_codes(X[:10])
    out = np.empty((9, 3))  # one row short
    with pytest.raises(ValueError, match="buffer sizes"):
        speedups.compiled.raw_scores(codes, *forest._pairs(), forest.leaf_values, forest.baseline, out, 10,
                                         forest.n_iter, 3)
