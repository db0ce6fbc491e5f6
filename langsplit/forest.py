"""A fitted gradient-boosting classifier as plain numpy arrays.

Loading scikit-learn costs about a second (it imports SciPy), far more than
the rest of a model; a worker that only predicts needs none of it.  ``Forest``
holds what prediction needs of a fitted ``HistGradientBoostingClassifier``:
the bin edges of each feature, the trees, their leaf values and the baseline.

Trees are walked all at once, without a loop over nodes.  Each tree has at
most 32 leaves, so the leaves a row can still reach fit in one uint32 bit set.
A split on feature f sends a row with bin code b left or right, which rules
out the leaves of the other side; all splits of one tree on one feature
together rule out a set of leaves that depends on b alone.  So each (feature,
tree) pair becomes a table of 256 bit sets, and a row's leaf in a tree is the
one bit left after AND-ing the tables of every feature the tree splits on.
This is as fast as scikit-learn's compiled walker and gives the same leaves,
because the thresholds are bin edges: ``x <= threshold`` is ``bin(x) <= bin(threshold)``.
"""

from __future__ import annotations

import numpy as np

from . import speedups

MAX_LEAVES = 32
_CACHES = ("_edges32", "_edges_pad", "_shared", "_pair_arrays")  # filled on first use, never saved
ROWS_PER_BLOCK = 4096
_N_BINS = 256


class Forest:
    """Prediction-only copy of a fitted HistGradientBoostingClassifier (numeric features)."""

    def __init__(self, bin_edges: list[np.ndarray], missing_bin: int, features: np.ndarray,
                 tree_ids: list[np.ndarray], tables: list[np.ndarray], leaf_values: np.ndarray,
                 baseline: np.ndarray, n_iter: int, classes: np.ndarray):
        self.bin_edges = bin_edges  # per input feature; only those in `features` are used
        self.missing_bin = missing_bin
        self.features = features  # features some tree splits on
        self.tree_ids = tree_ids  # for each of them, the trees that split on it
        self.tables = tables  # for each of them, (len(tree_ids), 256) uint32 leaf sets
        self.leaf_values = leaf_values  # (n_trees, MAX_LEAVES) float64
        self.baseline = baseline  # (n_outputs,) float64
        self.n_iter = n_iter
        self.classes = classes  # column of each output among the caller's labels

    @classmethod
    def from_booster(cls, booster, classes: np.ndarray | None = None) -> "Forest":
        """Copy a fitted HistGradientBoostingClassifier (its private tree arrays).

        classes: where each of the booster's classes goes in the output
        columns (default: booster.classes_, which must then be 0..k-1).
        """
        mapper = booster._bin_mapper
        if getattr(mapper, "is_categorical_", None) is not None and np.any(mapper.is_categorical_):
            raise ValueError("categorical features are not supported")
        predictors = booster._predictors  # [iteration][output]
        n_iter, n_out = len(predictors), len(predictors[0])
        trees = [predictors[i][k].nodes for i in range(n_iter) for k in range(n_out)]
        leaf_values = np.zeros((len(trees), MAX_LEAVES), dtype=np.float64)
        pairs: dict[int, dict[int, np.ndarray]] = {}
        bins = np.arange(_N_BINS)
        missing_bin = int(mapper.missing_values_bin_idx_)
        for t, nodes in enumerate(trees):
            leaves = np.flatnonzero(nodes["is_leaf"] != 0)
            if len(leaves) > MAX_LEAVES:
                raise ValueError(f"a tree has {len(leaves)} leaves; at most {MAX_LEAVES} are supported")
            leaf_values[t, :len(leaves)] = nodes["value"][leaves]
            below = _leaf_sets(nodes, leaves)
            for i in np.flatnonzero(nodes["is_leaf"] == 0):
                f = int(nodes["feature_idx"][i])
                left = np.where(bins == missing_bin, bool(nodes["missing_go_to_left"][i]),
                                bins <= int(nodes["bin_threshold"][i]))
                ruled_out = np.where(left, below[nodes["right"][i]], below[nodes["left"][i]])
                table = pairs.setdefault(f, {}).setdefault(t, np.full(_N_BINS, (1 << len(leaves)) - 1, np.uint64))
                table &= ~ruled_out
            if len(leaves) == 1:
                # A tree that never split has one leaf and no table of its own to say so; any
                # feature's table can carry the one reachable leaf.
                pairs.setdefault(0, {})[t] = np.ones(_N_BINS, dtype=np.uint64)
        features = np.array(sorted(pairs), dtype=np.int64)
        tree_ids = [np.array(sorted(pairs[f]), dtype=np.int64) for f in features]
        tables = [np.stack([pairs[f][t] for t in ids]).astype(np.uint32) for f, ids in zip(features, tree_ids)]
        baseline = np.asarray(booster._baseline_prediction, dtype=np.float64).ravel()
        if classes is None:
            classes = np.asarray(booster.classes_)
        edges = [np.asarray(e, dtype=np.float64) for e in mapper.bin_thresholds_]
        return cls(edges, missing_bin, features, tree_ids, tables, leaf_values, baseline, n_iter,
                   np.asarray(classes, dtype=np.int64))

    def __getstate__(self) -> dict:
        # Caches filled on first use are not saved.
        return {k: v for k, v in self.__dict__.items() if k not in _CACHES}

    def truncated(self, n_iter: int) -> "Forest":
        """The model after its first n_iter boosting iterations.

        Boosting adds one iteration's trees at a time, each fitted to what the ones
        before it left, so these are exactly the trees a booster fitted with
        max_iter=n_iter (no early stopping) would have.
        """
        if not 1 <= n_iter <= self.n_iter:
            raise ValueError(f"n_iter must be between 1 and {self.n_iter}, got {n_iter}")
        n_trees = n_iter * len(self.baseline)  # iteration-major: trees [i*k, (i+1)*k) are iteration i
        features, tree_ids, tables = [], [], []
        for f, ids, table in zip(self.features.tolist(), self.tree_ids, self.tables):
            kept = ids < n_trees
            if kept.any():
                features.append(f)
                tree_ids.append(ids[kept])
                tables.append(table[kept])
        return Forest(self.bin_edges, self.missing_bin, np.array(features, dtype=np.int64), tree_ids, tables,
                      self.leaf_values[:n_trees].copy(), self.baseline, n_iter, self.classes)

    @property
    def n_features(self) -> int:
        return len(self.bin_edges)

    def bin_codes(self, X: np.ndarray, reuse: tuple["Forest", np.ndarray] | None = None) -> np.ndarray:
        """One-byte bin code of each used feature, one row per feature (a row of X is a column here).

        reuse: (other forest, its bin_codes of the same rows): the rows of the features it
        bins with the same edges are copied, not computed again.
        """
        codes = np.empty((len(self.features), X.shape[0]), dtype=np.uint8)
        todo = np.arange(len(self.features))
        if reuse is not None:
            other, other_codes = reuse
            mine, theirs = self._shared_codes(other)
            codes[mine] = other_codes[theirs]
            todo = np.setdiff1d(todo, mine)
        if speedups.available() and X.dtype == np.float32 and X.ndim == 2 and len(todo):
            out = np.empty((len(todo), X.shape[0]), dtype=np.uint8)
            speedups.compiled.bin_codes(np.ascontiguousarray(X), self.features[todo].astype(np.int32),
                              self._edges_padded()[todo], out, X.shape[0], X.shape[1], self.missing_bin)
            codes[todo] = out
            return codes
        # Row blocks bound the float64 copy (8 bytes per row and feature) on huge pages.
        for a in range(0, X.shape[0], ROWS_PER_BLOCK):
            self._bin_block(X[a:a + ROWS_PER_BLOCK], todo, codes[:, a:a + ROWS_PER_BLOCK])
        return codes

    def _edges_padded(self) -> np.ndarray:
        """The float32 edges of each used feature in a row of 256, padded with +inf (for the C walk)."""
        cached = getattr(self, "_edges_pad", None)  # not in __init__: forests are unpickled, not built
        if cached is None:
            edges = self._edges_float32()
            cached = np.full((len(self.features), _N_BINS), np.inf, dtype=np.float32)
            for j, f in enumerate(self.features.tolist()):
                if len(edges[f]) >= _N_BINS:  # scikit-learn bins into at most 255: never
                    raise ValueError(f"feature {f} has {len(edges[f])} bin edges; at most {_N_BINS - 1} fit")
                cached[j, :len(edges[f])] = edges[f]
            self._edges_pad = cached
        return cached

    def _bin_block(self, X: np.ndarray, todo: np.ndarray, out: np.ndarray) -> None:
        if X.dtype == np.float32:  # the classifier's features always are
            edges = self._edges_float32()
        else:  # as scikit-learn compares
            X, edges = np.asarray(X, dtype=np.float64), self.bin_edges
        cols = np.ascontiguousarray(X[:, self.features[todo]].T)
        for j, f, col in zip(todo.tolist(), self.features[todo].tolist(), cols):
            out[j] = np.searchsorted(edges[f], col, side="left")
        missing = np.isnan(cols)
        if missing.any():
            rows = out[todo]
            rows[missing] = self.missing_bin
            out[todo] = rows

    def _edges_float32(self) -> list[np.ndarray]:
        """The bin edges rounded down to float32: the same codes for float32 values, found faster.

        scikit-learn compares float64 edges; for a float32 value x, ``e < x`` holds exactly
        when ``x`` exceeds the largest float32 not above e, so searching those gives the
        float64 search's codes without widening every value.
        """
        cached = getattr(self, "_edges32", None)  # not in __init__: forests are unpickled, not built
        if cached is None:
            cached = []
            for e in self.bin_edges:
                e32 = e.astype(np.float32)
                above = e32.astype(np.float64) > e
                e32[above] = np.nextafter(e32[above], np.float32(-np.inf))
                cached.append(e32)
            self._edges32 = cached
        return cached

    def _shared_codes(self, other: "Forest") -> tuple[np.ndarray, np.ndarray]:
        """Positions in self.features and other.features of the features both bin alike."""
        cached = getattr(self, "_shared", None)  # not in __init__: forests are unpickled, not built
        if cached is not None and cached[0] is other:
            return cached[1]
        where = {f: i for i, f in enumerate(other.features.tolist())}
        mine, theirs = [], []
        if other.missing_bin == self.missing_bin:
            for i, f in enumerate(self.features.tolist()):
                j = where.get(f)
                if j is not None and np.array_equal(self.bin_edges[f], other.bin_edges[f]):
                    mine.append(i)
                    theirs.append(j)
        pair = (np.array(mine, dtype=np.intp), np.array(theirs, dtype=np.intp))
        self._shared = (other, pair)
        return pair

    def raw(self, X: np.ndarray, codes: np.ndarray | None = None) -> np.ndarray:
        """Raw scores (n_rows, n_outputs), summed tree by tree as scikit-learn sums them.

        codes: bin_codes(X), when the caller has them already.
        """
        if codes is None:
            codes = self.bin_codes(X)
        n = codes.shape[1]
        if speedups.available():
            out = np.empty((n, len(self.baseline)), dtype=np.float64)
            speedups.compiled.raw_scores(np.ascontiguousarray(codes), *self._pairs(), self.leaf_values, self.baseline,
                               out, n, self.n_iter, len(self.baseline))
            return out
        if n <= ROWS_PER_BLOCK:
            return self._raw_block(codes)
        # The work arrays take ~20 bytes per row and tree: blocks keep them in cache, and a
        # page of a million lines from needing gigabytes.
        return np.vstack([self._raw_block(codes[:, a:a + ROWS_PER_BLOCK]) for a in range(0, n, ROWS_PER_BLOCK)])

    def _pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The (feature, tree) tables one after the other, for the C walk: each pair's row
        of the codes, its tree, and its table."""
        cached = getattr(self, "_pair_arrays", None)  # not in __init__: forests are unpickled, not built
        if cached is None:
            rows = np.concatenate([np.full(len(ids), j) for j, ids in enumerate(self.tree_ids)]).astype(np.int32)
            trees = np.concatenate(self.tree_ids).astype(np.int32)
            tables = np.ascontiguousarray(np.concatenate(self.tables), dtype=np.uint32)
            cached = self._pair_arrays = (rows, trees, tables)
            self.leaf_values = np.ascontiguousarray(self.leaf_values, dtype=np.float64)
            self.baseline = np.ascontiguousarray(self.baseline, dtype=np.float64)
        return cached

    def _raw_block(self, codes: np.ndarray) -> np.ndarray:
        n = codes.shape[1]
        reach = np.full((len(self.leaf_values), n), 0xFFFFFFFF, dtype=np.uint32)
        for j, (ids, table) in enumerate(zip(self.tree_ids, self.tables)):
            reach[ids] &= np.take(table, codes[j], axis=1)
        # One bit is left per tree and row: its position is the leaf.
        # The bits below a power of two, counted, are its position.
        leaf = np.bitwise_count(reach - np.uint32(1)).astype(np.intp)
        leaf += (np.arange(len(self.leaf_values)) * MAX_LEAVES)[:, None]  # rows of leaf_values.ravel()
        values = np.empty((self.n_iter + 1, len(self.baseline), n), dtype=np.float64)
        values[0] = self.baseline[:, None]
        values[1:] = np.take(self.leaf_values.ravel(), leaf).reshape(self.n_iter, len(self.baseline), n)
        # Summing over the first axis adds one iteration after the other, from the baseline:
        # the order scikit-learn adds them in, so the sums match to the last bit.
        return values.sum(axis=0).T

    def predict_proba(self, X: np.ndarray, n_columns: int, codes: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities (float32), each class in its column of ``n_columns``; codes as in raw."""
        out = np.zeros((X.shape[0], n_columns), dtype=np.float32)
        if X.shape[0] == 0:
            return out
        raw = self.raw(X, codes)
        if raw.shape[1] == 1:  # two classes: one logit
            p1 = 1.0 / (1.0 + np.exp(-raw[:, 0]))
            proba = np.column_stack([1.0 - p1, p1])
        else:
            e = np.exp(raw - raw.max(axis=1, keepdims=True))
            proba = e / e.sum(axis=1, keepdims=True)
        out[:, self.classes] = proba
        return out


def _leaf_sets(nodes: np.ndarray, leaves: np.ndarray) -> np.ndarray:
    """For each node, the bit set of the leaves below it (leaves numbered in node order)."""
    below = np.zeros(len(nodes), dtype=np.uint64)
    below[leaves] = np.left_shift(np.uint64(1), np.arange(len(leaves), dtype=np.uint64))
    # Children come after their parent in scikit-learn's node array: fill bottom-up.
    for i in np.flatnonzero(nodes["is_leaf"] == 0)[::-1].tolist():
        below[i] = below[nodes["left"][i]] | below[nodes["right"][i]]
    return below
