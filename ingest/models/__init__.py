"""Workspace file models."""
