"""What is in force at a centre on a date, from the settings alone (domain/policy.py), and how a
value is read and bounded (domain/policy_parameters.py)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidPolicyError
from domain.policy import PolicyBook, Setting
from domain.policy_parameters import Parameter, parse_value, subject_of

LINE = Parameter.DIBAO_LINE
CITY, DISTRICT, STREET = "city", "district", "street"
PATH = [CITY, DISTRICT, STREET]


def line(setting_id: str, centre: str, fen: int, since: str, order: int, **more: str) -> Setting:
    return Setting(setting_id, centre, LINE.value, None, fen, date.fromisoformat(since), order,
                   more.get("corrects"))  # fmt: skip


def test_the_nearest_centre_that_set_the_parameter_by_then_wins_over_a_later_one_above() -> None:
    book = PolicyBook(
        [line("c1", CITY, 82_000, "2026-07-01", 1), line("d1", DISTRICT, 85_000, "2026-03-01", 2)]
    )

    assert book.value(LINE, None, PATH, date(2026, 2, 28)) == 79_000  # the built-in default
    assert book.value(LINE, None, PATH, date(2026, 3, 1)) == 85_000
    assert book.value(LINE, None, PATH, date(2026, 8, 1)) == 85_000  # the district's own
    assert book.value(LINE, None, [CITY, "other"], date(2026, 8, 1)) == 82_000
    assert book.value(LINE, None, [CITY], date(2019, 12, 31)) is None  # no line before 2020


def test_at_one_centre_the_latest_date_wins_and_on_the_same_date_the_later_recorded() -> None:
    book = PolicyBook(
        [
            line("a", CITY, 80_000, "2026-01-01", 1),
            line("b", CITY, 81_000, "2026-07-01", 2),
            line("c", CITY, 82_000, "2026-01-01", 3),
        ]
    )

    assert book.value(LINE, None, PATH, date(2026, 6, 30)) == 82_000
    assert book.value(LINE, None, PATH, date(2026, 7, 1)) == 81_000


def test_a_corrected_or_withdrawn_setting_stops_counting() -> None:
    settings = [
        line("d1", DISTRICT, 85_000, "2026-01-01", 1),
        line("d2", DISTRICT, 86_000, "2026-02-01", 2, corrects="d1"),
        line("c1", CITY, 82_000, "2026-01-01", 3),
    ]

    corrected = PolicyBook(settings)
    withdrawn = PolicyBook(settings, withdrawn=["d2"])

    assert corrected.value(LINE, None, PATH, date(2026, 1, 15)) == 82_000
    assert corrected.value(LINE, None, PATH, date(2026, 2, 1)) == 86_000
    assert withdrawn.value(LINE, None, PATH, date(2026, 2, 1)) == 82_000


@pytest.mark.parametrize(
    ("parameter", "text", "fen_or_count"),
    [
        (Parameter.DIBAO_LINE, "790.00", 79_000),
        (Parameter.APPROVAL_ABOVE, "0", 0),
        (Parameter.LIVING_RELIEF_MONTHS, "12", 12),
        (Parameter.REPEAT_WINDOW_DAYS, "0", 0),
    ],
)
def test_a_value_is_read_by_its_unit(parameter: Parameter, text: str, fen_or_count: int) -> None:
    assert parse_value(parameter, text) == fen_or_count


@pytest.mark.parametrize(
    ("parameter", "text", "why"),
    [
        (Parameter.DIBAO_LINE, "0", "from 0.01 to 100000.00 yuan, not 0.00"),
        (Parameter.DIBAO_LINE, "7.999", "at most two decimals"),
        (Parameter.LIVING_RELIEF_MONTHS, "13", "from 0 to 12 months, not 13"),
        (Parameter.PUBLIC_NOTICE_DAYS, "5.5", "a whole number of days"),
        (Parameter.MATCHING_RATIO, "-1", "a whole number of percent"),
    ],
)
def test_a_value_out_of_bounds_or_badly_written_is_refused(
    parameter: Parameter, text: str, why: str
) -> None:
    with pytest.raises(InvalidPolicyError, match=why):
        parse_value(parameter, text)


def test_a_subject_belongs_to_the_parameters_vocabulary_or_is_none() -> None:
    assert subject_of(Parameter.MATCHING_RATIO, "county") == "county"
    with pytest.raises(InvalidPolicyError, match="per matching level: one of province"):
        subject_of(Parameter.MATCHING_RATIO, "street")
    with pytest.raises(InvalidPolicyError, match="for no subject"):
        subject_of(Parameter.DIBAO_LINE, "deep_hardship")
