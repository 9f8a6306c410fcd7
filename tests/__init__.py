"""The test suite: one folder per product package (configs/ ingest/ agent/ training/ ui/
bench/), helpers in tests/support.

A package, so pytest imports a test module as `tests.<folder>.<module>` (same-named files
in two folders do not clash) with the repository root on sys.path: `tests.support` and
the repository's bench/ scripts are importable from every test.
"""
