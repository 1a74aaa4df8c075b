"""The ODT of the LibreOffice benchmark (tests/benchmarks/libreoffice.py) is a real ODT that
says what our convention PDF says, word for word; LibreOffice prints it as we do."""

import io
import re
import zipfile
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from app.pdf.convention import render_convention
from app.pdf.convention_data import ConventionData, HostParty, OrganisationParty, TraineeParty
from tests.benchmarks import libreoffice
from tests.benchmarks.libreoffice import measure, write_convention_odt

MARKUP = "<b>balise</b> & « guillemets »"
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _data() -> ConventionData:
    return ConventionData(
        organisation=OrganisationParty(
            name="La Fabrique du Numérique",
            address="12 rue de la Formation\n86000 Poitiers",
            siret="732 829 320 00074",
            activity_declaration="75860123486",
            director_name="Hélène Garnier",
            director_function="Directrice",
            insurer="MAIF",
            policy_number="PO-445566",
            signing_city="Poitiers",
        ),
        host=HostParty(
            name="Atelier Vélo Solidaire",
            legal_form="Association",
            identifier="W863001234",
            identifier_label="RNA",
            naf_code="9499Z",
            headcount_band="10 à 19",
            address="5 avenue du Cycle, 86000 Poitiers",
            representative_name="Marc Lemoine",
            representative_function="Président",
            insurer="MACIF",
            policy_number="AS-778899",
        ),
        trainee=TraineeParty(
            name="Léa DUPONT",
            birth_date=date(2009, 3, 12),
            address="3 rue des Lilas, 86000 Poitiers",
            phone="06 12 34 56 78",
            email="lea.dupont@exemple.fr",
            is_minor=True,
            legal_representative="Paul Dupont, 06 98 76 54 32",
        ),
        filiere="développement d'applications web",
        site="Cobalt",
        season="2026-2027",
        place="Fablab, 2 place du Marché, Poitiers",
        start=date(2027, 6, 1),
        end=date(2027, 7, 30),
        interruptions=((date(2027, 7, 5), date(2027, 7, 9)),),
        schedule=tuple(zip(DAYS, (7.0, 7.0, 3.5, 7.0, 7.0, 0.0, 0.0), strict=True)),
        hours_total=241.5,
        days_total=34.5,
        presence_days=36,
        hours_per_week=31.5,
        days_per_week=5,
        tutor_name="Jeanne Petit",
        tutor_function="Responsable atelier",
        tutor_phone="05 49 00 00 00",
        tutor_email="jeanne.petit@atelier.fr",
        referent="Samir Haddad",
        activities=f"Accueil des usagers ; site web de l'atelier. {MARKUP}",
        competences="Diagnostiquer une panne\nCommuniquer avec les utilisateurs",
        printed_on=date(2026, 11, 29),
        indemnity_amount=Decimal("1234.5"),
        indemnity_unit="forfait",
        indemnity_payment_mode="virement",
        benefits="Tickets restaurant",
        number="FAB-2027-0012",
        amendments=("Avenant n° 1 signé le 02/06/2027",),
    )


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text))


def _pdf_words(pdf: bytes) -> Counter[str]:
    words: Counter[str] = Counter()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        words.update(_words(page.extract_text()))
    return words


def _our_pdf() -> bytes:
    out = io.BytesIO()
    render_convention(_data(), out)
    return out.getvalue()


def _xml(odt: Path, name: str) -> ElementTree.Element:
    with zipfile.ZipFile(odt) as archive:
        return ElementTree.fromstring(archive.read(name))


def test_the_odt_is_a_zip_with_its_mimetype_first_and_stored(tmp_path: Path) -> None:
    odt = write_convention_odt(_data(), tmp_path / "convention.odt")

    with zipfile.ZipFile(odt) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        names = set(archive.namelist())
    assert {"content.xml", "styles.xml", "meta.xml", "META-INF/manifest.xml"} <= names
    manifest = " ".join(_xml(odt, "META-INF/manifest.xml").attrib.values())
    assert "1.3" in manifest
    title = " ".join(_xml(odt, "meta.xml").itertext())
    assert "Convention de stage n° FAB-2027-0012 — Léa DUPONT" in title


def test_the_odt_says_what_our_pdf_says_word_for_word(tmp_path: Path) -> None:
    odt = write_convention_odt(_data(), tmp_path / "convention.odt")
    body = _words(" ".join(_xml(odt, "content.xml").itertext()))
    furniture = _words(" ".join(_xml(odt, "styles.xml").itertext()))
    pdf = _pdf_words(_our_pdf())

    assert not body - pdf, "the ODT prints words our PDF does not"
    # What the PDF has more is its header and footer, repeated on every page.
    pages = {str(n) for n in range(1, 10)}
    assert set(pdf - body) <= set(furniture) | pages


def test_user_markup_prints_literally_and_headings_are_outlined(tmp_path: Path) -> None:
    odt = write_convention_odt(_data(), tmp_path / "convention.odt")
    content = _xml(odt, "content.xml")
    text = " ".join(content.itertext())
    ns = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
    headings = [" ".join(h.itertext()) for h in content.iter(f"{ns}h")]

    assert MARKUP in text
    assert "Article 1 — Parties" in headings
    assert "Article 16 — Signatures" in headings
    assert "Annexe pédagogique" in headings
    assert len(list(content.iter(f"{ns}list-item"))) >= 3  # the accident procedure


def test_no_soffice_means_no_measure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(libreoffice.shutil, "which", lambda _name: None)

    assert measure("sqlite:////nowhere/at/all.sqlite", {"agreement_ids": [1]}, 5) is None
