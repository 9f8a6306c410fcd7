"""Error types every layer raises; the CLI maps them to exit codes."""


class SchemachatError(Exception):
    """Something went wrong that is not the user's input (exit code 1)."""


class BadInput(SchemachatError):
    """The user's input is wrong: a file, a path, a password, a name (exit code 2).

    The message is one line that names what was wrong and, where possible, how to fix it.
    """
