"""The one error type the model backends add: the model (not the user's input) failed."""

from schemachat.configs import SchemachatError


class ModelError(SchemachatError):
    """A backend could not answer: a server unreachable or failing, a model that would not
    load. The message names the backend and, for servers, the URL (exit code 1)."""
