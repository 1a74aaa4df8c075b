"""Hostile text for the property tests: any Unicode, and the samples that broke things before.

`nasty_text` covers every code point (lone surrogates and control characters included),
mixed with SQL fragments, reportlab / HTML markup, right-to-left text, combining marks and
emoji; `long_text` gives 10 000-character notes. `expected_text` is the documented
normalisation of free text (app.services.validation.clean_text): trimmed, refused when it
holds a control character other than tab / line breaks, a direction or zero-width character,
a byte-order mark or a lone surrogate (in a one-line value, a line break or a zero-width
joiner too), or when too long.
"""

import os
import re
from collections.abc import Iterable

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

SQL_FRAGMENT = "'); DROP TABLE candidate;--"
MARKUP = "<b>&amp;</para><font size=80>"
SAMPLES = (
    SQL_FRAGMENT,
    MARKUP,
    "Robert'); DELETE FROM agreement WHERE 1=1; --",
    '" OR "1"="1',
    "%_\\",
    "<br/><para>]]>&#0;&nbsp;&lt;",
    "<img src=x onerror=alert(1)>",
    "Lefèvre-N'Diaye Œuvre",
    "İstanbul ß ﬁ ǅ",
    "e\u0301\u0308\u20dd",
    "👩🏽‍💻🇫🇷",
    "שלום עליכם",
    "مرحبا بالعالم",
    "\u202eRTL\u202c\u200f",
    "\u200b\u200d\ufeff\u00ad",
    "\x00",
    "\x1b[31m",
    "\x7f\x85\x9f",
    "\r",
    "\r\n",
    "\t",
    "\u2028\u2029",
    "\u00a0\u3000",
    "\ud800",
    "\udfff",
    "\uffff\ufffe\U0010ffff",
    "9" * 30,
    "1e999",
    "-0",
    "²³",
    "٣٤",
)
# Every code point, lone surrogates included (Hypothesis leaves them out unless asked).
ANY_CHARACTER = st.characters(exclude_categories=())

nasty_text = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(ANY_CHARACTER, max_size=40),
    st.lists(
        st.one_of(st.sampled_from(SAMPLES), st.text(ANY_CHARACTER, max_size=3)), max_size=6
    ).map("".join),
)
# Around the limits of the fields (60 … 20 000 characters) and the 10 000-character note.
LENGTHS = (60, 80, 120, 200, 250, 300, 2_000, 5_000, 10_000, 20_000)
long_text = st.builds(
    lambda unit, length, delta: (unit * (length + delta))[: length + delta],
    st.sampled_from(["a", "é", "😀", "9", MARKUP, "ligne\r\n", "\u0301"]),
    st.sampled_from(LENGTHS),
    st.integers(-30, 3),
)
hostile_text = st.one_of(nasty_text, nasty_text, nasty_text, long_text)


def hostile_fields(names: Iterable[str]) -> st.SearchStrategy[dict[str, str]]:
    """One to three fields of an otherwise valid form, replaced by hostile text: every parser
    meets the text in a context where the other fields do not hide it."""
    return st.dictionaries(st.sampled_from(sorted(names)), hostile_text, min_size=1, max_size=3)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Direction controls, zero-width space, word joiner, byte-order mark: refused in any text.
_INVISIBLE = re.compile(r"[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
# Refused in one-line values only: line breaks and the zero-width joiners.
_ONE_LINE_ONLY = re.compile(r"[\n\r\u2028\u2029\u200c\u200d]")


def expected_text(typed: str, max_length: int, *, one_line: bool = False) -> str | None:
    """What a free-text field stores for `typed`: the trimmed text ("" when nothing is left),
    or None when it must be refused. `one_line` for names and other one-line values."""
    value = typed.strip()
    refused = _CONTROL.search(value) or _SURROGATE.search(value) or _INVISIBLE.search(value)
    if refused or (one_line and _ONE_LINE_ONLY.search(value)) or len(value) > max_length:
        return None
    return value


_ENGLISH_OR_PYTHON = re.compile(
    r"Traceback|Error|Exception|codec|can't|invalid literal|object|None\b|NoneType|"
    r"\bthe\b|\bmust\b|\bnot\b|\bis\b",
)


_QUOTED = re.compile(r"«.*»", re.DOTALL)


def assert_french(message: str) -> None:
    """A message meant for a person at the front desk: French, not a Python error. What it
    quotes of the user's text (between « ») is not judged."""
    assert message.strip(), "empty message"
    own_words = _QUOTED.sub("«»", message)
    assert own_words[:1].isupper() or own_words[:1] in "«0123456789", message
    assert not _ENGLISH_OR_PYTHON.search(own_words), message


def assert_french_errors(errors: dict[str, str], allowed_keys: set[str] | None = None) -> None:
    assert errors, "a ValidationError without any message"
    for key, message in errors.items():
        assert_french(message)
        if allowed_keys is not None:
            assert key in allowed_keys, (key, message)


# Each test builds its database once (function-scoped fixture) and rolls every example back
# (`session(commit=False)`): the fixture is shared on purpose, hence the health check.
ONE_DATABASE = [HealthCheck.function_scoped_fixture]


# PROPERTY_EXAMPLES_SCALE=20 runs twenty times as many examples, for a deeper search by hand.
SCALE = int(os.environ.get("PROPERTY_EXAMPLES_SCALE", "1"))


def service_settings(examples: int) -> settings:
    """Examples tuned so that the whole property suite stays under a minute on two cores."""
    return settings(
        max_examples=examples * SCALE, deadline=None, suppress_health_check=ONE_DATABASE
    )
