"""The on-disk structure (ODS) of a database file, read from its header page.

Every Firebird and InterBase database starts with a header page (page type 1) whose
bytes 16-19 hold the page size and the ODS major version, unchanged since InterBase.
Firebird sets the top bit of the version (0x8000) to tell its files from InterBase's;
the minor version is at byte 62 up to ODS 11 and at byte 64 from ODS 12 on. Reading it
costs one small read and never attaches, so a file no engine here can open is explained
before the engine is involved.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

FIREBIRD_FLAG = 0x8000
# Which Firebird release writes each major ODS (and its minors), for the messages.
_MADE_BY = {
    10: "Firebird 1.x", 11: "Firebird 2.x", 12: "Firebird 3", 13: "Firebird 4 or 5",
    14: "Firebird 6",
}
_MINOR_MADE_BY = {(11, 0): "Firebird 2.0", (11, 1): "Firebird 2.1", (11, 2): "Firebird 2.5",
                  (13, 0): "Firebird 4", (13, 1): "Firebird 5"}


@dataclass(frozen=True)
class Ods:
    """An ODS version as the header page says it."""

    major: int
    minor: int | None
    firebird: bool  # False: an InterBase file (no 0x8000 flag)
    page_size: int

    @property
    def made_by(self) -> str:
        """The product that writes this ODS: 'Firebird 3', 'Firebird 2.5', 'InterBase'."""
        if not self.firebird:
            return "InterBase"
        if self.minor is not None and (self.major, self.minor) in _MINOR_MADE_BY:
            return _MINOR_MADE_BY[(self.major, self.minor)]
        return _MADE_BY.get(self.major, "Firebird")

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}" if self.minor is not None else str(self.major)


def read_ods(path: Path) -> Ods | None:
    """The ODS of the database file at `path`; None when it has no Firebird header page.

    The file is opened read-only and only its first 72 bytes are read.
    """
    with path.open("rb") as fh:
        head = fh.read(72)
    if len(head) < 20 or head[0] != 1:  # page type 1: the header page
        return None
    page_size, raw = struct.unpack_from("<HH", head, 16)
    if page_size not in (1024, 2048, 4096, 8192, 16384, 32768):
        return None
    firebird = bool(raw & FIREBIRD_FLAG)
    major = raw & ~FIREBIRD_FLAG
    # The minor version follows a 2-byte implementation code up to ODS 11 and four
    # one-byte fields (cpu, os, compiler, flags) from ODS 12 (Firebird 3) on.
    minor_at = 64 if major >= 12 else 62
    minor = struct.unpack_from("<H", head, minor_at)[0] if firebird and len(head) > 65 else None
    return Ods(major=major, minor=minor, firebird=firebird, page_size=page_size)
