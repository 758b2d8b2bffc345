"""Dynamic management (动态管理) from the command line: incomes recorded, a review's category
computed, the exit candidates and the statistics listed."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from domain.access import SYSTEM
from domain.application import Context
from domain.cases import Person
from domain.id_numbers import make_id_number
from domain.incomes import Incomes
from domain.vocabulary import CentreLevel
from tests.integration.bangfu import folder_ledger, run
from tests.unit.support import assessment

ADMIN = Context(SYSTEM)


def test_the_cli_records_incomes_reviews_and_lists_exit_candidates_and_statistics(
    tmp_path: Path,
) -> None:
    ledger = folder_ledger(tmp_path)
    city = ledger.create_centre(ADMIN, "长春市", CentreLevel.PREFECTURE, None).result.id
    person = Person("动态1", make_id_number("220104", date(1972, 3, 4), 1), "")
    case = ledger.register_case(ADMIN, city, assessment(), person, date(2026, 1, 5)).result.id
    for month in range(1, 6):  # ¥800 a head, above the ¥790 line, January to May
        day = date(2026, month, 28)
        ledger.record_income(ADMIN, case, f"2026-{month:02d}", Incomes(3, 2_400_00), "", day)
    ledger.close()
    june = ["income", "record", str(case), "--month", "2026-06", "--date", "2026-06-28"]
    figures = ["--size", "3", "--income", "2400"]

    recorded = run([*june, *figures, "--member", "本人:2400:employed"], tmp_path)
    again = run([*june, *figures], tmp_path)
    reviewed = run(["review", str(case), *figures, "--date", "2026-06-30"], tmp_path)
    listed = run(["cases", "exit-candidates", "--as-of", "2026-06-30"], tmp_path)
    counted = run(["cases", "statistics", "--from", "2026-01-01", "--to", "2026-06-30"], tmp_path)

    assert recorded.returncode == 0 and "收入登记" in recorded.stdout, recorded.stderr
    assert again.returncode == 1 and "has its income record already" in again.stderr
    assert reviewed.returncode == 0 and "relative_hardship 相对困难" in reviewed.stdout
    assert listed.returncode == 0 and str(case) in listed.stdout and "6/6" in listed.stdout
    assert re.search(r"复核\s*│\s*1\s*│", counted.stdout), counted.stdout
