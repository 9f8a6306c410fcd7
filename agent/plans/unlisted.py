"""Names the value index could not hold.

A text column with more distinct values than `value_index_max` keeps only the most
frequent in text_values.json (`complete` False), so "Serralheria Mineira", one customer of
4,000, is in the database and not in the index. Words that look like a name (capitalised,
in a run) and that no value, table or cue took are looked up in those columns by the
node that plans (`agent/graph/nodes/plan.py`, with the database), and the values found
join the index (`ValueLinks.learn`) for this question and later ones. Codes written whole
("the payable NF 55751-1") are looked up the same way in the cut columns of codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from schemachat.agent.plans.question import Question, cues, filler
from schemachat.ingest.models.values import TextValues
from schemachat.ingest.vocabulary import vocabulary

NAMES = 0.8  # share of a cut column's kept values that must read as names (or codes)
_NAME = re.compile(r"[^\W\d_]{3,}")
# a stored code: pieces joined by signs ('STA-91585', 'S/N'), after a short capitalised
# prefix or not ('NF 55751-1')
CODE = re.compile(r"(?<![\w/-])((?:[A-Z]{1,5} )?)([^\W_]+(?:[-/][^\W_]+)+)(?![\w/-])")


def name_columns(values: TextValues) -> list[tuple[str, str]]:
    """The (table, column) pairs whose value list the cap cut and whose values are names
    or descriptions (words), not codes, numbers, phones or e-mail addresses."""
    return _cut_columns(values, lambda v: "@" not in v and _NAME.search(v) is not None
                        and sum(ch.isdigit() for ch in v) * 3 < len(v))


def code_columns(values: TextValues) -> list[tuple[str, str]]:
    """The (table, column) pairs whose value list the cap cut and whose values are codes
    with a digit ('NF 55751-1', '01/2019'): documents looked up by their number."""
    return _cut_columns(values, lambda v: CODE.fullmatch(v) is not None and any(
        ch.isdigit() for ch in v))


def _cut_columns(values: TextValues, reads: Callable[[str], bool]) -> list[tuple[str, str]]:
    """The (table, column) pairs whose value list the cap cut and of whose kept values at
    least a share NAMES `reads` accepts."""
    out = []
    for key, found in values.columns.items():
        if found.complete or not found.values:
            continue
        if sum(1 for v in found.values if reads(v)) >= NAMES * len(found.values):
            table, _, column = key.partition(".")
            out.append((table, column))
    return out


def written_codes(text: str) -> list[str]:
    """The codes a question writes, each with its prefix when it has one ("the payable
    NF 55751-1": 'NF 55751-1', then '55751-1')."""
    out = []
    for m in CODE.finditer(text):
        if m.group(1):
            out.append(m.group(1) + m.group(2))
        out.append(m.group(2))
    return out


def unlisted_names(q: Question, taken: set[int]) -> list[list[str]]:
    """Runs of capitalised words of `q` that nothing in `taken` (words linked to values)
    or a cue took: "Which price list is Serralheria Mineira on?" -> [["Serralheria",
    "Mineira"]]. A lone capitalised word opening the question is its first word, no name."""
    c = cues()
    common = filler() | vocabulary().stopwords | set(c["list"]) | set(c["ask_one"])
    runs: list[list[int]] = []
    for i, w in enumerate(q.words):
        name = w.text[:1].isupper() and w.text.isalpha() and i not in q.used and \
            i not in taken and w.folded not in common
        if name and runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        elif name:
            runs.append([i])
    return [[q.words[i].text for i in run] for run in runs
            if (len(run) > 1 or run[0] > 0) and max(len(q.words[i].text) for i in run) >= 4]
