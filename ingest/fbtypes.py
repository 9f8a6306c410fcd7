"""Spell a Firebird type the way Firebird's own DDL does, from RDB$FIELDS values.

Pure functions, no database access: `extract` feeds them the columns of RDB$FIELDS
(type code, sub-type, lengths, precision, scale) and the names of the character sets.
Trigger types (RDB$TRIGGER_TYPE) are decoded here too, for the same reason: it is a
table of magic numbers best tested without an engine.
"""

from __future__ import annotations

# RDB$FIELD_TYPE codes of types spelled by name alone.
_SIMPLE: dict[int, str] = {
    10: "FLOAT",
    12: "DATE",
    13: "TIME",
    23: "BOOLEAN",
    28: "TIME WITH TIME ZONE",
    29: "TIMESTAMP WITH TIME ZONE",
    35: "TIMESTAMP",
}
# Exact integer types, and the precision each holds when NUMERIC/DECIMAL carries none.
_INTEGERS: dict[int, tuple[str, int]] = {
    7: ("SMALLINT", 4),
    8: ("INTEGER", 9),
    16: ("BIGINT", 18),
    26: ("INT128", 38),
}
_DOUBLE, _D_FLOAT, _DECFLOAT16, _DECFLOAT34 = 27, 11, 24, 25
_CHAR, _VARCHAR, _CSTRING, _BLOB, _QUAD = 14, 37, 40, 261, 9
# Named BLOB sub-types; the others are spelled by number (user sub-types are negative).
_BLOB_SUBTYPES: dict[int, str] = {0: "BINARY", 1: "TEXT"}
# Firebird's default BLOB segment size; only a different one is worth spelling out.
_DEFAULT_SEGMENT = 80


def firebird_type(
    field_type: int,
    sub_type: int | None,
    length: int | None,
    char_length: int | None,
    precision: int | None,
    scale: int | None,
    charset: str | None,
    db_charset: str | None,
    segment_length: int | None = None,
) -> str:
    """The type of a column, domain or parameter as Firebird spells it in DDL.

    `length` is RDB$FIELD_LENGTH (bytes), `char_length` RDB$CHARACTER_LENGTH
    (characters, preferred for CHAR/VARCHAR), `scale` RDB$FIELD_SCALE (negative for
    decimals), `charset` the column's character set name and `db_charset` the
    database default: the character set is appended to text types only when the two
    differ. An unknown type code gives `UNKNOWN(code)` rather than an error, so one
    odd column never stops an extraction.
    """
    scale = scale or 0
    if field_type in _INTEGERS:
        name, max_precision = _INTEGERS[field_type]
        if sub_type in (1, 2) or scale < 0:
            # Exact numerics are stored as integers; sub-type 2 is DECIMAL, else NUMERIC.
            word = "DECIMAL" if sub_type == 2 else "NUMERIC"
            return f"{word}({precision or max_precision},{-scale})"
        return name
    if field_type in (_DOUBLE, _D_FLOAT):
        if scale < 0:  # dialect 1 NUMERIC(15,2) was stored as a double
            word = "DECIMAL" if sub_type == 2 else "NUMERIC"
            return f"{word}({precision or 15},{-scale})"
        return "DOUBLE PRECISION"
    if field_type in _SIMPLE:
        return _SIMPLE[field_type]
    if field_type == _DECFLOAT16:
        return "DECFLOAT(16)"
    if field_type == _DECFLOAT34:
        return "DECFLOAT(34)"
    if field_type in (_CHAR, _VARCHAR, _CSTRING):
        word = {_CHAR: "CHAR", _VARCHAR: "VARCHAR", _CSTRING: "CSTRING"}[field_type]
        size = char_length if char_length is not None else length
        return f"{word}({size}){_charset_suffix(charset, db_charset)}"
    if field_type == _BLOB:
        sub = sub_type or 0
        text = f"BLOB SUB_TYPE {_BLOB_SUBTYPES.get(sub, str(sub))}"
        if segment_length and segment_length != _DEFAULT_SEGMENT:
            text += f" SEGMENT SIZE {segment_length}"
        if sub == 1:
            text += _charset_suffix(charset, db_charset)
        return text
    if field_type == _QUAD:
        return "QUAD"
    return f"UNKNOWN({field_type})"


def _charset_suffix(charset: str | None, db_charset: str | None) -> str:
    # A database created without a default character set has NONE.
    if charset and charset != (db_charset or "NONE"):
        return f" CHARACTER SET {charset}"
    return ""


# RDB$TRIGGER_TYPE: bits 13-14 say DML (0), database (1) or DDL (2) trigger.
_KIND_SHIFT = 13
_KIND_DB, _KIND_DDL = 1, 2
_DB_EVENTS = ["CONNECT", "DISCONNECT", "TRANSACTION START", "TRANSACTION COMMIT",
              "TRANSACTION ROLLBACK"]
_DML_EVENTS = ["", "INSERT", "UPDATE", "DELETE"]
# DDL triggers: bit 0 is BEFORE/AFTER, bit n (n >= 1, skipping the kind bits) an event.
_DDL_EVENTS: dict[int, str] = {
    1: "CREATE TABLE", 2: "ALTER TABLE", 3: "DROP TABLE",
    4: "CREATE PROCEDURE", 5: "ALTER PROCEDURE", 6: "DROP PROCEDURE",
    7: "CREATE FUNCTION", 8: "ALTER FUNCTION", 9: "DROP FUNCTION",
    10: "CREATE TRIGGER", 11: "ALTER TRIGGER", 12: "DROP TRIGGER",
    16: "CREATE EXCEPTION", 17: "ALTER EXCEPTION", 18: "DROP EXCEPTION",
    19: "CREATE VIEW", 20: "ALTER VIEW", 21: "DROP VIEW",
    22: "CREATE DOMAIN", 23: "ALTER DOMAIN", 24: "DROP DOMAIN",
    25: "CREATE ROLE", 26: "ALTER ROLE", 27: "DROP ROLE",
    28: "CREATE INDEX", 29: "ALTER INDEX", 30: "DROP INDEX",
    31: "CREATE SEQUENCE", 32: "ALTER SEQUENCE", 33: "DROP SEQUENCE",
    34: "CREATE USER", 35: "ALTER USER", 36: "DROP USER",
    37: "CREATE COLLATION", 38: "DROP COLLATION", 39: "ALTER CHARACTER SET",
    40: "CREATE PACKAGE", 41: "ALTER PACKAGE", 42: "DROP PACKAGE",
    43: "CREATE PACKAGE BODY", 44: "DROP PACKAGE BODY",
    45: "CREATE MAPPING", 46: "ALTER MAPPING", 47: "DROP MAPPING",
}
# What Firebird 5 stores for BEFORE ANY DDL STATEMENT: every bit but 0 and 13.
_DDL_ANY = 0x7FFFFFFFFFFFDFFE


def trigger_event(trigger_type: int) -> str:
    """Decode RDB$TRIGGER_TYPE: `BEFORE INSERT OR UPDATE`, `ON CONNECT`,
    `AFTER CREATE TABLE OR DROP TABLE`, `BEFORE ANY DDL STATEMENT`, ..."""
    kind = (trigger_type >> _KIND_SHIFT) & 3
    if kind == _KIND_DB:
        index = trigger_type & ((1 << _KIND_SHIFT) - 1)
        event = _DB_EVENTS[index] if index < len(_DB_EVENTS) else f"EVENT {index}"
        return f"ON {event}"
    if kind == _KIND_DDL:
        when = "AFTER" if trigger_type & 1 else "BEFORE"
        if trigger_type & ~1 == _DDL_ANY:
            return f"{when} ANY DDL STATEMENT"
        bits = trigger_type & ~(3 << _KIND_SHIFT) & ~1
        names = [_DDL_EVENTS.get(bit, f"DDL EVENT {bit}")
                 for bit in range(1, bits.bit_length()) if bits >> bit & 1]
        return f"{when} {' OR '.join(names)}"
    # DML: (type + 1) holds BEFORE/AFTER in bit 0 and up to three 2-bit event slots.
    code = trigger_type + 1
    when = "AFTER" if code & 1 else "BEFORE"
    events = [_DML_EVENTS[(code >> (slot * 2 - 1)) & 3] for slot in (1, 2, 3)]
    return f"{when} {' OR '.join(e for e in events if e)}"
