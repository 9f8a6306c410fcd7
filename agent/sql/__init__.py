"""SQL: where a statement is made, checked and made safe.

- `tokens.py`: a small Firebird tokenizer (code vs literals and comments);
- `parsed.py`: one statement tokenised once, carried through a turn;
- `dialect.py`: deterministic fixes of other dialects (LIMIT, ILIKE, ::casts, ...);
- `grounding.py`: the names a statement reads, checked against the schema document;
- `guard.py`: read-only in depth (text rules, routines, engine prepare, read-only run);
- `routines.py`: procedures and functions a statement reaches;
- `skeleton.py`: FROM/JOIN clauses from the schema's foreign keys;
- `check.py`: the one validate step every SQL text goes through, from any path.
"""
