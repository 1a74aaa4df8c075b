"""The password policy (CNIL, délibération 2022-100): 12 characters of 3 types or a phrase of 4
words, never an obvious one, and a French reason when refused."""

import pytest

from app.services.accounts import management as accounts
from app.services.accounts.password_policy import is_passphrase, password_problem

ACCEPTED = [
    "Cobalt-2026-accueil",  # 19 characters, 4 types
    "soleil3Levant",  # 13 characters: lowercase, uppercase, digit
    "tr3s-l0ng-m0t!",  # lowercase, digits, special
    "le chat dort sur le canapé",  # a phrase of 5 words
    "Jkl-9384-7261-!",  # a short run (jkl) among other characters
    "phrase de passe longue",
]
REFUSED = [
    ("0000000000", "ne peut pas répéter un seul caractère"),
    ("aAaAaAaAaAaAaAaA", "ne peut pas répéter un seul caractère"),
    ("court", "Trop court (5 caractères) : au moins 12 caractères"),
    ("Abc-123!", "Trop court (8 caractères)"),
    (
        "correct horse battery",  # 3 words only, 2 types
        "ne mêle que deux types de caractères (minuscules et caractères spéciaux) : ajouter "
        "des majuscules ou des chiffres, ou choisir une phrase d'au moins 4 mots",
    ),
    (
        "seulementdeslettres",
        "n'a qu'un type de caractères (minuscules) : ajouter deux types parmi majuscules, "
        "chiffres et caractères spéciaux",
    ),
    ("P@ssw0rd1234", "des plus courants"),
    ("Azerty123456", "des plus courants"),
    ("Motdepasse2026!", "des plus courants"),
    ("Mot de passe 2026", "des plus courants"),
    ("!!Soleil2024!!", "des plus courants"),
    ("Abcdef123456!", "une suite de touches, de lettres ou de chiffres"),
    ("Azertyuiop12", "une suite de touches"),
    ("12345678901Aa!", "une suite de touches"),
    ("   ", "que d'espaces"),
    ("x" * 1025, "dépasse 1024 caractères"),
]


@pytest.mark.parametrize("password", ACCEPTED)
def test_accepted(password: str) -> None:
    assert password_problem(password, username="nadia", display_name="Nadia Belkacem") is None


@pytest.mark.parametrize(("password", "reason"), REFUSED)
def test_refused_with_a_french_reason(password: str, reason: str) -> None:
    problem = password_problem(password, username="nadia", display_name="Nadia Belkacem")
    assert problem is not None and reason in problem


@pytest.mark.parametrize(
    ("password", "found"),
    [
        ("Nadia-Cobalt-2026", "nadia"),
        ("je suis belkacem de Niort", "belkacem"),
        ("BELKÂCEM-2026-cobalt", "belkacem"),  # accents and case do not hide it
        ("n.belkacem-2026!", "n.belkacem"),  # the whole identifiant first
    ],
)
def test_the_identifiant_and_the_name_are_refused(password: str, found: str) -> None:
    problem = password_problem(password, username="n.belkacem", display_name="Nadia Belkacem")
    assert problem == (
        f"Le mot de passe ne doit contenir ni l'identifiant ni le nom de la personne (« {found} »)."
    )


def test_a_passphrase_needs_four_different_words_and_sixteen_characters() -> None:
    assert is_passphrase("la mer est calme")
    assert not is_passphrase("la mer est")  # 3 words
    assert not is_passphrase("le le le le le le")  # one word
    assert not is_passphrase("a b c d e f g h i")  # letters alone are no words
    assert not is_passphrase("ma vie en bleu")  # 4 words but 14 characters


def test_accounts_show_the_policy_under_the_password_field() -> None:
    assert accounts.password_errors("0000000000", "0000000000") == {
        "mot_de_passe": "Le mot de passe ne peut pas répéter un seul caractère : au moins 12 "
        "caractères mêlant au moins 3 types parmi minuscules, majuscules, chiffres et caractères "
        "spéciaux, ou une phrase d'au moins 4 mots (16 caractères ou plus)."
    }
    assert accounts.password_errors("Cobalt-2026-accueil", "Cobalt-2026-accueil") == {}
    assert accounts.password_errors("Cobalt-2026-accueil", "autre") == {
        "confirmation": "Les deux mots de passe ne sont pas identiques."
    }
    assert "mot_de_passe" in accounts.password_errors(
        "Karim-2026-cobalt", "Karim-2026-cobalt", username="karim"
    )
