"""Which database answers a Slack conversation: a channel's is set in settings
(`slack_channel_databases`, channel id -> name), a direct message's by its user with
`/schemachat db NAME` (kept by dm_choices.py); anything else asks the default database.
Also the `/schemachat` command's replies."""

from __future__ import annotations

import logging
import re

from schemachat.configs import BadInput, Settings
from schemachat.ui.api.databases import ServedDatabase, ServedDatabases
from schemachat.ui.slack.dm_choices import DmChoices, choices_path

log = logging.getLogger("schemachat.slack")
COMMAND = "/schemachat"
_DB = re.compile(r"^db(?:\s+(\S+))?\s*$", re.IGNORECASE)
HELP = (f"`{COMMAND} db` says which database answers here; `{COMMAND} db NAME` in a direct "
        "message with me chooses the database your direct messages ask.")


class DatabaseChoice:
    """The served databases and who asks which."""

    def __init__(self, settings: Settings, databases: ServedDatabases) -> None:
        """BadInput when `slack_channel_databases` names a database that is not served or
        the DM choices file is broken."""
        self.databases = databases
        self.channels = dict(settings.slack_channel_databases)
        served = ", ".join(databases.names)
        for channel, name in self.channels.items():
            if databases.get(name) is None:
                raise BadInput(f"slack_channel_databases: channel {channel} names '{name}', "
                               f"which is not served (served: {served})")
        self.dms = DmChoices(choices_path(settings))

    @property
    def several(self) -> bool:
        """Whether more than one database is served (answers then say which answered)."""
        return len(self.databases.names) > 1

    def for_conversation(self, channel: str, user: str | None, *, direct: bool
                         ) -> ServedDatabase:
        """The database a message in `channel` (a DM with `user` when `direct`) asks."""
        name = (self.dms.get(user) if user else None) if direct else self.channels.get(channel)
        found = self.databases.get(name) if name else None
        if name and found is None:  # chosen before the database was unregistered
            log.warning("database '%s' chosen by %s is not served; using the default", name,
                        user)
        return found or self.databases.first

    def named(self, name: str) -> ServedDatabase | None:
        """The served database `name`, or None."""
        return self.databases.get(name)

    def command(self, text: str, user: str, channel: str, *, direct: bool) -> str:
        """The reply to `/schemachat TEXT` from `user` in `channel`."""
        match = _DB.match(text.strip())
        if match is None:
            return HELP
        served = ", ".join(f"`{n}`" for n in self.databases.names)
        name = match.group(1)
        current = self.for_conversation(channel, user, direct=direct).name
        if name is None:
            where = "Your direct messages ask" if direct else "This channel asks"
            return f"{where} `{current}`. Served: {served}."
        if not direct:
            return (f"This channel asks `{current}` (set by the admin in "
                    f"slack_channel_databases). `{COMMAND} db {name}` chooses the database of "
                    "your direct messages: send it in a direct message with me.")
        if self.databases.get(name.lower()) is None:
            return f"No database named `{name}`. Served: {served}."
        self.dms.choose(user, name.lower())
        return f"Your direct messages now ask `{name.lower()}`."
