"""A candidate CSV of new people, as a partner's spreadsheet would hold them, for the import
benchmark: every row valid, nobody already in the benchmark's bases (compound names, phones
starting with 07 3…, their own e-mails), nobody twice, a few spellings the import reads as
the same reference value ("Pôle emploi", "ML", "Poitiers", "Bac").

    python3 -m tests.benchmarks.import_file OUT.csv [ROWS]
"""

import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path

from app.services import reference
from app.services.candidates.csv_exchange import CANDIDATE_COLUMNS
from tests.benchmarks.synthetic import CITIES, FIRST_NAMES, LAST_NAMES

ROWS = 100_000
REFERRERS = ("Mission locale", "ML", "France Travail", "Pôle emploi", "FT", "Cap emploi", "")
FILIERES = ("Développement web", "Réseaux et parc informatique", "Contenus", "web", "")
DIPLOMAS = ("aucun", "3", "4", "Bac", "CAP", "5", "")
SITES = ("cobalt", "du-guesclin", "Poitiers", "Niort")
STAGES = ("", "", "", "contacté", "candidature reçue")


def write(path: Path, rows: int = ROWS, *, seed: int = 14) -> Path:
    rng = random.Random(seed)
    season = reference.current_season_label()
    pairs = [(a, b) for a in LAST_NAMES for b in LAST_NAMES if a != b]
    applied = date.today() - timedelta(days=20)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(CANDIDATE_COLUMNS)
        for number in range(rows):
            first, second = pairs[number % len(pairs)]
            last = f"{first}-{second}"
            given = rng.choice(FIRST_NAMES)
            # One birth date per name and row: nobody looks like anybody else.
            born = date(1966, 1, 1) + timedelta(days=number // len(pairs) * 97 + number % 90)
            phone = f"073{number:07d}"
            values = {
                "civilite": rng.choice(("Mme", "M.", "")),
                "nom": last,
                "prenom": given,
                "sexe": rng.choice(("F", "M", "")),
                "date_naissance": born.strftime("%d/%m/%Y"),
                "telephone": " ".join(phone[i : i + 2] for i in range(0, 10, 2)),
                "email": f"{given}.{last}.{number}@exemple.org".lower().replace("'", ""),
                "adresse": f"{1 + number % 120} rue de la République",
                "code_postal": "86000",
                "commune": rng.choice(CITIES),
                "saison": season,
                "site": rng.choice(SITES),
                "filiere_souhaitee": rng.choice(FILIERES),
                "prescripteur": rng.choice(REFERRERS),
                "niveau_diplome": rng.choice(DIPLOMAS),
                "demandeur_emploi": rng.choice(("oui", "non", "")),
                "rsa": rng.choice(("oui", "non", "")),
                "qpv": rng.choice(("oui", "non", "")),
                "date_candidature": applied.strftime("%d/%m/%Y"),
                "etape": rng.choice(STAGES),
            }
            writer.writerow([values.get(column, "") for column in CANDIDATE_COLUMNS])
    return path


if __name__ == "__main__":
    write(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else ROWS)
