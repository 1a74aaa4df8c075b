"""Folding used by search and duplicate detection."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.text import digits, fold, name_key


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Lefèvre", "lefevre"),
        ("  Éloïse   LE-GOFF ", "eloise le goff"),
        ("N'Diaye", "n diaye"),
        ("N’Diaye", "n diaye"),
        ("Jean--Pierre", "jean pierre"),
        ("Œuvre Cœur", "oeuvre coeur"),
        ("Lætitia", "laetitia"),
        ("STRAßE", "strasse"),
        ("Saint-Étienne-du-Rouvray", "saint etienne du rouvray"),
        ("J.-C.", "j c"),
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Le Goff", "legoff"),
        ("LE-GOFF", "le goff"),
        ("N'Diaye", "NDIAYE"),
        ("N’Diaye", "n diaye"),
        ("Lefèvre", "LEFEVRE"),
        ("Dupont-Moretti", "dupont moretti"),
        ("D'Artagnan", "dartagnan"),
    ],
)
def test_name_key_folds_spellings_of_one_name_together(first: str, second: str) -> None:
    assert name_key(first) == name_key(second)


def test_name_key_keeps_different_names_apart() -> None:
    assert name_key("Martin") != name_key("Martine")
    assert name_key("Le Goff") != name_key("Goff")


@pytest.mark.parametrize("empty", [None, "", "   ", "-", "' -"])
def test_name_key_of_nothing_is_none(empty: str | None) -> None:
    assert name_key(empty) is None


def test_digits() -> None:
    assert digits("+33 (0)6.12-34") == "33061234"
    assert digits("aucun") == ""


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_fold_has_no_accents_no_upper_case_and_single_spaces(text: str) -> None:
    folded = fold(text)
    assert not any(unicodedata.combining(c) for c in folded)
    assert folded == folded.strip()
    assert "  " not in folded
    assert not any(c in folded for c in "-'’\t\n")


@given(st.text())
def test_name_key_has_no_spaces_nor_accents(text: str) -> None:
    key = name_key(text)
    if key is None:
        return
    assert key
    assert not any(c.isspace() for c in key)
    assert not any(unicodedata.combining(c) for c in key)
    assert not any(c in key for c in "-'’")
    assert name_key(key) == key


@given(st.text(alphabet=st.sampled_from("aeiouAEIOUéèêÉÈàÀçÇ -'’"), min_size=1))
def test_name_key_ignores_case_accents_and_separators(text: str) -> None:
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    assert name_key(text) == name_key(plain.upper().replace("-", " "))
