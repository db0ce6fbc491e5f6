"""Build hook for the one optional C extension; everything else is in pyproject.toml."""

from setuptools import Extension, setup

# langsplit/_speedups.c walks the boosted trees ~3x faster than numpy and numbers words for
# the overlap features.  It is optional: where no C compiler is found, the install goes on
# and langsplit runs the numpy code, which gives the same results.
setup(ext_modules=[Extension("langsplit._speedups", ["langsplit/_speedups.c"], optional=True)])
