"""Organisation settings: every text is stored exactly as trimmed or refused in French, the
logo path included (whatever was pasted, the disk is asked safely or not at all)."""

from dataclasses import replace

from hypothesis import example, given
from hypothesis import strategies as st

from app.services.errors import ValidationError
from app.services.settings import organisation
from app.services.settings.organisation import OrganisationInput
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.properties.strategies import (
    assert_french_errors,
    expected_text,
    hostile_fields,
    hostile_text,
    service_settings,
)
from tests.unit.properties.worlds import COORDINATION

# Form field -> (model attribute, max length, French label)
TEXT_FIELDS = organisation._TEXT_FIELDS


def settings_input(**overrides: str) -> OrganisationInput:
    values = OrganisationInput(
        nom="La Fabrique du Numérique",
        adresse="12 rue de la Formation, 86000 Poitiers",
        siret="73282932000074",
        declaration_activite="75860123486",
        directeur="Hélène Garnier",
        fonction_directeur="Directrice",
        assureur="MAIF",
        numero_police="PO-445566",
        ville_signature="Poitiers",
    )
    return replace(values, **overrides)


@service_settings(60)
@given(field=st.sampled_from(sorted(TEXT_FIELDS)), typed=hostile_text)
def test_text_is_stored_exactly_or_refused(db: Database, field: str, typed: str) -> None:
    # The address and the convocation's list « À apporter » are the multi-line fields.
    one_line = field not in ("adresse", "a_apporter")
    expected = expected_text(typed, TEXT_FIELDS[field][1], one_line=one_line)
    with db.session(commit=False) as s:
        try:
            organisation.save_organisation(
                s, settings_input(**{field: typed}), actor=make_actor(COORDINATION)
            )
        except ValidationError as error:
            assert_french_errors(error.errors, {field})
            assert expected is None or (expected == "" and field == "nom"), expected
            return
        assert expected is not None
        s.expire_all()
        assert getattr(organisation.get_organisation(s), field) == expected


@service_settings(80)
@given(changes=hostile_fields(OrganisationInput.field_names()))
@example(changes={"logo": "~\x00x"})
@example(changes={"logo": "~\ud800"})
@example(changes={"logo": "~" + "a" * 5000})
@example(changes={"logo": "a" * 5000})
@example(changes={"logo": "/etc/passwd"})
def test_any_settings_form_is_saved_or_refused_in_french(
    db: Database, changes: dict[str, str]
) -> None:
    with db.session(commit=False) as s:
        try:
            organisation.save_organisation(
                s, settings_input(**changes), actor=make_actor(COORDINATION)
            )
        except ValidationError as error:
            assert_french_errors(error.errors, set(changes))
