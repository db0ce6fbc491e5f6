import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import langsplit

# ../shared/seeds beside the checkout; LANGSPLIT_SEEDS names another place (e.g. for a worktree).
SEEDS = Path(os.environ.get("LANGSPLIT_SEEDS") or Path(__file__).resolve().parents[2] / "shared" / "seeds")


@pytest.fixture(scope="session")
def splitter() -> langsplit.Splitter:
    return langsplit.Splitter.load()


@pytest.fixture(scope="session")
def seed_pages() -> list[dict]:
    gold = SEEDS / "gold.jsonl"
    if not gold.exists():
        pytest.skip(f"{gold} not found (the seeds live in ../shared/seeds beside the checkout)")
    return [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]


# Hypothesis profiles: "ci" (default) keeps the suite quick and still runs >10,000 generated
# inputs (tests/test_properties.py counts them); HYPOTHESIS_PROFILE=long runs 20 times as many.
# The longest run is scripts/soak.py.
# "ci" draws the same examples every run (derandomize), so a red CI is always reproducible;
# "long" explores afresh each time.
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", parent=settings.get_profile("ci"), max_examples=2000, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

GENERATED: dict[str, int] = {}  # test name -> generated inputs checked


@pytest.fixture(scope="session")
def generated() -> dict[str, int]:
    """Where property tests count the generated inputs they checked (summed at the end of the run)."""
    return GENERATED


def pytest_terminal_summary(terminalreporter):
    if GENERATED:
        total = sum(GENERATED.values())
        terminalreporter.write_line(f"property tests: {total:,} generated inputs checked "
                                    f"(hypothesis profile {os.environ.get('HYPOTHESIS_PROFILE', 'ci')})")
