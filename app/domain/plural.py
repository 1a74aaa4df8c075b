"""French counts: "1 dossier", "2 dossiers", "0 dossier" (French puts 0 and 1 in the singular)."""


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`count` and its word, singular below 2: plural("dossier") adds an s, or give the plural
    ("travail", "travaux"). Several words agree together: plural(n, "ligne refusée")."""
    if count < 2:
        return f"{count} {singular}"
    return f"{count} {plural_form if plural_form is not None else _add_s(singular)}"


def agrees(count: int, singular: str, plural_form: str) -> str:
    """The word alone, agreeing with `count`: a verb ("ressemble" / "ressemblent")."""
    return singular if count < 2 else plural_form


def _add_s(words: str) -> str:
    """Each word takes its s, unless it already ends in s, x or z ("dossiers refusés")."""
    return " ".join(word if word[-1:] in "sxz" else word + "s" for word in words.split(" "))
