"""Local policy in the log: settings inherited down the centre tree, answered the same by the
read model and by the domain function over the events; the suspicious check judging each
household by the line in force at its own centre, even when a setting comes after the
payments; and the `bangfu policy` commands, a policy file imported as settings."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.access import SYSTEM
from domain.application import Context, Ledger
from domain.cases import Assessment
from domain.policy_parameters import Parameter
from domain.vocabulary import AssistanceType, Category, Cause, CentreLevel, FundSource
from projections import Views
from projections import policy as policy_view
from projections.suspicious_rules import suspicious
from stores import open_ledger
from supervision import compliance
from supervision.records import from_ledger
from tests.integration.bangfu import run
from tests.integration.test_projections import contents

ADMIN = Context(SYSTEM)
LINE = Parameter.DIBAO_LINE


def tree(ledger: Ledger) -> dict[str, UUID]:
    """A city with two districts, each with a street."""
    made: dict[str, UUID] = {}
    for name, level, parent in (
        ("city", CentreLevel.PREFECTURE, None),
        ("district_a", CentreLevel.COUNTY, "city"),
        ("district_b", CentreLevel.COUNTY, "city"),
        ("street_a", CentreLevel.STREET, "district_a"),
        ("street_b", CentreLevel.STREET, "district_b"),
    ):
        parent_id = made[parent] if parent else None
        made[name] = ledger.create_centre(ADMIN, name, level, parent_id).result.id
    return made


def line_at(ledger: Ledger, views: Views, centre: UUID, on: str) -> tuple[int | None, str | None]:
    """The 低保 line in force by the read model, checked against the domain function over the
    events: its value and the centre that set it (None: the built-in default)."""
    views.projector.run_once()
    found, _ = policy_view.in_force(views.policy, str(centre), date.fromisoformat(on))
    by_view = next(s for p, _, s in found if p is LINE)
    path = [str(c) for c in ledger.centre(SYSTEM, centre).path]
    book = compliance.policy_book(list(from_ledger(ledger)))
    assert book.in_force(LINE, None, path, date.fromisoformat(on)) == by_view
    in_commands = ledger.policy_value(centre, LINE, None, date.fromisoformat(on))
    assert in_commands == (by_view.value if by_view else None)  # the aggregates say the same
    return (by_view.value, by_view.centre_id) if by_view else (None, None)


def test_a_district_inherits_the_city_line_a_district_of_its_own_overrides_it_by_date(
    ledger: Ledger,
) -> None:
    c = tree(ledger)
    views = Views(ledger)
    city, b = str(c["city"]), str(c["district_b"])

    rise = ledger.set_policy(ADMIN, c["city"], LINE, None, "820.00", date(2026, 7, 1), "上调")
    ledger.set_policy(ADMIN, c["district_b"], LINE, None, 85_000, date(2026, 1, 1), "区标准")

    assert line_at(ledger, views, c["street_a"], "2026-06-30") == (79_000, None)  # the default
    assert line_at(ledger, views, c["street_a"], "2026-07-01") == (82_000, city)
    assert line_at(ledger, views, c["street_b"], "2025-12-31") == (79_000, None)
    assert line_at(ledger, views, c["street_b"], "2026-08-01") == (85_000, b)  # nearest wins

    correction = ledger.set_policy(
        ADMIN, c["city"], LINE, None, "830.00", date(2026, 7, 1), "更正", rise.result.id
    )
    own = policy_view.history(views.policy, b, LINE.value, 0, 10)[-1]["setting_id"]
    ledger.withdraw_policy(ADMIN, c["district_b"], UUID(own), "撤销区标准")

    assert line_at(ledger, views, c["street_b"], "2026-08-01") == (83_000, city)
    assert line_at(ledger, views, c["district_a"], "2026-08-01") == (83_000, city)
    statuses = {
        r["setting_id"]: (r["replaced_by"], r["withdrawn_by"] is not None)
        for r in policy_view.history(views.policy, str(c["street_b"]), None, 0, 10)
    }
    assert statuses == {
        str(rise.result.id): (str(correction.result.id), False),
        str(correction.result.id): (None, False),
        own: (None, True),
    }


def deep_household(ledger: Ledger, centre: UUID, fund: UUID, seq: int) -> UUID:
    from domain.cases import Person
    from domain.id_numbers import make_id_number

    assessment = Assessment(Category.DEEP_HARDSHIP, Cause.SERIOUS_ILLNESS, (), 2, 300_00, ())
    person = Person(f"户{seq}", make_id_number("220104", date(1970, 1, 1), seq), "")
    case = ledger.register_case(ADMIN, centre, assessment, person, date(2026, 1, 5)).result.id
    for month in (2, 8):  # ¥10,000 of living relief in 2026
        ledger.pay(
            ADMIN, fund, case, AssistanceType.LIVING_RELIEF, 5_000_00, "LR", date(2026, month, 3)
        )
    return case


def findings(ledger: Ledger, views: Views) -> list[dict[str, Any]]:
    """The findings above standard, by the view, checked against the recomputation."""
    views.projector.run_once()
    lens = compliance.Standards(late_recording_days=36600)
    expected = compliance.suspicious(list(from_ledger(ledger)), lens)
    assert suspicious(views.suspicious, lens).items == expected
    return [f for f in expected if f["rule"] == "above_standard"]


def test_living_relief_is_judged_by_the_line_in_force_at_the_households_own_centre(
    ledger: Ledger,
) -> None:
    c = tree(ledger)
    fund = ledger.open_fund(
        ADMIN, c["city"], "f", FundSource.SOCIAL_DONATION, 2026, [AssistanceType.LIVING_RELIEF],
        date(2026, 1, 2),
    ).result.id  # fmt: skip
    ledger.receive(ADMIN, fund, 50_000_00, "x", "r", date(2026, 1, 2))
    ledger.set_policy(ADMIN, c["city"], LINE, None, 82_000, date(2026, 7, 1), "年中上调")
    in_a = deep_household(ledger, c["street_a"], fund, 1)
    in_b = deep_household(ledger, c["street_b"], fund, 2)
    views = Views(ledger, batch_size=5)

    # 12 months of the line in force on 2026-12-31: ¥820 at the city's streets (¥9,840)
    before = findings(ledger, views)
    ledger.set_policy(ADMIN, c["district_b"], LINE, None, 85_000, date(2026, 1, 1), "区标准")
    after = findings(ledger, views)  # district B's own ¥850 (¥10,200) judges in_b afresh

    assert sorted(f["case_id"] for f in before) == sorted([str(in_a), str(in_b)])
    assert [f["case_id"] for f in after] == [str(in_a)]
    assert "above the 984000 fen standard" in after[0]["detail"]
    incremental = {name: contents(views.projector.view(name)) for name in ("suspicious", "policy")}
    for name in incremental:
        views.projector.rebuild(name)
    assert {name: contents(views.projector.view(name)) for name in incremental} == incremental


def test_the_policy_commands_import_a_file_set_show_and_list_settings(
    sqlite_url: str, tmp_path: Path
) -> None:  # one store: the commands call the use cases and the view tested on both above
    ledger = open_ledger(sqlite_url, master_key_file=tmp_path / "master.key")
    c = tree(ledger)
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps(
            {
                "dibao_lines_fen": [["2026-01-01", 82_000]],
                "living_relief_months": {"deep_hardship": 10},
                "settings": [{"parameter": "public_notice_days", "value": "5"}],
            }
        )
    )

    def bangfu(*args: str) -> str:
        done = run(["policy", *args], tmp_path, sqlite_url)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    dry = bangfu("import", str(policy), "--dry-run")
    bangfu("import", str(policy))
    again = bangfu("import", str(policy))
    bangfu("set", "--centre", str(c["district_a"]), "dibao_line", "860.00",
           "--from", "2026-03-01", "--reason", "区标准")  # fmt: skip
    shown = bangfu("show", "--centre", str(c["street_a"]), "--on", "2026-03-01")
    listed = bangfu("history", "--centre", str(c["street_b"]))

    assert "Would record" in dry and "820.00" in dry
    assert again.count("unchanged, left out") == 3
    assert "860.00" in shown and "district_a" in shown
    assert "820.00" in listed and "860.00" not in listed  # district A's is not on B's path
    book = compliance.policy_book(list(from_ledger(ledger)))
    path = [str(c["city"]), str(c["district_b"])]
    assert book.value(Parameter.LIVING_RELIEF_MONTHS, "deep_hardship", path, date(2026, 1, 1)) == 10
    assert book.value(Parameter.PUBLIC_NOTICE_DAYS, None, path, date(1990, 1, 1)) == 5
    assert book.value(LINE, None, path, date(2026, 3, 1)) == 82_000
    ledger.close()
