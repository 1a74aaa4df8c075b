"""Value lists and their French labels, shared by services, CSV and UI."""

from dataclasses import dataclass


@dataclass(frozen=True)
class StageDef:
    code: str
    label: str
    counts_as_entry: bool = False
    reason_required: bool = False


# Pipeline order: position in this tuple is the stage's `position`.
STAGES: tuple[StageDef, ...] = (
    StageDef("recue", "candidature reçue"),
    StageDef("contacte", "contacté"),
    StageDef("sans_reponse", "sans réponse"),
    StageDef("information_collective", "information collective"),
    StageDef("entretien", "entretien"),
    StageDef("admis", "admis"),
    StageDef("liste_attente", "liste d'attente"),
    StageDef("non_retenu", "non retenu", reason_required=True),
    StageDef("desiste", "désisté", reason_required=True),
    StageDef("entre_formation", "entré en formation", counts_as_entry=True),
    StageDef("orientation_validee", "période d'orientation validée", counts_as_entry=True),
    StageDef(
        "orientation_reserves",
        "période d'orientation validée avec réserves",
        counts_as_entry=True,
    ),
    StageDef("orientation_non_validee", "période d'orientation non validée", counts_as_entry=True),
    StageDef("en_stage", "en stage", counts_as_entry=True),
    StageDef("sortie", "sortie", counts_as_entry=True),
    StageDef("suivi_6_mois", "suivi à 6 mois", counts_as_entry=True),
    StageDef("suivi_12_mois", "suivi à 12 mois", counts_as_entry=True),
)
STAGE_BY_CODE = {s.code: s for s in STAGES}
FIRST_STAGE = "recue"
ENTRY_STAGE = "entre_formation"
EXIT_STAGE = "sortie"
AFTER_EXIT_STAGES = frozenset({"sortie", "suivi_6_mois", "suivi_12_mois"})

_PRE_ENTRY = ("recue", "contacte", "sans_reponse", "information_collective", "entretien")
_DECIDED = ("admis", "liste_attente", "non_retenu", "desiste")

# Which stage may follow which. Corrections backwards inside the recruitment
# funnel are allowed (a comment records why); training stages need an entry.
ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "recue": ("contacte", "sans_reponse", "information_collective", "entretien", *_DECIDED),
    "contacte": ("recue", "sans_reponse", "information_collective", "entretien", *_DECIDED),
    "sans_reponse": ("recue", "contacte", "information_collective", "entretien", *_DECIDED),
    "information_collective": ("recue", "contacte", "entretien", *_DECIDED),
    "entretien": ("information_collective", *_DECIDED),
    "admis": ("entretien", "liste_attente", "non_retenu", "desiste", "entre_formation"),
    "liste_attente": ("entretien", "admis", "non_retenu", "desiste"),
    "non_retenu": ("entretien", "admis", "liste_attente"),
    "desiste": ("recue", "contacte", "entretien", "admis", "liste_attente"),
    "entre_formation": (
        "admis",
        "orientation_validee",
        "orientation_reserves",
        "orientation_non_validee",
        "sortie",
    ),
    "orientation_validee": ("entre_formation", "en_stage", "sortie"),
    "orientation_reserves": ("entre_formation", "en_stage", "sortie"),
    "orientation_non_validee": ("entre_formation", "sortie"),
    "en_stage": ("orientation_validee", "sortie"),
    "sortie": ("en_stage", "suivi_6_mois"),
    "suivi_6_mois": ("sortie", "suivi_12_mois"),
    "suivi_12_mois": ("suivi_6_mois",),
}
assert not set(_PRE_ENTRY) - set(ALLOWED_TRANSITIONS)

# A learner's situation at exit and at 3, 6 and 12 months after. `abandon` and `autre` are
# older exit types kept readable; a pathway's interruption is now its `pathway_end`.
EXIT_TYPES: dict[str, str] = {
    "cdi": "CDI",
    "cdd_long": "CDD de 6 mois ou plus",
    "cdd_court": "CDD de moins de 6 mois",
    "interim": "Intérim",
    "contrat_aide": "Contrat aidé, IAE",
    "alternance": "Alternance",
    "creation": "Création d'entreprise",
    "formation_qualifiante": "Formation qualifiante",
    "formation_non_qualifiante": "Formation non qualifiante",
    "etudes": "Études",
    "service_civique": "Service civique",
    "sans_solution": "Sans solution",
    "inconnue": "Situation inconnue",
    "abandon": "Abandon",
    "autre": "Autre",
}
POSITIVE_EXITS = frozenset(
    {"cdi", "cdd_long", "cdd_court", "alternance", "formation_qualifiante", "creation"}
)
# Funders' definitions of a positive exit (editable in Paramètres): code, label, the
# situations that count, and the months after the exit it is measured at (0: the exit).
FUNDERS_SEED: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    (
        "gen",
        "Grande École du Numérique",
        (
            "cdi",
            "cdd_long",
            "cdd_court",
            "alternance",
            "creation",
            "formation_qualifiante",
            "formation_non_qualifiante",
            "etudes",
        ),
        3,
    ),
    (
        "e2c",
        "Réseau E2C",
        (
            "cdi",
            "cdd_long",
            "cdd_court",
            "interim",
            "contrat_aide",
            "alternance",
            "creation",
            "formation_qualifiante",
        ),
        0,
    ),
    (
        "region",
        "Région Nouvelle-Aquitaine",
        ("cdi", "cdd_long", "alternance", "creation", "formation_qualifiante"),
        6,
    ),
)

CIVILITIES: dict[str, str] = {"Mme": "Madame", "M.": "Monsieur"}
SEXES: dict[str, str] = {"F": "Femme", "M": "Homme", "autre": "Autre"}

# 2019 national levels, with the former label shown beside.
DIPLOMA_LEVELS: dict[int, str] = {
    0: "Aucun diplôme",
    1: "Niveau 1 — savoirs de base",
    2: "Niveau 2",
    3: "Niveau 3 — CAP, BEP (ancien V)",
    4: "Niveau 4 — baccalauréat (ancien IV)",
    5: "Niveau 5 — bac+2 (ancien III)",
    6: "Niveau 6 — licence (ancien II)",
    7: "Niveau 7 — master (ancien I)",
    8: "Niveau 8 — doctorat (ancien I)",
}

FILIERES_SEED = (
    ("reseaux", "Réseaux et parc informatique"),
    ("web", "Développement web"),
    ("contenus", "Contenus et communautés numériques"),
)
REFERRERS_SEED = (
    ("mission_locale", "Mission locale"),
    ("france_travail", "France Travail (ex Pôle emploi)"),
    ("cap_emploi", "Cap emploi"),
    ("plie", "PLIE"),
    ("ccas", "CCAS / travailleur social"),
    ("association", "Association"),
    ("bouche_a_oreille", "Bouche-à-oreille"),
    ("salon", "Salon / événement"),
    ("site_web", "Site web"),
    ("autre", "Autre"),
)

# The team-work grid of the orientation period (orientation.md): code, label, grounding.
CRITERIA_SEED = (
    ("E1", "Respecte les règles collectives et les consignes", "CléA domaine 4"),
    ("E2", "Ponctualité et assiduité (retards / absences comptés)", "Savoir-être"),
    ("E3", "Coopère : partage l'information, aide les autres", "CléA domaine 4"),
    (
        "E4",
        "Communique dans le groupe : écoute, questionne, prend la parole",
        "CléA domaines 1 et 4",
    ),
    ("E5", "S'engage : tient son rôle, respecte les échéances de l'équipe", "CléA domaine 4"),
    ("E6", "Gère les désaccords, prend du recul", "Savoir-être"),
    ("A1", "Organise son travail", "CléA domaine 5"),
    ("A2", "Prend des initiatives, fait des propositions", "CléA domaine 5"),
    ("P1", "Construit son projet professionnel", "Projet professionnel"),
    ("P2", "Apprend à apprendre", "CléA domaine 6"),
)

# Other ways people write a reference value in a CSV file, by the code of the value they mean.
# A column of the import (site, filière, prescripteur, étape) accepts the value's code, its
# label, or one of these, ignoring case, accents, hyphens and apostrophes ("Pôle-emploi" is
# "pole emploi"). Codes and labels are looked at first; a synonym two values share means
# neither. The sites accept their town, read from the base (`Site.city`), and the synonyms
# of the seeded sites (services/reference.py, SITE_SYNONYMS: site codes are written there only).
REFERENCE_SYNONYMS: dict[str, tuple[str, ...]] = {
    # prescripteurs
    "france_travail": ("France Travail", "Pôle emploi", "FT", "PE", "ANPE"),
    "mission_locale": ("ML", "Missions locales"),
    "cap_emploi": ("Cap emploi",),
    "plie": ("Plan local pour l'insertion et l'emploi",),
    "ccas": ("CCAS", "Travailleur social", "Travailleuse sociale", "Assistante sociale"),
    "association": ("Asso",),
    "bouche_a_oreille": ("Bouche à oreille", "Bouche-à-oreille"),
    "salon": ("Salon", "Événement", "Forum"),
    "site_web": ("Internet", "Site internet"),
    # filières
    "reseaux": ("Réseaux", "Réseau", "Parc informatique", "Systèmes et réseaux"),
    "web": ("Développement", "Développeur web", "Développeuse web", "Dev web"),
    "contenus": ("Contenus", "Communautés numériques", "Community manager"),
    # étapes
    "recue": ("Reçue", "Candidature", "Nouvelle candidature"),
    "contacte": ("Contactée",),
    "information_collective": ("Info collective", "Réunion d'information"),
    "liste_attente": ("Liste d'attente", "En attente"),
    "non_retenu": ("Non retenue", "Refusé", "Refusée"),
    "desiste": ("Désistée", "Désistement"),
    "entre_formation": ("Entrée en formation", "En formation"),
}

# The diploma column (`niveau_diplome`) takes "aucun" or a national level 1…8, "niveau 4", and
# these usual names of diplomas, read the same way (case, accents, hyphens ignored).
DIPLOMA_SYNONYMS: dict[str, int] = {
    "Aucun diplôme": 0,
    "Sans diplôme": 0,
    "CAP": 3,
    "BEP": 3,
    "CAP BEP": 3,
    "Niveau V": 3,
    "Bac": 4,
    "Baccalauréat": 4,
    "Bac pro": 4,
    "Niveau IV": 4,
    "Bac+2": 5,
    "BTS": 5,
    "DUT": 5,
    "Niveau III": 5,
    "Bac+3": 6,
    "Licence": 6,
    "BUT": 6,
    "Niveau II": 6,
    "Bac+5": 7,
    "Master": 7,
    "Doctorat": 8,
}
