"""Stems of folded Portuguese plurals meet their singulars."""

import pytest

from schemachat.ingest.vocabulary import stems


@pytest.mark.parametrize(("plural", "singular"), [
    ("filiais", "filial"), ("emissoes", "emissao"), ("papeis", "papel"),
    ("imoveis", "imovel"), ("notas", "nota"), ("pedidos", "pedido"),
])
def test_a_plural_shares_a_stem_with_its_singular(plural: str, singular: str) -> None:
    assert set(stems(plural)) & set(stems(singular))


def test_short_words_get_no_singular() -> None:
    assert "pal" not in stems("pais")  # país, not a plural of 'pal'
    assert "mal" not in stems("mais")
