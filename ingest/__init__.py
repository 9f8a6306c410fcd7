"""Firebird access and the workspace files: extract, counts, samples, annotations, merge."""
