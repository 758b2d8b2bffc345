"""Filing from the command line: an application from a file, the overdue list, the filing and
the archive's transfer (转档)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from uuid import UUID

from domain.access import SYSTEM
from domain.application import Context
from domain.id_numbers import make_id_number
from domain.vocabulary import CentreLevel
from tests.integration.bangfu import folder_ledger, run

ADMIN = Context(SYSTEM)


def test_the_cli_takes_an_application_lists_it_once_overdue_files_and_transfers_it(
    tmp_path: Path,
) -> None:
    ledger = folder_ledger(tmp_path)
    city = ledger.create_centre(ADMIN, "长春市", CentreLevel.PREFECTURE, None).result.id
    street = ledger.create_centre(ADMIN, "红旗街道", CentreLevel.STREET, city).result.id
    other = ledger.create_centre(ADMIN, "桂林街道", CentreLevel.STREET, city).result.id
    ledger.close()
    body = {
        "centre_id": str(street),
        "applicant": {"name": "张三", "id_number": make_id_number("220106", date(1975, 1, 1), 1)},
        "incomes": [{"label": "工资", "amount": "600.00"}],
        "primary_cause": "laid_off_unemployed",
        "business_date": "2026-05-01",
    }
    (tmp_path / "application.json").write_text(json.dumps(body, ensure_ascii=False))

    applied = run(["application", "apply", "application.json"], tmp_path)
    application = applied.stdout.split(": ")[1].split()[0]
    ledger = folder_ledger(tmp_path)
    taken = UUID(application)
    ledger.review_application(ADMIN, taken, "", date(2026, 5, 2))
    ledger.record_application_visit(ADMIN, taken, ["王干事"], "属实", date(2026, 5, 3))
    ledger.check_application_income(ADMIN, taken, None, None, "", date(2026, 5, 4))
    ledger.post_application_notice(ADMIN, taken, "社区公示栏", None, date(2026, 5, 5))
    ledger.close()
    overdue = run(["application", "list", "--overdue", "--as-of", "2026-05-20"], tmp_path)
    filed = run(["application", "file", application, "--date", "2026-05-20"], tmp_path)
    case = filed.stdout.split(": ")[1].split()[0]
    moved = run(["case", "transfer", case, "--to", str(other), "--date", "2026-06-01"], tmp_path)

    assert applied.returncode == 0, applied.stderr
    # the notice runs 05-05 to 05-11; filing is due 5 days later, on 05-16: 4 days past it
    assert application in overdue.stdout and "2026-05-16" in overdue.stdout, overdue.stdout
    assert filed.returncode == 0 and moved.returncode == 0, filed.stderr + moved.stderr
    ledger = folder_ledger(tmp_path)
    archive = ledger.case(SYSTEM, UUID(case))
    assert (archive.category, archive.centre_id) == ("deep_hardship", other)
    ledger.close()
