import json
from pathlib import Path

import pytest

import langsplit

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="session")
def splitter() -> langsplit.Splitter:
    return langsplit.Splitter.load()


@pytest.fixture(scope="session")
def seed_pages() -> list[dict]:
    gold = SEEDS / "gold.jsonl"
    if not gold.exists():
        pytest.skip(f"{gold} not found (the seeds live in ../shared/seeds beside the checkout)")
    return [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
