"""Model folders: metadata, and one clear error for anything wrong with them."""

import json
import shutil
import subprocess
import sys

import pytest

import langsplit
from langsplit.model import file_digests
from langsplit.splitter import packaged_model_path


@pytest.fixture()
def model_copy(tmp_path):
    dst = tmp_path / "model"
    shutil.copytree(packaged_model_path(), dst)
    return dst


def test_packaged_model_has_metadata(splitter):
    meta = splitter.metadata
    assert meta["labels"] == ["body", "chrome", "teaser"]
    assert meta["versions"]["scikit-learn"]
    assert meta["training_data"]["pages"] > 1000
    assert (packaged_model_path() / "MODEL_CARD.md").is_file()


def test_a_copied_folder_loads_and_agrees(model_copy, splitter):
    text = "Headline\n\nA paragraph of the story.\nLog in"
    assert langsplit.Splitter.load(model_copy).classify(text) == splitter.classify(text)


def test_missing_folder(tmp_path):
    with pytest.raises(langsplit.ModelError, match="no such model folder"):
        langsplit.Splitter.load(tmp_path / "nowhere")


def test_truncated_classifier(model_copy):
    clf = model_copy / "classifier.joblib"
    clf.write_bytes(clf.read_bytes()[:1000])
    with pytest.raises(langsplit.ModelError, match="classifier.joblib.*damaged"):
        langsplit.Splitter.load(model_copy)


def test_a_model_made_with_another_scikit_learn_still_loads(model_copy, splitter):
    # The folder holds numpy arrays, not scikit-learn objects: the version that trained it
    # does not matter for prediction, and loading never imports scikit-learn.
    meta_path = model_copy / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["versions"]["scikit-learn"] = "0.24.2"
    meta_path.write_text(json.dumps(meta))
    text = "Headline\n\nA paragraph of the story.\nLog in"
    assert langsplit.Splitter.load(model_copy).classify(text) == splitter.classify(text)


def test_loading_a_model_does_not_import_scikit_learn():
    code = ("import sys, langsplit; langsplit.Splitter.load().classify('Headline\\nSome text.'); "
            "print('sklearn' in sys.modules, 'scipy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_a_model_folder_of_format_1_still_loads(model_copy):
    # Format 1 pickled the scikit-learn estimator itself; such folders (e.g. made by an
    # earlier `langsplit train --add`) load, with scikit-learn, into the same predictor.
    import joblib
    import numpy as np

    from langsplit.estimator import PageLineClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)).astype(np.float32)
    y = np.array(["body", "chrome", "teaser"])[rng.integers(0, 3, 300)]
    clf = PageLineClassifier(max_iter=5, n_folds=2).fit(X, y, page_ptr=np.arange(0, 301, 30))
    joblib.dump(clf, model_copy / "classifier.joblib")
    meta = json.loads((model_copy / "metadata.json").read_text())
    meta.update(format_version=1, n_features=4, files=file_digests(model_copy))
    (model_copy / "metadata.json").write_text(json.dumps(meta))
    loaded = langsplit.model.load_model(model_copy).classifier
    ptr = np.array([0, 100, 300])
    np.testing.assert_allclose(loaded.predict_proba(X, ptr), clf._proba_two_pass(X, ptr), atol=1e-6)


def test_tampered_metadata(model_copy):
    (model_copy / "metadata.json").write_text("{not json")
    with pytest.raises(langsplit.ModelError, match="metadata.json: unreadable"):
        langsplit.Splitter.load(model_copy)


def test_missing_text_model(model_copy):
    (model_copy / "textmodel.ftz").unlink()
    with pytest.raises(langsplit.ModelError, match="textmodel.ftz: missing"):
        langsplit.Splitter.load(model_copy)


# ---- more damage (issue 8): each error names the file ---------------------------------------------

def _edit_meta(folder, **changes):
    path = folder / "metadata.json"
    meta = json.loads(path.read_text())
    meta.update(changes)
    path.write_text(json.dumps(meta))


def test_missing_metadata(model_copy):
    (model_copy / "metadata.json").unlink()
    with pytest.raises(langsplit.ModelError, match="metadata.json: missing"):
        langsplit.Splitter.load(model_copy)


@pytest.mark.parametrize("content", ["[1, 2]", "", "\x00\x01", "\ufeff{}"])
def test_metadata_that_is_not_an_object(model_copy, content):
    (model_copy / "metadata.json").write_text(content)
    with pytest.raises(langsplit.ModelError, match="metadata.json"):
        langsplit.Splitter.load(model_copy)


def test_metadata_from_another_format_version(model_copy):
    _edit_meta(model_copy, format_version=99)
    with pytest.raises(langsplit.ModelError, match="metadata.json: model format 99.*retrain"):
        langsplit.Splitter.load(model_copy)


def test_metadata_with_wrong_labels(model_copy):
    _edit_meta(model_copy, labels=["body", "chrome", "ad"])
    with pytest.raises(langsplit.ModelError, match="metadata.json: labels"):
        langsplit.Splitter.load(model_copy)


def test_metadata_with_the_wrong_feature_count(model_copy):
    _edit_meta(model_copy, n_features=3)
    with pytest.raises(langsplit.ModelError, match="classifier.joblib: feature count does not match"):
        langsplit.Splitter.load(model_copy)


def test_missing_classifier(model_copy):
    (model_copy / "classifier.joblib").unlink()
    with pytest.raises(langsplit.ModelError, match="classifier.joblib: missing"):
        langsplit.Splitter.load(model_copy)


@pytest.mark.parametrize("content", [b"", b"not a pickle at all", b"\x80\x04K\x01."])
def test_classifier_of_garbage(model_copy, content):
    (model_copy / "classifier.joblib").write_bytes(content)
    with pytest.raises(langsplit.ModelError, match="classifier.joblib"):
        langsplit.Splitter.load(model_copy)


def reseal(folder) -> None:
    """Record the current files' sizes and checksums, as if the folder had been made this way."""
    meta_path = folder / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["files"] = file_digests(folder)
    meta_path.write_text(json.dumps(meta))


def test_classifier_that_holds_another_object(model_copy):
    import joblib

    joblib.dump({"not": "a classifier"}, model_copy / "classifier.joblib")
    reseal(model_copy)
    with pytest.raises(langsplit.ModelError, match="classifier.joblib: holds a dict, not a PagePredictor"):
        langsplit.Splitter.load(model_copy)


@pytest.mark.parametrize("keep", [0, 10])
def test_truncated_text_model(model_copy, keep):
    tm = model_copy / "textmodel.ftz"
    tm.write_bytes(tm.read_bytes()[:keep])
    with pytest.raises(langsplit.ModelError, match="textmodel.ftz: does not match the size and checksum"):
        langsplit.Splitter.load(model_copy)
    reseal(model_copy)  # even when the metadata agrees, fastText's own refusal is reported cleanly
    with pytest.raises(langsplit.ModelError, match="textmodel.ftz: damaged"):
        langsplit.Splitter.load(model_copy)


def test_text_model_cut_near_its_end(model_copy):
    # fastText itself loads such a file without complaint (and some cuts make it grow past 10 GB).
    tm = model_copy / "textmodel.ftz"
    data = tm.read_bytes()
    tm.write_bytes(data[: len(data) * 97 // 100])
    with pytest.raises(langsplit.ModelError, match="textmodel.ftz: does not match the size and checksum"):
        langsplit.Splitter.load(model_copy)


def test_text_model_of_another_kind(model_copy):
    shutil.copy(packaged_model_path().parents[1] / "resources" / "lid.176.ftz", model_copy / "textmodel.ftz")
    reseal(model_copy)
    with pytest.raises(langsplit.ModelError, match="textmodel.ftz: damaged fastText model .*lacks labels"):
        langsplit.Splitter.load(model_copy)
