/*
 * C loops behind langsplit's hottest numpy code, optional: without a C compiler at install
 * time, the numpy code gives the same results (tests/test_forest.py, tests/test_features.py
 * and tests/test_speed_equivalence.py check both).
 *
 * raw_scores, bin_codes: the tree walk of langsplit.forest.Forest.  Same method as the numpy walk: every (feature, tree) pair has a table of 256 leaf bit
 * sets, indexed by a row's one-byte bin code for that feature; AND-ing the tables of a
 * tree leaves one bit, the row's leaf.  numpy spends most of its time writing and
 * re-reading temporary arrays between those steps; here each row's bit set stays in a
 * small block of the cache.  Leaf values are summed in iteration order from the
 * baseline, as scikit-learn and the numpy walk sum them, so the scores are equal to the
 * last bit.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LEAVES 32
#define N_BINS 256
/* Rows per block: the bit sets of all trees for a block (trees x BLOCK x 4 bytes) stay in
 * the L2 cache for a few hundred trees. */
#define BLOCK 256

static int popcount32(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (int)((x * 0x01010101u) >> 24);
}

static PyObject *raw_scores(PyObject *self, PyObject *args)
{
    Py_buffer codes, pair_row, pair_tree, tables, leaf_values, baseline, out;
    Py_ssize_t n_rows, n_iter, n_out;
    PyObject *result = NULL;
    uint32_t *reach = NULL;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*w*nnn", &codes, &pair_row, &pair_tree, &tables,
                          &leaf_values, &baseline, &out, &n_rows, &n_iter, &n_out))
        return NULL;

    Py_ssize_t n_trees = n_iter * n_out;
    Py_ssize_t n_pairs = pair_row.len / (Py_ssize_t)sizeof(int32_t);
    const uint8_t *cd = (const uint8_t *)codes.buf;
    const int32_t *prow = (const int32_t *)pair_row.buf;
    const int32_t *ptree = (const int32_t *)pair_tree.buf;
    const uint32_t *tab = (const uint32_t *)tables.buf;
    const double *lv = (const double *)leaf_values.buf;
    const double *base = (const double *)baseline.buf;
    double *dst = (double *)out.buf;

    /* The caller is langsplit.forest; still, no index below may leave its buffer. */
    if (n_rows < 0 || n_iter < 1 || n_out < 1
        || pair_tree.len != pair_row.len
        || tables.len != n_pairs * N_BINS * (Py_ssize_t)sizeof(uint32_t)
        || leaf_values.len != n_trees * MAX_LEAVES * (Py_ssize_t)sizeof(double)
        || baseline.len != n_out * (Py_ssize_t)sizeof(double)
        || out.len != n_rows * n_out * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "raw_scores: buffer sizes do not match");
        goto done;
    }
    for (Py_ssize_t p = 0; p < n_pairs; p++) {
        if (prow[p] < 0 || (Py_ssize_t)(prow[p] + 1) * n_rows > codes.len
            || ptree[p] < 0 || ptree[p] >= n_trees) {
            PyErr_SetString(PyExc_ValueError, "raw_scores: a pair points outside the codes or trees");
            goto done;
        }
    }
    reach = (uint32_t *)malloc((size_t)(n_trees > 0 ? n_trees : 1) * BLOCK * sizeof(uint32_t));
    if (reach == NULL) {
        PyErr_NoMemory();
        goto done;
    }

    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t start = 0; start < n_rows; start += BLOCK) {
        Py_ssize_t b = n_rows - start < BLOCK ? n_rows - start : BLOCK;
        /* Rows of b bit sets per tree, not BLOCK: a page of a few lines sets only what it uses. */
        memset(reach, 0xFF, (size_t)n_trees * b * sizeof(uint32_t));
        for (Py_ssize_t p = 0; p < n_pairs; p++) {
            const uint8_t *c = cd + (Py_ssize_t)prow[p] * n_rows + start;
            const uint32_t *t = tab + p * N_BINS;
            uint32_t *r = reach + (Py_ssize_t)ptree[p] * b;
            for (Py_ssize_t i = 0; i < b; i++)
                r[i] &= t[c[i]];
        }
        for (Py_ssize_t i = 0; i < b; i++) {
            for (Py_ssize_t k = 0; k < n_out; k++) {
                double s = base[k];
                for (Py_ssize_t it = 0; it < n_iter; it++) {
                    Py_ssize_t tree = it * n_out + k;
                    /* One bit is left: the bits below it, counted, are the leaf's number.
                     * (An empty set cannot happen; it is kept inside the tree's row.) */
                    int leaf = popcount32(reach[tree * b + i] - 1u);
                    if (leaf >= MAX_LEAVES)
                        leaf = MAX_LEAVES - 1;
                    s += lv[tree * MAX_LEAVES + leaf];
                }
                dst[(start + i) * n_out + k] = s;
            }
        }
    }
    Py_END_ALLOW_THREADS

    result = Py_None;
    Py_INCREF(result);
done:
    free(reach);
    PyBuffer_Release(&codes);
    PyBuffer_Release(&pair_row);
    PyBuffer_Release(&pair_tree);
    PyBuffer_Release(&tables);
    PyBuffer_Release(&leaf_values);
    PyBuffer_Release(&baseline);
    PyBuffer_Release(&out);
    return result;
}

static PyObject *bin_codes(PyObject *self, PyObject *args)
{
    Py_buffer x, cols, edges, out;
    Py_ssize_t n_rows, n_cols;
    int missing_bin;
    PyObject *result = NULL;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*y*w*nni", &x, &cols, &edges, &out, &n_rows, &n_cols, &missing_bin))
        return NULL;
    Py_ssize_t m = cols.len / (Py_ssize_t)sizeof(int32_t);
    const float *xv = (const float *)x.buf;
    const int32_t *col = (const int32_t *)cols.buf;
    const float *ev = (const float *)edges.buf;
    uint8_t *dst = (uint8_t *)out.buf;

    if (n_rows < 0 || n_cols < 0 || x.len != n_rows * n_cols * (Py_ssize_t)sizeof(float)
        || edges.len != m * N_BINS * (Py_ssize_t)sizeof(float) || out.len != m * n_rows
        || missing_bin < 0 || missing_bin > 255) {
        PyErr_SetString(PyExc_ValueError, "bin_codes: buffer sizes do not match");
        goto done;
    }
    for (Py_ssize_t j = 0; j < m; j++) {
        if (col[j] < 0 || col[j] >= n_cols) {
            PyErr_SetString(PyExc_ValueError, "bin_codes: a column index is out of range");
            goto done;
        }
    }

    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t start = 0; start < n_rows; start += BLOCK) {
        Py_ssize_t b = n_rows - start < BLOCK ? n_rows - start : BLOCK;
        for (Py_ssize_t j = 0; j < m; j++) {
            const float *e = ev + j * N_BINS;
            const float *v = xv + start * n_cols + col[j];
            uint8_t *o = dst + j * n_rows + start;
            for (Py_ssize_t i = 0; i < b; i++) {
                float value = v[i * n_cols];
                /* How many edges lie below the value: a binary search without branches
                 * over the 256 edges (padded with +inf, which nothing lies above). */
                int at = 0;
                for (int step = N_BINS / 2; step > 0; step >>= 1)
                    at += step & -(int)(e[at + step - 1] < value);
                o[i] = (value != value) ? (uint8_t)missing_bin : (uint8_t)at;
            }
        }
    }
    Py_END_ALLOW_THREADS

    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&x);
    PyBuffer_Release(&cols);
    PyBuffer_Release(&edges);
    PyBuffer_Release(&out);
    return result;
}

/* word_ids: the numbering of words behind features._line_words.
 *
 * FNV-1a over the code points: cheap, and good enough to spread words over a table
 * whose collisions are settled by comparing the words themselves. */
static uint64_t hash_word(const uint32_t *w, Py_ssize_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= w[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static PyObject *word_ids(PyObject *self, PyObject *args)
{
    Py_buffer cps, starts, lengths, out;
    PyObject *result = NULL;
    int64_t *slots = NULL;

    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*y*w*", &cps, &starts, &lengths, &out))
        return NULL;
    Py_ssize_t n = starts.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t n_cps = cps.len / (Py_ssize_t)sizeof(uint32_t);
    const uint32_t *cp = (const uint32_t *)cps.buf;
    const int64_t *st = (const int64_t *)starts.buf;
    const int64_t *ln = (const int64_t *)lengths.buf;
    int64_t *ids = (int64_t *)out.buf;

    if (lengths.len != starts.len || out.len != starts.len) {
        PyErr_SetString(PyExc_ValueError, "word_ids: buffer sizes do not match");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (st[i] < 0 || ln[i] < 0 || st[i] + ln[i] > n_cps) {
            PyErr_SetString(PyExc_ValueError, "word_ids: a word lies outside the code points");
            goto done;
        }
    }
    Py_ssize_t size = 16;
    while (size < 2 * n)
        size *= 2;
    slots = (int64_t *)malloc((size_t)size * sizeof(int64_t));  /* the first word of each id, or -1 */
    if (slots == NULL) {
        PyErr_NoMemory();
        goto done;
    }

    Py_BEGIN_ALLOW_THREADS
    memset(slots, 0xFF, (size_t)size * sizeof(int64_t));
    int64_t next_id = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const uint32_t *w = cp + st[i];
        Py_ssize_t at = (Py_ssize_t)(hash_word(w, ln[i]) & (uint64_t)(size - 1));
        for (;;) {
            int64_t first = slots[at];
            if (first < 0) {  /* a new word */
                slots[at] = i;
                ids[i] = next_id++;
                break;
            }
            if (ln[first] == ln[i] && memcmp(cp + st[first], w, (size_t)ln[i] * sizeof(uint32_t)) == 0) {
                ids[i] = ids[first];
                break;
            }
            at = (at + 1) & (size - 1);
        }
    }
    Py_END_ALLOW_THREADS

    result = Py_None;
    Py_INCREF(result);
done:
    free(slots);
    PyBuffer_Release(&cps);
    PyBuffer_Release(&starts);
    PyBuffer_Release(&lengths);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"word_ids", word_ids, METH_VARARGS,
     "word_ids(cps, starts, lengths, out)\n"
     "Number the words cps[s:s+n] (uint32 code points) in order of first appearance into out (int64)."},
    {"bin_codes", bin_codes, METH_VARARGS,
     "bin_codes(x, cols, edges, out, n_rows, n_cols, missing_bin)\n"
     "One-byte bin code of x[:, cols[j]] into out[j] (float32 edges, 256 per column); see langsplit/forest.py."},
    {"raw_scores", raw_scores, METH_VARARGS,
     "raw_scores(codes, pair_row, pair_tree, tables, leaf_values, baseline, out, n_rows, n_iter, n_out)\n"
     "Sum the leaf values of every row into out (n_rows x n_out float64); see langsplit/forest.py."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_speedups", "C loops behind langsplit.forest and langsplit.features (optional).", -1, methods,
};

PyMODINIT_FUNC PyInit__speedups(void)
{
    return PyModule_Create(&module);
}
