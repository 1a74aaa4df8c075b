"""Demonstration data for the call for projects.

The finished season's call holds the programme's first real cases: a tool helping pupils of 3e
find an internship with the club FACE, the websites of the compagnie du Si and of the
association Dynamob in Loudun, the computers of the Usines Nouvelles. Retained in November,
each was given to the teams of a cohort's real-case activity in December, delivered at the
January restitution and closed with the structure's and the team's satisfaction. The current
season's call (1 October – 31 January) gets its own structures, and only what has happened
before the reference day: submissions, instruction, four projects retained and realised by the
cohorts in orientation, later submissions still waiting for the committee. The jury (the
demo's coordinator and trainers) scores each project under review on the default grid; one
reviewer declares a conflict of interest now and then.

Written on the domain models, as the coordination; stage histories are never touched.
Deterministic for a given day (no random draw).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import words
from app.demo.agreements import HOSTS
from app.domain import Host, Season
from app.domain.projects import (
    DeliverableKind,
    Project,
    ProjectActivity,
    ProjectCall,
    ProjectFiliere,
    ProjectMilestone,
    ProjectReview,
    ProjectSatisfaction,
    ProjectScore,
    ProjectState,
    ProjectStateChange,
)
from app.services import reference
from app.services.base_access.demo_mark import demo_actor
from app.services.hosts import directory as hosts
from app.services.hosts.directory import HostInput, TutorInput
from app.services.projects import reviews as project_reviews

S = ProjectState
PAST, CURRENT = "past", "current"


@dataclass(frozen=True)
class _Case:
    """A project as its structure submitted it, and where the season takes it.

    `slot`: the real-case sessions of the orientation programme it is worked on (see
    app/demo/orientation.py), "" when no cohort works on it during the orientation.
    `route`: (days after 1 October of the call's year, state, reason) after submission.
    """

    slot: str
    structure: str  # the host directory's name
    short: str  # how trainers call it in the sessions' titles
    title: str
    kind: DeliverableKind
    filieres: tuple[str, ...]
    submitted: int  # days after 1 October
    contact: tuple[str, str, str, str, str]  # name, function, phone, e-mail, availability
    need: str
    audience: str
    deliverable: str
    existing: str
    provided: str
    data: str
    accessibility: str
    calendar: str
    maintainer: str
    headcount: int
    route: tuple[tuple[int, ProjectState, str], ...] = ()
    satisfaction: tuple[tuple[int, int, int, int, str], ...] = field(default=())
    # The jury's scores, one row of five (the default grid) per reviewer of REVIEWERS; an
    # empty row: a conflict of interest declared.
    scores: tuple[tuple[int, ...], ...] = ()


# The demo's jury: its coordinator and its two trainers with an account (their usernames).
REVIEWERS = ("claire.vasseur", "julien.morel", "elodie.perrin")
CONFLICT_COMMENT = "Conflit d'intérêts déclaré : je suis bénévole dans cette structure."
REVIEW_COMMENTS = (
    "Besoin clair, contact disponible ; le calendrier tient dans la période d'orientation.",
    "Bon support pour travailler en équipe ; prévoir les contenus tôt.",
    "Intéressant pour la filière ; attention à la maintenance après livraison.",
)
_REALISED = (
    (44, S.COMPLETE, ""),
    (45, S.UNDER_REVIEW, ""),
    (54, S.RETAINED, "Retenu par le comité du {day} : besoin clair, structure disponible."),
)
# Realisation, in days after 1 December: delivered at the restitution, closed a month later.
DELIVERED_AFTER, CLOSED_AFTER = 38, 66


PAST_CASES: tuple[_Case, ...] = (
    _Case(
        slot="a",
        structure="Club FACE Vienne",
        short="club FACE",
        title="Outil de recherche de stage pour les élèves de 3e",
        kind=DeliverableKind.TOOL,
        filieres=("web", "contenus"),
        submitted=9,
        contact=(
            "Sylvie Marchadier",
            "Chargée de mission éducation",
            "06 41 28 73 19",
            "s.marchadier@face-vienne.exemple.fr",
            "Le mardi et le jeudi, de 9 h à 17 h",
        ),
        need=(
            "Les élèves de 3e des collèges de quartier trouvent difficilement un stage "
            "d'observation ; les entreprises du club en proposent mais les offres circulent "
            "par courriel."
        ),
        audience="Élèves de 3e, professeurs principaux, entreprises du club.",
        deliverable="Un outil en ligne où les entreprises déposent des offres de stage.",
        existing="Un tableur partagé et des courriels.",
        provided="La liste des entreprises partenaires et les textes de présentation.",
        data="Coordonnées des entreprises uniquement ; pas de données d'élèves.",
        accessibility="Lisible sur téléphone, contrastes suffisants (RGAA).",
        calendar="Utilisable pour la campagne de stages de février.",
        maintainer="La chargée de mission du club met les offres à jour.",
        headcount=3,
        satisfaction=(
            (5, 4, 5, 4, "Les collèges utilisent l'outil depuis février."),
            (4, 4, 5, 4, "Un vrai client, des retours rapides."),
        ),
    ),
    _Case(
        slot="b",
        structure="Dynamob",
        short="Dynamob",
        title="Site web de l'association (Loudun)",
        kind=DeliverableKind.WEBSITE,
        filieres=("web", "contenus"),
        submitted=15,
        contact=(
            "Emma Pineau",
            "Chargée de projet numérique",
            "06 52 38 71 46",
            "e.pineau@dynamob.exemple.fr",
            "Du lundi au vendredi, le matin",
        ),
        need="Faire connaître les services de mobilité solidaire du Loudunais.",
        audience="Habitants sans moyen de transport, travailleurs sociaux, partenaires.",
        deliverable="Un site vitrine avec les services, les tarifs et un formulaire de contact.",
        existing="Une page Facebook.",
        provided="Textes, photos des véhicules, logo.",
        data="Formulaire de contact : nom, téléphone, message (durée de conservation à fixer).",
        accessibility="Textes simples (FALC pour la page d'accueil), contrastes.",
        calendar="En ligne avant la fin janvier.",
        maintainer="La chargée de projet numérique.",
        headcount=12,
        satisfaction=(
            (4, 4, 4, 3, "Site en ligne ; la livraison a pris une semaine de retard."),
            (4, 3, 4, 3, "Beaucoup de contenus arrivés tard."),
        ),
    ),
    _Case(
        slot="c",
        structure="Compagnie du Si",
        short="compagnie du Si",
        title="Site web de la compagnie de théâtre",
        kind=DeliverableKind.WEBSITE,
        filieres=("web", "contenus"),
        submitted=20,
        contact=(
            "Louise Caillaud",
            "Administratrice de production",
            "06 27 64 15 88",
            "louise@compagniedusi.exemple.fr",
            "Le lundi et le vendredi après-midi",
        ),
        need="Présenter les spectacles, les ateliers et les dates de tournée.",
        audience="Public, programmateurs de salles, participants des ateliers.",
        deliverable="Un site avec un agenda des représentations.",
        existing="Un ancien site qui ne se met plus à jour.",
        provided="Dossiers de spectacles, photos, vidéos.",
        data="Lettre d'information : adresse électronique avec consentement.",
        accessibility="Sous-titres des vidéos, textes alternatifs des photos.",
        calendar="Avant la saison de printemps.",
        maintainer="L'administratrice met l'agenda à jour.",
        headcount=4,
        satisfaction=(
            (5, 5, 4, 4, "L'agenda est simple à tenir à jour."),
            (5, 4, 4, 4, "Projet motivant, belle restitution."),
        ),
    ),
    _Case(
        slot="d",
        structure="Les Usines Nouvelles",
        short="Usines Nouvelles",
        title="Inventaire et remise en état du parc informatique du tiers-lieu",
        kind=DeliverableKind.NETWORK,
        filieres=("reseaux",),
        submitted=27,
        contact=(
            "Nina Roussel",
            "Fabmanageuse",
            "06 09 41 73 25",
            "nina@usines-nouvelles.exemple.fr",
            "Du mercredi au samedi",
        ),
        need="Des postes hétérogènes, lents, sans inventaire ni sauvegarde.",
        audience="Résidents du tiers-lieu et publics des ateliers.",
        deliverable="Inventaire, postes réinstallés, réseau Wi-Fi invités séparé.",
        existing="Une douzaine d'ordinateurs donnés, une box internet.",
        provided="Accès aux locaux, licences existantes.",
        data="Aucune donnée personnelle sur les postes partagés.",
        accessibility="Un poste adapté (clavier gros caractères, loupe).",
        calendar="Pendant la fermeture de janvier.",
        maintainer="La fabmanageuse, avec la documentation remise.",
        headcount=5,
        satisfaction=(
            (5, 4, 5, 5, "Le parc est documenté, les résidents le voient."),
            (4, 4, 4, 5, "Intervention concrète sur du vrai matériel."),
        ),
    ),
    _Case(
        slot="",
        structure="Sèvre Numérique Services",
        short="Sèvre Numérique Services",
        title="Refonte de l'intranet de l'entreprise",
        kind=DeliverableKind.WEBSITE,
        filieres=("web",),
        submitted=36,
        contact=(
            "Céline Perrot",
            "Cheffe de projet web",
            "05 49 17 52 94",
            "c.perrot@sevre-numerique.exemple.fr",
            "En semaine",
        ),
        need="Un intranet plus simple pour les équipes.",
        audience="Les salariés de l'entreprise.",
        deliverable="Un intranet.",
        existing="Un intranet ancien.",
        provided="Maquettes internes.",
        data="Annuaire des salariés.",
        accessibility="",
        calendar="Printemps.",
        maintainer="Le service informatique.",
        headcount=34,
        route=(
            (40, S.UNDER_REVIEW, ""),
            (
                54,
                S.NOT_RETAINED,
                "Structure de plus de 20 salariés : hors du champ de l'appel à projets.",
            ),
        ),
    ),
)

CURRENT_CASES: tuple[_Case, ...] = (
    _Case(
        slot="a",
        structure="La Courte Échelle",
        short="Courte Échelle",
        title="Outil d'inscription aux ateliers de soutien scolaire",
        kind=DeliverableKind.TOOL,
        filieres=("web",),
        submitted=6,
        contact=(
            "Mélanie Chartier",
            "Coordinatrice",
            "06 37 82 15 44",
            "coordination@courte-echelle.exemple.fr",
            "Le mercredi toute la journée",
        ),
        need="Les inscriptions aux ateliers se font sur papier et se perdent.",
        audience="Familles du quartier, bénévoles de l'association.",
        deliverable="Un formulaire d'inscription et un tableau des places par atelier.",
        existing="Des fiches papier et un tableur.",
        provided="Le planning des ateliers et les textes.",
        data="Nom de l'enfant, classe, téléphone d'un parent ; effacés en juillet.",
        accessibility="Utilisable sur téléphone ; textes courts.",
        calendar="Pour les inscriptions de février.",
        maintainer="La coordinatrice.",
        headcount=2,
    ),
    _Case(
        slot="b",
        structure="Le Jardin partagé des Couronneries",
        short="Jardin des Couronneries",
        title="Site web du jardin partagé",
        kind=DeliverableKind.WEBSITE,
        filieres=("web", "contenus"),
        submitted=13,
        contact=(
            "Paul Verdier",
            "Président",
            "06 74 20 31 58",
            "jardin.couronneries@exemple.fr",
            "Le samedi matin au jardin, en semaine par courriel",
        ),
        need="Faire connaître le jardin et ses ateliers aux habitants.",
        audience="Habitants du quartier, écoles, centre social.",
        deliverable="Un site simple avec un agenda des ateliers.",
        existing="Des affiches dans le quartier.",
        provided="Photos, textes des ateliers, plan d'accès.",
        data="Aucune (pas de formulaire).",
        accessibility="Textes simples, contrastes, textes alternatifs.",
        calendar="Au printemps, pour la saison des plantations.",
        maintainer="Deux bénévoles formés à la fin du projet.",
        headcount=0,
    ),
    _Case(
        slot="c",
        structure="Théâtre du Lavoir",
        short="Théâtre du Lavoir",
        title="Site web et billetterie simple",
        kind=DeliverableKind.WEBSITE,
        filieres=("web", "contenus"),
        submitted=19,
        contact=(
            "Agathe Rivaud",
            "Chargée de communication",
            "06 18 47 52 09",
            "communication@theatre-du-lavoir.exemple.fr",
            "Du mardi au vendredi, l'après-midi",
        ),
        need="Les spectateurs réservent par téléphone ; le site ne présente pas la saison.",
        audience="Public du théâtre, scolaires, compagnies accueillies.",
        deliverable="Un site avec la saison et un formulaire de réservation.",
        existing="Un site ancien sans agenda.",
        provided="Programme de la saison, visuels.",
        data="Réservations : nom, téléphone, nombre de places ; effacées après le spectacle.",
        accessibility="Mention de l'accessibilité des salles, contrastes.",
        calendar="Avant le festival de printemps.",
        maintainer="La chargée de communication.",
        headcount=6,
    ),
    _Case(
        slot="d",
        structure="Ressourcerie Le Grenier",
        short="Ressourcerie Le Grenier",
        title="Atelier de reconditionnement : inventaire et installation des postes",
        kind=DeliverableKind.NETWORK,
        filieres=("reseaux",),
        submitted=27,
        contact=(
            "Hugo Brissonnet",
            "Encadrant technique",
            "06 55 13 86 27",
            "atelier@ressourcerie-grenier.exemple.fr",
            "Du lundi au jeudi",
        ),
        need="Des dons d'ordinateurs à trier, effacer et réinstaller pour la boutique.",
        audience="Clients de la boutique solidaire, salariés en insertion.",
        deliverable="Inventaire, procédure d'effacement, postes réinstallés.",
        existing="Un stock d'ordinateurs non triés.",
        provided="Le matériel, un local, des clés USB.",
        data="Effacement certifié des disques donnés.",
        accessibility="",
        calendar="Avant l'ouverture de la boutique en février.",
        maintainer="L'encadrant technique, avec la procédure écrite.",
        headcount=14,
    ),
    _Case(
        slot="",
        structure="Handball Club de Chauray",
        short="Handball Club de Chauray",
        title="Site du club et communication sur les réseaux sociaux",
        kind=DeliverableKind.CONTENT,
        filieres=("contenus",),
        submitted=68,
        contact=(
            "Nicolas Texier",
            "Secrétaire",
            "06 29 74 61 83",
            "secretariat@hbc-chauray.exemple.fr",
            "Le soir après 18 h",
        ),
        need="Les licenciés ne trouvent pas les horaires ni les résultats.",
        audience="Licenciés, parents, partenaires du club.",
        deliverable="Un site et un calendrier de publications.",
        existing="Un groupe de messagerie.",
        provided="Calendrier des matchs, photos.",
        data="Photos de mineurs : autorisation des parents à recueillir.",
        accessibility="",
        calendar="Pour la seconde partie de saison.",
        maintainer="Le secrétaire du club.",
        headcount=0,
        route=((72, S.COMPLETE, ""), (125, S.UNDER_REVIEW, "")),
    ),
    _Case(
        slot="",
        structure="Épicerie solidaire La Passerelle",
        short="La Passerelle",
        title="Outil de gestion des créneaux des bénévoles",
        kind=DeliverableKind.TOOL,
        filieres=("web",),
        submitted=110,
        contact=(
            "Fatima Benyahia",
            "Responsable de l'épicerie",
            "05 49 21 47 30",
            "epicerie@la-passerelle.exemple.fr",
            "Le lundi et le jeudi",
        ),
        need="Le planning des bénévoles se fait par téléphone.",
        audience="Bénévoles de l'épicerie.",
        deliverable="Un outil de planning en ligne.",
        existing="Un tableau papier.",
        provided="",
        data="Nom et téléphone des bénévoles.",
        accessibility="",
        calendar="À préciser.",
        maintainer="",
        headcount=3,
        route=((114, S.INCOMPLETE, "Pièces manquantes : statuts et numéro RNA."),),
    ),
)

_NEW_HOSTS: tuple[HostInput, ...] = (
    HostInput(
        "Club FACE Vienne", "association", "W863007412", "94.99Z", "1 à 9",
        "4 rue de l'Industrie", "86000", "Poitiers", "Sylvie Marchadier",
        "Chargée de mission éducation", "05 49 41 62 70", "contact@face-vienne.exemple.fr",
        "MAIF", "4 305 118 F",
    ),
    HostInput(
        "La Courte Échelle", "association", "W863008125", "85.59B", "1 à 9",
        "12 rue de la Vallée", "86000", "Poitiers", "Mélanie Chartier", "Coordinatrice",
        "05 49 37 12 84", "coordination@courte-echelle.exemple.fr", "MAIF", "4 417 902 C",
    ),
    HostInput(
        "Le Jardin partagé des Couronneries", "association", "W863008561", "94.99Z",
        "0 salarié", "Rue de Nimègue", "86000", "Poitiers", "Paul Verdier", "Président",
        "06 74 20 31 58", "jardin.couronneries@exemple.fr", "MACIF", "RC 82 117 540",
    ),
    HostInput(
        "Théâtre du Lavoir", "association", "W792004518", "90.04Z", "1 à 9",
        "3 rue du Lavoir", "79000", "Niort", "Agathe Rivaud", "Chargée de communication",
        "05 49 24 19 66", "communication@theatre-du-lavoir.exemple.fr", "MAIF", "3 992 461 L",
    ),
    HostInput(
        "Ressourcerie Le Grenier", "association", "W863009034", "47.79Z", "10 à 19",
        "25 rue des Entreprises", "86180", "Buxerolles", "Hugo Brissonnet",
        "Encadrant technique", "05 49 44 80 12", "atelier@ressourcerie-grenier.exemple.fr",
        "MAIF", "4 118 653 G",
    ),
    HostInput(
        "Handball Club de Chauray", "association", "W792005207", "93.12Z", "0 salarié",
        "Salle omnisports, rue des Sports", "79180", "Chauray", "Nicolas Texier", "Secrétaire",
        "06 29 74 61 83", "secretariat@hbc-chauray.exemple.fr", "MAIF", "3 876 205 H",
    ),
    HostInput(
        "Épicerie solidaire La Passerelle", "association", "W863009510", "47.11B", "1 à 9",
        "8 avenue Camille Pagé", "86100", "Châtellerault", "Fatima Benyahia",
        "Responsable de l'épicerie", "05 49 21 47 30", "epicerie@la-passerelle.exemple.fr",
        "MACIF", "RC 84 302 776",
    ),
)  # fmt: skip

SESSION_STEPS = {
    "a": ("cadrage avec la structure", "maquettes et présentation à la structure"),
    "b": ("recueil des besoins", "arborescence et maquette", "intégration des contenus"),
    "c": ("recueil des besoins", "arborescence et maquette", "intégration des contenus"),
    "d": ("inventaire du parc", "installation des postes"),
}


_SCORES: dict[str, tuple[tuple[int, ...], ...]] = {
    "Club FACE Vienne": ((5, 4, 5, 4, 4), (5, 4, 4, 4, 3), (4, 5, 5, 4, 4)),
    "Dynamob": ((4, 4, 4, 3, 4), (4, 3, 4, 4, 3), (4, 4, 3, 3, 4)),
    "Compagnie du Si": ((4, 4, 4, 5, 3), (4, 4, 5, 4, 4), ()),
    "Les Usines Nouvelles": ((4, 5, 4, 4, 5), (5, 4, 4, 4, 4), (4, 4, 5, 3, 4)),
    "Sèvre Numérique Services": ((2, 3, 3, 3, 2), (2, 2, 3, 3, 3), (1, 3, 2, 3, 2)),
    "La Courte Échelle": ((5, 4, 4, 5, 4), (4, 4, 5, 4, 4), (5, 5, 4, 4, 3)),
    "Le Jardin partagé des Couronneries": ((4, 4, 4, 4, 3), (4, 5, 4, 3, 3), (4, 4, 3, 4, 3)),
    "Théâtre du Lavoir": ((4, 3, 4, 4, 4), (), (4, 4, 4, 3, 4)),
    "Ressourcerie Le Grenier": ((5, 4, 4, 4, 4), (4, 4, 4, 4, 5), (4, 5, 4, 4, 4)),
    "Handball Club de Chauray": ((3, 4, 3, 4, 3), (3, 3, 4, 3, 2)),
}
# Reviews come two to six days after the project is put under review.
_REVIEW_DELAYS = (2, 4, 6)


def cases(role: str) -> dict[str, _Case]:
    """The projects worked on in the orientation's real-case sessions, by slot."""
    chosen = PAST_CASES if role == PAST else CURRENT_CASES
    return {case.slot: case for case in chosen if case.slot}


def project_activity_title(case: _Case) -> str:
    """The title the call's service gives a project's activity in a cohort."""
    return f"Projet réel : {case.title} ({case.structure})"


def session_title(case: _Case, step: str) -> str:
    """A later work session on the project, in the same cohort."""
    return f"Projet réel {case.short} : {step}"


# ---------------------------------------------------------------- what the caller gets


@dataclass(frozen=True)
class ProjectsSummary:
    past_season: str
    past_projects: int
    closed: int
    current_season: str
    current_projects: int
    retained: int

    def describe(self) -> str:
        return (
            f"appels à projets : {self.past_season} : {self.past_projects} projets, dont "
            f"{self.closed} réalisés et clos ; {self.current_season} : "
            f"{self.current_projects} projets reçus, dont {self.retained} retenus."
        )


# ---------------------------------------------------------------- the seeder


class _ProjectsSeeder:
    def __init__(self, session: Session, today: date) -> None:
        self.session = session
        self.today = today
        self.author = words.STAFF["cobalt"].coordination_author
        self.filieres = {f.code: f.id for f in reference.filieres(session)}

    def hosts(self) -> dict[str, int]:
        known = {name: id_ for id_, name in self.session.execute(select(Host.id, Host.name))}
        actor = demo_actor(self.author)
        contacts = {case.structure: case.contact for case in (*PAST_CASES, *CURRENT_CASES)}
        # The directory's structures (app/demo/agreements.py) are there unless its seeding
        # was left out; then the call's are added like the others.
        directory = {h.data.nom: h.data for h in HOSTS if h.data.nom in contacts}
        for data in (*directory.values(), *_NEW_HOSTS):
            if data.nom in known:
                continue
            known[data.nom] = hosts.create_host(self.session, data, actor=actor).id
            # The project's contact, known as a tutor should the structure take an intern.
            name, function, phone, email, _ = contacts[data.nom]
            tutor = TutorInput(name, function, phone, email)
            hosts.add_tutor(self.session, known[data.nom], tutor, actor=actor)
        return known

    def at(self, day: date, hour: int = 17) -> datetime:
        return datetime.combine(day, time(hour))

    def call(self, year: int) -> ProjectCall:
        season = reference.ensure_season(self.session, reference.season_label(year))
        call = ProjectCall(
            season=season,
            opens_on=date(year, 10, 1),
            closes_on=date(year + 1, 1, 31),
            notes="Associations et structures de moins de 20 salariés de la Vienne et des "
            "Deux-Sèvres.",
        )
        self.session.add(call)
        self.session.flush()
        return call

    def project(
        self, call: ProjectCall, number: int, case: _Case, host_id: int, year: int
    ) -> Project | None:
        opens = date(year, 10, 1)
        submitted = opens + timedelta(days=case.submitted)
        if submitted >= self.today:
            return None
        name, function, phone, email, availability = case.contact
        project = Project(
            call=call,
            number=number,
            host_id=host_id,
            title=case.title,
            submitted_on=submitted,
            contact_name=name,
            contact_function=function,
            contact_phone=phone,
            contact_email=email,
            contact_availability=availability,
            need=case.need,
            audience=case.audience,
            deliverable_kind=case.kind.value,
            deliverable=case.deliverable,
            existing=case.existing,
            provided_content=case.provided,
            data_constraints=case.data,
            accessibility_constraints=case.accessibility,
            calendar=case.calendar,
            maintainer=case.maintainer,
            licence_accepted=True,
            headcount=case.headcount,
            created_by=self.author,
        )
        project.filiere_links = [
            ProjectFiliere(filiere_id=self.filieres[code]) for code in case.filieres
        ]
        self.session.add(project)
        self.session.flush()
        self.change(project, S.RECEIVED, "", submitted, hour=10)
        route = _REALISED if case.slot else case.route
        for days, state, reason in route:
            day = opens + timedelta(days=days)
            if day >= self.today:
                break
            self.change(project, state, reason.format(day=day.strftime("%d/%m/%Y")), day)
            if state == S.UNDER_REVIEW:
                self.reviews(project, case, day)
        return project

    def reviews(self, project: Project, case: _Case, under_review: date) -> None:
        """The jury's scores while the project is under review (before its decision)."""
        criteria = [c.id for c in project_reviews.scoring_criteria(self.session)]
        rows = _SCORES.get(case.structure, ())
        for index, (reviewer, scores) in enumerate(zip(REVIEWERS, rows, strict=False)):
            day = under_review + timedelta(days=_REVIEW_DELAYS[index])
            if day >= self.today:
                return
            conflict = not scores
            review = ProjectReview(
                project_id=project.id,
                reviewer=reviewer,
                conflict_of_interest=conflict,
                comment=CONFLICT_COMMENT if conflict else REVIEW_COMMENTS[index],
                recorded_at=self.at(day, 12),
            )
            review.scores = [
                ProjectScore(criterion_id=criterion, score=score)
                for criterion, score in zip(criteria, scores, strict=False)
            ]
            self.session.add(review)

    def change(
        self, project: Project, state: ProjectState, reason: str, day: date, hour: int = 17
    ) -> None:
        project.state = state.value
        project.state_reason = reason
        self.session.add(
            ProjectStateChange(
                project_id=project.id,
                state=state.value,
                reason=reason,
                changed_by=self.author,
                changed_at=self.at(day, hour),
            )
        )

    def realise(
        self, project: Project, case: _Case, year: int, activities: list[tuple[int, date]]
    ) -> bool:
        """Given to the teams of each cohort's activity, delivered, closed; up to today."""
        start = date(year, 12, 1)
        for activity_id, _ in activities:
            self.session.add(ProjectActivity(project_id=project.id, activity_id=activity_id))
        # Given to the teams on the Thursday before the cohort's first session on it.
        given = [_given_on(day) for _, day in activities]
        if project.state != S.RETAINED.value or not given or min(given) >= self.today:
            return False
        self.change(project, S.IN_PROGRESS, "", min(given), hour=16)
        delivered = start + timedelta(days=DELIVERED_AFTER)
        for title, due in (
            ("Cadrage validé par la structure", start + timedelta(days=10)),
            ("Maquette présentée à la structure", start + timedelta(days=21)),
            ("Livraison et restitution", delivered),
        ):
            done = due < self.today
            project.milestones.append(
                ProjectMilestone(
                    title=title, due_on=due, state="fait" if done else "prevu",
                    done_on=due if done else None,
                )
            )  # fmt: skip
        if delivered >= self.today:
            return False
        project.delivered_on = delivered
        project.delivery_notes = f"{case.deliverable} Remis à la structure à la restitution."
        self.change(project, S.DELIVERED, "", delivered)
        closed = start + timedelta(days=CLOSED_AFTER)
        if closed >= self.today:
            return False
        for respondent, grid in zip(("structure", "equipe"), case.satisfaction, strict=False):
            need, quality, communication, deadlines, comment = grid
            self.session.add(
                ProjectSatisfaction(
                    project_id=project.id, respondent=respondent, need_met=need,
                    quality=quality, communication=communication, deadlines=deadlines,
                    comment=comment, recorded_by=self.author, recorded_at=self.at(closed, 11),
                )
            )  # fmt: skip
        self.change(project, S.CLOSED, "", closed)
        return True


def _given_on(first_session: date) -> date:
    """The Thursday before a project's first session."""
    day = first_session - timedelta(days=1)
    while day.weekday() != 3:
        day -= timedelta(days=1)
    return day


# ---------------------------------------------------------------- entry point


def seed_projects(
    session: Session,
    today: date,
    real_cases: dict[str, tuple[tuple[int, str, date], ...]],
) -> ProjectsSummary:
    """Both seasons' calls; `real_cases`: per role, the orientation's project activities
    (activity id, slot, day) to link to the projects they realise."""
    seeder = _ProjectsSeeder(session, today)
    host_ids = seeder.hosts()
    year = reference.season_start_year(today)
    counts: dict[str, tuple[int, int, int]] = {}
    for role, season_year in ((PAST, year - 1), (CURRENT, year)):
        call = seeder.call(season_year)
        created = closed = retained = 0
        chosen = PAST_CASES if role == PAST else CURRENT_CASES
        for number, case in enumerate(chosen, start=1):
            project = seeder.project(call, number, case, host_ids[case.structure], season_year)
            if project is None:
                continue
            created += 1
            linked = [(a, day) for a, slot, day in real_cases.get(role, ()) if slot == case.slot]
            if case.slot:
                closed += seeder.realise(project, case, season_year, linked)
            retained += project.state in {S.RETAINED, S.IN_PROGRESS, S.DELIVERED, S.CLOSED}
        counts[role] = (created, closed, retained)
    session.flush()
    season_labels = dict(session.execute(select(Season.start_date, Season.label)).tuples().all())
    return ProjectsSummary(
        past_season=season_labels[date(year - 1, 12, 1)],
        past_projects=counts[PAST][0],
        closed=counts[PAST][1],
        current_season=season_labels[date(year, 12, 1)],
        current_projects=counts[CURRENT][0],
        retained=counts[CURRENT][2],
    )
