"""Tests of the benchmark scripts in bench/ (run from the repository root, not installed)."""
