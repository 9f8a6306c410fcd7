"""Linking a question to the schema: which words name which tables, columns and values.

    schema = SchemaTerms.of(doc, analyzer)       # once per document
    schema.column_match(("CAD_CLI", "CLI_LIMCRED"), q, words)   # (score, words matched)
    values = ValueLinks(schema, text_values)     # once per value index
    values.find(q)                               # [ValueLink(...)]: "Campinas" -> CID_NOME

Terms come from the document: a column's name read through the vocabulary
(`CLI_LIMCRED` -> cliente, limite, credito), its description and annotation, the table
it references; documents carry the other language's synonyms, so an English question
finds a Portuguese description. Values come from annotations (`'A' = ativo`), from the
vocabulary's common codes for unannotated code columns (a guess, said so), and from the
value index (`text_values.json`: stored text such as city and product names).
"""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import product

from schemachat.agent.plans.question import Question, Size, Span, Word, cues, filler
from schemachat.agent.plans.unlisted import CODE, code_columns, name_columns, written_codes
from schemachat.agent.retrieval.text import Analyzer
from schemachat.ingest.joins import Edge, join_edges
from schemachat.ingest.models.combined import CombinedColumn, CombinedRelation, CombinedSchema
from schemachat.ingest.models.values import TextValues
from schemachat.ingest.vocabulary import fold, split_identifier, stems, vocabulary
from schemachat.ingest.vocabulary_glossary import glossary, glossary_text, read_glossary_data

Key = tuple[str, str]  # (table, column)
MAX_NGRAM = 4
_WORDS = re.compile(r"[^\W_]+")
# a size stuck together in stored text: '2,5MM', '1000L', '60X60', '9X19X39', '3/4'
_SIZE = re.compile(r"(?<![\w.,/-])\d+(?:[.,/xX]\d+)*[^\W\d_]*(?![\w-])")
STEM_SHARE = 0.7  # a question word's stem shorter than this share of it is not used
WORD_CACHE = 50_000  # question words whose terms are kept per document


@dataclass(frozen=True)
class ValueLink:
    """Words of the question that name a stored value of `table.column`."""

    table: str
    column: str
    value: str | int | float | tuple[str, ...]
    span: Span
    op: str = "="  # '=', 'CONTAINING', or 'IN' (the stored spellings of one value)
    meaning: str | None = None  # the value mapping's words, when it came from one
    guess: bool = False  # a mapping nobody wrote down (the vocabulary's common codes)
    strength: float = 1.0
    words: frozenset[int] = frozenset()  # the words that named it
    no: tuple[str | int | float, str] | None = None  # a yes/no flag's "no": code, meaning
    ruled_out: frozenset[int] = frozenset()  # "not approved": words of a code it excludes


@dataclass
class SchemaTerms:
    """Terms of every table and column of a document, with their weights."""

    doc: CombinedSchema
    analyzer: Analyzer
    columns: dict[Key, frozenset[str]] = field(default_factory=dict)
    names: dict[Key, frozenset[str]] = field(default_factory=dict)  # from the name only
    tables: dict[str, frozenset[str]] = field(default_factory=dict)
    table_names: dict[str, frozenset[str]] = field(default_factory=dict)  # name only
    described: dict[Key, frozenset[str]] = field(default_factory=dict)  # own description
    idf: dict[str, float] = field(default_factory=dict)
    references: dict[Key, str] = field(default_factory=dict)  # FK column -> table
    keys: set[Key] = field(default_factory=set)  # primary and foreign key columns
    fk_columns: dict[Key, tuple[str, ...]] = field(default_factory=dict)  # of a composite FK
    mapped: set[Key] = field(default_factory=set)  # columns whose values are codes
    key_names: set[str] = field(default_factory=set)  # names of key columns anywhere
    pk_names: set[str] = field(default_factory=set)  # names of single-column primary keys
    name_terms: frozenset[str] = frozenset()  # every term of a table or column name
    edges: list[Edge] = field(default_factory=list)  # declared and inferred FKs
    _word_cache: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, doc: CombinedSchema, analyzer: Analyzer | None = None) -> SchemaTerms:
        """The terms of `doc` (a few milliseconds per hundred tables)."""
        self = cls(doc, analyzer or Analyzer())
        self.edges = join_edges(doc, self.analyzer.learned)
        for edge in self.edges:
            if len(edge.columns) == 1:
                self.references[(edge.table, edge.columns[0])] = edge.ref_table
            for col in edge.columns:
                self.keys.add((edge.table, col))
                if len(edge.columns) > 1:
                    self.fk_columns[(edge.table, col)] = edge.columns
        for rel in doc.relations():
            for col in rel.primary_key.columns if rel.primary_key else []:
                self.keys.add((rel.name, col))
            if rel.primary_key and len(rel.primary_key.columns) == 1:
                self.pk_names.add(rel.primary_key.columns[0])
            for col in rel.columns:
                if col.annotation and col.annotation.values:
                    self.mapped.add((rel.name, col.name))
        for rel in doc.relations():
            # The name read as _name_terms reads it (VEND is vendedor, not venda).
            self.table_names[rel.name] = self._name_terms(rel.name)
            self.tables[rel.name] = self.table_names[rel.name] | frozenset(self._terms(
                _description(rel), *(rel.annotation.tags if rel.annotation else [])))
        for rel in doc.relations():
            for col in rel.columns:
                key = (rel.name, col.name)
                ref = self.references.get(key)
                extra = [ref, _description(doc.relation(ref))] if ref and doc.relation(ref) \
                    else []
                self.names[key] = self._name_terms(col.name)
                self.described[key] = frozenset(self._terms(_col_description(col)))
                self.columns[key] = frozenset(self._terms(col.name, _col_description(col),
                                                          *extra))
        self.key_names = {col for _, col in self.keys}
        self.name_terms = frozenset().union(*self.names.values(), *(
            frozenset(self._terms(r.name)) for r in doc.relations()))
        df: dict[str, int] = defaultdict(int)
        for terms in self.columns.values():
            for t in terms:
                df[t] += 1
        n = max(len(self.columns), 1)
        self.idf = {t: math.log(1 + n / c) for t, c in df.items()}
        return self

    def _name_terms(self, name: str) -> frozenset[str]:
        """Terms of an identifier's parts: a known abbreviation by what it stands for only
        (VEND is vendedor, and its letters must not match 'vendas'), others as written."""
        out: set[str] = set()
        for part in split_identifier(name):
            out.update(_kept_stems(w for w, _ in self.analyzer.words(
                self._spelled(part), document=True)))
        return frozenset(out)

    def _spelled(self, part: str) -> str:
        """One part of an identifier in words: a known abbreviation by what it stands for
        only, others also as written."""
        words = list(self.analyzer.expand_part(part))
        if part not in vocabulary().abbreviations:
            words.append(part)
        return " ".join(words)

    def said_part(self, part: str) -> frozenset[str]:
        """The terms of one part of an identifier as written or spelled out, without
        synonyms (MOV -> movimento; TIT -> título, not 'bill' and so not "invoice")."""
        return frozenset(_kept_stems(w for w, _ in self.analyzer.words(
            self._spelled(part), document=False, translate=False)))

    def name_part(self, part: str) -> frozenset[str]:
        """The terms of one part of an identifier ('meta' -> meta, target, goal...)."""
        return self._name_terms(part)

    def _terms(self, *texts: str | None) -> list[str]:
        return self.analyzer.terms(" ".join(t for t in texts if t), document=True)

    # -- question words ---------------------------------------------------------------

    def word_terms(self, word: str) -> frozenset[str]:
        """The stems a question word may match (its own and its synonyms')."""
        found = self._word_cache.get(word)
        if found is None:
            if len(self._word_cache) > WORD_CACHE:  # a long-running server's questions
                self._word_cache.clear()
            found = self._word_cache[word] = _word_terms(self.analyzer, word)
        return found

    def match(self, terms: frozenset[str], q: Question, words: list[int]) -> tuple[float, set[int]]:
        """How well `words` of `q` fit `terms`: the summed weight of the matching words,
        and which words matched."""
        return self.weighted([(terms, 1.0)], q, words)

    def weighted(self, layers: list[tuple[frozenset[str], float]], q: Question,
                 words: list[int]) -> tuple[float, set[int]]:
        """`match` over layers of terms, each word scored by the best layer it matches
        times that layer's weight (a name counts more than a description)."""
        score, hit = 0.0, set()
        for i in words:
            mine = self.word_terms(q.words[i].text)
            best = 0.0
            for terms, weight in layers:
                common = mine & terms
                if common:
                    best = max(best, weight * max(self.idf.get(t, 1.0) for t in common))
            if best:
                score += best
                hit.add(i)
        return score, hit

    def column_match(self, key: Key, q: Question, words: list[int]) -> tuple[float, set[int]]:
        """How well `words` name a column: by its name (weight 1), its description
        (0.8), or the table it references (0.5)."""
        return self.weighted([(self.names.get(key, frozenset()), 1.0),
                              (self.described.get(key, frozenset()), 0.8),
                              (self.columns.get(key, frozenset()), 0.5)], q, words)

    def table_match(self, table: str, q: Question, words: list[int]) -> tuple[float, set[int]]:
        """How well `words` name a table: by its name (weight 1), its description and
        tags (0.6)."""
        return self.weighted([(self.table_names.get(table, frozenset()), 1.0),
                              (self.tables.get(table, frozenset()), 0.6)], q, words)

    def table_name_match(self, table: str, q: Question,
                         words: list[int]) -> tuple[float, set[int]]:
        """How well `words` name a table by its name alone (not its description)."""
        return self.match(self.table_names.get(table, frozenset()), q, words)

    def relation(self, name: str) -> CombinedRelation | None:
        """The table or view `name` of the document."""
        return self.doc.relation(name)


def _word_terms(analyzer: Analyzer, word: str) -> frozenset[str]:
    words = {w for w, _ in analyzer.words(word, document=True)} | {fold(word)}
    hint = cues().get("hints", {}).get(fold(word))
    if hint:
        words |= {w for w, _ in analyzer.words(hint, document=True)}
    return frozenset(_kept_stems(words))


def _kept_stems(words: Iterable[str]) -> set[str]:
    """Each word and its stems but the much shorter ones: 'vend' of 'vendas', 'fatur' of
    'faturamento', 'sell' of 'seller' would match unrelated names ('vendedor',
    'faturado', 'selling')."""
    terms: set[str] = set()
    for w in words:
        terms.add(w)
        terms.update(s for s in stems(w) if len(s) >= STEM_SHARE * len(w))
    return terms


def _description(rel: CombinedRelation | None) -> str:
    if rel is None:
        return ""
    return " ".join(t for t in ((rel.annotation.description if rel.annotation else None),
                                rel.description) if t)


def _col_description(col: CombinedColumn) -> str:
    note = col.annotation
    return " ".join(t for t in ((note.description if note else None), col.description,
                                (note.unit if note else None)) if t)


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class _Mapping:
    table: str
    column: str
    code: str | int | float
    meaning: str
    terms: frozenset[str]
    guess: bool
    no: tuple[str | int | float, str] | None = None  # a yes/no flag's "no": code, meaning
    # the glossary's words for the meaning in the other language ('Sudeste': southeast)
    translated: frozenset[str] = frozenset()
    min_hits: int = 1  # a flag said through its description needs two of its words


class ValueLinks:
    """Find the stored values a question names (see the module docstring)."""

    def __init__(self, schema: SchemaTerms, values: TextValues | None) -> None:
        self.schema = schema
        self.mappings = list(self._mappings())
        # folded value -> (table, column, stored); the same by word stems ("motoristas"
        # finds 'MOTORISTA'); word stem -> column -> (count, a stored form of the word).
        self.exact: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        self.exact_stems: dict[tuple[str, ...], list[tuple[str, str, str]]] = defaultdict(list)
        self.contains: dict[str, dict[Key, list]] = defaultdict(dict)
        self.sizes: dict[str, dict[Key, list]] = defaultdict(dict)  # '2,5mm' -> ...
        self.column_values: dict[Key, list[tuple[tuple[str, ...], list[str]]]] = \
            defaultdict(list)
        self.raw_values: dict[Key, list[str]] = defaultdict(list)
        # stored codes written with a sign inside ('STA-91585', 'S/N'), by upper case
        self.codes: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        self.translations = _translations()
        # columns the cap cut, where names not in the index are looked up (unlisted.py),
        # and the names looked up already
        self.unlisted = name_columns(values) if values else []
        self.unlisted_codes = code_columns(values) if values else []
        self.asked: set[tuple[str, ...]] = set()
        self._states: set[tuple[str, str]] | None = None  # columns of states' names
        self._lock = threading.Lock()  # learn() may run while another turn links
        # columns holding identifiers ('MULTA_ATRASO', 'CAD_CLI'): value -> its parts' terms
        self.identifiers: dict[Key, list[tuple[str, list[frozenset[str]]]]] = {}
        for key, found in (values.columns.items() if values else []):
            table, _, column = key.partition(".")
            if schema.relation(table) is None:
                continue
            for raw in found.values:
                self._add(table, column, raw)
            ids = [raw for raw in found.values if _IDENTIFIER.fullmatch(raw)]
            if ids and len(ids) >= 0.8 * len(found.values):
                self.identifiers[(table, column)] = [
                    (raw, [frozenset(schema.analyzer.terms(part, document=True))
                           for part in raw.split("_")]) for raw in ids]

    def _add(self, table: str, column: str, raw: str) -> None:
        words = _WORDS.findall(raw)
        folded = [fold(w) for w in words]
        if not folded:
            return
        self.exact[" ".join(folded)].append((table, column, raw))
        seq = tuple(short_stem(w) for w in folded)
        self.exact_stems[seq].append((table, column, raw))
        self.column_values[(table, column)].append((seq, words))
        self.raw_values[(table, column)].append(raw)
        if CODE.fullmatch(raw):
            self.codes[raw.upper()].append((table, column, raw))
        for stem, word, original in zip(seq, folded, words, strict=True):
            if len(word) < 3:
                continue
            # 'PVC' too (the question decides when one counts); 'ALUGUÉIS' under its
            # singular as well, which "aluguel" is looked up by
            singular = stems(word)[-1] if len(word) > 3 else stem
            for key in {_contains_key(stem, word), singular}:
                entry = self.contains[key].setdefault((table, column), [0, original])
                entry[0] += 1
        for size in _SIZE.findall(raw):
            if size.isdigit():
                continue  # a bare number is no size ("80" of a CNPJ)
            entry = self.sizes[size.lower()].setdefault((table, column), [0, size])
            entry[0] += 1

    def learn(self, table: str, column: str, raws: list[str]) -> None:
        """Stored values of `table.column` read from the database after the index was
        built (names it had no room for): linked like the others from now on."""
        with self._lock:
            known = set(self.raw_values.get((table, column), []))
            for raw in raws:
                if raw and raw not in known:
                    self._add(table, column, raw)
                    known.add(raw)

    def holding(self, table: str, column: str, text: str) -> int:
        """How many stored values of `table.column` hold the words of `text`."""
        stems = [short_stem(fold(w)) for w in _WORDS.findall(text)]
        return sum(1 for seq, _ in self.column_values.get((table, column), [])
                   if stems and _holds(seq, stems))

    def starting(self, table: str, column: str, words: list[str]) -> str | None:
        """The first words of a stored value of `table.column` that are `words` (folded),
        as stored ('ANA' for "ana"); None when no value starts with them."""
        for _, stored in self.column_values.get((table, column), []):
            if len(stored) > len(words) and [fold(w) for w in stored[:len(words)]] == words:
                return " ".join(stored[:len(words)])
        return None

    def _mappings(self) -> list[_Mapping]:
        out = []
        codes = vocabulary().codes
        for rel in self.schema.doc.relations():
            for col in rel.columns:
                note = col.annotation
                if note and note.values:
                    pairs, guess = list(note.values.items()), False
                elif col.type.upper().startswith("BOOLEAN"):
                    # a BOOLEAN is a yes/no flag by its type ("active ERP users": IS_ACTIVE)
                    pairs, guess = [("TRUE", "sim"), ("FALSE", "não")], False
                else:
                    pairs, guess = _common_codes(col, codes), True
                for code, meaning in pairs:
                    own = frozenset(self._meaning_terms(meaning))
                    out.append(_Mapping(rel.name, col.name, typed_code(code, col), meaning,
                                        own, guess, translated=frozenset(self._meaning_terms(
                                            meaning, translated=True)) - own))
                flag = _yes_no(pairs)
                if flag is not None:
                    # A yes/no flag's "yes" is said by naming the flag: "produtos que
                    # controlam lote" is CONTROLA_LOTE = 'S' ('sim' is never said).
                    own = self.schema.table_names.get(rel.name, frozenset())
                    named = self.schema.names[(rel.name, col.name)] - own
                    said = " ".join(p for p in split_identifier(col.name) if p.lower()
                                    not in _FLAG_PREFIXES).lower() or col.name.lower()
                    (yes, _), (no, denial) = flag
                    ways = [(named, 1)]
                    if named <= {fold(p) for p in split_identifier(col.name)}:
                        # an acronym (IRRF) is said as itself, or by its description
                        # ("deduz no imposto de renda"), two of its words at least
                        ways.append((self.schema.described.get((rel.name, col.name),
                                                               frozenset()) - own, 2))
                    out += [_Mapping(rel.name, col.name, typed_code(yes, col), said, terms,
                                     guess, (typed_code(no, col), f"{denial} {said}"),
                                     min_hits=hits) for terms, hits in ways if terms]
        return out

    def _meaning_terms(self, meaning: str, *, translated: bool = False) -> list[str]:
        words = [w for w in re.findall(r"\w+", meaning) if fold(w) not in _STOP]
        if translated:  # the glossary's words for each, in either language
            words = sorted({t for w in words for t in glossary().translations(fold(w))})
        return list(_kept_stems(w for w, _ in self.schema.analyzer.words(" ".join(words),
                                                                         document=True)))

    def find(self, q: Question) -> list[ValueLink]:
        """Every value the question's words name: mapped codes and stored text."""
        with self._lock:
            coded = self._coded(q)
            # a code written whole is not its pieces ('S' of 'S/N' is no yes/no flag)
            pieces = set().union(*(link.words for link in coded))
            return [link for link in self._mapped(q) + self._stored(q) + self._identifiers(q)
                    if not (link.words or set(range(link.span.start, link.span.end)))
                    <= pieces] + coded + [link for size in q.sizes
                                          for link in self._sized(size)]

    def _coded(self, q: Question) -> list[ValueLink]:
        """Stored codes the question writes whole, signs and all ("a referência
        STA-91585": PRO_REF = 'STA-91585'; "o endereço S/N")."""
        links: list[ValueLink] = []
        for token in written_codes(q.text):
            for start, end in _written(q, token.replace(" ", "")):
                if any(link.words >= set(range(start, end)) for link in links):
                    continue  # 'NF 55751-1' found: not '55751-1' again
                for table, column, raw in self.codes.get(token.upper(), []):
                    links.append(ValueLink(table, column, raw, Span(start, end),
                                           strength=CODED, words=frozenset(range(start, end))))
        return links

    def _sized(self, size: Size) -> list[ValueLink]:
        """Columns whose values hold the size as stored: with its unit ('2,5MM'), bare
        ('60X60', '3/4'), or a width the first of a stored width and height ("80 cm
        wide": '80X210')."""
        found = self.sizes.get(size.number + size.unit) or (
            self.sizes.get(size.number) if not size.number.isdigit() else None)
        if not found and size.unit in ("cm", "m", "mm"):
            first = size.number + "x"
            found = {}
            for stored, columns in self.sizes.items():
                if stored.startswith(first):
                    for key, (count, _) in columns.items():
                        entry = found.setdefault(key, [0, first.upper()])
                        entry[0] += count
        span = size.span
        return [ValueLink(table, column, text, span, op="CONTAINING",
                          strength=0.7 + min(count, 50) / 200,
                          words=frozenset(range(span.start, span.end)))
                for (table, column), (count, text) in (found or {}).items()]

    def _identifiers(self, q: Question) -> list[ValueLink]:
        """Stored identifiers whose every part a question word names, in any order: "a
        multa que cobramos por atraso" is SETTING_KEY 'MULTA_ATRASO'."""
        content = q.content()
        links = []
        for (table, column), values in self.identifiers.items():
            for raw, parts in values:
                hit: list[int] = []
                for terms in parts:
                    found = [i for i in content if i not in hit and
                             self.schema.word_terms(q.words[i].text) & terms]
                    if not found:
                        break
                    hit.append(found[0])
                else:
                    links.append(ValueLink(table, column, raw, Span(min(hit), max(hit) + 1),
                                           strength=0.8 + 0.1 * len(parts),
                                           words=frozenset(hit)))
        return links

    def _state_of(self, word: str) -> list[tuple[str, str, str]]:
        """"fornecedores mineiros", "clientes paulistas": the stored name of the state a
        demonym (cue list `demonyms`, any number and gender) is of."""
        names = cues()["demonyms"]
        for form in (word, word.removesuffix("s"), word.removesuffix("s").removesuffix("a")
                     + "o"):
            if form in names:
                # the columns holding states' names, not a city called 'São Paulo'
                return [f for f in self.exact.get(fold(names[form]), [])
                        if (f[0], f[1]) in self._state_columns()]
        return []

    def _state_columns(self) -> set[tuple[str, str]]:
        """The columns storing at least three states' names whole."""
        if self._states is None:
            held: dict[tuple[str, str], int] = defaultdict(int)
            for state in set(cues()["demonyms"].values()):
                for table, column, _ in self.exact.get(fold(state), []):
                    held[(table, column)] += 1
            self._states = {key for key, n in held.items() if n >= 3}
        return self._states

    def _named_after(self, parts: list[str], noun: str) -> list[tuple[str, str, str]]:
        """"the BH branch", "the Joinville branch": a name said before its kind's English
        noun is the stored 'FILIAL BH', the kind's own word first; "the IT department",
        "our purchasing department": the glossary's word for it is a stored name of the
        table the noun names ('TI', 'COMPRAS')."""
        if not parts[0].isalnum() or not self._schema_word(noun):
            return []
        kind = self.schema.word_terms(noun)
        if not self._schema_word(parts[0]):
            found = next((found for term in sorted(kind - {fold(noun)})
                          if (found := self.exact.get(f"{term} {parts[0]}"))), [])
            if found:
                return found
        return [f for term in sorted(glossary().translations(parts[0]))
                for f in self.exact.get(term, [])
                if self.schema.table_names.get(f[0], frozenset()) & kind]

    def _schema_word(self, word: str) -> bool:
        """Whether `word` names a table or column (then it is not a stored text value:
        'filial' in "por filial" is CAD_FIL, not FIL_NOMFAN CONTAINING 'filial')."""
        if any(ch.isdigit() for ch in word):
            return False  # "220V", "1000L": a stored size, never a name
        return bool(self.schema.word_terms(word) & self.schema.name_terms)

    def _mapped(self, q: Question) -> list[ValueLink]:
        links = []
        content = q.content()
        said = [(m, self.schema.match(m.terms, q, content)[1]) for m in self.mappings
                if m.terms]
        # A word no meaning holds and naming nothing in the schema may name a meaning in
        # the other language ("denied": 'denegada', "Southeast": 'Sudeste'); a word
        # naming a table is that table ("sales orders" is no 'faturado').
        own = set().union(*(hit for _, hit in said))
        foreign = [i for i in content if i not in own and
                   not self._schema_word(q.words[i].text)]
        for m, hit in said:
            if foreign and m.translated:
                hit = hit | self.schema.match(m.translated, q, foreign)[1]
            if not hit or len(hit) < m.min_hits:
                continue
            if fold(m.meaning).split()[:1] in (["sem"], ["without"], ["nao"]) and not any(
                    w.folded in _NEGATIONS for w in q.words):
                continue  # "shipped with X" is not 'sem frete': nothing said "sem"
            # A word matching a mapping only through the table's own name ("clientes"
            # in "cliente" mappings) is not a value: the meaning must bring its own word.
            meaning_words = [w for w in re.findall(r"\w+", m.meaning) if fold(w) not in _STOP]
            # a word said twice ("accounts in our chart of accounts") is one word of it
            strength = len({q.words[i].folded for i in hit}) / max(len(meaning_words), 1)
            span = Span(min(hit), max(hit) + 1)
            code, meaning, no = m.code, m.meaning, m.no
            before = range(max(min(hit) - 3, 0), min(hit))
            denied = {k for k in before if q.words[k].folded in _DENIED}
            if no is not None and denied and not any(q.words[k].folded in _HAVE
                                                     for k in before):
                # "dependentes que não entram no imposto de renda": the flag's "no" ("sem"
                # and "não têm" are read as something missing, further on)
                (code, meaning), no = no, None
                hit = hit | denied
            links.append(ValueLink(m.table, m.column, code, span, meaning=meaning,
                                   guess=m.guess, strength=min(strength, 1.0),
                                   words=frozenset(hit), no=no))
        # Words that fit several codes of one column alike choose none of them: "people"
        # is in both 'pessoa física' and 'pessoa jurídica'.
        alike: dict[tuple[str, str, frozenset[int], float], int] = defaultdict(int)
        for link in links:
            alike[(link.table, link.column, link.words, link.strength)] += 1
        kept = [link for link in links if link.strength >= 1.0 or
                alike[(link.table, link.column, link.words, link.strength)] == 1]
        # ... and a code that fits more of the words wins over one fitting a part of them
        # ("pessoas jurídicas": J, not F).
        kept = [link for link in kept if not any(
            (o.table, o.column) == (link.table, link.column) and link.words < o.words
            for o in kept)]
        # A code said right after "not" next to another of its column said plainly is
        # what the rows are not ("keyed in, not approved yet": typed, not approved);
        # "but not invoiced" (an excluded span) is read further on, as every code but it.
        denied = [link for link in kept if link.no is None and
                  _denial(q, link.words) is not None and
                  not any(span.holds_any(link.words) for span in q.excluded_spans)]
        plain = {(link.table, link.column) for link in kept if link not in denied}
        out = []
        for link in kept:
            column = (link.table, link.column)
            if link in denied:
                if column not in plain:  # nothing said plainly: every code but it
                    out.append(replace(link, op="<>", words=link.words | _denied_words(
                        q, link.words)))
                continue
            same = [o for o in denied if (o.table, o.column) == column]
            # the plain code explains "not approved" too
            out.append(replace(link, ruled_out=frozenset().union(
                *(_denied_words(q, o.words) | o.words for o in same))) if same else link)
        return out

    def _stored(self, q: Question) -> list[ValueLink]:
        links: list[ValueLink] = []
        taken: set[int] = set()
        words = q.words
        about = {i for span in q.about_spans for i in range(span.start, span.end)}
        for n in range(MAX_NGRAM, 0, -1):
            for start in range(0, len(words) - n + 1):
                idx = range(start, start + n)
                if any(i in taken or i in q.used for i in idx):
                    continue
                parts = [words[i].folded for i in idx]
                if all(p in filler() or not p.isalnum() for p in parts) or \
                        not parts[0].isalnum() or not parts[-1].isalnum():
                    continue
                if n == 1 and len(parts[0]) < 3 and not words[start].text.isupper():
                    continue
                proper = words[start].text[:1].isupper() or words[start].number is not None \
                    or start in q.glossed  # "a stock clerk (estoquista)": a stored name
                span, ids = Span(start, start + n), frozenset(idx)
                # "juros ao mês" is the stored 'JUROS_MES': small words inside may go
                inner = [p for p in parts if p not in filler()]
                found = self.exact.get(" ".join(parts)) or [
                    f for f in self.exact_stems.get(tuple(short_stem(p) for p in parts), [])
                    if _near_lengths(parts, f[2])]
                looked = list(idx)  # the words a description may hold in a row
                if not found and 2 <= len(inner) < n and self.exact.get(" ".join(inner)):
                    found = self.exact[" ".join(inner)]
                    looked = [i for i in idx if words[i].folded not in filler()]
                state = self._state_of(parts[0]) if not found and n == 1 else []
                found = found or state
                if not found and n == 2:
                    found = self._named_after(parts, words[start + 1].text)
                    if found:  # the noun also names the table: the name alone is the value
                        ids = frozenset({start})
                if about and start in about and not found:
                    # "accounts that have to do with interest": a description holding
                    # the word, in either language
                    contained = self._contained(parts, words[start:start + n]) or \
                        self._translated(parts, business=True)
                    for (table, column), (text, _) in contained.items():
                        links.append(ValueLink(table, column, text, span, op="CONTAINING",
                                               strength=0.6 + 0.1 * n, words=ids))
                    if contained:
                        taken.update(idx)
                        continue
                if n == 1 and not proper and self._schema_word(words[start].text):
                    # "fornecedores" names the table, not a stored 'FORNECEDORES'; but
                    # "departamento financeiro" names a department's stored name.
                    found = [f for f in found or [] if self._named_before(q, start, f)]
                    if not found:
                        continue
                for (table, column), raws in _spellings(found or []).items():
                    # legacy data holds 'Curitiba' and 'CURITIBA' alike: all of them
                    value, op = (raws[0], "=") if len(raws) == 1 else (tuple(raws), "IN")
                    links.append(ValueLink(table, column, value, span, op=op,
                                           strength=0.8 + 0.1 * n, words=ids))
                # a demonym is its state, not a word inside names ('Serralheria Mineira')
                contained = {} if state else self._contained(
                    [words[i].folded for i in looked], [words[i] for i in looked])
                if not found and not contained:
                    # "water tanks" is the stored 'CAIXA D'AGUA 1000L' (the glossary)
                    contained = self._translated(parts)
                for (table, column), (text, count) in contained.items():
                    # a proper name names one thing: the column holding it once is its
                    # own ('Itaú Unibanco', the bank), not the 31 customers named after it
                    held = (0.25 if count == 1 else 0.0) if proper and n == 1 and \
                        _lone_name(words, start, start + n) else min(count, 50) / 200
                    links.append(ValueLink(table, column, text, span, op="CONTAINING",
                                           strength=0.5 + 0.1 * n + held, words=ids))
                if found or contained:
                    taken.update(idx)
        return links

    def _named_before(self, q: Question, at: int, entry: tuple[str, str, str]) -> bool:
        """Whether the word before `at` names the table or column of a stored value."""
        before = [i for i in q.content(Span(at - 2, at))]
        table, column, _ = entry
        return bool(before) and bool(
            self.schema.table_match(table, q, before)[1] or
            self.schema.column_match((table, column), q, before)[1])

    def _contained(self, parts: list[str], said: list[Word]) -> dict[Key, tuple[str, int]]:
        """Columns whose values hold these words in a row (by stem): column -> (the text
        as stored, how many values hold it). Single words must not name the schema."""
        # a short word counts when written in capitals, as a material or acronym is ("PVC")
        short = len(parts[0]) < (3 if said[0].text.isupper() else 4)
        if any(not p.isalnum() for p in parts) or (len(parts) == 1 and (
                short or parts[0] in filler())) or all(p.isdigit() for p in parts):
            return {}  # "invoice number 3000" is not a phone number ending in 3000
        indexed = [self._indexed_stem(p) for p in parts]
        # small words inside ("materiais de construção") are checked in the run below,
        # not looked up: they are not indexed alone. Such a run must hold a word naming
        # no table or column: "contas a pagar" is FIN_PAGAR, not a stored 'CONTAS A PAGAR'
        long = [(s, p) for s, p in zip(indexed, parts, strict=True) if len(p) >= 3]
        if len(long) < len(parts) > 1 and all(self._schema_word(p) for _, p in long):
            return {}
        columns = [self.contains.get(s, {}) for s, _ in long]
        if not columns or not columns[0]:
            return {}
        common = set(columns[0]).intersection(*columns[1:])
        run = [short_stem(p) if s.startswith("=") else s for s, p in zip(indexed, parts,
                                                                          strict=True)]
        out: dict[Key, tuple[str, int]] = {}
        for key in common:
            if len(indexed) == 1:
                count, original = self.contains[indexed[0]][key]
                if _PAST.search(parts[0]) and fold(original) != parts[0]:
                    continue  # "gerou" (a verb) is not 'Minas Gerais'
                if len(indexed[0]) <= 3 and len(parts[0]) > 3 and not (
                        set(stems(parts[0])[1:]) & set(stems(fold(original))[1:])):
                    continue  # a short stem says little: "medida" is no 'MEDIA'
                if _near_lengths(parts, original):
                    out[key] = (original, count)
                continue
            hits = []
            for (seq, ws), raw in zip(self.column_values[key], self.raw_values[key],
                                      strict=True):
                if _holds(seq, run):
                    at = _position(seq, run)
                    if _spaced(raw, ws[at:at + len(run)]):
                        hits.append(" ".join(ws[at:at + len(run)]))
            if hits and _near_lengths(parts, hits[0]):
                out[key] = (hits[0], len(hits))
        return out


    def _indexed_stem(self, word: str) -> str:
        """The stem of `word` the stored values are indexed under: its short stem, else
        another of its stems ("pinceis" is indexed as 'PINCEL' is, by its singular)."""
        first = _contains_key(short_stem(word), word)
        return first if first in self.contains or len(word) == 3 else next(
            (s for s in stems(word) if s in self.contains), first)

    def _translated(self, parts: list[str], *, business: bool = False
                    ) -> dict[Key, tuple[str, int]]:
        """Columns whose values hold what the glossary says these words are in the
        other language, in a row: column -> (the text as stored, how many values).
        `business`: business words too, not only goods ("interest": 'JUROS')."""
        out: dict[Key, tuple[str, int]] = {}
        if len(parts) == 1 and (len(parts[0]) < 4 or parts[0] in filler()):
            return out
        translations = _translations(business=True) if business else self.translations
        found = [said for key in product(*(stems(p) for p in parts))
                 for said in translations.get(key, [])]
        for said in found:
            wanted = [short_stem(w) for w in said]
            long = [s for s, w in zip(wanted, said, strict=True) if len(w) >= 4]
            if not long:
                continue
            keys = set(self.contains.get(long[0], {})).intersection(
                *(self.contains.get(s, {}) for s in long[1:]))
            for key in sorted(keys - out.keys()):
                # the stems stored with each value say which hold the run; only the first
                # of those is read again for the text as stored
                hits = [raw for (seq, _), raw in zip(self.column_values[key],
                                                      self.raw_values[key], strict=True)
                        if _holds(seq, wanted)]
                if hits:
                    out[key] = (_stored_run(hits[0], wanted), len(hits))
        return out


def _lone_name(words: list[Word], start: int, end: int) -> bool:
    """Whether the capitalised word(s) start..end stand alone: no other capitalised word
    (the question's first word aside) within two words ("Schmidt & Monteiro Madeireira" is one
    name; its parts are not each a name of their own)."""
    if words[start].number is not None:
        return False
    near = [*range(max(start - 2, 1), start), *range(end, min(end + 2, len(words)))]
    return not any(words[i].text[:1].isupper() for i in near)


def _spaced(raw: str, words: list[str]) -> bool:
    """Whether `words` are written one after another in `raw` as words of a text are
    (by spaces, an apostrophe or a hyphen): 'vendas@portobello.com' holds no
    "vendas portobello"."""
    joined = r"[\s'’-]+".join(re.escape(w) for w in words)
    return re.search(rf"(?<![\w@.]){joined}(?![\w@])", raw) is not None


def _contains_key(stem: str, word: str) -> str:
    """The key a stored word is indexed under for words inside values: its stem, or a
    three-letter word itself, apart ('PVC'; "como", stemmed 'com', is no 'COM')."""
    return f"={word}" if len(word) == 3 else stem


_IDENTIFIER = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def _written(q: Question, token: str) -> list[tuple[int, int]]:
    """The spans of words that, put together, write `token` ('STA', '-', '91585')."""
    out = []
    for start in range(len(q.words)):
        text = ""
        for end in range(start, len(q.words)):
            text += q.words[end].text
            if len(text) >= len(token):
                if text == token:
                    out.append((start, end + 1))
                break
    return out


@cache
def _translations(business: bool = False) -> dict[tuple[str, ...], list[list[str]]]:
    """The glossary's goods by the stems of their words -> the other language's names
    (folded words): ("water", "tank") -> [["caixa", "d", "agua"]]. Only goods: business
    words ("recorded" -> 'registro') name the schema, not stored descriptions; with
    `business`, those too (after "have to do with", a description is asked for)."""
    out: dict[tuple[str, ...], list[list[str]]] = defaultdict(list)
    data = read_glossary_data(glossary_text())
    for term in [*data.goods, *(data.terms if business else [])]:
        for said, other in ((term.en, term.pt), (term.pt, term.en)):
            for phrase in said:
                # every reading of its words' stems (pt and en stems differ: "shower")
                for key in product(*(stems(fold(w)) for w in _WORDS.findall(phrase))):
                    out[key] += [[fold(w) for w in _WORDS.findall(o)] for o in other]
    return dict(out)


def _stored_run(raw: str, stems: list[str]) -> str:
    """The part of a stored value whose words have these stems in a row, as stored
    ("CAIXA D'AGUA" of 'CAIXA D'AGUA 1000L'); the value holds them (`_holds`)."""
    found = list(_WORDS.finditer(raw))
    at = _position(tuple(short_stem(fold(m.group())) for m in found), stems)
    return raw[found[at].start():found[at + len(stems) - 1].end()]


def _spellings(found: list[tuple[str, str, str]]) -> dict[Key, list[str]]:
    """Stored values by column: several when one column spells the value several ways."""
    out: dict[Key, list[str]] = defaultdict(list)
    for table, column, raw in found:
        if raw not in out[(table, column)]:
            out[(table, column)].append(raw)
    return out


_PAST = re.compile(r"(?:ou|eu|iu|aram|eram|iram)$")  # Portuguese verbs in the past


def _near_lengths(parts: list[str], raw: str) -> bool:
    """Whether a stored value's words are about as long as the question's that share
    their stems: 'TORNEIRA' for "torneiras", not 'ATENDIMENTO' for "atende"."""
    stored = [fold(w) for w in _WORDS.findall(raw)]
    return len(stored) == len(parts) and all(
        min(len(a), len(b)) >= STEM_SHARE * max(len(a), len(b))
        for a, b in zip(parts, stored, strict=True))


def short_stem(word: str) -> str:
    """The shorter of the word's pt and en stems."""
    return min(stems(word), key=len)


def _holds(seq: tuple[str, ...], part: list[str]) -> bool:
    return _position(seq, part) >= 0


def _position(seq: tuple[str, ...], part: list[str]) -> int:
    n = len(part)
    for i in range(len(seq) - n + 1):
        if list(seq[i:i + n]) == part:
            return i
    return -1


def _denial(q: Question, words: frozenset[int]) -> int | None:
    """Where the "not" before a code's words is ("ainda não foram pagas"), if said."""
    for i in sorted(words):
        if i - 1 not in words and (k := _said_not(q, i)) is not None:
            return k
    return None


def _denied_words(q: Question, words: frozenset[int]) -> frozenset[int]:
    """The "not" and the fillers between it and the code it denies."""
    k = _denial(q, words)
    if k is None:
        return frozenset()
    return frozenset(range(k, min(i for i in words if i > k)))


def _said_not(q: Question, at: int) -> int | None:
    """Where the "not" said right before word `at` is, past up to two fillers ("em
    dinheiro e não no boleto", "not by boleto"); None when none is."""
    k = at - 1
    while k >= 0 and at - k <= 3:
        if q.words[k].folded in _DENIED:
            return k
        if q.words[k].folded not in filler():
            return None
        k -= 1
    return None


CODED = 1.5  # the strength of a stored code written whole


_STOP = frozenset(("de", "do", "da", "a", "o", "e", "ou", "por", "em", "para", "com", "the",
                   "of", "no", "sem"))


_NEGATIONS = frozenset(("sem", "nao", "without", "no", "not", "nenhum", "nenhuma", "never",
                        "nunca"))
_DENIED = frozenset(("nao", "not", "never", "nunca", "isn't", "aren't", "don't", "doesn't"))
_HAVE = frozenset(("tem", "have", "has", "possui", "possuem"))
_FLAG_PREFIXES = frozenset(("is", "has", "fl", "flg"))  # IS_ACTIVE says "active"
_YES = frozenset(("sim", "s", "yes", "y", "true", "verdadeiro", "t"))
_NO = frozenset(("nao", "n", "no", "false", "falso", "f"))


def _yes_no(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """The (code, meaning) pairs meaning yes and no of a column that has just those two;
    else None."""
    if len(pairs) != 2:
        return None
    a, b = pairs
    if fold(a[1]).strip() in _YES and fold(b[1]).strip() in _NO:
        return a, b
    if fold(b[1]).strip() in _YES and fold(a[1]).strip() in _NO:
        return b, a
    return None


def typed_code(code: str, col: CombinedColumn) -> str | int | float:
    """An annotated code as the column stores it (a number for a numeric column)."""
    if re.match(r"^(SMALLINT|INTEGER|BIGINT)", col.type) and re.fullmatch(r"-?\d+", code):
        return int(code)
    return code


def _common_codes(col: CombinedColumn, rules: list[dict]) -> list[tuple[str, str]]:
    """(code, meaning) of the vocabulary's common codes for a column nobody annotated, for
    the codes its distribution actually holds."""
    if not col.distribution:
        return []
    seen = {str(v.value) for v in col.distribution if v.value is not None}
    for rule in rules:
        if re.search(rule["columns"], col.name):
            return [(code, meaning) for code, meaning in rule["values"].items()
                    if code in seen]
    return []
