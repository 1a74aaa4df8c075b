"""Demonstration data for the internship agreements (conventions de stage).

The organisation's settings, a directory of host organisations of the Vienne and the
Deux-Sèvres with their tutors, and for the finished season one agreement per learner whose
history went through `en_stage`: drafted in April, numbered, signed by the five signatories in
early May, started and finished on the dates of the learner's internship. One of them carries a
signed amendment, one is broken off. The season in recruitment only gets drafts for learners
already in training (none before its start).

Everything is written through the services, as the coordination; candidates' stage histories
are read, never moved. Deterministic for a given random generator and day.
"""

import random
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import words
from app.demo.timeline import PlannedInternship, in_training
from app.domain import Candidate, OrientationDecision, Season, Stage, StageChange
from app.domain.agreement import Signatory
from app.services import reference
from app.services.agreements import amendments, details, life_cycle
from app.services.agreements.rules import cohort_window
from app.services.agreements.terms import AgreementInput
from app.services.base_access.demo_mark import demo_actor
from app.services.hosts import directory as hosts
from app.services.hosts.directory import HostInput, TutorInput
from app.services.settings import organisation
from app.services.settings.organisation import OrganisationInput
from app.services.validation import format_date

INTERN_STAGE = "en_stage"
EXIT_STAGE = "sortie"
SITE_DEPARTMENT = {"cobalt": "86", "du-guesclin": "79"}
# Signature order: the trainee and the referent first, the organisation's director last.
SIGNING_ORDER = (
    Signatory.TRAINEE,
    Signatory.REFERENT,
    Signatory.TUTOR,
    Signatory.HOST,
    Signatory.ORGANISATION,
)
FULL_WEEK = {0: "7", 1: "7", 2: "7", 3: "7", 4: "7"}
WEDNESDAY_AFTERNOON_OFF = {0: "7", 1: "7", 2: "3,5", 3: "7", 4: "7"}
AMENDMENT_REASON = (
    "Mercredi après-midi libéré pour les démarches de recherche d'emploi du stagiaire "
    "(rendez-vous France Travail, entretiens d'embauche)."
)
BREAK_OFF_REASONS = {
    "hired": "Embauche en {contract} chez un autre employeur : le contrat commence le {day}.",
    "health": "Abandon pour raisons de santé : arrêt prolongé, le stage ne peut pas reprendre.",
}
HIRED_EXITS = ("cdd_court", "cdd_long", "cdi")


def _luhn_key(payload: str) -> str:
    """The digit that completes `payload` into a number passing the Luhn check."""
    total = 0
    for index, char in enumerate(reversed(payload)):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


def demo_siret(siren: str, nic: str) -> str:
    """A SIRET from 8 SIREN digits and 4 NIC digits: both Luhn keys computed."""
    full_siren = siren + _luhn_key(siren)
    return full_siren + nic + _luhn_key(full_siren + nic)


ORGANISATION = OrganisationInput(
    nom="La Fabrique du Numérique",
    adresse="12 rue de la Cathédrale, 86000 Poitiers",
    siret=demo_siret("81934752", "0001"),
    declaration_activite="75860123486",
    directeur="Hélène Garnier",
    fonction_directeur="Directrice",
    assureur="MAIF",
    numero_police="4 512 387 M",
    ville_signature="Poitiers",
)


# ---------------------------------------------------------------- the host directory


@dataclass(frozen=True)
class _DemoHost:
    data: HostInput
    department: str
    filieres: tuple[str, ...]
    mission: str
    tutors: tuple[TutorInput, ...]
    indemnity: tuple[str, str, str] = ("", "", "")  # amount, unit, payment mode
    benefits: str = ""


def _host(
    name: str,
    legal_form: str,
    identifier: str,
    naf: str,
    headcount: str,
    address: tuple[str, str, str],
    representative: tuple[str, str],
    phone: str,
    email: str,
    insurance: tuple[str, str],
) -> HostInput:
    return HostInput(
        nom=name,
        forme_juridique=legal_form,
        identifiant=identifier,
        code_naf=naf,
        effectif=headcount,
        adresse=address[0],
        code_postal=address[1],
        commune=address[2],
        representant=representative[0],
        fonction_representant=representative[1],
        telephone=phone,
        email=email,
        assureur=insurance[0],
        numero_police=insurance[1],
    )


HOSTS: tuple[_DemoHost, ...] = (
    _DemoHost(
        _host(
            "Repair Café Poitevin",
            "association",
            "W863004172",
            "94.99Z",
            "0 salarié",
            ("5 rue du Pigeon Blanc", "86000", "Poitiers"),
            ("Gérard Moreau", "Président"),
            "05 49 41 27 63",
            "contact@repaircafe-poitevin.exemple.fr",
            ("MAIF", "3 871 224 P"),
        ),
        "86",
        ("reseaux",),
        "Accueil des visiteurs des permanences et diagnostic des ordinateurs apportés.",
        (
            TutorInput(
                "Gérard Moreau",
                "Président, bénévole réparateur",
                "06 72 18 44 09",
                "g.moreau@repaircafe-poitevin.exemple.fr",
            ),
        ),
    ),
    _DemoHost(
        _host(
            "Radio Clain FM",
            "association",
            "W863002958",
            "60.10Z",
            "1 à 9",
            ("28 boulevard du Grand Cerf", "86000", "Poitiers"),
            ("Aurélie Tessier", "Directrice"),
            "05 49 58 12 30",
            "antenne@radioclain.exemple.fr",
            ("MACIF", "RC 77 410 958"),
        ),
        "86",
        ("contenus",),
        "Préparation et diffusion des contenus web des émissions (podcasts, articles).",
        (
            TutorInput(
                "Aurélie Tessier", "Directrice", "05 49 58 12 31", "a.tessier@radioclain.exemple.fr"
            ),
            TutorInput(
                "Yanis Haddad",
                "Chargé de communication numérique",
                "06 31 57 80 24",
                "y.haddad@radioclain.exemple.fr",
            ),
        ),
    ),
    _DemoHost(
        _host(
            "Le Relais numérique des Couronneries",
            "association",
            "W863005381",
            "88.99B",
            "1 à 9",
            ("37 place de Provence", "86000", "Poitiers"),
            ("Martine Dupuis", "Coprésidente"),
            "05 49 37 64 18",
            "epn@relais-numerique.exemple.fr",
            ("MAIF", "4 102 655 K"),
        ),
        "86",
        ("contenus", "reseaux"),
        "Espace public numérique : accompagnement des habitants dans leurs démarches en ligne.",
        (
            TutorInput(
                "Karim Benali",
                "Médiateur numérique",
                "06 45 21 90 37",
                "k.benali@relais-numerique.exemple.fr",
            ),
            TutorInput(
                "Sandrine Roux",
                "Coordinatrice",
                "05 49 37 64 19",
                "s.roux@relais-numerique.exemple.fr",
            ),
        ),
    ),
    _DemoHost(
        _host(
            "Pixel et Sèvre",
            "sarl",
            demo_siret("84261937", "0018"),
            "62.01Z",
            "1 à 9",
            ("14 rue Ricard", "79000", "Niort"),
            ("Mathieu Guérin", "Gérant"),
            "05 49 24 83 56",
            "bonjour@pixel-et-sevre.exemple.fr",
            ("AXA", "10 487 352 604"),
        ),
        "79",
        ("web",),
        "Agence web de six personnes : sites vitrines et boutiques en ligne de clients locaux.",
        (
            TutorInput(
                "Camille Joubert",
                "Développeuse front-end",
                "06 18 72 45 93",
                "camille@pixel-et-sevre.exemple.fr",
            ),
            TutorInput(
                "Mathieu Guérin",
                "Gérant, chef de projet",
                "05 49 24 83 57",
                "mathieu@pixel-et-sevre.exemple.fr",
            ),
        ),
        ("4,35", "heure", "virement"),
        "Tickets restaurant pris en charge à 50 %.",
    ),
    _DemoHost(
        _host(
            "Châtel'Info Maintenance",
            "eurl",
            demo_siret("79514286", "0027"),
            "95.11Z",
            "10 à 19",
            ("8 avenue Camille Pagé", "86100", "Châtellerault"),
            ("Philippe Brunet", "Directeur général"),
            "05 49 21 36 74",
            "atelier@chatelinfo.exemple.fr",
            ("Groupama", "CT 4410 2287"),
        ),
        "86",
        ("reseaux",),
        "Maintenance informatique des TPE et collectivités du Châtelleraudais.",
        (
            TutorInput(
                "Sébastien Fleury",
                "Responsable technique",
                "06 84 12 57 30",
                "s.fleury@chatelinfo.exemple.fr",
            ),
            TutorInput(
                "Laëtitia Marchal",
                "Technicienne support",
                "05 49 21 36 75",
                "l.marchal@chatelinfo.exemple.fr",
            ),
        ),
        ("4,35", "heure", "virement"),
    ),
    _DemoHost(
        _host(
            "Agence intercommunale pour l'emploi du Niortais",
            "etablissement_public",
            demo_siret("20007132", "0014"),
            "84.13Z",
            "20 à 49",
            ("5 rue Jean-Jaurès", "79000", "Niort"),
            ("Catherine Bouchet", "Directrice"),
            "05 49 77 20 40",
            "accueil@emploi-niortais.exemple.fr",
            ("SMACL Assurances", "SM 2024 0871"),
        ),
        "79",
        ("reseaux", "contenus"),
        "Service public de l'emploi et de l'insertion des jeunes (accueil, ateliers numériques).",
        (
            TutorInput(
                "Frédéric Pelletier",
                "Responsable informatique",
                "05 49 77 20 52",
                "f.pelletier@emploi-niortais.exemple.fr",
            ),
            TutorInput(
                "Inès Charpentier",
                "Chargée de communication",
                "05 49 77 20 47",
                "i.charpentier@emploi-niortais.exemple.fr",
            ),
        ),
    ),
    _DemoHost(
        _host(
            "Compagnie du Si",
            "association",
            "W863001746",
            "90.01Z",
            "1 à 9",
            ("1 place du Maréchal Leclerc", "86000", "Poitiers"),
            ("Louise Caillaud", "Administratrice"),
            "05 49 88 35 21",
            "contact@compagniedusi.exemple.fr",
            ("MAIF", "3 945 180 T"),
        ),
        "86",
        ("contenus",),
        "Compagnie de théâtre : communication des spectacles et des ateliers en ligne.",
        (
            TutorInput(
                "Louise Caillaud",
                "Administratrice de production",
                "06 27 64 15 88",
                "louise@compagniedusi.exemple.fr",
            ),
        ),
    ),
    _DemoHost(
        _host(
            "Dynamob",
            "association",
            "W863006219",
            "49.39B",
            "10 à 19",
            ("22 rue des Marchands", "86200", "Loudun"),
            ("Bruno Vigier", "Directeur"),
            "05 49 98 14 62",
            "contact@dynamob.exemple.fr",
            ("MACIF", "RC 81 204 336"),
        ),
        "86",
        ("web", "contenus"),
        "Plateforme de mobilité solidaire du Loudunais (location de véhicules, transport).",
        (
            TutorInput(
                "Bruno Vigier", "Directeur", "05 49 98 14 60", "b.vigier@dynamob.exemple.fr"
            ),
            TutorInput(
                "Emma Pineau",
                "Chargée de projet numérique",
                "06 52 38 71 46",
                "e.pineau@dynamob.exemple.fr",
            ),
        ),
    ),
    _DemoHost(
        _host(
            "Les Usines Nouvelles",
            "association",
            "W863004805",
            "94.99Z",
            "1 à 9",
            ("10 route de la Filature", "86240", "Ligugé"),
            ("Jérôme Aubin", "Coprésident"),
            "05 49 55 02 77",
            "bonjour@usines-nouvelles.exemple.fr",
            ("MAIF", "4 230 761 L"),
        ),
        "86",
        ("contenus", "reseaux"),
        "Tiers-lieu : fablab, ateliers partagés et programmation culturelle.",
        (
            TutorInput(
                "Nina Roussel", "Fabmanageuse", "06 09 41 73 25", "nina@usines-nouvelles.exemple.fr"
            ),
            TutorInput(
                "Jérôme Aubin",
                "Coprésident",
                "06 71 25 38 90",
                "jerome@usines-nouvelles.exemple.fr",
            ),
        ),
    ),
    _DemoHost(
        _host(
            "Coop'Web Poitou",
            "scop",
            demo_siret("88317245", "0011"),
            "62.01Z",
            "1 à 9",
            ("3 rue Carnot", "86000", "Poitiers"),
            ("Anaïs Lefèvre", "Cogérante"),
            "05 49 50 67 12",
            "equipe@coopweb-poitou.exemple.fr",
            ("Hiscox", "HA RCP0281457"),
        ),
        "86",
        ("web",),
        "Coopérative de développeurs : applications web pour associations et collectivités.",
        (
            TutorInput(
                "Anaïs Lefèvre",
                "Cogérante, développeuse",
                "06 33 82 14 57",
                "anais@coopweb-poitou.exemple.fr",
            ),
            TutorInput(
                "Romain Giraud",
                "Développeur back-end",
                "06 48 20 93 61",
                "romain@coopweb-poitou.exemple.fr",
            ),
        ),
        ("200", "forfait", "virement"),
    ),
    _DemoHost(
        _host(
            "Informatique solidaire des Deux-Sèvres",
            "association",
            demo_siret("81746352", "0012"),
            "95.11Z",
            "1 à 9",
            ("47 rue de la Burgonce", "79000", "Niort"),
            ("Olivier Rambaud", "Président"),
            "05 49 06 45 83",
            "contact@info-solidaire79.exemple.fr",
            ("MAIF", "3 806 942 R"),
        ),
        "79",
        ("reseaux",),
        "Reconditionnement d'ordinateurs pour des familles et des associations.",
        (
            TutorInput(
                "Marc Lhomme",
                "Technicien, responsable de l'atelier",
                "06 24 57 81 30",
                "m.lhomme@info-solidaire79.exemple.fr",
            ),
            TutorInput(
                "Julie Bonnet",
                "Coordinatrice",
                "05 49 06 45 84",
                "j.bonnet@info-solidaire79.exemple.fr",
            ),
        ),
    ),
    _DemoHost(
        _host(
            "Centre socioculturel du Parc",
            "association",
            "W792003647",
            "88.99B",
            "20 à 49",
            ("2 rue de la Passerelle", "79000", "Niort"),
            ("Hervé Massé", "Directeur"),
            "05 49 79 31 05",
            "accueil@csc-du-parc.exemple.fr",
            ("MAIF", "4 017 338 N"),
        ),
        "79",
        ("contenus",),
        "Centre socioculturel : ateliers de médiation numérique et communication du quartier.",
        (
            TutorInput(
                "Sonia Mercier",
                "Animatrice multimédia",
                "06 58 14 72 36",
                "s.mercier@csc-du-parc.exemple.fr",
            ),
            TutorInput(
                "Hervé Massé", "Directeur", "05 49 79 31 06", "h.masse@csc-du-parc.exemple.fr"
            ),
        ),
    ),
    _DemoHost(
        _host(
            "Sèvre Numérique Services",
            "sas",
            demo_siret("53928174", "0035"),
            "62.02A",
            "20 à 49",
            ("18 rue du Luxembourg", "79180", "Chauray"),
            ("Stéphane Gauthier", "Président"),
            "05 49 17 52 90",
            "contact@sevre-numerique.exemple.fr",
            ("Allianz", "56 418 302"),
        ),
        "79",
        ("web", "reseaux"),
        "Entreprise de services numériques : infogérance et développement pour les PME.",
        (
            TutorInput(
                "Céline Perrot",
                "Cheffe de projet web",
                "05 49 17 52 94",
                "c.perrot@sevre-numerique.exemple.fr",
            ),
            TutorInput(
                "David Lemaire",
                "Administrateur systèmes et réseaux",
                "06 86 30 27 15",
                "d.lemaire@sevre-numerique.exemple.fr",
            ),
        ),
        ("4,35", "heure", "virement"),
        "Accès au restaurant d'entreprise.",
    ),
)

ACTIVITIES = {
    "reseaux": (
        "- Préparation et installation de postes de travail (Windows, Linux).\n"
        "- Assistance aux utilisateurs de niveau 1 et suivi des demandes.\n"
        "- Inventaire du parc et mise à jour de la documentation.",
        "- Diagnostic et réparation de matériel, reconditionnement.\n"
        "- Sauvegardes, mises à jour et sécurité des postes.\n"
        "- Câblage et configuration d'un petit réseau local.",
    ),
    "web": (
        "- Intégration de maquettes en HTML et CSS, accessibilité.\n"
        "- Développement de fonctionnalités sur un site existant.\n"
        "- Tests, corrections et mise en ligne avec l'équipe.",
        "- Refonte de pages d'un site WordPress.\n"
        "- Développement d'un petit outil web (formulaire, tableau de bord).\n"
        "- Suivi des demandes sur l'outil de tickets, revue de code.",
    ),
    "contenus": (
        "- Rédaction et programmation de publications pour les réseaux sociaux.\n"
        "- Réalisation de visuels et de courtes vidéos.\n"
        "- Mise à jour du site et de la lettre d'information.",
        "- Animation d'ateliers de médiation numérique auprès du public.\n"
        "- Création de supports pédagogiques et de tutoriels.\n"
        "- Suivi de la fréquentation et des statistiques des publications.",
    ),
}
COMPETENCES = {
    "reseaux": (
        "Installer et configurer un poste de travail ; diagnostiquer une panne ; "
        "communiquer avec les utilisateurs ; documenter une intervention."
    ),
    "web": (
        "Développer une interface web ; utiliser Git en équipe ; tester son code ; "
        "rendre compte de son avancement."
    ),
    "contenus": (
        "Produire des contenus adaptés à un public ; animer une communauté ; "
        "respecter une charte graphique ; mesurer l'audience."
    ),
}


# ---------------------------------------------------------------- what the caller gets


@dataclass(frozen=True)
class AgreementsSummary:
    hosts: int
    tutors: int
    past_season: str
    past_agreements: int
    amended: int
    broken_off: int
    current_season: str
    drafts: int
    current_agreements: int = 0  # drafts included
    in_training: bool = False

    def describe(self) -> str:
        signed = self.current_agreements - self.drafts
        if signed > 0:
            current = f"{self.current_agreements} conventions, dont {self.drafts} en préparation"
        elif self.drafts:
            current = f"{self.drafts} brouillons"
        elif self.in_training:
            current = "aucune convention pour l'instant (les stages sont en juin et juillet)"
        else:
            current = "aucun brouillon (personne n'est encore entré en formation)"
        return (
            f"structures d'accueil : {self.hosts} ({self.tutors} tuteurs) ; conventions "
            f"{self.past_season} : {self.past_agreements} signées et terminées (dont "
            f"{self.amended} avec avenant, {self.broken_off} rompue) ; "
            f"{self.current_season} : {current}."
        )


# ---------------------------------------------------------------- the seeder


@dataclass
class _Intern:
    id: int
    site: str
    filiere: str
    start: date
    end: date
    exit_type: str


@dataclass
class _Directory:
    hosts: list[tuple[_DemoHost, int, list[int]]] = field(default_factory=list)
    load: dict[int, int] = field(default_factory=dict)


# Public holidays around the signatures and the internships (no signature, no event then).
_HOLIDAYS = ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25))


def _referent_phone(name: str) -> str:
    """A stable, valid-looking office number per trainer (05 49 …, Vienne)."""
    digits = sum(ord(char) for char in name) % 90 + 10
    return f"05 49 52 {digits:02d} 10"


def _referent_email(name: str) -> str:
    """ "Élodie Perrin" -> "elodie.perrin@fabrique-numerique.fr"."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return f"{'.'.join(folded.split())}@fabrique-numerique.fr"


def _weekday_after(day: date) -> date:
    while day.weekday() >= 5 or (day.month, day.day) in _HOLIDAYS:
        day += timedelta(days=1)
    return day


class _AgreementSeeder:
    def __init__(self, session: Session, rng: random.Random, today: date) -> None:
        self.session = session
        self.rng = rng
        self.today = today
        self.directory = _Directory()
        self.site_codes = {o.id: o.code for o in reference.sites(session)}
        self.filiere_codes = {f.id: f.code for f in reference.filieres(session)}
        self.author = words.STAFF["cobalt"].coordination_author
        self.actor = demo_actor(self.author)

    # -- organisation and hosts

    def settings(self) -> None:
        organisation.save_organisation(self.session, ORGANISATION, actor=self.actor)

    def hosts(self) -> None:
        for demo_host in HOSTS:
            info = hosts.create_host(self.session, demo_host.data, actor=self.actor)
            tutor_ids = [
                hosts.add_tutor(self.session, info.id, tutor, actor=self.actor).id
                for tutor in demo_host.tutors
            ]
            self.directory.hosts.append((demo_host, info.id, tutor_ids))

    def place(self, intern: _Intern) -> tuple[_DemoHost, int, int]:
        """The least busy host of the learner's filière and department, and its tutor."""
        entries = self.directory.hosts
        pool = (
            [
                e
                for e in entries
                if intern.filiere in e[0].filieres
                and e[0].department == SITE_DEPARTMENT.get(intern.site)
            ]
            or [e for e in entries if intern.filiere in e[0].filieres]
            or entries
        )
        load = self.directory.load
        demo_host, host_id, tutors = min(
            pool, key=lambda e: (sum(load.get(t, 0) for t in e[2]), self.rng.random())
        )
        tutor = min(tutors, key=lambda t: (load.get(t, 0), tutors.index(t)))
        load[tutor] = load.get(tutor, 0) + 1
        return demo_host, host_id, tutor

    # -- learners

    def interns(self, season: str) -> list[_Intern]:
        """Learners of `season` whose history went through en_stage, in id order."""
        rows = self.session.execute(
            select(StageChange.candidate_id, StageChange.changed_at, Stage.code)
            .join(Stage, Stage.id == StageChange.to_stage_id)
            .join(Candidate, Candidate.id == StageChange.candidate_id)
            .join(Season, Season.id == Candidate.season_id)
            .where(Season.label == season)
            .order_by(StageChange.candidate_id, StageChange.id)
        )
        periods: dict[int, list[date | None]] = {}
        for candidate_id, when, code in rows:
            if code == INTERN_STAGE and candidate_id not in periods:
                periods[candidate_id] = [when.date(), None]
            elif code == EXIT_STAGE and candidate_id in periods:
                period = periods[candidate_id]
                period[1] = period[1] or when.date()
        result = []
        for candidate_id, (start, left) in sorted(periods.items()):
            assert start is not None
            candidate = self.session.get(Candidate, candidate_id)
            assert candidate is not None
            window_end = cohort_window(candidate.season.start_date)[1]
            end = min(left, window_end) if left and left > start else window_end
            result.append(
                _Intern(
                    id=candidate_id,
                    site=self.site_codes[candidate.site_id],
                    filiere=self.filiere(candidate),
                    start=start,
                    end=end,
                    exit_type=candidate.exit_type or "",
                )
            )
        return result

    def filiere(self, candidate: Candidate) -> str:
        code = self.filiere_codes.get(candidate.filiere_id or 0)
        if code:
            return code
        decided = self.session.scalar(
            select(OrientationDecision.filiere_id)
            .where(OrientationDecision.candidate_id == candidate.id)
            .order_by(OrientationDecision.decided_at.desc(), OrientationDecision.id.desc())
            .limit(1)
        )
        return self.filiere_codes.get(decided or 0) or "reseaux"

    # -- agreements

    def draft(self, intern: _Intern, schedule: dict[int, str], day: date) -> details.AgreementInfo:
        rng = self.rng
        demo_host, host_id, tutor_id = self.place(intern)
        amount, unit, mode = demo_host.indemnity
        referent = rng.choice(words.STAFF[intern.site].formateurs)
        data = AgreementInput(
            candidat=str(intern.id),
            structure=str(host_id),
            tuteur=str(tutor_id),
            formateur_referent=referent,
            telephone_referent=_referent_phone(referent),
            email_referent=_referent_email(referent),
            financeur=rng.choice(("region", "region", "france_travail")),
            date_debut=format_date(intern.start),
            date_fin=format_date(intern.end),
            horaires=dict(schedule),
            activites=f"{demo_host.mission}\n{rng.choice(ACTIVITIES[intern.filiere])}",
            competences=COMPETENCES[intern.filiere],
            indemnite=amount,
            unite_indemnite=unit,
            mode_versement=mode,
            avantages=demo_host.benefits,
        )
        now = datetime.combine(day, time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))))
        return life_cycle.create_draft(self.session, data, actor=self.actor, now=now)

    def sign(self, agreement_id: int, ready_day: date) -> None:
        """Ready, then signed by the five signatories; only what happened before today."""
        rng = self.rng
        if ready_day >= self.today:
            return
        life_cycle.mark_ready(
            self.session,
            agreement_id,
            actor=self.actor,
            now=datetime.combine(ready_day, time(11)),
        )
        offsets = sorted(rng.sample(range(4, 15), len(SIGNING_ORDER)))
        for minute, (who, offset) in enumerate(zip(SIGNING_ORDER, offsets, strict=True)):
            signed_on = _weekday_after(ready_day + timedelta(days=offset))
            if signed_on >= self.today:
                return
            life_cycle.record_signature(
                self.session,
                agreement_id,
                who.value,
                signed_on,
                actor=self.actor,
                now=datetime.combine(signed_on, time(17, minute)),
            )

    def refresh(self, agreement_id: int, day: date) -> None:
        if day <= self.today:
            life_cycle.refresh_status(
                self.session, agreement_id, day, now=datetime.combine(day, time(6))
            )

    def amend(self, agreement_id: int, intern: _Intern) -> None:
        day = _weekday_after(intern.start + timedelta(days=15))
        current = details.get_agreement(self.session, agreement_id).values
        changed = replace(current, horaires=dict(WEDNESDAY_AFTERNOON_OFF))
        created = amendments.create_amendment(
            self.session,
            agreement_id,
            changed,
            AMENDMENT_REASON,
            actor=self.actor,
            now=datetime.combine(day, time(10)),
        )
        signed_on = _weekday_after(day + timedelta(days=2))
        amendments.sign_amendment(
            self.session,
            agreement_id,
            created.rank,
            signed_on,
            actor=self.actor,
            now=datetime.combine(signed_on, time(17)),
        )

    def break_off(self, agreement_id: int, intern: _Intern) -> None:
        ended_on = _weekday_after(intern.start + timedelta(days=self.rng.randint(23, 27)))
        if intern.exit_type in HIRED_EXITS:
            hired = _weekday_after(ended_on + timedelta(days=1))
            contract = "CDI" if intern.exit_type == "cdi" else "CDD"
            reason = BREAK_OFF_REASONS["hired"].format(contract=contract, day=format_date(hired))
        else:
            reason = BREAK_OFF_REASONS["health"]
        life_cycle.break_off(
            self.session,
            agreement_id,
            ended_on,
            reason,
            actor=self.actor,
            now=datetime.combine(ended_on, time(17, 30)),
        )

    def past_season(self, season: str) -> tuple[int, int, int]:
        rng = self.rng
        interns = self.interns(season)
        if not interns:
            return 0, 0, 0
        hired = [i for i in interns if i.exit_type in HIRED_EXITS]
        broken = rng.choice(hired or interns)
        amended = rng.choice([i for i in interns if i is not broken] or interns)
        # As the README shows them: the eleventh agreement (FAB-…-0011) broken off by a hiring,
        # the fifth (FAB-…-0005) amended (the draws above are kept: the rest stays put).
        broken = next((i for i in interns[10:] if i in hired), broken)
        amended = next((i for i in interns[4:] if i is not broken), amended)
        for index, intern in enumerate(interns):
            full = intern is amended or rng.random() >= 0.3
            # The first agreement's sheet of absences (below) counts Wednesday afternoons off
            # (276,5 h planned) whatever the draw, as the README shows it.
            full = full and (index > 0 or intern is amended)
            schedule = FULL_WEEK if full else WEDNESDAY_AFTERNOON_OFF
            drafted = _weekday_after(intern.start - timedelta(days=rng.randint(36, 42)))
            info = self.draft(intern, schedule, drafted)
            self.sign(info.id, _weekday_after(drafted + timedelta(days=rng.randint(1, 3))))
            self.refresh(info.id, intern.start)
            if intern is amended and intern is not broken:
                self.amend(info.id, intern)
            if intern is broken and intern.start <= self.today:
                self.break_off(info.id, intern)
                continue
            self.refresh(info.id, intern.end + timedelta(days=1))
        self.absences(season)
        return len(interns), int(amended is not broken), 1

    def absences(self, season: str) -> None:
        """The first finished agreement of the season without amendment (by number) gets a
        tutor's sheet with absences: a justified day, a late arrival, an unjustified
        afternoon; its attestation's hours done fall below the planned hours. No draw from
        the random generator: the rest of the demo is unchanged."""
        from app.domain import Agreement, Amendment
        from app.domain.agreement import AgreementStatus
        from app.domain.agreement_rules import effective_hours
        from app.domain.agreement_terms import terms_in_force
        from app.services.agreements.presence import AbsenceInput, record_absence
        from app.services.permissions import ROLE_FORMATEUR

        agreement_id = self.session.scalar(
            select(Agreement.id)
            .join(Candidate, Candidate.id == Agreement.candidate_id)
            .join(Season, Season.id == Candidate.season_id)
            .where(
                Season.label == season,
                Agreement.status == AgreementStatus.FINISHED.value,
                Agreement.id.not_in(select(Amendment.agreement_id)),
            )
            .order_by(Agreement.number)
            .limit(1)
        )
        if agreement_id is None:
            return
        info = details.get_agreement(self.session, agreement_id)
        days: list[date] = []
        day = info.start + timedelta(days=7)  # the second week's sheet
        while len(days) < 3 and day <= info.end:
            terms = terms_in_force(info.versions, day)
            if effective_hours(day, day, terms.week, terms.interruptions).days:
                days.append(day)
            day += timedelta(days=1)
        if len(days) < 3:
            return
        sheet = (
            (days[0], "matin", "absence", "", True, "Rendez-vous médical", True),
            (days[0], "apres_midi", "absence", "", True, "Rendez-vous médical", True),
            (days[1], "matin", "retard", "25", False, "Retard de bus", False),
            (days[2], "matin", "absence", "", False, "", False),
        )
        recorded = datetime.combine(min(info.end + timedelta(days=3), self.today), time(10))
        for when, half, kind, minutes, justified, reason, received in sheet:
            record_absence(
                self.session,
                agreement_id,
                AbsenceInput(format_date(when), half, kind, minutes, justified, reason, received),
                actor=demo_actor(info.referent or self.author, ROLE_FORMATEUR),
                now=recorded,
            )

    def season_in_training(self, planned: tuple[PlannedInternship, ...]) -> tuple[int, int]:
        """The current season's agreements as far as the calendar has gone: drafted about six
        weeks before the internship (a late placement three weeks before, and long a draft),
        then signed and started. Returns (agreements, of which drafts)."""
        rng = self.rng
        drafts = count = 0
        window_start = min((p.start for p in planned), default=self.today)
        for item in sorted(planned, key=lambda p: p.candidate_id):
            late = item.start > window_start + timedelta(days=7)
            before, wait = ((22, 24), (12, 14)) if late else ((36, 42), (1, 3))
            drafted = _weekday_after(item.start - timedelta(days=rng.randint(*before)))
            ready = _weekday_after(drafted + timedelta(days=rng.randint(*wait)))
            if drafted >= self.today:
                continue
            candidate = self.session.get(Candidate, item.candidate_id)
            assert candidate is not None
            intern = _Intern(
                id=item.candidate_id,
                site=self.site_codes[candidate.site_id],
                filiere=self.filiere(candidate),
                start=item.start,
                end=item.end,
                exit_type=item.exit_type,
            )
            schedule = FULL_WEEK if rng.random() >= 0.3 else WEDNESDAY_AFTERNOON_OFF
            info = self.draft(intern, schedule, drafted)
            count += 1
            drafts += ready >= self.today
            self.sign(info.id, ready)
            self.refresh(info.id, intern.start)
            self.refresh(info.id, intern.end + timedelta(days=1))
        return count, drafts

    def current_season(self, season: str) -> int:
        """Drafts for the first learners already in training; none before the season starts."""
        entered = self.session.scalars(
            select(Candidate)
            .join(Season, Season.id == Candidate.season_id)
            .join(Stage, Stage.id == Candidate.stage_id)
            .where(Season.label == season, Stage.counts_as_entry.is_(True))
            .order_by(Candidate.id)
            .limit(3)
        ).all()
        for candidate in entered:
            start_day, end_day = cohort_window(candidate.season.start_date)
            intern = _Intern(
                id=candidate.id,
                site=self.site_codes[candidate.site_id],
                filiere=self.filiere(candidate),
                start=_weekday_after(start_day),
                end=end_day,
                exit_type="",
            )
            self.draft(intern, FULL_WEEK, self.today)
        return len(entered)


# ---------------------------------------------------------------- entry point


def seed_agreements(
    session: Session,
    rng: random.Random,
    today: date,
    planned: tuple[PlannedInternship, ...] = (),
    current_rng: random.Random | None = None,
) -> AgreementsSummary:
    """Organisation settings, host directory and the agreements of both seasons (`planned`:
    the internships of the season in training, whose agreements come before its history
    reaches them; drawn from `current_rng`)."""
    year = reference.season_start_year(today)
    past, current = reference.season_label(year - 1), reference.season_label(year)
    seeder = _AgreementSeeder(session, rng, today)
    seeder.settings()
    seeder.hosts()
    count, amended, broken = seeder.past_season(past)
    seeder.rng = current_rng or rng
    if in_training(today):
        current_agreements, drafts = seeder.season_in_training(planned)
    else:
        drafts = current_agreements = seeder.current_season(current)
    session.flush()
    return AgreementsSummary(
        hosts=len(seeder.directory.hosts),
        tutors=sum(len(tutors) for _, _, tutors in seeder.directory.hosts),
        past_season=past,
        past_agreements=count,
        amended=amended,
        broken_off=broken,
        current_season=current,
        drafts=drafts,
        current_agreements=current_agreements,
        in_training=in_training(today),
    )
