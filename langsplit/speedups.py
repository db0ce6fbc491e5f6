"""The optional C loops (langsplit/_speedups.c) and the switch between them and numpy.

setup.py builds them where a C compiler is found at install time; elsewhere langsplit
runs its numpy code, which gives the same results, only slower.  LANGSPLIT_PURE_NUMPY=1
in the environment makes langsplit use numpy even where the C loops exist (read at each
call, so that tests can compare both).
"""

from __future__ import annotations

import os

try:
    from . import _speedups as compiled
except ImportError:  # pragma: no cover - depends on the install
    compiled = None


def available() -> bool:
    """Whether the C loops are built and not switched off."""
    return compiled is not None and os.environ.get("LANGSPLIT_PURE_NUMPY", "") != "1"
