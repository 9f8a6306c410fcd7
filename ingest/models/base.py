"""What every workspace file model shares: a version and strict fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class FileModel(BaseModel):
    """Base of the top-level model of a workspace file.

    Subclasses set `version: Literal[n]` and `kind: Literal[...]`; reading a file of
    another version or kind is an error naming the file and the field.
    """

    model_config = ConfigDict(extra="forbid")


class Part(BaseModel):
    """Base of the nested parts of a workspace file (strict: unknown fields are errors)."""

    model_config = ConfigDict(extra="forbid")
