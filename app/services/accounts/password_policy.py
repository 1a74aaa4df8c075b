"""What a new password must be (CNIL, délibération n° 2022-100), with French refusals.

The base is protected by a lock-out (a growing wait after 5 failed sign-ins, a 15-minute lock
after 10): the CNIL's case n° 2 (password and restriction of access to the account), which asks
for at least 50 bits of entropy. Two ways to get there, both well above it:

- a **password** of at least 12 characters mixing at least 3 of the 4 types (lowercase,
  uppercase, digits, special characters — a space or any other sign counts as special):
  by the CNIL's own measure (log2 of the alphabet size to the power of the length), at least
  12 × log2(62) ≈ 71 bits;
- a **passphrase** of at least 4 different words (runs of at least 2 letters) and at least
  16 characters: 4 words drawn from the ~10 000 usual words of a language are
  4 × log2(10 000) ≈ 53 bits (the CNIL's case n° 1, without lock-out, asks for 7 words).

Whatever the rule, a password is refused when it is obvious: one character repeated, the
identifiant or the person's name inside it, a keyboard or alphabet run (`azertyuiop`,
`abcdef`), or one of the most common passwords with digits or signs around it
(`Motdepasse2026!`, `P@ssw0rd1234`).

Only new passwords are checked: a password set before this rule keeps working until changed.
"""

import re
import unicodedata

MIN_LENGTH = 12
MIN_CLASSES = 3
MIN_PASSPHRASE_WORDS = 4
MIN_PASSPHRASE_LENGTH = 16
MAX_LENGTH = 1024

RULE = (
    f"au moins {MIN_LENGTH} caractères mêlant au moins {MIN_CLASSES} types parmi minuscules, "
    "majuscules, chiffres et caractères spéciaux, ou une phrase d'au moins "
    f"{MIN_PASSPHRASE_WORDS} mots ({MIN_PASSPHRASE_LENGTH} caractères ou plus)"
)
HINT = (
    f"{MIN_LENGTH} caractères de {MIN_CLASSES} types, ou une phrase de {MIN_PASSPHRASE_WORDS} mots"
)

_CLASS_NAMES = ("minuscules", "majuscules", "chiffres", "caractères spéciaux")
_WORD = re.compile(r"[^\W\d_]{2,}")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
# Keyboard rows (French, English and German layouts), the alphabet and the digits, each read
# both ways. A password that is mostly one of these runs is refused.
_RUNS = tuple(
    run
    for row in (
        "abcdefghijklmnopqrstuvwxyz",
        "azertyuiopqsdfghjklmwxcvbn",
        "qwertyuiopasdfghjklzxcvbnm",
        "qwertzuiopasdfghjklyxcvbnm",
        "01234567890",
    )
    for run in (row, row[::-1])
)
MIN_RUN = 4  # shorter runs happen inside ordinary words
MIN_BESIDES_RUN = 8  # what must remain once the longest run is taken out
# The most used passwords in France and elsewhere, reduced to their letters (what is left once
# the digits and signs around them are dropped and 0/1/3/4/5/7/@/$ read as letters), plus the
# places and roles of this programme anyone would try first.
COMMON = frozenset(
    {
        "accueil",
        "admin",
        "administrateur",
        "administrator",
        "azerty",
        "bienvenue",
        "bonjour",
        "bonsoir",
        "changeme",
        "chouchou",
        "cobalt",
        "coordination",
        "correcthorsebatterystaple",
        "doudou",
        "dragon",
        "football",
        "formateur",
        "guesclin",
        "iloveyou",
        "jetaime",
        "letmein",
        "loulou",
        "marseille",
        "master",
        "monkey",
        "motdepasse",
        "motpasse",
        "niort",
        "numerique",
        "paris",
        "passe",
        "password",
        "poitiers",
        "princesse",
        "qwerty",
        "secret",
        "soleil",
        "starwars",
        "sunshine",
        "utilisateur",
        "welcome",
    }
)


def _fold(text: str) -> str:
    """Lowercase, without accents: what the comparisons below see."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _classes(password: str) -> list[bool]:
    return [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdecimal() for c in password),
        any(not c.isalpha() and not c.isdecimal() for c in password),
    ]


def _core(password: str) -> str:
    """The letters of a password once the digits and signs at both ends are dropped and the
    usual look-alikes inside read as letters: `P@ssw0rd1234!` → `password`."""
    folded = _fold(password)
    start, end = 0, len(folded)
    while start < end and not folded[start].isalpha():
        start += 1
    while end > start and not folded[end - 1].isalpha():
        end -= 1
    inner = folded[start:end].translate(_LEET)
    return "".join(c for c in inner if c.isalpha())


def _longest_run(folded: str) -> int:
    """The length of the longest piece of `folded` read along a keyboard row, the alphabet or
    the digits (`azerty`, `abcdef`, `123456`, `987654`)."""
    longest = 0
    for start in range(len(folded)):
        for run in _RUNS:
            end = start + longest + 1
            while end <= len(folded) and folded[start:end] in run:
                longest = end - start
                end += 1
    return longest


def _personal_words(username: str, display_name: str) -> list[str]:
    """The identifiant and the parts of the identifiant and of the name that someone who
    knows the person would try (at least 4 letters; the whole identifiant from 3)."""
    words = [_fold(username.strip())] if len(username.strip()) >= 3 else []
    for text in (username, display_name):
        words += [w for w in re.findall(r"[^\W\d_]+", _fold(text)) if len(w) >= 4]
    return sorted(set(words), key=words.index)


def is_passphrase(password: str) -> bool:
    words = {_fold(word) for word in _WORD.findall(password)}
    return len(words) >= MIN_PASSPHRASE_WORDS and len(password) >= MIN_PASSPHRASE_LENGTH


def password_problem(password: str, *, username: str = "", display_name: str = "") -> str | None:
    """Why `password` is refused, in French, or None when it meets the rule."""
    if len(password) > MAX_LENGTH:
        return f"Le mot de passe dépasse {MAX_LENGTH} caractères."
    if not password.strip():
        return "Le mot de passe ne peut pas être fait que d'espaces."
    folded = _fold(password)
    if len(set(folded)) == 1:
        return "Le mot de passe ne peut pas répéter un seul caractère : " + RULE + "."
    personal = [word for word in _personal_words(username, display_name) if word in folded]
    if personal:
        return (
            "Le mot de passe ne doit contenir ni l'identifiant ni le nom de la personne "
            f"(« {personal[0]} »)."
        )
    core = _core(password)
    if core in COMMON:
        return "Ce mot de passe fait partie des plus courants, que l'on essaie en premier."
    run = _longest_run(folded)
    if run >= MIN_RUN and len(folded) - run < MIN_BESIDES_RUN:
        return (
            "Le mot de passe est presque entièrement une suite de touches, de lettres ou de "
            "chiffres (azerty, abcdef, 123456…) : " + RULE + "."
        )
    if is_passphrase(password):
        return None
    classes = _classes(password)
    if len(password) < MIN_LENGTH:
        return f"Trop court ({len(password)} caractères) : " + RULE + "."
    if sum(classes) < MIN_CLASSES:
        used = [name for name, seen in zip(_CLASS_NAMES, classes, strict=True) if seen]
        missing = [name for name, seen in zip(_CLASS_NAMES, classes, strict=True) if not seen]
        if len(used) == 1:
            has = f"n'a qu'un type de caractères ({used[0]}) : ajouter deux types parmi "
            add = ", ".join(missing[:-1]) + " et " + missing[-1]
        else:
            has = f"ne mêle que deux types de caractères ({' et '.join(used)}) : ajouter des "
            add = " ou des ".join(missing)
        return (
            f"Le mot de passe {has}{add}, ou choisir une phrase d'au moins "
            f"{MIN_PASSPHRASE_WORDS} mots ({MIN_PASSPHRASE_LENGTH} caractères ou plus)."
        )
    return None
