"""The pt<->en business glossary (ingest/data/glossary.yaml): its data, how it translates
words and phrases, what it learns from annotations, and that retrieval reads with it (a
Portuguese question finds English-named tables) while other readers of the vocabulary do
not (the Analyzer without a glossary is unchanged)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from schemachat.agent.retrieval.text import Analyzer, gloss
from schemachat.ingest.vocabulary import stems
from schemachat.ingest.vocabulary_glossary import (
    glossary,
    glossary_text,
    learn_terms,
    read_glossary_data,
)


def _stems(*words: str) -> set[str]:
    return {s for w in words for s in stems(w)}


def test_the_packaged_glossary_is_valid_and_large() -> None:
    data = read_glossary_data(glossary_text())
    assert len(data.terms) >= 300
    assert all(t.pt and t.en for t in data.terms)
    assert {"qty", "amt", "uom", "po"} <= set(data.abbreviations)


def test_a_term_without_english_is_refused() -> None:
    with pytest.raises(ValidationError):
        read_glossary_data("version: 1\nterms:\n  - {pt: [fatura]}\n")
    with pytest.raises(ValidationError):
        read_glossary_data("version: 1\nterms:\n  - {pt: [fatura], en: ['  ']}\n")


# (word as it may appear in a text, a word it must bring)
TRANSLATIONS = [
    ("fatura", "invoice"),
    ("invoices", "fatura"),  # English plural, by its English stem
    ("transportadoras", "carrier"),  # Portuguese plural, by its Portuguese stem
    ("carrier", "transportadora"),
    ("estoque", "stock"),
    ("filiais", "branch"),
    ("vendedor", "salesperson"),
    ("fornecedor", "supplier"),
    ("dinheiro", "cash"),
    ("approved", "aprovado"),
]


@pytest.mark.parametrize(("word", "brought"), TRANSLATIONS)
def test_translations_both_ways(word: str, brought: str) -> None:
    assert brought in glossary().translations(word)


def test_stems_match_in_the_language_of_the_glossary_word() -> None:
    # Portuguese 'casado' and English 'case' share the Portuguese stem 'cas'; 'case' is an
    # English word of the glossary, so only its English stem matches.
    assert "box" in glossary().translations("cases")
    assert "box" not in glossary().translations("casado")


def test_a_single_word_brings_no_words_of_longer_phrases_beside_its_own_words() -> None:
    # "freight company" is a phrase of the carrier concept: "transportadora" must not
    # bring "company" (every company table would match it).
    assert "company" not in glossary().translations("transportadora")


def test_phrases_are_found_over_consecutive_words_and_take_their_words() -> None:
    found = glossary().phrases_in(["contas", "pagar", "fornecedor"])
    assert [(start, end) for start, end, _ in found] == [(0, 2)]
    assert {"payable", "accounts"} <= found[0][2]
    analyzer = Analyzer(glossary=glossary())
    # inside an identifier too: ACCOUNT_MANAGER_ID is an account manager, a gerente de contas
    assert _stems("gerente") <= set(analyzer.terms("ACCOUNT_MANAGER_ID"))


def test_english_identifier_abbreviations_are_expanded() -> None:
    terms = set(Analyzer(glossary=glossary()).terms("QTY_ON_HAND AMT UOM_CODE"))
    assert _stems("quantity", "amount", "unit", "measure") <= terms
    assert _stems("quantidade") <= terms  # and then translated


def test_documents_carry_translations_questions_do_not() -> None:
    analyzer = Analyzer(glossary=glossary())
    assert _stems("fatura", "nota") <= set(analyzer.terms("INVOICES"))
    assert not _stems("invoice") & set(analyzer.query_terms("faturas vencidas"))
    assert _stems("invoice") <= set(analyzer.query_terms("faturas vencidas", translate=True))
    # the embedding model (English only) reads the question with its translations
    assert "invoice" in gloss("faturas vencidas", analyzer=analyzer).split()


def test_a_questions_phrases_bring_their_translations_single_words_do_not() -> None:
    analyzer = Analyzer(glossary=glossary())
    said = analyzer.phrase_terms("Supplier invoices still unpaid")
    assert _stems("pagar") <= set(said) and set(said.values()) == {"Supplier"}
    assert analyzer.phrase_terms("faturas vencidas") == {}  # one word: every sense of it
    assert Analyzer().phrase_terms("supplier invoices") == {}


def test_without_a_glossary_the_analyzer_reads_as_before() -> None:
    # Query plans and prompts build Analyzer() and must not change under them.
    plain = Analyzer()
    assert not _stems("fatura") & set(plain.terms("INVOICES"))
    assert plain.stopwords == plain.vocab.stopwords
    assert "marco" in Analyzer(glossary=glossary()).stopwords  # 'março' is a date, no 'marca'


def test_terms_learned_from_annotations() -> None:
    pairs = [("WIDGETS", "Engenhocas"), ("CARRIERS", "Transportadoras"),
             ("CAD_CLI", "Cadastro de clientes"), ("SHIPPED_ON", "Data de despacho"),
             ("NOTES", "A long description that is a whole sentence about the table")]
    learned = dict(learn_terms(pairs))
    assert learned[("widgets",)] == ("engenhocas",)
    assert ("carriers",) not in learned  # the glossary already says so
    assert ("cad", "cli") not in learned  # abbreviations say the same as the description
    assert ("notes",) not in learned  # a sentence is no name
    extended = glossary().extended(learn_terms(pairs))
    assert "engenhocas" in extended.translations("widget")
    assert glossary().extended([]) is glossary()
    # another table's column naming a widget is read with the learned word
    analyzer = Analyzer(glossary=extended)
    assert _stems("engenhocas") <= set(analyzer.terms("WIDGET_ID"))
