"""Word lists the demonstration data is drawn from: people, places, staff and comments.

Every person is fictitious; places are real communes of the Vienne (Cobalt, Poitiers) and of
the Deux-Sèvres (centre Du Guesclin, Niort). E-mail domains are reserved-style examples.
"""

from dataclasses import dataclass

FEMALE_FIRST_NAMES = (
    "Léa", "Chloé", "Éloïse", "Zoé", "Amélie", "Anaïs", "Maëlle", "Bénédicte", "Fatoumata",
    "Thi Lan", "Yasmine", "Inès", "Manon", "Océane", "Sandrine", "Aïcha", "Héloïse", "Justine",
    "Laëtitia", "Marie-Claire", "Noémie", "Awa", "Sabrina", "Émilie", "Célia", "Lou-Anne",
    "Françoise", "Véronique", "Hélène", "Mélanie", "Linh", "Nadège", "Coralie", "Jade",
    "Samia", "Gwenaëlle",
)  # fmt: skip
MALE_FIRST_NAMES = (
    "Jean-Baptiste", "Noé", "Grégoire", "Karim", "Mamadou", "Théo", "Lucas", "Hugo", "Mathis",
    "Enzo", "Rayan", "Yanis", "Kévin", "Jérôme", "Stéphane", "Loïc", "Gaëtan", "Benoît",
    "Mehdi", "Moussa", "Quentin", "Sébastien", "Frédéric", "Hervé", "Pascal", "Dylan",
    "Ibrahim", "Thibault", "Raphaël", "Anthony", "Jean-Marc", "Youssef", "Bastien", "Cédric",
    "Killian", "Aurélien",
)  # fmt: skip
EPICENE_FIRST_NAMES = ("Camille", "Sacha", "Charlie")

SURNAMES = (
    "Lefèvre", "N'Diaye", "Le Goff", "Dupré-Moreau", "Benali", "Traoré", "Nguyen", "Da Silva",
    "Boucher", "Rousseau", "Gauthier", "Mercier", "Fontaine", "Moreau", "Bernard", "Petit",
    "Robin", "Chevalier", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier",
    "Faure", "Rolland", "Blanchard", "Guérin", "Brunet", "Renaud", "Barbier", "Dumas", "Roux",
    "Morin", "Brun", "Lemaire", "Caron", "Hamon", "Le Bihan", "D'Almeida", "Diallo", "Camara",
    "Bouchard", "Millet", "Charpentier", "Poirier", "Texier", "Pineau", "Baudouin", "Savary",
    "Pelletier", "Jolly", "Bertrand", "Ménard", "Coutant", "Arnaud", "Gaillard", "Sabourin",
    "Thébault", "De Oliveira", "Saint-Martin", "Kouamé-Lefort", "Boyer", "Lacroix", "Rivière",
    "Hoarau", "Chauvin", "Perrier", "Tessier", "Giraudeau", "Bourdin", "Audebert", "Mainard",
    "Pasquier", "Cissé", "El Amrani", "Tran", "Le Roux", "Vidal", "Aubineau", "Guillot",
    "Marchetti", "Bellamy", "Delaunay", "Ferreira",
)  # fmt: skip
# Drawn once SURNAMES are used up (a season in training and the next intake need more names);
# a list of its own so that the first draws, and the demo of a season in recruitment, stay put.
MORE_SURNAMES = (
    "Bodin", "Chaigneau", "Proust", "Guillon", "Massé", "Rabier", "Bouhier", "Nadeau",
    "Favreau", "Ouvrard", "Girard", "Bouyer", "Dufour", "Besnard", "Ndiaye-Sall", "Haddad",
    "Lebreton", "Merlet", "Joubert",
    "Sarrazin", "Baptiste", "Clément", "Métayer", "Pairault", "Loiseau", "Touzeau",
)  # fmt: skip

EMAIL_DOMAINS = ("exemple.fr", "exemple.com", "mail.exemple.org")

BIRTH_PLACES = (
    "Poitiers", "Niort", "Châtellerault", "Bordeaux", "Tours", "La Rochelle", "Limoges",
    "Angoulême", "Nantes", "Paris 14e", "Saintes", "Cholet", "Parthenay", "Bressuire",
    "Fontenay-le-Comte", "Rochefort", "Orléans", "Montreuil", "Bamako (Mali)",
    "Dakar (Sénégal)", "Oran (Algérie)", "Saint-Denis (La Réunion)",
)  # fmt: skip


@dataclass(frozen=True)
class Commune:
    name: str
    postal_code: str
    weight: int
    zrr: bool | None
    qpv: tuple[str, ...] = ()


COMMUNES: dict[str, tuple[Commune, ...]] = {
    "cobalt": (
        Commune(
            "Poitiers", "86000", 12, False, ("Les Couronneries", "Beaulieu", "Les Trois-Cités")
        ),
        Commune("Buxerolles", "86180", 3, False),
        Commune("Chasseneuil-du-Poitou", "86360", 2, False),
        Commune("Châtellerault", "86100", 3, False),
        Commune("Loudun", "86200", 1, True),
        Commune("Jaunay-Marigny", "86130", 2, False),
        Commune("Saint-Benoît", "86280", 2, False),
        Commune("Migné-Auxances", "86440", 1, False),
        Commune("Montmorillon", "86500", 1, True),
        Commune("Lusignan", "86600", 1, None),
        Commune("Ligugé", "86240", 1, False),
    ),
    "du-guesclin": (
        Commune("Niort", "79000", 12, False, ("Le Clou-Bouchet", "La Tour-Chabot", "Le Pontreau")),
        Commune("Chauray", "79180", 3, False),
        Commune("Aiffres", "79230", 2, False),
        Commune("Bessines", "79000", 1, False),
        Commune("Parthenay", "79200", 2, True),
        Commune("Saint-Maixent-l'École", "79400", 2, None),
        Commune("Échiré", "79410", 1, False),
        Commune("La Crèche", "79260", 1, False),
        Commune("Melle", "79500", 1, True),
    ),
}

STREETS = (
    "rue Victor-Hugo", "avenue de la République", "rue Jean-Jaurès", "rue des Écoles",
    "allée des Tilleuls", "impasse des Lilas", "rue du Moulin", "chemin de la Fontaine",
    "rue Pasteur", "rue de la Gare", "place de l'Église", "rue des Acacias",
    "boulevard Pierre-et-Marie-Curie", "rue Émile-Zola", "rue du Général-de-Gaulle",
    "rue des Vignes", "allée des Peupliers", "rue de l'Abbé-Grégoire",
)  # fmt: skip

# (national level, last class attended); 0 = no diploma.
DIPLOMAS = (
    (0, "3e"), (0, "4e"), (0, "Seconde générale"), (0, "1re année de CAP Vente"),
    (2, "3e (certificat CléA)"),
    (3, "CAP Cuisine"), (3, "BEP Métiers de la comptabilité"), (3, "CAP Électricien"),
    (3, "CAP Accompagnant éducatif petite enfance"), (3, "CAP Agent polyvalent de restauration"),
    (4, "Terminale générale"), (4, "Terminale bac pro Commerce"),
    (4, "Terminale bac pro Systèmes numériques"), (4, "Terminale STMG"),
    (4, "Terminale bac pro Gestion-administration"),
    (5, "2e année de BTS Assistant de gestion"), (5, "2e année de BUT Informatique"),
    (5, "2e année de BTS Communication"),
)  # fmt: skip
DIPLOMA_WEIGHTS = {0: 5, 2: 3, 3: 6, 4: 5, 5: 3}

EXPERIENCES = (
    "Agent de production chez un sous-traitant automobile (3 ans).",
    "Vente en grande surface, puis responsable de rayon.",
    "Préparation de commandes en intérim (entrepôts de la zone logistique).",
    "Aide à domicile auprès de personnes âgées.",
    "Service en restauration, saisons sur la côte atlantique.",
    "Agent d'entretien dans une collectivité.",
    "Travail en caisse à temps partiel pendant quatre ans.",
    "Manutention, missions courtes en intérim.",
    "Animation périscolaire, puis service civique en médiation numérique.",
    "Secrétariat médical pendant dix ans, reconversion après un licenciement économique.",
    "Maintenance industrielle, reconversion pour raisons de santé.",
    "Gestion administrative dans une PME du bâtiment.",
    "Livraison à vélo en micro-entreprise.",
    "Bénévolat dans une association : page Facebook et inscriptions des adhérents.",
)

AVAILABILITIES = (
    "Immédiate",
    "Immédiate, à temps plein",
    "À partir de décembre",
    "Immédiate — sans permis, vient en bus",
    "Temps plein, sauf le mercredi après-midi (garde d'enfant)",
    "Après la fin de sa mission d'intérim",
)

# "{e}" is replaced by the feminine ending when it applies.
NOTES = (
    "Très motivé{e} par le développement web, a suivi des tutoriels en ligne (HTML, CSS).",
    "Monte et répare des ordinateurs pour son entourage ; veut en faire son métier.",
    "Gère la page d'un club sportif ; intéressé{e} par la communication numérique.",
    "N'a pas d'ordinateur : voir le prêt de matériel avec l'association partenaire.",
    "Hésite entre réseaux et développement : à travailler pendant l'orientation.",
    "Parle couramment anglais et wolof.",
    "A découvert la Fabrique au salon Niort Numéric.",
    "Cherche un logement plus proche du centre ; orienté{e} vers le CCAS.",
    "Souhaite une formation courte pour rebondir rapidement vers l'emploi.",
    "A participé au hackathon open data en auditeur libre.",
)

FILIERE_WEIGHTS = {"reseaux": 7, "web": 8, "contenus": 5, "": 2}

REFERRER_WEIGHTS = {
    "mission_locale": 6,
    "france_travail": 6,
    "cap_emploi": 1,
    "plie": 2,
    "ccas": 2,
    "association": 2,
    "bouche_a_oreille": 3,
    "salon": 2,
    "site_web": 3,
    "autre": 1,
}
REFERRER_CONTACTS: dict[str, dict[str, str]] = {
    "mission_locale": {
        "cobalt": "Mme Fabre, conseillère Mission locale de Poitiers",
        "du-guesclin": "M. Texier, conseiller Mission locale du Niortais",
    },
    "france_travail": {
        "cobalt": "M. Lemoine, France Travail Poitiers",
        "du-guesclin": "Mme Chabot, France Travail Niort",
    },
    "cap_emploi": {"cobalt": "Cap emploi 86", "du-guesclin": "Cap emploi 79"},
    "plie": {"cobalt": "PLIE de Grand Poitiers", "du-guesclin": "PLIE du Niortais"},
    "ccas": {
        "cobalt": "Mme Roy, travailleuse sociale du CCAS de Poitiers",
        "du-guesclin": "CCAS de Niort, service insertion",
    },
    "association": {
        "cobalt": "Centre socioculturel des Couronneries",
        "du-guesclin": "Centre socioculturel du Clou-Bouchet",
    },
}
SOURCES: dict[str, tuple[str, ...]] = {
    "mission_locale": ("Atelier collectif à la Mission locale",),
    "france_travail": ("Réunion d'information France Travail", "Offre de formation en ligne"),
    "bouche_a_oreille": ("Un ancien apprenant de la Fabrique", "Une voisine"),
    "salon": ("Salon Niort Numéric", "Forum de l'emploi de Poitiers"),
    "site_web": ("Site de la Fabrique du Numérique", "Page Facebook de la Fabrique"),
    "autre": ("Affiche à la médiathèque",),
}


@dataclass(frozen=True)
class SiteStaff:
    accueil: str
    formateurs: tuple[str, ...]
    coordination: str
    rooms: tuple[str, ...]
    session_time: tuple[int, int]
    session_capacity: int

    @property
    def accueil_author(self) -> str:
        return f"{self.accueil} (accueil)"

    @property
    def coordination_author(self) -> str:
        return f"{self.coordination} (coordination)"


STAFF: dict[str, SiteStaff] = {
    "cobalt": SiteStaff(
        accueil="Nadia Belkacem",
        formateurs=("Julien Morel", "Thomas Rigaud"),
        coordination="Claire Vasseur",
        rooms=("Turing", "Lovelace"),
        session_time=(14, 0),
        session_capacity=12,
    ),
    "du-guesclin": SiteStaff(
        accueil="Sophie Marchand",
        formateurs=("Élodie Perrin", "Antoine Lebrun"),
        coordination="Claire Vasseur",
        rooms=("Hopper", "Berners-Lee"),
        session_time=(9, 30),
        session_capacity=10,
    ),
}
TRAINER_AUTHORS = {
    "Julien Morel": "Julien Morel (formateur)",
    "Thomas Rigaud": "Thomas Rigaud (formateur)",
    "Élodie Perrin": "Élodie Perrin (formatrice)",
    "Antoine Lebrun": "Antoine Lebrun (formateur)",
}
SESSION_NOTES = (
    "Présentation du programme, des trois filières et du calendrier ; visite des locaux."
)

PROJECTS = {
    "reseaux": ("technicien d'assistance informatique", "technicien réseaux"),
    "web": ("développeur web", "intégrateur web"),
    "contenus": ("community manager", "webmaster éditorial"),
    "": ("métiers du numérique", "assistance informatique"),
}
REAL_CASES = (
    "l'outil d'aide à la recherche de stage des élèves de 3e (club FACE)",
    "le site web de la compagnie du Si",
    "le site web de l'association Dynamob (Loudun)",
    "le projet mené avec les Usines Nouvelles",
    "le hackathon open data",
    "le stand de la Fabrique à Niort Numéric",
)
INTERNSHIPS = {
    "cobalt": (
        "service informatique de la mairie de Buxerolles",
        "agence web à Poitiers",
        "entreprise de services numériques à Chasseneuil-du-Poitou",
        "association d'éducation populaire à Châtellerault (communication)",
        "atelier de réparation informatique solidaire à Poitiers",
    ),
    "du-guesclin": (
        "agence de communication à Niort",
        "service informatique d'une mutuelle niortaise",
        "boutique de réparation de smartphones à Niort",
        "centre socioculturel à Niort (médiation numérique)",
        "PME du numérique à Chauray",
    ),
}

EXIT_COMMENTS: dict[str, tuple[str, ...]] = {
    "cdi": (
        "CDI de technicien support dans une entreprise de services numériques, suite au stage.",
        "CDI de développeur web junior dans l'agence du stage.",
    ),
    "cdd_long": (
        "CDD de 9 mois en assistance informatique au service des systèmes d'information "
        "d'une mutuelle.",
        "CDD d'un an sur un poste de community manager dans une association.",
    ),
    "cdd_court": (
        "CDD de 3 mois : déploiement de postes informatiques dans un lycée.",
        "CDD de 4 mois au service numérique d'une mairie.",
    ),
    "alternance": (
        "Contrat d'apprentissage : BTS SIO option SISR, en alternance dans une PME.",
        "Contrat de professionnalisation : titre professionnel Développeur web et web mobile.",
        "Licence professionnelle en alternance (communication numérique).",
    ),
    "formation_qualifiante": (
        "Entrée en formation qualifiante : titre professionnel Technicien d'assistance "
        "informatique.",
        "Formation qualifiante : titre professionnel Développeur web et web mobile, financée "
        "par la Région.",
        "Formation qualifiante : titre professionnel Designer web.",
    ),
    "creation": ("Création d'une micro-entreprise : sites web pour les artisans du secteur.",),
    "sans_solution": (
        "Fin de parcours sans solution immédiate : poursuit ses recherches avec France Travail.",
        "Pas de solution à la sortie ; projet d'alternance pour la rentrée à consolider.",
    ),
    "autre": (
        "Service civique de 8 mois en médiation numérique dans un centre social.",
        "Déménagement hors de la région ; relais pris par la Mission locale de sa nouvelle ville.",
    ),
    "abandon": (
        "Abandon : difficultés de garde d'enfants, ne peut plus suivre les horaires.",
        "Abandon pour raisons de santé ; orientation vers un accompagnement adapté.",
        "Abandon : a accepté une mission d'intérim dans la logistique.",
    ),
}
FOLLOW_UP_COMMENTS = {
    "positive": (
        "Point à {months} mois : toujours en poste, satisfait{e} de ses missions.",
        "Point à {months} mois : parcours poursuivi, bons retours de l'employeur.",
    ),
    "training": ("Point à {months} mois : poursuit sa formation, bons résultats.",),
    "other": (
        "Point à {months} mois : en recherche d'emploi, orienté{e} vers une remise à niveau.",
        "Point à {months} mois : joint{e} par téléphone, en attente d'une réponse d'employeur.",
    ),
}

CONTACT_COMMENTS = (
    "Joint{e} par téléphone : intéressé{e}, invité{e} à l'information collective du {day}.",
    "Rendez-vous d'accueil : projet expliqué, invité{e} à l'information collective du {day}.",
)
NO_ANSWER_COMMENTS = (
    "Deux appels sans réponse, message laissé sur le répondeur et SMS envoyé.",
    "Pas de réponse au téléphone ni à l'e-mail ; relance prévue la semaine prochaine.",
)
CALLBACK_COMMENT = "A rappelé l'accueil : invité{e} à l'information collective du {day}."
SESSION_COMMENT = "Présent{e} à l'information collective du {day} ; souhaite poursuivre."
INVITED_COMMENT = "Inscrit{e} à l'information collective du {day} à {hour}."
INTERVIEW_COMMENT = "Entretien fixé au {day} à {hour} avec {staff}."
ADMITTED_COMMENTS = (
    "Admis{e} : motivation solide et projet cohérent avec la filière {filiere}.",
    "Admis{e} après entretien : curiosité pour le numérique, bonne aisance à l'oral.",
    "Admis{e} : a déjà réalisé de petits sites pour des associations, très motivé{e}.",
)
NOT_RETAINED_COMMENTS = (
    "Projet professionnel encore flou ; orienté{e} vers la Mission locale pour le construire.",
    "Prérequis en français écrit insuffisants : orientation vers une remise à niveau à l'E2C.",
)
WAITING_LIST_COMMENT = (
    "Cohorte complète : inscrit{e} en liste d'attente, prioritaire en cas de désistement."
)
WITHDRAWN_BEFORE_COMMENTS = (
    "A trouvé un CDD de six mois dans la logistique, ne donne pas suite.",
    "Ne souhaite pas poursuivre : le rythme à temps plein ne convient pas pour l'instant.",
)
WITHDRAWN_AFTER_COMMENT = (
    "Se désiste avant l'entrée : problème de garde d'enfant, souhaite recandidater l'an prochain."
)
ENTRY_COMMENT = "Entrée en formation, promotion {season} — {site}. Filière envisagée : {filiere}."
ORIENTATION_COMMENTS = {
    "orientation_validee": (
        "Projet professionnel construit ({project}). Bonne implication dans le travail "
        "en équipe sur {case}."
    ),
    "orientation_reserves": (
        "Projet à préciser (hésite entre {project} et {other}) ; prise de parole en équipe "
        "à travailler. Point d'étape prévu en mars."
    ),
    "orientation_non_validee": (
        "Absences répétées pendant l'orientation et projet non stabilisé ; travail en équipe "
        "difficile. Période non validée."
    ),
}
INTERNSHIP_COMMENT = "Stage de 2 mois : {place}."
NON_VALIDATED_EXIT_COMMENT = (
    "Fin de parcours après la période d'orientation ; orientation vers la Mission locale "
    "pour un nouveau projet."
)
