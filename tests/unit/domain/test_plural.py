"""French counts: singular for 0 and 1, every word of the group agreeing from 2."""

from app.domain.plural import agrees, plural


def test_french_counts() -> None:
    assert plural(0, "dossier") == "0 dossier"
    assert plural(1, "dossier") == "1 dossier"
    assert plural(2, "dossier") == "2 dossiers"
    assert plural(3, "référence cassée") == "3 références cassées"
    assert plural(2, "rendez-vous") == "2 rendez-vous"
    assert plural(2, "travail", "travaux") == "2 travaux"
    assert agrees(1, "ressemble", "ressemblent") == "ressemble"
    assert agrees(2, "ressemble", "ressemblent") == "ressemblent"
