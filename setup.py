"""Build hook for the one optional C extension; everything else is in pyproject.toml."""

from setuptools import Extension, setup

# The C tree walk (langsplit/_forest.c) makes the boosted trees ~3x faster.  It is optional:
# where no C compiler is found, the install goes on and langsplit predicts with the numpy
# walk in forest.py, which gives the same scores.
setup(ext_modules=[Extension("langsplit._forest", ["langsplit/_forest.c"], optional=True)])
