"""Which host legal forms are public bodies (their rules on indemnities differ)."""

# Stored codes of public bodies; "public" is the code used before the precise list.
PUBLIC_LEGAL_FORMS = frozenset({"public", "collectivite", "etablissement_public"})


def is_public_legal_form(code: str | None) -> bool:
    return code in PUBLIC_LEGAL_FORMS
