"""Personal data is sealed per household, its reads are recorded, and erasing it breaks no proof."""

from __future__ import annotations

from typing import Any

from domain.vocabulary import Role
from projections.conservation import check
from stores.sql import SqlDatabase
from supervision.checkpoints import Checkpoints
from supervision.signing import Signer
from supervision.verify import verify
from tests.api.support import Api, World, case_body, person

SECRET_NAME = "隐私测试张三丰"
SECRET_PHONE = "13912345678"
SECRET_CARD = "6222021234567890123"
SECRET_HEALTH = "尿毒症透析"


def all_text_in_the_store(api: Api) -> str:
    """Every value of every table of the store, as text: what someone with the files would see."""
    db = SqlDatabase(api.ledger)
    if db.is_postgres:
        schema = db.table("x").split(".")[0].strip('"')
        tables = [
            r["t"]
            for r in db.query(
                "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            )
        ]
    else:
        tables = [
            r["t"] for r in db.query("SELECT name AS t FROM sqlite_master WHERE type = 'table'")
        ]
    chunks = []
    for table in tables:
        for row in db.query(f"SELECT * FROM {db.table(table)}"):
            for value in row.values():
                chunks.append(
                    bytes(value).decode("utf-8", "replace")
                    if isinstance(value, bytes | memoryview)
                    else str(value)
                )
    return "\n".join(chunks)


def secret_case(api: Api, world: World) -> tuple[str, dict[str, Any]]:
    who = person() | {
        "name": SECRET_NAME,
        "phone": SECRET_PHONE,
        "bank_card": SECRET_CARD,
        "health": SECRET_HEALTH,
        "family_members": [{"name": "张小丰", "relation": "子"}],
    }
    return api.created("/cases", case_body(world.street, person=who)), who


def test_no_table_holds_personal_data_in_clear(api: Api, world: World) -> None:
    case_id, who = secret_case(api, world)
    api.view("/cases")  # the views have caught up, so they are searched too
    api.get(f"/cases/{case_id}")

    stored = all_text_in_the_store(api)

    for secret in (
        SECRET_NAME,
        SECRET_PHONE,
        SECRET_CARD,
        SECRET_HEALTH,
        who["id_number"],
        "张小丰",
    ):
        assert secret not in stored
    assert api.get(f"/cases/{case_id}").json()["person"]["bank_card"] == SECRET_CARD


def test_reads_of_personal_data_are_recorded_and_withheld_from_roles_without_need(
    api: Api, world: World
) -> None:
    case_id, _ = secret_case(api, world)
    worker = api.user("王干事", Role.CASEWORKER)
    finance = api.user("会计", Role.FINANCE)

    seen = api.get(f"/cases/{case_id}", as_=worker).json()
    withheld = api.get(f"/cases/{case_id}", as_=finance).json()

    assert seen["person"]["name"] == SECRET_NAME and seen["personal_data"] == "shown"
    assert withheld["person"] is None and withheld["personal_data"] == "withheld"
    api.position = api.ledger.recorder.max_notification_id() or 0  # reads are writes too
    reads = api.view("/audit/events", type="Recorded", by="王干事").json()["items"]
    assert [r["data"]["case_ids"] for r in reads] == [[case_id]]
    assert reads[0]["aggregate"] == "PersonalDataRead"
    assert not api.view("/audit/events", type="Recorded", by="会计").json()["items"]


def test_erasure_makes_personal_data_unreadable_while_every_proof_still_holds(
    api: Api, world: World
) -> None:
    case_id, _ = secret_case(api, world)
    api.created(
        "/payments",
        {
            "fund_id": world.fund,
            "case_id": case_id,
            "assistance_type": "living_relief",
            "amount": "600.00",
            "business_date": "2026-02-01",
        },
    )
    signer: Signer = api.client.app.state.signer  # type: ignore[attr-defined]
    Checkpoints(api.ledger).take(signer)
    balance_before = api.view(f"/funds/{world.fund}/balance").json()["balance"]

    erased = api.post(f"/cases/{case_id}/personal-data/erasure", {"reason": "保存期满"})

    assert erased.status_code == 201
    case = api.get(f"/cases/{case_id}").json()
    assert case["person"] is None and case["personal_data"] == "erased"
    listed = {c["id"]: c for c in api.view("/cases").json()["items"]}
    assert listed[case_id]["person_name"] == "[erased 已销毁]"
    assert listed[world.case]["person_name"].startswith("测试")
    assert api.view(f"/funds/{world.fund}/balance").json()["balance"] == balance_before
    assert check(api.ledger).holds
    report = verify(api.ledger, signer.public_key_pem)
    assert report.ok and report.checkpoints >= 1
    history = api.get(f"/cases/{case_id}/history").json()
    assert history[-1]["type"] == "PersonalDataErased"
    assert history[-1]["data"]["reason"] == "保存期满"


def test_only_an_admin_erases_personal_data(api: Api, world: World) -> None:
    supervisor = api.user("主任", Role.SUPERVISOR)

    response = api.post(
        f"/cases/{world.case}/personal-data/erasure", {"reason": "x"}, as_=supervisor
    )

    assert response.status_code == 403
    assert api.get(f"/cases/{world.case}").json()["personal_data"] == "shown"


def test_one_archive_per_person_still_holds_with_the_id_number_sealed(
    api: Api, world: World
) -> None:
    case_id, who = secret_case(api, world)

    again = api.post("/cases", case_body(world.other_district, person=who))

    assert again.status_code == 409
    api.created(f"/cases/{case_id}/personal-data/erasure", {"reason": "x"})
    assert api.post("/cases", case_body(world.other_district, person=who)).status_code == 409
