"""Text normalisation used for search and duplicate detection."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-'’‘`´.]+")


def fold(text: str) -> str:
    """Lower-case, strip accents, turn apostrophes, hyphens and runs of spaces into one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    lowered = no_marks.casefold().replace("œ", "oe").replace("æ", "ae")
    return _SEPARATORS.sub(" ", lowered).strip()


def name_key(text: str | None) -> str | None:
    """A name with case, accents, hyphens and spaces folded away: `N'Diaye` == `ndiaye`."""
    if not text:
        return None
    return fold(text).replace(" ", "") or None


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def number_endings(number: str) -> list[str]:
    """Every ending of a number down to its last two digits: "0549" -> ["549", "49"]. Indexed
    as words, they let a word-prefix search find digits typed from the middle of a phone."""
    return [number[start:] for start in range(1, len(number) - 1)]
