"""Language identification as a feature: codes folded, probabilities clipped, shouting lowered."""

from langsplit.langid import LanguageIdentifier, main_language
from langsplit.splitter import _lid_path


def test_predict_batch():
    lid = LanguageIdentifier(_lid_path())
    codes, probs = lid.predict([
        "Diese Geschichte stammt aus der Juni-Ausgabe von The Straits Times.",
        "LAKERS EXCITED ABOUT THEIR NEW HEAD COACH",
        "Regjeringen la fram statsbudsjettet i Stortinget i dag.",
        "12:30 | 2024",
    ])
    assert codes[0] == "de" and probs[0] > 0.8
    assert codes[1] == "en" and probs[1] > 0.5  # lower-cased before asking lid.176
    assert codes[2] == "no"  # nb folded into no
    assert codes[3] == "und" and probs[3] == 0.0
    assert all(0.0 <= p <= 1.0 for p in probs)


def test_main_language_counts_characters():
    assert main_language(["de", "en", "en"], [100, 30, 30]) == "de"
    assert main_language(["und"], [10]) == "und"
