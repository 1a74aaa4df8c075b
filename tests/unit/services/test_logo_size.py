"""The logo's size (issue 12, point 9): a logo over 4 000 pixels a side is refused before
anything is decoded, a large accepted one is stored reduced, and documents never decode a
huge image (a 13 000 x 13 000 PNG of 493 KB cost 1.7 GB per document)."""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import OrganisationSettings
from app.pdf import images
from app.services.agreements.documents import DocumentKind, render_document
from app.services.errors import ValidationError
from app.services.settings import organisation as o
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.properties.worlds import (
    AGREEMENT_NOW,
    COORDINATION,
    placement_world,
    signed_agreement,
)

BLUE = (31, 111, 139)


@pytest.fixture
def s(db: Database) -> Iterator[Session]:
    with db.session() as session:
        yield session


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Every image Pillow is asked to decode, by size; decoding anything over the limit
    fails the test instead of taking gigabytes."""
    decoded: list[tuple[int, int]] = []
    original = Image.Image.load

    def load(self: Image.Image) -> object:
        decoded.append(self.size)
        assert max(self.size) <= images.MAX_IMAGE_SIDE, f"decoded {self.size}"
        return original(self)

    monkeypatch.setattr(Image.Image, "load", load)
    return decoded


@pytest.fixture(scope="module")
def huge_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """13 000 x 13 000 pixels, one bit each: a few hundred kilobytes on disk (made before
    `no_decoding` watches, a wider scope)."""
    path = tmp_path_factory.mktemp("logos") / "logo.png"
    Image.new("1", (13_000, 13_000)).save(path, "PNG")
    return path


def settings_with_logo(path: Path | str) -> o.OrganisationInput:
    return o.OrganisationInput(nom="La Fabrique du Numérique", logo=str(path))


def save_logo(s: Session, path: Path | str) -> str:
    return o.save_organisation(s, settings_with_logo(path), actor=make_actor(COORDINATION)).logo


def logo_error(s: Session, path: Path) -> str:
    with pytest.raises(ValidationError) as raised:
        save_logo(s, path)
    assert set(raised.value.errors) == {"logo"}
    return raised.value.errors["logo"]


# ---------------------------------------------------------------- refused


def test_a_13000_pixel_png_is_refused_without_being_decoded(
    s: Session, huge_png: Path, no_decoding: list[tuple[int, int]]
) -> None:
    path = huge_png
    assert path.stat().st_size < 1_000_000

    assert logo_error(s, path) == (
        "Le logo mesure 13\u00a0000 × 13\u00a0000 pixels : 4\u00a0000 × 4\u00a0000 au plus. "
        "Le réduire, puis le choisir à nouveau."
    )
    assert no_decoding == []
    assert o.get_organisation(s).logo == ""
    assert not o.logo_folder().exists()


@pytest.mark.parametrize(("size", "kind"), [((4001, 10), "PNG"), ((20, 4500), "JPEG")])
def test_one_side_over_4000_pixels_is_enough_to_refuse(
    s: Session, tmp_path: Path, size: tuple[int, int], kind: str
) -> None:
    path = tmp_path / f"logo.{kind.lower()}"
    Image.new("RGB", size, BLUE).save(path, kind)
    assert "4\u00a0000 × 4\u00a0000 au plus" in logo_error(s, path)


def test_a_cut_or_fake_image_is_refused(s: Session, tmp_path: Path) -> None:
    fake = tmp_path / "faux.png"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), BLUE).save(buffer, "PNG")
    cut = tmp_path / "coupe.png"
    cut.write_bytes(buffer.getvalue()[:60])
    for path in (fake, cut):
        assert logo_error(s, path) == o.UNREADABLE_LOGO


def test_pillow_refuses_to_decode_bombs() -> None:
    assert Image.MAX_IMAGE_PIXELS == images.MAX_IMAGE_PIXELS == 16_000_000


# ---------------------------------------------------------------- stored


def test_a_3000_by_2000_logo_is_stored_reduced_to_1000_pixels_and_prints(
    db: Database, tmp_path: Path
) -> None:
    source = tmp_path / "grand-logo.png"
    Image.new("RGBA", (3000, 2000), (*BLUE, 200)).save(source, "PNG")
    with db.session() as s:
        world = placement_world(s)
        stored = Path(save_logo(s, source))
        agreement_id = signed_agreement(s, world)
        pdf = render_document(s, agreement_id, DocumentKind.CONVENTION, today=AGREEMENT_NOW.date())

    assert stored.parent == o.logo_folder()
    assert stored.suffix == ".png"
    with Image.open(stored) as image:
        assert (image.format, image.size, image.mode) == ("PNG", (1000, 667), "RGBA")
    assert source.read_bytes() != stored.read_bytes()  # the chosen file is left as it was
    first_page = PdfReader(io.BytesIO(pdf)).pages[0]
    widths = [
        int(xobject.get_object()["/Width"])
        for xobject in first_page["/Resources"]["/XObject"].values()
        if xobject.get_object()["/Subtype"] == "/Image"
    ]
    assert widths == [1000]


def test_a_large_jpeg_stays_a_jpeg_and_saving_again_keeps_the_same_copy(
    s: Session, tmp_path: Path
) -> None:
    source = tmp_path / "photo.jpg"
    Image.new("RGB", (2400, 1600), BLUE).save(source, "JPEG")
    stored = save_logo(s, source)
    with Image.open(stored) as image:
        assert (image.format, image.size) == ("JPEG", (1000, 667))
    assert save_logo(s, stored) == stored  # the copy is small: kept as it is
    assert save_logo(s, source) == stored  # the same image: the same copy
    assert len(list(o.logo_folder().iterdir())) == 1


@pytest.mark.parametrize("side", [1000, 300])
def test_a_logo_of_at_most_1000_pixels_keeps_its_path(
    s: Session, tmp_path: Path, side: int
) -> None:
    source = tmp_path / "logo.png"
    Image.new("RGB", (side, side // 3), BLUE).save(source, "PNG")
    assert save_logo(s, source) == str(source)
    assert not o.logo_folder().exists()


# ---------------------------------------------------------------- printing


@pytest.fixture(scope="module")
def wide_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 000 x 1 000 pixels: within Pillow's own bomb limit, over the logo's."""
    path = tmp_path_factory.mktemp("logos") / "bandeau.png"
    Image.new("1", (8_000, 1_000)).save(path, "PNG")
    return path


@pytest.mark.parametrize("logo", ["huge_png", "wide_png"])
def test_a_huge_logo_saved_before_the_limit_prints_no_logo_and_decodes_nothing(
    request: pytest.FixtureRequest, db: Database, logo: str
) -> None:
    path: Path = request.getfixturevalue(logo)
    images.clear_decoded()
    decoded = request.getfixturevalue("no_decoding")
    with db.session() as s:
        world = placement_world(s)
        agreement_id = signed_agreement(s, world)
        row = s.scalars(select(OrganisationSettings)).one()
        row.logo_path = str(path)  # as an earlier version accepted it
        s.flush()
        pdf = render_document(s, agreement_id, DocumentKind.CONVENTION, today=AGREEMENT_NOW.date())
    assert decoded == []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        xobjects = page["/Resources"].get("/XObject", {})
        assert all(x.get_object()["/Subtype"] != "/Image" for x in xobjects.values())


@pytest.mark.parametrize(
    ("kind", "size"), [("PNG", (640, 480)), ("JPEG", (1200, 300)), ("JPEG", (5, 4001))]
)
def test_pixel_size_reads_the_header(tmp_path: Path, kind: str, size: tuple[int, int]) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", size, BLUE).save(buffer, kind, **({"exif": b""} if kind == "JPEG" else {}))
    assert images.pixel_size(buffer.getvalue()) == size
    assert images.pixel_size(buffer.getvalue()[:20]) is None
    assert images.pixel_size(b"GIF89a") is None
