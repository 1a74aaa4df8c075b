"""The fast import writes what the form's service writes (issue 14, point 4).

- Each row is checked by the form's rules: the same values, or the same refusals with the
  same French messages in the same order (`records._field_changes`).
- New files written in bulk are the files `records.create_candidate` makes one by one: every
  column, the stage history, the search index, and the journal (the same entries, still a
  valid chain).
- The shortcuts hold: the numbering plan compiled from phonenumbers' metadata, the folded
  copies of `records._index_text`, the clean texts, the ascending uuids.
"""

import csv
import io
import itertools
import json
import random
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import phonenumbers
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import AuditEntry, Candidate, StageChange
from app.domain.text import fold
from app.domain.values import DIPLOMA_SYNONYMS
from app.services.candidates import records
from app.services.candidates.csv_exchange import CANDIDATE_COLUMNS
from app.services.candidates.import_preview import preview_import
from app.services.candidates.import_rows import (
    RowChecker,
    _clean,
    _valid_french_number,
    parse_french_phone,
)
from app.services.candidates.import_writing import (
    AscendingUuids,
    SearchIndex,
    apply_preview,
    fresh_uuids,
)
from app.services.candidates.records import CandidateInput
from app.services.errors import ValidationError
from app.services.journal import audit_log as audit
from app.services.validation import FieldError, clean_text, parse_email, parse_phone
from app.storage import Database
from tests.conftest import TODAY, make_actor
from tests.unit.properties.strategies import hostile_fields, service_settings

NOW = datetime(2026, 11, 28, 10, 30, 15, 123456)
ACTOR = make_actor("accueil", "nadia", "Nadia Belkacem")

CHOICES: dict[str, list[str]] = {
    "civilite": ["", "Mme", "M.", "madame", "Monsieur"],
    "prenom": ["Léa", "Jean-Marc", "Zoé", "Aïssatou", "Seán", "Bảo", "œdipe"],
    "nom_usage": ["", "Martin-Lefèvre", "N'Diaye", "  Dupont  "],
    "sexe": ["", "F", "M", "autre", "Femme"],
    "adresse": ["", "12 rue Haute", '3 allée "Les Pins"; bât. B\nRésidence Alpha'],
    "code_postal": ["", "86000", "79 000"],
    "commune": ["", "Poitiers", "Saint-Benoît", "L'Isle-Jourdain"],
    "saison": ["2026-2027", "2025-2026", "2030-2031"],
    "site": ["cobalt", "du-guesclin", "Poitiers", "Niort", "COBALT", "Centre Du Guesclin"],
    "filiere_souhaitee": ["", "web", "Développement web", "Réseaux", "contenus"],
    "prescripteur": ["", "Mission locale", "ML", "FT", "Pôle emploi", "France Travail", "autre"],
    "niveau_diplome": ["", "aucun", "3", "niveau 4", "Bac", "BTS", "8"],
    "demandeur_emploi": ["", "oui", "non", "Oui", "x"],
    "rsa": ["", "oui", "non", "0"],
    "qpv": ["", "oui", "non"],
    "date_candidature": ["", "02/10/2026", "2026-09-15"],
    "etape": ["", "candidature reçue", "contacté", "entretien", "Info collective", "admis"],
}
PHONES = [
    "06 12 {:02d} {:02d} {:02d}",
    "07.30.{:02d}.{:02d}.{:02d}",
    "+33 6 45 {:02d} {:02d} {:02d}",
]

rows_strategy = st.lists(
    st.fixed_dictionaries(
        {name: st.sampled_from(values) for name, values in CHOICES.items()}
        | {
            "born": st.dates(date(1950, 1, 1), date(2008, 1, 1)),
            "phone_format": st.sampled_from([*PHONES, ""]),
            "with_email": st.booleans(),
        }
    ),
    min_size=1,
    max_size=4,
)

_people = itertools.count(1)


def _row(choice: dict[str, Any]) -> dict[str, str]:
    """One person nobody else is (name, e-mail and phone of their own)."""
    n = next(_people)
    values = {name: choice[name] for name in CHOICES}
    values["nom"] = f"Équivalence{n}"
    if values["nom_usage"]:
        values["nom_usage"] += f" {n}"
    values["date_naissance"] = choice["born"].strftime("%d/%m/%Y")
    phone = choice["phone_format"]
    values["telephone"] = phone.format(n // 10_000 % 100, n // 100 % 100, n % 100) if phone else ""
    values["email"] = f"personne.{n}@exemple.fr" if choice["with_email"] or not phone else ""
    return values


def _form_input(values: dict[str, str]) -> CandidateInput:
    """What the form's service receives for the same person: the diploma as the form's list
    gives it (the import also reads "Bac", "BTS"…)."""
    data = CandidateInput(**values)
    level = {fold(k).replace(" ", ""): v for k, v in DIPLOMA_SYNONYMS.items()}.get(
        fold(data.niveau_diplome).replace(" ", "")
    )
    if level is not None:
        data.niveau_diplome = "aucun" if level == 0 else str(level)
    return data


def _csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CANDIDATE_COLUMNS)
    writer.writerows([row.get(name, "") for name in CANDIDATE_COLUMNS] for row in rows)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def journaled(db: Database) -> Iterator[Database]:
    audit.attach(db, lambda: "Nadia Belkacem")
    yield db
    audit.detach(db)


# ---------------------------------------------------------------- the same files


_SKIPPED = {"id", "uuid", "person_uuid", "created_at"}


def _files(session: Session, after: int) -> list[dict[str, Any]]:
    found = session.scalars(select(Candidate).where(Candidate.id > after).order_by(Candidate.id))
    return [
        {c.key: getattr(f, c.key) for c in Candidate.__table__.columns if c.key not in _SKIPPED}
        for f in found
    ]


def _history(session: Session, after: int) -> list[tuple[Any, ...]]:
    rows = session.execute(
        select(StageChange, Candidate.id)
        .join(Candidate, Candidate.id == StageChange.candidate_id)
        .where(Candidate.id > after)
        .order_by(StageChange.id)
    )
    return [(c.changed_at, c.from_stage_id, c.to_stage_id, c.author, c.comment) for c, _id in rows]


def _journal(
    session: Session, after: int, upto: int | None, uuids: dict[str, str]
) -> list[tuple[Any, ...]]:
    """The entries after `after` (up to `upto`), their uuids named by what they are about
    (the n-th file, the n-th stage change), so that two bases' entries compare."""
    statement = select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id)
    if upto is not None:
        statement = statement.where(AuditEntry.id <= upto)
    found = []
    for entry in session.scalars(statement):
        changes = json.loads(entry.changes) if entry.changes else None
        found.append(
            (
                entry.author,
                entry.action,
                entry.entity_type,
                uuids.get(entry.entity_uuid or "", entry.entity_uuid),
                uuids.get(entry.candidate_uuid or "", entry.candidate_uuid),
                entry.summary,
                changes,
            )
        )
    return found


def _names(session: Session, after: int, upto: int | None = None) -> dict[str, str]:
    """uuid -> "file n" / "stage n", for the files after `after` in their order."""
    named = {}
    statement = select(Candidate).where(Candidate.id > after).order_by(Candidate.id)
    if upto is not None:
        statement = statement.where(Candidate.id <= upto)
    for position, file in enumerate(session.scalars(statement)):
        named[file.uuid] = f"file {position}"
        for change in file.history:
            named[change.uuid] = f"stage {position}"
    return named


def _last_ids(session: Session) -> tuple[int, int]:
    return (
        session.scalar(select(func.max(Candidate.id))) or 0,
        session.scalar(select(func.max(AuditEntry.id))) or 0,
    )


def _found(session: Session, text: str, ids: list[int]) -> list[int]:
    """Positions among `ids` of the files a search for `text` finds."""
    found = set(records.search_ids(session, records.CandidateQuery(text=text)))
    return [position for position, candidate_id in enumerate(ids) if candidate_id in found]


@service_settings(25)
@given(choices=rows_strategy)
def test_imported_files_are_the_files_the_form_makes(
    journaled: Database, choices: list[dict[str, Any]]
) -> None:
    rows = [_row(choice) for choice in choices]
    with journaled.session() as s:
        before_import, journal_before_import = _last_ids(s)
    with journaled.session() as s:
        preview = preview_import(s, _csv(rows), today=TODAY)
        assert [r.action for r in preview.rows] == ["create"] * len(rows), preview.describe()
        apply_preview(s, preview, valid_only=False, actor=ACTOR, now=NOW)
    with journaled.session() as s:
        before_form, journal_before_form = _last_ids(s)
    for values in rows:  # one save after the other, as at the desk
        with journaled.session() as s:
            records.create_candidate(s, _form_input(values), actor=ACTOR, now=NOW)

    with journaled.session(commit=False) as s:
        assert _files(s, before_import)[: len(rows)] == _files(s, before_form)
        assert _history(s, before_import)[: len(rows)] == _history(s, before_form)
        imported = _journal(
            s, journal_before_import, journal_before_form, _names(s, before_import, before_form)
        )
        assert imported == _journal(s, journal_before_form, None, _names(s, before_form))
        imported_ids = list(range(before_import + 1, before_form + 1))
        made_ids = list(s.scalars(select(Candidate.id).where(Candidate.id > before_form)))
        for file in _files(s, before_form):
            for term in (file["last_name"], file["email_key"], (file["phone"] or "")[-4:]):
                if term:
                    assert _found(s, term, imported_ids) == _found(s, term, made_ids), term
        verdict = audit.verify_journal(s.connection())
        assert verdict.ok, verdict


def test_a_thousand_new_files_in_two_batches_keep_the_journal_chained(
    journaled: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services.candidates import import_writing

    monkeypatch.setattr(import_writing, "PROGRESS_EVERY", 600)
    rng = random.Random(14)
    rows = [
        _row(
            {name: rng.choice(values) for name, values in CHOICES.items()}
            | {"born": date(1980, 1, 1), "phone_format": PHONES[0], "with_email": True}
        )
        for _ in range(1_000)
    ]
    with journaled.session() as s:
        before, journal_before = _last_ids(s)
        preview = preview_import(s, _csv(rows), today=TODAY)
        result = apply_preview(s, preview, valid_only=False, actor=ACTOR, now=NOW)
    assert result.created == 1_000
    with journaled.session(commit=False) as s:
        entries = list(
            s.scalars(
                select(AuditEntry).where(AuditEntry.id > journal_before).order_by(AuditEntry.id)
            )
        )
        assert len(entries) == 2_000
        assert [e.id for e in entries] == list(range(journal_before + 1, journal_before + 2_001))
        assert audit.verify_journal(s.connection()).ok
        uuids = list(
            s.scalars(select(Candidate.uuid).where(Candidate.id > before).order_by(Candidate.id))
        )
        assert uuids == sorted(uuids)  # ascending, in the file's order
        assert all(uuid.UUID(u).version == 4 for u in uuids)


# ---------------------------------------------------------------- the same rules


CHECKED_COLUMNS = [name for name in CANDIDATE_COLUMNS if name != "identifiant"]


@service_settings(200)
@given(
    choice=st.fixed_dictionaries({n: st.sampled_from(v) for n, v in CHOICES.items()}),
    hostile=hostile_fields(CHECKED_COLUMNS),
)
@example(choice={n: v[0] for n, v in CHOICES.items()}, hostile={"telephone": "0692 12 34 56"})
@example(choice={n: v[0] for n, v in CHOICES.items()}, hostile={"telephone": "06 96 12 34 56"})
@example(choice={n: v[0] for n, v in CHOICES.items()}, hostile={"nom": "", "email": "x"})
@example(choice={n: v[0] for n, v in CHOICES.items()}, hostile={"niveau_diplome": "9" * 5000})
def test_rows_are_checked_by_the_form_s_rules(
    db: Database, choice: dict[str, str], hostile: dict[str, str]
) -> None:
    texts = {name: "" for name in CANDIDATE_COLUMNS} | choice
    texts |= {"nom": "Martin", "email": "lea@exemple.fr", "date_naissance": "02/03/1990"}
    texts |= hostile
    with db.session(commit=False) as s:
        checker = RowChecker(s, list(CANDIDATE_COLUMNS), TODAY)
        values, errors = checker.values(texts)
        try:
            expected, stage = records._field_changes(
                s, _form_input(texts), TODAY, create_season=False
            )
        except ValidationError as refused:
            assert values is None
            assert errors == refused.errors
            return
        stage_id = None if stage is None else stage.id
    assert errors == {} and values is not None
    assert values.season == texts["saison"].strip()
    for field, value in values._asdict().items():
        if field == "season":
            continue
        if field == "application_date" and value is None:
            assert expected[field] == TODAY  # an empty date is the day of the import
            continue
        if field == "stage_id":
            assert value == stage_id
            continue
        assert value == expected[field], field


@service_settings(300)
@given(text=st.text(max_size=30) | st.from_regex(r"[ .\-+0-9()]{6,20}", fullmatch=True))
@example(text="06 12 34 56 78")
@example(text="0692 12 34 56")
@example(text="06-96-12-34-56")
@example(text="08 00 12 34 56")
@example(text="09 87 65 43 21")
def test_french_numbers_are_read_as_phonenumbers_reads_them(text: str) -> None:
    def outcome(parse: Any) -> tuple[str | None, str | None]:
        try:
            return parse(text), None
        except FieldError as error:
            return None, str(error)

    assert outcome(parse_french_phone) == outcome(parse_phone)


def test_the_compiled_numbering_plan_is_phonenumbers_own() -> None:
    rng = random.Random(33)
    for number in [rng.randrange(10**8, 10**9) for _ in range(50_000)]:
        expected = phonenumbers.is_valid_number(
            phonenumbers.PhoneNumber(country_code=33, national_number=number)
        )
        assert _valid_french_number(str(number)) is expected, number


@service_settings(300)
@given(text=hostile_fields(["x"]).map(lambda d: d["x"]) | st.emails())
@example(text=" lea.dupont@exemple.fr ")
@example(text="lea@exemple")
def test_e_mails_are_read_as_parse_email_reads_them(text: str) -> None:
    from app.services.candidates.import_rows import _email

    def outcome(parse: Any) -> tuple[str | None, str | None]:
        try:
            return parse(text), None
        except FieldError as error:
            return None, str(error)

    assert outcome(_email) == outcome(parse_email)


@service_settings(300)
@given(text=hostile_fields(["x"]).map(lambda d: d["x"]), one_line=st.booleans())
def test_clean_texts_are_cleaned_as_clean_text_does(text: str, one_line: bool) -> None:
    def outcome(clean: Any) -> tuple[str | None, str | None]:
        try:
            return clean(), None
        except FieldError as error:
            return None, str(error)

    assert outcome(lambda: _clean(text, 120, "Le nom", one_line)) == outcome(
        lambda: clean_text(text, 120, "Le nom", one_line=one_line)
    )


@service_settings(200)
@given(
    last=st.sampled_from(["Martin", "N'Diaye", "  Lefèvre-Durand ", "Œuvray", "ß"]) | st.text(),
    usage=st.none() | st.text(max_size=12),
    first=st.sampled_from(["Léa", "Jean Marc", "Zoé"]) | st.text(min_size=1, max_size=12),
    email=st.none() | st.sampled_from(["Lea.Dupont@Exemple.fr", "a@b.fr"]),
    phone=st.none() | st.sampled_from(["+33612345678", "+262692123456", "+32470123456"]),
    city=st.none() | st.sampled_from(["Poitiers", "Saint-Benoît", "L'Isle"]),
)
def test_search_copies_are_those_of_the_form(
    last: str, usage: str | None, first: str, email: str | None, phone: str | None, city: str | None
) -> None:
    from app.services.candidates.import_rows import RowValues

    candidate = Candidate(
        last_name=last, usage_name=usage, first_name=first, email=email, phone=phone, city=city
    )
    records._index_text(candidate)
    values = RowValues(*([None] * 21))._replace(
        last_name=last, usage_name=usage, first_name=first, email=email, phone=phone, city=city
    )
    assert SearchIndex().columns(values) == (
        candidate.search_text,
        candidate.email_key,
        candidate.name_key,
        candidate.usage_name_key,
        candidate.first_name_key,
    )


def test_uuids_made_in_bulk_are_random_version_4_uuids() -> None:
    made = fresh_uuids(5_000)
    ascending = AscendingUuids(20_000)
    rising = ascending.take(7_000) + ascending.take(13_000)
    for text in [*made, *rising]:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)
    assert len(set(made)) == 5_000 and len(set(rising)) == 20_000
    assert rising == sorted(rising)
    assert rising[0] < "1" and rising[-1] > "f"  # spread over all uuids
