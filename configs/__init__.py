"""Settings and errors shared by every stage (the bottom layer)."""

from schemachat.configs.errors import BadInput, SchemachatError
from schemachat.configs.settings import Settings, load_settings

__all__ = ["BadInput", "SchemachatError", "Settings", "load_settings"]
