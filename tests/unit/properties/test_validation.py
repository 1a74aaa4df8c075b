"""Parsers of typed values: any Unicode gives a value or a French FieldError, nothing else."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.validation import (
    MAX_SEARCH_LENGTH,
    MAX_SEARCH_WORDS,
    FieldError,
    clean_text,
    parse_bool,
    parse_date,
    parse_email,
    parse_phone,
    parse_postal_code,
    search_text,
    search_words,
    unwanted_characters,
)
from tests.unit.properties.strategies import (
    SCALE,
    assert_french,
    expected_text,
    hostile_text,
    nasty_text,
)

FAST = settings(max_examples=200 * SCALE, deadline=None)


@FAST
@given(typed=hostile_text, max_length=st.sampled_from([1, 80, 2000, 20_000]))
def test_clean_text_trims_or_refuses_in_french(typed: str, max_length: int) -> None:
    expected = expected_text(typed, max_length)
    try:
        value = clean_text(typed, max_length, "Le commentaire")
    except FieldError as error:
        assert expected is None
        assert str(error).startswith("Le commentaire ")
        assert_french(str(error))
        return
    assert expected is not None
    assert (value or "") == expected


@FAST
@given(typed=nasty_text)
def test_parsers_give_a_value_or_a_french_refusal(typed: str) -> None:
    for parse in (parse_email, parse_phone, parse_date, parse_postal_code, parse_bool):
        try:
            value = parse(typed)
        except FieldError as error:
            assert_french(str(error))
            continue
        if isinstance(value, str):
            assert unwanted_characters(value) is None, (parse.__name__, value)


@FAST
@given(typed=nasty_text)
def test_stored_codes_are_ascii(typed: str) -> None:
    for parse in (parse_phone, parse_postal_code):
        try:
            value = parse(typed)
        except FieldError:
            continue
        assert value is None or value.isascii(), value


@FAST
@given(typed=hostile_text)
def test_search_text_keeps_only_storable_characters(typed: str) -> None:
    cleaned = search_text(typed)
    assert unwanted_characters(cleaned) is None
    assert len(cleaned) <= MAX_SEARCH_LENGTH
    if unwanted_characters(typed) is None:
        assert cleaned == typed[:MAX_SEARCH_LENGTH]
    words = search_words(typed)
    assert len(words) <= MAX_SEARCH_WORDS
    assert len(set(words)) == len(words)
