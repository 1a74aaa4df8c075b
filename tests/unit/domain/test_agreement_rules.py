"""Rules of internship agreements (agreements.md, "Rules the form enforces").

Expected totals were counted by hand on the 2026 calendar and cross-checked with `calendar`.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.agreement_rules import (
    HoursTotal,
    IdentifierError,
    Interruption,
    WeeklySchedule,
    check_agreement,
    check_host_identifier,
    check_rna,
    check_siret,
    effective_hours,
    french_public_holidays,
    overlaps,
)

FULL_TIME = WeeklySchedule({0: 7, 1: 7, 2: 7, 3: 7, 4: 7})
PART_TIME = WeeklySchedule({0: 6, 1: 6, 3: 6})  # lundi, mardi, jeudi

# --- Schedule ------------------------------------------------------------------------------


def test_schedule_totals() -> None:
    assert FULL_TIME.hours_per_week == 35
    assert FULL_TIME.days_per_week == 5
    assert PART_TIME.hours_per_week == 18
    assert PART_TIME.days_per_week == 3


def test_schedule_ignores_zero_days_and_is_hashable() -> None:
    with_zeros = WeeklySchedule({0: 7, 1: 7, 2: 7, 3: 7, 4: 7, 5: 0, 6: 0})
    assert with_zeros == FULL_TIME
    assert hash(with_zeros) == hash(FULL_TIME)
    assert with_zeros.days_per_week == 5


@pytest.mark.parametrize("hours", [{7: 7}, {-1: 7}, {0: -1}, {0: float("nan")}])
def test_schedule_refuses_nonsense(hours: dict[int, float]) -> None:
    with pytest.raises(ValueError):
        WeeklySchedule(hours)


# --- Public holidays -----------------------------------------------------------------------


def test_french_public_holidays_2026_metropolitan() -> None:
    assert french_public_holidays([2026]) == {
        date(2026, 1, 1),
        date(2026, 4, 6),  # lundi de Pâques
        date(2026, 5, 1),
        date(2026, 5, 8),
        date(2026, 5, 14),  # Ascension
        date(2026, 5, 25),  # lundi de Pentecôte
        date(2026, 7, 14),
        date(2026, 8, 15),
        date(2026, 11, 1),
        date(2026, 11, 11),
        date(2026, 12, 25),
    }


def test_french_public_holidays_several_years() -> None:
    both = french_public_holidays([2026, 2027])
    assert len(both) == 22
    assert date(2027, 3, 29) in both  # lundi de Pâques 2027
    assert date(2026, 4, 3) not in both  # Vendredi saint: Alsace-Moselle only
    assert french_public_holidays(2027) == french_public_holidays([2027])


# --- Effective hours -----------------------------------------------------------------------


def test_two_months_full_time_summer_2026() -> None:
    # June 2026: 22 weekdays, July 2026: 23; minus 14 July (Tuesday) = 44 days.
    assert effective_hours(date(2026, 6, 1), date(2026, 7, 31), FULL_TIME) == HoursTotal(
        hours=308, days=44, days_as_7h=44
    )


def test_spring_2026_with_five_weekday_holidays() -> None:
    # April 2026: 22 weekdays, May 2026: 21 = 43; minus 6/4, 1/5 (Fri), 8/5 (Fri), 14/5, 25/5.
    assert effective_hours(date(2026, 4, 1), date(2026, 5, 31), FULL_TIME) == HoursTotal(
        hours=266, days=38, days_as_7h=38
    )


def test_part_time_monday_tuesday_thursday() -> None:
    # April: 4 Mon + 4 Tue + 5 Thu = 13; May: 4 + 4 + 4 = 12; 25 days minus 6/4 (Mon),
    # 14/5 (Thu), 25/5 (Mon) = 22 days of 6 h. 1/5 and 8/5 are Fridays: not counted anyway.
    total = effective_hours(date(2026, 4, 1), date(2026, 5, 31), PART_TIME)
    assert total.days == 22
    assert total.hours == 132
    assert total.days_as_7h == pytest.approx(132 / 7)


def test_one_week_interruption() -> None:
    week = Interruption(date(2026, 6, 15), date(2026, 6, 21))  # lundi → dimanche
    assert effective_hours(date(2026, 6, 1), date(2026, 7, 31), FULL_TIME, [week]) == HoursTotal(
        hours=273, days=39, days_as_7h=39
    )


def test_interruption_over_a_holiday_is_not_counted_twice() -> None:
    week = Interruption(date(2026, 7, 13), date(2026, 7, 17))  # contains 14 July
    total = effective_hours(date(2026, 6, 1), date(2026, 7, 31), FULL_TIME, [week])
    assert (total.days, total.hours) == (40, 280)


def _hours_day_by_day(
    start: date, end: date, schedule: WeeklySchedule, breaks: list[Interruption]
) -> tuple[float, int]:
    """The definition, one day at a time: what `effective_hours` counts without walking."""
    public = french_public_holidays(range(start.year, end.year + 1))
    hours, days, day = 0.0, 0, start
    while day <= end:
        if (
            schedule.hours_on(day.weekday()) > 0
            and day not in public
            and not any(b.contains(day) for b in breaks)
        ):
            hours += schedule.hours_on(day.weekday())
            days += 1
        day += timedelta(days=1)
    return hours, days


@given(
    start=st.dates(date(2024, 1, 1), date(2028, 12, 31)),
    length=st.integers(-3, 800),
    hours=st.lists(st.sampled_from([0, 0, 3.5, 6, 7, 7.25, 7.3, 8, 10]), min_size=7, max_size=7),
    breaks=st.lists(st.tuples(st.integers(-20, 820), st.integers(0, 40)), max_size=4),
)
def test_effective_hours_match_counting_each_day(
    start: date, length: int, hours: list[float], breaks: list[tuple[int, int]]
) -> None:
    schedule = WeeklySchedule({day: hours[day] for day in range(6)})  # never on Sunday
    end = start + timedelta(days=length)
    interruptions = [
        Interruption(start + timedelta(days=at), start + timedelta(days=at + span))
        for at, span in breaks
    ]
    total = effective_hours(start, end, schedule, interruptions)
    expected_hours, expected_days = _hours_day_by_day(start, end, schedule, interruptions)
    assert total.days == expected_days
    assert total.hours == pytest.approx(expected_hours, abs=1e-9)


def test_single_day_and_empty_period() -> None:
    assert effective_hours(date(2026, 6, 1), date(2026, 6, 1), FULL_TIME).hours == 7
    assert effective_hours(date(2026, 7, 14), date(2026, 7, 14), FULL_TIME).days == 0
    assert effective_hours(date(2026, 6, 6), date(2026, 6, 7), FULL_TIME).days == 0  # weekend
    assert effective_hours(date(2026, 6, 30), date(2026, 6, 1), FULL_TIME) == HoursTotal(0, 0, 0)


def test_half_hours_are_exact() -> None:
    # Week of 1–5 June 2026, 7.5 h a day.
    schedule = WeeklySchedule({d: 7.5 for d in range(5)})
    total = effective_hours(date(2026, 6, 1), date(2026, 6, 5), schedule)
    assert total == HoursTotal(hours=37.5, days=5, days_as_7h=37.5 / 7)


# --- Overlap -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((date(2026, 6, 1), date(2026, 6, 30)), (date(2026, 7, 1), date(2026, 7, 31)), False),
        ((date(2026, 6, 1), date(2026, 6, 30)), (date(2026, 6, 30), date(2026, 7, 31)), True),
        ((date(2026, 6, 1), date(2026, 7, 31)), (date(2026, 6, 10), date(2026, 6, 12)), True),
        ((date(2026, 7, 1), date(2026, 7, 31)), (date(2026, 6, 1), date(2026, 6, 30)), False),
    ],
)
def test_overlaps(a: tuple[date, date], b: tuple[date, date], expected: bool) -> None:
    assert overlaps(*a, *b) is expected
    assert overlaps(*b, *a) is expected


# --- Form checks ---------------------------------------------------------------------------

ADULT = date(1990, 3, 15)


def check(
    start: date = date(2026, 6, 1),
    end: date = date(2026, 7, 31),
    schedule: WeeklySchedule = FULL_TIME,
    interruptions: tuple[Interruption, ...] = (),
    **overrides: Any,
) -> Any:
    options: dict[str, Any] = {
        "learner_birth_date": ADULT,
        "today": date(2026, 5, 1),
        "host_is_public": False,
        "indemnity_amount": None,
        "indemnity_payment_mode": None,
    }
    options.update(overrides)
    return check_agreement(start, end, schedule, interruptions, **options)


def test_valid_agreement_has_no_error_nor_warning() -> None:
    report = check()
    assert report.errors == {}
    assert report.warnings == []
    assert report.ok


def test_end_before_start() -> None:
    report = check(start=date(2026, 7, 31), end=date(2026, 6, 1))
    assert set(report.errors) == {"date_fin"}
    assert "postérieure" in report.errors["date_fin"]


def test_end_equal_start_is_allowed() -> None:
    assert check(start=date(2026, 6, 1), end=date(2026, 6, 1)).errors == {}


@pytest.mark.parametrize(
    "interruption",
    [
        Interruption(date(2026, 6, 20), date(2026, 6, 10)),  # ends before it starts
        Interruption(date(2026, 5, 25), date(2026, 6, 5)),  # starts before the internship
        Interruption(date(2026, 7, 27), date(2026, 8, 7)),  # ends after the internship
    ],
)
def test_bad_interruption(interruption: Interruption) -> None:
    report = check(interruptions=(interruption,))
    assert set(report.errors) == {"interruptions"}
    assert "interruption" in report.errors["interruptions"].lower()


def test_interruption_on_the_bounds_is_accepted() -> None:
    report = check(
        interruptions=(
            Interruption(date(2026, 6, 1), date(2026, 6, 5)),
            Interruption(date(2026, 7, 27), date(2026, 7, 31)),
        )
    )
    assert report.errors == {}


def test_no_presence_day_refused() -> None:
    assert "horaires" in check(schedule=WeeklySchedule({})).errors


def test_35_hours_a_week_is_the_limit() -> None:
    assert check(schedule=WeeklySchedule({0: 7, 1: 7, 2: 7, 3: 7, 4: 7})).errors == {}


def test_36_hours_refused_with_the_law() -> None:
    """A trainee without a work contract: the legal weekly duration, no overtime (L6343-2)."""
    report = check(schedule=WeeklySchedule({0: 8, 1: 7, 2: 7, 3: 7, 4: 7}))
    assert set(report.errors) == {"horaires"}
    assert "35 h par semaine" in report.errors["horaires"]
    assert "L6343-2" in report.errors["horaires"]


def test_48_hours_refused() -> None:
    report = check(schedule=WeeklySchedule({0: 10, 1: 10, 2: 10, 3: 10, 4: 8}))
    assert "35 h par semaine" in report.errors["horaires"]


def test_sunday_presence_refused() -> None:
    report = check(schedule=WeeklySchedule({0: 7, 1: 7, 6: 7}))
    assert "dimanche" in report.errors["horaires"]
    assert "L6343-4" in report.errors["horaires"]
    assert "L6343-4" in check(sunday=True).errors["dimanche"]


def test_night_and_holidays_refused_for_a_minor_only() -> None:
    minor = check(learner_birth_date=MINOR, night=True, holiday=True)
    assert set(minor.errors) == {"nuit", "ferie"}
    assert "18 ans" in minor.errors["nuit"]
    assert check(night=True, holiday=True).errors == {}


def test_day_over_10_hours_refused() -> None:
    report = check(schedule=WeeklySchedule({0: 10.5, 1: 7}))
    assert "10 h par jour" in report.errors["horaires"]
    assert "lundi" in report.errors["horaires"]


# Birth date making the learner 17 on 1 June 2026 (18 on 2 June 2026).
MINOR = date(2008, 6, 2)


def test_under_18_limited_to_8_hours_a_day() -> None:
    report = check(schedule=WeeklySchedule({0: 9, 1: 7}), learner_birth_date=MINOR)
    assert "8 h par jour" in report.errors["horaires"]
    assert "18 ans" in report.errors["horaires"]


def test_under_18_limited_to_35_hours_a_week() -> None:
    report = check(
        schedule=WeeklySchedule({0: 8, 1: 8, 2: 8, 3: 8, 4: 4}), learner_birth_date=MINOR
    )
    assert "35 h par semaine" in report.errors["horaires"]
    assert report.warnings == []


def test_under_18_at_35_hours_and_8_a_day_is_fine() -> None:
    schedule = WeeklySchedule({0: 8, 1: 8, 2: 8, 3: 8, 4: 3})
    assert check(schedule=schedule, learner_birth_date=MINOR).errors == {}


def test_age_is_taken_on_the_start_date() -> None:
    schedule = WeeklySchedule({0: 9, 1: 9, 2: 8, 3: 9})
    assert "horaires" in check(schedule=schedule, learner_birth_date=MINOR).errors
    eighteenth = check(start=date(2026, 6, 2), schedule=schedule, learner_birth_date=MINOR)
    assert eighteenth.errors == {}
    assert check(schedule=schedule, learner_birth_date=None).errors == {}


def test_indemnity_requires_payment_mode() -> None:
    report = check(indemnity_amount=Decimal("300"), indemnity_payment_mode="  ")
    assert set(report.errors) == {"mode_versement"}
    assert check(indemnity_amount=Decimal("300"), indemnity_payment_mode="virement").ok


def test_no_indemnity_needs_no_payment_mode() -> None:
    assert check(indemnity_amount=Decimal("0")).ok
    assert check(indemnity_amount=None, host_is_public=True).ok


def test_a_public_host_paying_an_indemnity_is_only_a_warning() -> None:
    report = check(indemnity_amount=150.0, indemnity_payment_mode="virement", host_is_public=True)
    assert report.errors == {}
    assert any("organisme public" in warning for warning in report.warnings)


def test_negative_indemnity_refused() -> None:
    assert set(check(indemnity_amount=Decimal("-1")).errors) == {"indemnite"}


def test_warnings_cohort_tutor_orientation_past_start() -> None:
    report = check(
        cohort_window=(date(2026, 6, 8), date(2026, 7, 31)),
        tutor_ongoing_count=3,
        orientation_validated=False,
        today=date(2026, 6, 10),
    )
    assert report.errors == {}
    text = " | ".join(report.warnings)
    assert len(report.warnings) == 4
    assert "promotion" in text and "08/06/2026" in text
    assert "tuteur" in text
    assert "orientation" in text
    assert "déjà passée" in text


def test_within_cohort_window_and_two_tutored_no_warning() -> None:
    report = check(cohort_window=(date(2026, 6, 1), date(2026, 7, 31)), tutor_ongoing_count=2)
    assert report.warnings == []


# --- Identifiers ---------------------------------------------------------------------------


def test_siret_valid_with_spaces() -> None:
    assert check_siret("732 829 320 00074") == "73282932000074"
    assert check_siret(" 73282932000074 ") == "73282932000074"


def test_siret_bad_luhn() -> None:
    with pytest.raises(IdentifierError, match="clé de contrôle"):
        check_siret("732 829 320 00075")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("7328293200007", "14 chiffres"), ("7328293200007A", "chiffres"), ("", "SIRET")],
)
def test_siret_bad_format(text: str, fragment: str) -> None:
    with pytest.raises(IdentifierError, match=fragment):
        check_siret(text)


def test_la_poste_sirets() -> None:
    # Head office: a regular Luhn key.
    assert check_siret("35600000000048") == "35600000000048"
    # An establishment whose Luhn key fails but whose digit sum is a multiple of 5 (45).
    assert check_siret("356 000 000 49837") == "35600000049837"
    # La Poste establishment with a valid Luhn key but a digit sum of 19: refused.
    with pytest.raises(IdentifierError):
        check_siret("35600000000055")


def test_rna() -> None:
    assert check_rna("W751234567") == "W751234567"
    assert check_rna(" w 751 234 567 ") == "W751234567"
    for bad in ("W75123456", "W7512345678", "X751234567", "751234567", ""):
        with pytest.raises(IdentifierError, match="W suivi de 9 chiffres"):
            check_rna(bad)


def test_host_identifier() -> None:
    assert check_host_identifier("732 829 320 00074") == "73282932000074"
    assert check_host_identifier("w751234567") == "W751234567"
    with pytest.raises(IdentifierError, match="clé de contrôle"):
        check_host_identifier("73282932000075")
    for bad in ("123", "ABC", "", "7328293200007"):
        with pytest.raises(IdentifierError, match=r"SIRET à 14 chiffres ou numéro RNA"):
            check_host_identifier(bad)


def test_identifier_error_is_a_value_error() -> None:
    assert issubclass(IdentifierError, ValueError)


# --- Properties ----------------------------------------------------------------------------

_days = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))
_schedules = st.dictionaries(
    st.integers(0, 6), st.sampled_from([0, 0.5, 3, 6, 7, 7.5, 8, 10]), max_size=7
).map(WeeklySchedule)


@given(
    start=_days,
    length=st.integers(-5, 120),
    schedule=_schedules,
    cut_start=st.integers(-10, 130),
    cut_length=st.integers(0, 30),
)
def test_hours_properties(
    start: date, length: int, schedule: WeeklySchedule, cut_start: int, cut_length: int
) -> None:
    end = start + timedelta(days=length)
    total = effective_hours(start, end, schedule)
    assert total.hours >= 0
    assert 0 <= total.days <= max(0, length + 1)
    assert total.days_as_7h == total.hours / 7
    cut = Interruption(
        start + timedelta(days=cut_start), start + timedelta(days=cut_start + cut_length)
    )
    cut_total = effective_hours(start, end, schedule, [cut])
    assert cut_total.hours <= total.hours
    assert cut_total.days <= total.days
