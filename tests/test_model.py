"""Model folders: metadata, and one clear error for anything wrong with them."""

import json
import shutil

import pytest

import langsplit
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


def test_other_scikit_learn_version(model_copy):
    meta_path = model_copy / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["versions"]["scikit-learn"] = "0.24.2"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(langsplit.ModelError, match="scikit-learn 0.24.2"):
        langsplit.Splitter.load(model_copy)


def test_tampered_metadata(model_copy):
    (model_copy / "metadata.json").write_text("{not json")
    with pytest.raises(langsplit.ModelError, match="metadata.json: unreadable"):
        langsplit.Splitter.load(model_copy)


def test_missing_text_model(model_copy):
    (model_copy / "textmodel.ftz").unlink()
    with pytest.raises(langsplit.ModelError, match="textmodel.ftz: missing"):
        langsplit.Splitter.load(model_copy)
