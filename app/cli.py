"""Command line of CONTRACT.md. Exit 0 done, 1 refused (French message on stderr), 2 usage."""

import argparse
import logging
import multiprocessing
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.config import database_url
from app.errors import StorageError, describe_os_error
from app.services.errors import UserFacingError, ValidationError

if TYPE_CHECKING:
    from app.services.accounts.command_line import CommandActor
    from app.services.accounts.management import SignedInAccount
    from app.storage import Database

log = logging.getLogger(__name__)

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
USER_HELP = (
    "compte qui agit (mot de passe demandé au terminal, ou lu dans FABRIQUE_PASSWORD) ; "
    "inutile sur une base de démonstration"
)
PASSWORD_VARIABLE = "FABRIQUE_PASSWORD"
# `import candidates --known`: the values of import_preview.KnownChoice (a test checks), written
# here so that building the parser imports no service.
KNOWN_CHOICES = ("ignorer", "nouvelle-candidature", "creer")
# `report`: the values of reports.exports.ReportKind, then the extract and the PDF (a test
# checks).
REPORT_CHOICES = ("funnel", "indicators", "outcomes", "due", "extract", "bilan")
RECOVERY_VARIABLE = "FABRIQUE_RECOVERY_KEY"
NOT_JOURNALED = (
    "Attention : {what}, mais le journal des actions n'a pas pu l'inscrire (le détail est "
    "dans le journal technique).\n"
)
# Who the journal names for what a command saves when it acted without signing in (a restore
# onto a missing or unreadable base).
UNSIGNED_AUTHOR = "ligne de commande"
# What a command returns: its exit status and the account it acted as (None: no sign-in).
Outcome = tuple[int, "CommandActor | None"]
# The account a password signed in while unlocking a protected base, by id(database).
_signed_in: dict[int, "SignedInAccount"] = {}
_typed_passwords: dict[str, str] = {}
PASSWORD_MISSING = (
    "Mot de passe introuvable : le taper au terminal, ou le donner dans la variable "
    "d'environnement FABRIQUE_PASSWORD (automatisation)."
)


# argparse looks its own messages up through argparse._ at run time: answer in French.
_ARGPARSE_FRENCH = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "choix invalide : %(value)r (possibles : %(choices)s)"
    ),
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "expected one argument": "une valeur est attendue",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "ambiguous option: %(option)s could match %(matches)s": (
        "option ambiguë : %(option)s peut désigner %(matches)s"
    ),
    "invalid %(type)s value: %(value)r": "valeur invalide : %(value)r",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
}
argparse._ = lambda text: _ARGPARSE_FRENCH.get(text, text)  # type: ignore[attr-defined]


class FrenchArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"Erreur d'utilisation : {message}\n")
        sys.exit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(
        prog="main.py",
        description="Fabrique Accueil — accueil des candidats de La Fabrique du Numérique.",
    )
    parser.add_argument("--db", help="fichier SQLite ou URL SQLAlchemy de la base")
    parser.add_argument("--user", help=USER_HELP)
    parser.add_argument(
        "--demo", action="store_true", help="ouvrir sur une base de démonstration neuve"
    )
    # For the packaging smoke tests (app/self_check.py), not a user's command.
    parser.add_argument("--self-check", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", parser_class=FrenchArgumentParser)

    seed = commands.add_parser(
        "seed-demo", help="remplir la base avec les données de démonstration"
    )
    seed.add_argument("--db", dest="db_sub", metavar="DB", help="fichier SQLite ou URL SQLAlchemy")
    seed.add_argument("--user", dest="user_sub", metavar="NOM", help=USER_HELP)

    imp = commands.add_parser("import", help="importer un fichier CSV")
    imp.add_argument("what", choices=["candidates", "projects"])
    imp.add_argument("file", type=Path)
    imp.add_argument("--db", dest="db_sub", metavar="DB", help="fichier SQLite ou URL SQLAlchemy")
    imp.add_argument("--user", dest="user_sub", metavar="NOM", help=USER_HELP)
    imp.add_argument("--dry-run", action="store_true", help="vérifier sans rien importer")
    imp.add_argument(
        "--valid-only", action="store_true", help="importer les lignes valides, ignorer les autres"
    )
    imp.add_argument(
        "--overwrite-newer",
        action="store_true",
        help="(candidats) écraser aussi les fiches modifiées dans la base depuis l'export du "
        "fichier (conflits, laissées telles quelles sans cette option)",
    )
    imp.add_argument(
        "--known",
        choices=KNOWN_CHOICES,
        help="(candidats) lignes sans identifiant qui ressemblent à une personne déjà connue (même "
        "e-mail, même téléphone, ou même nom et même date de naissance) sans dossier dans la "
        "saison de la ligne : les ignorer (par défaut), en faire une nouvelle candidature de "
        "cette personne, ou créer quand même un dossier (une autre personne). Une personne "
        "qui a déjà un dossier dans cette saison est toujours ignorée : décider ligne par "
        "ligne se fait dans la fenêtre",
    )

    exp = commands.add_parser("export", help="exporter en CSV")
    exp.add_argument("what", choices=["candidates", "agreements", "projects"])
    exp.add_argument("--db", dest="db_sub", metavar="DB", help="fichier SQLite ou URL SQLAlchemy")
    exp.add_argument("--user", dest="user_sub", metavar="NOM", help=USER_HELP)
    exp.add_argument("--out", type=Path, required=True)
    exp.add_argument("--season")
    exp.add_argument("--site", help="code d'un site de la base (colonne « site » du CSV)")

    pdf = commands.add_parser(
        "convention-pdf",
        help="imprimer en PDF une convention de stage, un avenant, l'attestation ou la fiche "
        "d'évaluation",
    )
    pdf.add_argument("number", metavar="NUMERO", help="numéro imprimé, par exemple FAB-2027-0012")
    pdf.add_argument("--db", dest="db_sub", metavar="DB", help="fichier SQLite ou URL SQLAlchemy")
    pdf.add_argument("--user", dest="user_sub", metavar="NOM", help=USER_HELP)
    pdf.add_argument("--out", type=Path, required=True, help="fichier PDF à écrire")
    pdf.add_argument(
        "--document",
        choices=["convention", "avenant", "attestation", "evaluation"],
        help="document à imprimer : convention (par défaut), avenant, attestation de stage "
        "(convention terminée ou rompue) ou fiche d'évaluation (convention signée)",
    )
    pdf.add_argument(
        "--avenant",
        type=int,
        metavar="N",
        help="numéro de l'avenant à imprimer (par défaut le dernier) ; implique --document avenant",
    )

    report_help = (
        "indicateurs d'une saison : funnel (parcours de recrutement), indicators (tous les "
        "tableaux), outcomes (sorties positives), due (suivis à faire), extract (extrait "
        "pseudonymisé des apprenants), bilan (bilan de saison en PDF)"
    )
    rep = commands.add_parser("report", help=report_help, description=report_help)
    rep.add_argument("what", choices=REPORT_CHOICES)
    rep.add_argument("--db", dest="db_sub", metavar="DB", help="fichier SQLite ou URL SQLAlchemy")
    rep.add_argument("--user", dest="user_sub", metavar="NOM", help=USER_HELP)
    rep.add_argument("--season", required=True, metavar="SAISON", help="par exemple 2025-2026")
    rep.add_argument("--site", help="code d'un site de la base (par défaut les deux sites)")
    rep.add_argument("--filiere", help="code d'une filière (par défaut toutes)")
    rep.add_argument(
        "--funder",
        metavar="FINANCEUR",
        help="code d'un financeur (gen, e2c, region…) : ses seules sorties positives ; par "
        "défaut tous",
    )
    rep.add_argument(
        "--format",
        choices=["md", "csv", "xlsx"],
        help="md (tableaux au terminal, par défaut), csv ou xlsx (classeur : --out obligatoire)",
    )
    rep.add_argument(
        "--out", type=Path, metavar="FICHIER", help="fichier à écrire (sinon le terminal)"
    )

    check = commands.add_parser("check", help="vérifier l'intégrité de la base")
    check.add_argument("--db", dest="db_sub", metavar="DB", help="fichier SQLite ou URL SQLAlchemy")
    check.add_argument("--user", dest="user_sub", metavar="NOM", help=USER_HELP)

    backup_help = "faire une copie cohérente de la base et afficher son chemin"
    copy = commands.add_parser("backup", help=backup_help, description=backup_help)
    copy.add_argument("--db", dest="db_sub", metavar="DB", help="fichier SQLite ou URL SQLAlchemy")
    copy.add_argument("--user", dest="user_sub", metavar="NOM", help=USER_HELP)
    copy.add_argument(
        "--to",
        type=Path,
        metavar="DOSSIER",
        help="dossier où écrire la copie (par défaut le dossier des sauvegardes)",
    )

    restore_help = (
        "remplacer la base par une sauvegarde, vérifiée d'abord ; l'ancienne base est conservée"
    )
    restore = commands.add_parser("restore", help=restore_help, description=restore_help)
    restore.add_argument("file", type=Path, metavar="FICHIER", help="la sauvegarde à restaurer")
    restore.add_argument(
        "--db", dest="db_sub", metavar="DB", help="fichier SQLite ou URL SQLAlchemy"
    )
    restore.add_argument("--user", dest="user_sub", metavar="NOM", help=USER_HELP)

    recover_help = (
        "donner un nouveau mot de passe à un compte avec la clé de secours de la base (clé lue "
        "dans FABRIQUE_RECOVERY_KEY ou demandée, mot de passe lu dans FABRIQUE_PASSWORD ou "
        "demandé deux fois)"
    )
    recover = commands.add_parser("recover", help=recover_help, description=recover_help)
    recover.add_argument("--db", dest="db_sub", metavar="DB", help="fichier SQLite")
    recover.add_argument(
        "--user",
        dest="user_sub",
        metavar="NOM",
        help="le compte qui reçoit le nouveau mot de passe",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # First: in a standalone bundle, a worker process of a PDF batch starts as this program
    # and must run its task, not the command line (no effect outside a bundle).
    multiprocessing.freeze_support()
    from app.logs import setup_logging

    setup_logging()
    args = build_parser().parse_args(argv)
    db_value = getattr(args, "db_sub", None) or args.db
    handlers: dict[str, Callable[[argparse.Namespace, str], Outcome]] = {
        "seed-demo": _seed_demo,
        "import": _import,
        "export": _export,
        "check": _check,
        "backup": _backup,
        "restore": _restore,
        "convention-pdf": _convention_pdf,
        "recover": _recover,
        "report": _report,
    }
    try:
        if args.command is None:
            from app.storage.targets import refuse_unlikely_database

            if args.self_check:
                from app import self_check

                url = database_url(db_value)
                refuse_unlikely_database(url)
                return self_check.run(url)
            from app.ui.app import run_gui

            if args.demo:
                from app.services.accounts.command_line import demo_accounts_text

                print(demo_accounts_text())  # to sign in again after "Changer d'utilisateur"
                return run_gui(None, demo=True)
            url = database_url(db_value)
            refuse_unlikely_database(url)
            return run_gui(url, demo=False)
        url = database_url(db_value)
        _refuse_unsafe_paths(args, url)
        status, acting = handlers[args.command](args, url)
        if acting is not None and acting.warning:  # after the outcome: an error reads first
            sys.stderr.write(acting.warning + "\n")
        return status
    except UserFacingError as error:
        sys.stderr.write(f"Erreur : {error}\n")
        return EXIT_REFUSED
    except OSError as error:
        log.exception("environment error")
        sys.stderr.write(f"Erreur : {describe_os_error(error)}.\n")
        return EXIT_REFUSED
    except Exception:
        log.exception("unexpected error in the command line")
        sys.stderr.write(
            "Erreur inattendue : l'opération n'a pas abouti. Le détail est dans le journal.\n"
        )
        return EXIT_REFUSED
    finally:
        _close_opened()


def _refuse_unsafe_paths(args: argparse.Namespace, url: str) -> None:
    """Before anything is opened or written: no output over the base, its companions or a
    backup, no document opened (or created) as a base (issue 12)."""
    from app.config import backup_dir
    from app.storage.targets import (
        refuse_backup_target,
        refuse_overwriting_base,
        refuse_restoring_onto_itself,
        refuse_unlikely_database,
    )

    if args.command == "check":
        return  # reads only, and explains an unusable file itself
    refuse_unlikely_database(url, damaged_allowed=args.command == "restore")
    if args.command in ("export", "convention-pdf") or (
        args.command == "report" and args.out is not None
    ):
        refuse_overwriting_base(args.out, database_url=url, backup_folder=backup_dir())
    elif args.command == "backup" and args.to is not None:
        refuse_backup_target(args.to, database_url=url)
    elif args.command == "restore":
        refuse_restoring_onto_itself(args.file, database_url=url, backup_folder=backup_dir())


def _seed_demo(args: argparse.Namespace, url: str) -> Outcome:
    from app.demo.seed import seed_demo

    database = _open(args, url)
    with database.session() as session:
        summary = seed_demo(session)
    print(summary.describe())
    return EXIT_OK, None


def _import(args: argparse.Namespace, url: str) -> Outcome:
    """Read and check the file once (the preview, printed), then import what it showed."""
    if args.what == "projects":
        return _import_projects(args, url)
    args.known = args.known or KNOWN_CHOICES[0]
    from app.domain.account import ROLE_ACCUEIL, ROLE_COORDINATION
    from app.services.candidates.actions import import_previewed, preview_import
    from app.services.candidates.import_preview import KnownChoice
    from app.services.journal import audit_log as audit

    database = _open(args, url)
    acting = _sign_in(args, database, (ROLE_ACCUEIL, ROLE_COORDINATION), "importer des candidats")
    audit.attach(database, lambda: acting.actor.author)
    preview = preview_import(database, args.file, known=KnownChoice(args.known))
    print(preview.describe())
    if preview.fatal or (preview.invalid_rows and not args.valid_only):
        if not preview.fatal:
            sys.stderr.write(
                "Erreur : rien n'a été importé. Corrigez les lignes signalées, "
                "ou relancez avec --valid-only pour n'importer que les lignes valides.\n"
            )
        else:
            sys.stderr.write("Erreur : rien n'a été importé. " + " ".join(preview.fatal) + "\n")
        return EXIT_REFUSED, acting
    if preview.conflicts:
        print(
            "--overwrite-newer : ces fiches seront écrasées par le fichier."
            if args.overwrite_newer
            else "Ces fiches ne seront pas modifiées ; avec --overwrite-newer, le fichier les "
            "écraserait."
        )
    if preview.known_rows:
        print(
            "Une personne déjà connue sans dossier dans la saison de sa ligne : "
            f"--known {args.known} (ignorer, nouvelle-candidature ou creer)."
        )
    if args.dry_run:
        print("Vérification seule (--dry-run) : rien n'a été importé.")
        return EXIT_OK, acting
    result = import_previewed(
        database,
        preview,
        valid_only=args.valid_only,
        actor=acting.actor,
        overwrite_newer=args.overwrite_newer,
    )
    print(result.describe())
    if result.conflicts_kept:
        sys.stderr.write(
            f"Attention : conflits laissés tels quels ({result.conflicts_kept}) ; relancez avec "
            "--overwrite-newer pour écraser ces fiches.\n"
        )
    return EXIT_OK, acting


def _import_projects(args: argparse.Namespace, url: str) -> Outcome:
    """`import projects`: the preview printed, then all of it imported (or the valid rows)."""
    from app.domain.account import ROLE_COORDINATION
    from app.services.journal import audit_log as audit
    from app.services.projects import import_actions

    if args.overwrite_newer or args.known is not None:
        option = "--overwrite-newer" if args.overwrite_newer else "--known"
        sys.stderr.write(f"Erreur d'utilisation : {option} ne va qu'avec import candidates.\n")
        return EXIT_USAGE, None
    database = _open(args, url)
    acting = _sign_in(args, database, (ROLE_COORDINATION,), "importer des projets")
    audit.attach(database, lambda: acting.actor.author)
    preview = import_actions.preview_import(database, args.file, actor=acting.actor)
    print(preview.describe())
    if preview.fatal:
        sys.stderr.write("Erreur : rien n'a été importé. " + " ".join(preview.fatal) + "\n")
        return EXIT_REFUSED, acting
    if preview.invalid_rows and not args.valid_only:
        sys.stderr.write(
            "Erreur : rien n'a été importé. Corrigez les lignes signalées, "
            "ou relancez avec --valid-only pour n'importer que les lignes valides.\n"
        )
        return EXIT_REFUSED, acting
    if args.dry_run:
        print("Vérification seule (--dry-run) : rien n'a été importé.")
        return EXIT_OK, acting
    result = import_actions.import_previewed(
        database, preview, valid_only=args.valid_only, actor=acting.actor
    )
    print(result.describe())
    return EXIT_OK, acting


def _export_projects(args: argparse.Namespace, url: str) -> Outcome:
    from app.domain.account import ROLE_COORDINATION
    from app.services.journal import audit_log as audit
    from app.services.projects import import_actions

    if args.site is not None:
        sys.stderr.write("Erreur d'utilisation : --site ne va pas avec export projects.\n")
        return EXIT_USAGE, None
    database = _open(args, url)
    acting = _sign_in(args, database, (ROLE_COORDINATION,), "exporter les projets")
    audit.attach(database, lambda: acting.actor.author)
    written = import_actions.export_projects(
        database, args.out, season=args.season, actor=acting.actor
    )
    print(f"{written} projet(s) exporté(s) dans {args.out}")
    return EXIT_OK, acting


def _export(args: argparse.Namespace, url: str) -> Outcome:
    if args.what == "projects":
        return _export_projects(args, url)
    from app.domain.account import ROLE_ACCUEIL, ROLE_COORDINATION
    from app.services.candidates.actions import export_candidates
    from app.services.journal import audit_log as audit

    database = _open(args, url)
    if args.what == "agreements":
        acting = _sign_in(args, database, (ROLE_COORDINATION,), "exporter les conventions")
    else:
        acting = _sign_in(
            args, database, (ROLE_ACCUEIL, ROLE_COORDINATION), "exporter les candidats"
        )
    audit.attach(database, lambda: acting.actor.author)
    if args.what == "agreements":
        from app.services.agreements.csv_export import export_agreements

        with database.session() as session:
            written = export_agreements(session, args.out, season=args.season)
            scope = audit.export_scope(args.season)
            audit.record_export(session, "conventions (CSV)", written, scope)
        print(f"{written} convention(s) exportée(s) dans {args.out}")
        return EXIT_OK, acting
    site_id = None if args.site is None else _site_id(database, args.site)
    if args.site is not None and site_id is None:
        return EXIT_USAGE, acting
    written = export_candidates(
        database, args.out, season=args.season, site_id=site_id, actor=acting.actor
    )
    print(f"{written} candidat(s) exporté(s) dans {args.out}")
    return EXIT_OK, acting


def _site_id(database: "Database", code: str) -> int | None:
    """`--site` names a site of the base (read from it, not from a list in the code); an
    unknown one is wrong usage, as a value outside an option's choices is."""
    from app.services import lists

    options = lists.sites(database)
    for option in options:
        if option.code == code:
            return option.id
    codes = ", ".join(option.code for option in options)
    sys.stderr.write(f"Erreur : site inconnu : « {code} » (sites possibles : {codes}).\n")
    return None


def _convention_pdf(args: argparse.Namespace, url: str) -> Outcome:
    from datetime import date

    from app.domain.account import ROLE_COORDINATION
    from app.pdf.output import write_pdf
    from app.services.agreements.documents import (
        DocumentKind,
        agreement_id_for_number,
        available_documents,
        render_document,
    )
    from app.services.errors import NotFoundError
    from app.services.journal import audit_log as audit

    kind = DocumentKind(args.document or ("avenant" if args.avenant is not None else "convention"))
    if args.avenant is not None and kind is not DocumentKind.AVENANT:
        sys.stderr.write("Erreur d'utilisation : --avenant ne va qu'avec --document avenant.\n")
        return EXIT_USAGE, None
    database = _open(args, url)
    acting = _sign_in(
        args, database, (ROLE_COORDINATION,), "imprimer les documents des conventions"
    )
    audit.attach(database, lambda: acting.actor.author)
    # The first print of an attestation issues it (its number and date are kept): that
    # session commits, once the file is written; the other documents only read.
    with database.session(commit=kind is DocumentKind.ATTESTATION) as session:
        agreement_id = agreement_id_for_number(session, args.number)
        rank = args.avenant
        if kind is DocumentKind.AVENANT and rank is None:
            ranks = [c.rank for c in available_documents(session, agreement_id) if c.rank]
            if not ranks:
                raise NotFoundError(
                    f"La convention {args.number.strip().upper()} n'a pas d'avenant."
                )
            rank = ranks[-1]
        pdf = render_document(session, agreement_id, kind, today=date.today(), rank=rank)
        write_pdf(args.out, lambda handle: handle.write(pdf))
    with database.session() as session:
        document = {
            DocumentKind.CONVENTION: "Convention de stage",
            DocumentKind.AVENANT: f"Avenant n° {rank}",
            DocumentKind.ATTESTATION: "Attestation de stage",
            DocumentKind.EVALUATION: "Fiche d'évaluation",
        }[kind]
        audit.record_document_printed(session, agreement_id, document)
    number = args.number.strip().upper()
    what = {
        DocumentKind.CONVENTION: f"Convention {number} imprimée",
        DocumentKind.AVENANT: f"Avenant n° {rank} à la convention {number} imprimé",
        DocumentKind.ATTESTATION: f"Attestation de stage de la convention {number} imprimée",
        DocumentKind.EVALUATION: f"Fiche d'évaluation de la convention {number} imprimée",
    }[kind]
    print(f"{what} dans {args.out}")
    return EXIT_OK, acting


def _report(args: argparse.Namespace, url: str) -> Outcome:
    """`report`: the tables on the terminal (Markdown, or CSV), or written to --out (CSV,
    XLSX; the extract CSV or XLSX; the bilan PDF), each file journaled."""
    from app.domain.account import ROLE_ACCUEIL, ROLE_COORDINATION
    from app.services.journal import audit_log as audit
    from app.services.reports import exports
    from app.services.reports.scope import ReportScope

    usage = _report_usage(args)
    if usage:
        sys.stderr.write(f"Erreur d'utilisation : {usage}\n")
        return EXIT_USAGE, None
    database = _open(args, url)
    allowed = (ROLE_ACCUEIL, ROLE_COORDINATION) if args.what == "due" else (ROLE_COORDINATION,)
    acting = _sign_in(args, database, allowed, REPORT_ACTIONS[args.what])
    audit.attach(database, lambda: acting.actor.author)
    if args.site is not None and _site_id(database, args.site) is None:
        return EXIT_USAGE, acting
    scope = ReportScope(args.season.strip(), args.site, args.filiere)
    file_format = exports.ExportFormat(_report_format(args))
    if args.what == "bilan":
        done = exports.season_report_pdf(
            database, scope, args.out, funder=args.funder, actor=acting.actor
        )
        print(f"Bilan de saison ({done.heading}) écrit dans {args.out}")
        return EXIT_OK, acting
    if args.what == "extract":
        done = exports.pseudonymised_extract(
            database, scope, args.out, file_format=file_format, actor=acting.actor
        )
        print(f"{done.rows} apprenant(s) dans l'extrait pseudonymisé écrit dans {args.out}")
        return EXIT_OK, acting
    kind = exports.ReportKind(args.what)
    if args.out is None:
        text = exports.report_text(
            database, scope, kind, file_format=file_format, funder=args.funder, actor=acting.actor
        )
        sys.stdout.write(text)
        return EXIT_OK, acting
    done = exports.export_report(
        database,
        scope,
        args.out,
        kind=kind,
        file_format=file_format,
        funder=args.funder,
        actor=acting.actor,
    )
    print(f"{done.rows} ligne(s) de tableau ({done.heading}) écrite(s) dans {args.out}")
    return EXIT_OK, acting


REPORT_ACTIONS = {
    "funnel": "consulter les indicateurs",
    "indicators": "consulter les indicateurs",
    "outcomes": "consulter les indicateurs",
    "due": "consulter les suivis à faire",
    "extract": "exporter l'extrait pseudonymisé",
    "bilan": "imprimer le bilan de saison",
}


def _report_format(args: argparse.Namespace) -> str:
    """--format, else the --out file's extension (.csv, .xlsx), else Markdown (the extract:
    CSV; the bilan: PDF)."""
    if args.what == "bilan":
        return "pdf"
    if args.format is not None:
        return str(args.format)
    suffix = args.out.suffix.lower() if args.out is not None else ""
    if suffix in (".csv", ".xlsx"):
        return suffix[1:]
    return "csv" if args.what == "extract" else "md"


def _report_usage(args: argparse.Namespace) -> str:
    """What is wrong with the options of `report` ("" when nothing)."""
    if args.what == "bilan":
        if args.format is not None:
            return "bilan s'écrit en PDF : --format ne s'emploie pas avec bilan."
        if args.out is None:
            return "bilan : indiquer le fichier PDF à écrire avec --out FICHIER."
    if args.what == "extract":
        if args.format == "md":
            return "extract s'écrit en CSV ou en XLSX (--format csv ou xlsx)."
        if args.out is None:
            return "extract : indiquer le fichier à écrire avec --out FICHIER."
    if args.funder is not None and args.what in ("due", "extract"):
        return f"--funder ne s'emploie pas avec {args.what}."
    if args.format == "xlsx" and args.out is None:
        return "un classeur XLSX s'écrit dans un fichier : indiquer --out FICHIER."
    pdf_out = args.out is not None and args.out.suffix.lower() == ".pdf"
    if pdf_out and args.what != "bilan":
        return "le PDF des indicateurs est le bilan de saison : report bilan --out FICHIER.pdf."
    return ""


def _check(args: argparse.Namespace, url: str) -> Outcome:
    from app.services.maintenance.health_check import check_database

    report = check_database(url, _key_for_check(args, url))
    print(report.describe())
    if not report.ok:
        sys.stderr.write("Erreur : la vérification a trouvé des problèmes (détail ci-dessus).\n")
        return EXIT_REFUSED, None
    return EXIT_OK, None


def _recover(args: argparse.Namespace, url: str) -> Outcome:
    """A new password for an account, the base opened with its recovery key (README)."""
    import getpass
    import os

    from app.services.base_access.keys import format_recovery_key, reset_password_with_recovery_key
    from app.services.base_access.opening import open_with_recovery_key

    username = getattr(args, "user_sub", None) or args.user
    if not username:
        sys.stderr.write(
            "Erreur d'utilisation : --user NOM, le compte qui reçoit le mot de passe.\n"
        )
        return EXIT_USAGE, None
    interactive = sys.stdin.isatty()
    recovery = os.environ.get(RECOVERY_VARIABLE)
    if recovery is None and interactive:
        recovery = getpass.getpass("Clé de secours (XXXXX-XXXXX-…) : ")
    password = os.environ.get(PASSWORD_VARIABLE)
    confirmation = password
    if password is None and interactive:
        password = getpass.getpass(f"Nouveau mot de passe de « {username} » : ")
        confirmation = getpass.getpass("Confirmation : ")
    if recovery is None or password is None or confirmation is None:
        sys.stderr.write(
            f"Erreur : clé ou mot de passe introuvable : les taper au terminal, ou les donner "
            f"dans {RECOVERY_VARIABLE} et {PASSWORD_VARIABLE}.\n"
        )
        return EXIT_REFUSED, None
    database = open_with_recovery_key(url, format_recovery_key(recovery))
    try:
        account = reset_password_with_recovery_key(database, username, password, confirmation)
    except ValidationError as error:
        sys.stderr.write("Erreur : " + " ".join(error.errors.values()) + "\n")
        return EXIT_REFUSED, None
    finally:
        database.dispose()
    print(
        f"Nouveau mot de passe enregistré pour « {account.username} » ({account.display_name}) ; "
        "le compte est déverrouillé."
    )
    return EXIT_OK, None


def _key_for_check(args: argparse.Namespace, url: str) -> bytes | None:
    """The data key of a password-protected base, when `--user` gives the account whose
    password unlocks it (the check reads only: nobody is signed in); None otherwise."""
    from app.services.base_access import keys as base_keys
    from app.storage import cipher
    from app.storage.database import sqlite_path

    path = sqlite_path(url)
    username = getattr(args, "user_sub", None) or args.user
    if path is None or not username or not path.is_file() or cipher.is_plain_sqlite(path):
        return None
    try:
        base_keys.access_without_password(path, new_base=False)
        return None  # the check opens it by itself
    except base_keys.BaseLocked:
        pass
    password = _read_password(username)
    if password is None:
        raise base_keys.SignInRefused(PASSWORD_MISSING)
    return base_keys.unlock(path, username, password).key


def _backup(args: argparse.Namespace, url: str) -> Outcome:
    from app.config import backup_dir
    from app.domain.account import ROLE_COORDINATION
    from app.services.journal import audit_log as audit
    from app.storage.backup import BackupReason, backup_database
    from app.storage.database import sqlite_path
    from app.storage.pg_backup import dump_database, is_server_url, require_tools

    path = sqlite_path(url)
    server = is_server_url(url)
    if server:
        require_tools()  # before anything is opened: the tool missing is said first
    acting = None
    if server or (path is not None and path.exists()):  # else backup_database says why not
        database = (
            _open_server(args, url, "La sauvegarde (pg_dump) n'a pas été faite")
            if server
            else _open(args, url)
        )
        try:
            acting = _sign_in(args, database, (ROLE_COORDINATION,), "sauvegarder la base")
        finally:
            database.dispose()
    if server:
        copy = dump_database(url, args.to or backup_dir(), reason=BackupReason.MANUAL)
    else:
        copy = backup_database(url, args.to or backup_dir(), reason=BackupReason.MANUAL)
    print(copy)
    if not audit.record_backup(url, copy, author=_author(acting)):
        sys.stderr.write(NOT_JOURNALED.format(what="la sauvegarde est faite"))
    return EXIT_OK, acting


def _restore(args: argparse.Namespace, url: str) -> Outcome:
    from app.services.journal import audit_log as audit
    from app.storage.backup import database_file, describe_backup_file, restore_database
    from app.storage.pg_backup import is_server_url

    if is_server_url(url):
        return _restore_on_server(args, url)
    target = database_file(url)
    acting = _sign_in_before_restore(args, url, target)
    kept = restore_database(args.file, target)
    described = describe_backup_file(args.file)
    print(f"Base « {target} » restaurée depuis la sauvegarde {described}.")
    if kept is None:
        print("Il n'y avait pas de base à cet endroit : rien à conserver.")
    else:
        print(f"L'ancienne base est conservée dans : {kept}")
    copy = args.file.expanduser().resolve()
    if not audit.record_restore(url, copy, described, kept, author=_author(acting)):
        sys.stderr.write(NOT_JOURNALED.format(what="la restauration est faite"))
    return EXIT_OK, acting


def _restore_on_server(args: argparse.Namespace, url: str) -> Outcome:
    """`restore` of a PostgreSQL base from a pg_dump archive (app.storage.pg_backup)."""
    from app.domain.account import ROLE_COORDINATION
    from app.services.journal import audit_log as audit
    from app.services.maintenance.actions import restore_server_archive
    from app.storage import pg_backup

    pg_backup.require_tools(restore=True)
    acting = None
    if pg_backup.has_tables(url):  # an empty base is restored without signing in
        database = _open_server(args, url, "La restauration n'a pas été faite")
        try:
            acting = _sign_in(args, database, (ROLE_COORDINATION,), "restaurer la base")
        finally:
            database.dispose()
    restored = restore_server_archive(url, args.file)
    print(
        f"Base {pg_backup.server_base(url).shown_as} restaurée depuis la sauvegarde "
        f"{restored.description}."
    )
    if restored.kept is None:
        print("La base n'avait pas de tables : rien à conserver.")
    else:
        print(f"L'ancienne base est conservée dans : {restored.kept}")
    copy = args.file.expanduser().resolve()
    if not audit.record_restore(
        url, copy, restored.description, restored.kept, author=_author(acting)
    ):
        sys.stderr.write(NOT_JOURNALED.format(what="la restauration est faite"))
    return EXIT_OK, acting


def _open_server(args: argparse.Namespace, url: str, what: str) -> "Database":
    """`_open` on a server, its refusal prefixed with what was not done."""
    try:
        return _open(args, url)
    except StorageError as error:
        raise StorageError(f"{what} : {error}") from error


def _sign_in_before_restore(
    args: argparse.Namespace, url: str, target: Path
) -> "CommandActor | None":
    """Replacing a base is coordination's, signed in on that base. A base that is missing
    or cannot be opened can be restored without it (None): that is what restore is for, and
    whoever can replace the file by hand gains nothing here."""
    from app.domain.account import ROLE_COORDINATION

    if not target.exists():
        return None
    try:
        database = _open(args, url)
    except StorageError as error:
        log.warning("restore over a base that cannot be opened: %s", error)
        sys.stderr.write(
            "Attention : la base actuelle ne s'ouvre pas ; restauration sans connexion.\n"
        )
        return None
    try:
        return _sign_in(args, database, (ROLE_COORDINATION,), "restaurer la base")
    finally:
        database.dispose()


# The bases a command opened, closed when `main` returns (a server's connections are not
# left to the garbage collector, which a caller running several commands would pile up).
_opened: list["Database"] = []


def _close_opened() -> None:
    while _opened:
        _opened.pop().dispose()


def _open(args: argparse.Namespace, url: str) -> "Database":
    """Open the base, closed when the command ends (`_close_opened`)."""
    database = _open_base(args, url)
    _opened.append(database)
    return database


def _open_base(args: argparse.Namespace, url: str) -> "Database":
    """Open the base. A base protected by passwords (encrypted, `app.services.base_access.keys`)
    opens only with the password of the account `--user`, who is signed in at once."""
    from app.services.accounts.command_line import PasswordMissing
    from app.services.accounts.management import SignInRefused
    from app.services.base_access import keys as base_keys
    from app.services.base_access.opening import open_app_database, open_with_password

    try:
        return open_app_database(url)
    except base_keys.BaseLocked:
        pass
    username = getattr(args, "user_sub", None) or args.user
    if not username:
        raise SignInRefused(
            "Cette base est protégée par mot de passe : indiquer le compte qui agit : --user NOM "
            "(le mot de passe est demandé, ou lu dans FABRIQUE_PASSWORD)."
        )
    password = _read_password(username)
    if password is None:
        raise PasswordMissing(PASSWORD_MISSING)
    database, account = open_with_password(url, username, password)
    _signed_in[id(database)] = account
    return database


def _author(acting: "CommandActor | None") -> str:
    """Who the audit log names for what a command saves: the signed-in account."""
    return acting.actor.author if acting is not None else UNSIGNED_AUTHOR


def _read_password(username: str) -> str | None:
    """FABRIQUE_PASSWORD (automation), else typed on the terminal (asked once per command);
    None when neither."""
    import getpass
    import os

    if PASSWORD_VARIABLE in os.environ:
        return os.environ[PASSWORD_VARIABLE]
    if not sys.stdin.isatty():
        return None
    if username not in _typed_passwords:
        _typed_passwords[username] = getpass.getpass(f"Mot de passe de « {username} » : ")
    return _typed_passwords[username]


def _sign_in(
    args: argparse.Namespace, database: "Database", allowed: tuple[str, ...], what: str
) -> "CommandActor":
    """Sign the command's account in (CONTRACT.md, *Who acts*) and check its role."""
    from app.services.accounts.command_line import actor_of, require_role, sign_in_command

    username = getattr(args, "user_sub", None) or args.user
    signed_in = _signed_in.get(id(database))
    if signed_in is not None:  # the password that unlocked the base signed the account in
        acting = actor_of(signed_in)
    else:
        with database.session() as session:
            acting = sign_in_command(session, username, lambda: _read_password(username or ""))
    require_role(acting.actor, allowed, what)
    return acting
