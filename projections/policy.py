"""Local policy (everyone who reads a centre): every setting recorded at each centre, with the
centre tree, so that what was in force at a centre on a date is a read of the settings on its
path, resolved by the same function the checks and the audit package use (domain/policy.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, ClassVar

from domain.centres import Centre
from domain.policy import Policy, PolicyBook, Setting, year_end
from domain.policy_parameters import MATCHER_LEVEL, Parameter
from projections.report_tables import (
    CLOSURE,
    Reader,
    closure_rows,
    in_subtree,
    insert_tree,
    reading,
    upsert,
)
from projections.view import (
    Batch,
    View,
    every_event_but,
)
from stores.sql import Cursor

_HANDLED = (Centre.Created, Policy.ParameterSet, Policy.SettingWithdrawn)


class PolicyView(View):
    """Centres with their path; every setting with what became of it (corrected, withdrawn)."""

    name = "policy"
    handles = _HANDLED
    ignores = every_event_but(_HANDLED)  # Policy.Started among them
    tables: ClassVar[dict[str, str]] = {
        "pol_centres": "centre_id TEXT PRIMARY KEY, name TEXT NOT NULL, path TEXT NOT NULL",
        "pol_tree": CLOSURE,
        "pol_settings": (
            "setting_id TEXT PRIMARY KEY, position BIGINT NOT NULL, centre_id TEXT NOT NULL, "
            "parameter TEXT NOT NULL, subject TEXT, value BIGINT NOT NULL, "
            "effective_from TEXT NOT NULL, reason TEXT NOT NULL, corrects TEXT, "
            "actor TEXT NOT NULL, business_date TEXT NOT NULL, recorded_at TEXT NOT NULL, "
            "replaced_by TEXT, withdrawn_by TEXT, withdrawal_reason TEXT"
        ),
    }
    indexes: ClassVar[list[tuple[str, str]]] = [
        ("pol_settings", "centre_id, position"),
        ("pol_settings", "parameter"),
    ]

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        t = {base: self.table(base, generation) for base in self.tables}
        named = {str(e.__dict__["corrects"]) for _, e in batch if _corrects(e)}
        named |= {
            str(e.__dict__["setting_id"])
            for _, e in batch
            if isinstance(e, Policy.SettingWithdrawn)
        }
        settings = self.rows_by_key(cursor, t["pol_settings"], "setting_id", named)
        centres: list[dict[str, Any]] = []
        closure: list[tuple[str, str]] = []
        for position, event in batch:
            f = event.__dict__
            if isinstance(event, Centre.Created):
                path = [*(str(a) for a in f["ancestors"]), str(event.originator_id)]
                centres.append({"centre_id": path[-1], "name": f["name"], "path": ",".join(path)})
                closure += closure_rows(event)
            elif isinstance(event, Policy.ParameterSet):
                row = _setting_row(position, event)
                settings[row["setting_id"]] = row
                if row["corrects"] in settings:  # the domain lets it name only its own
                    settings[row["corrects"]]["replaced_by"] = row["setting_id"]
            elif isinstance(event, Policy.SettingWithdrawn) and str(f["setting_id"]) in settings:
                withdrawn = settings[str(f["setting_id"])]
                withdrawn["withdrawn_by"] = str(position)
                withdrawn["withdrawal_reason"] = f["reason"]
        upsert(self, cursor, t["pol_centres"], "centre_id", centres)
        upsert(self, cursor, t["pol_settings"], "setting_id", list(settings.values()))
        insert_tree(self, cursor, t["pol_tree"], closure)


SETTINGS = (
    "setting_id TEXT PRIMARY KEY, position BIGINT NOT NULL, centre_id TEXT NOT NULL, "
    "parameter TEXT NOT NULL, subject TEXT, value BIGINT NOT NULL, effective_from TEXT NOT NULL, "
    "corrects TEXT, withdrawn_by TEXT"
)
"""The columns of a table of settings that another view keeps for its own checks."""
SETTING_EVENTS = (Policy.ParameterSet, Policy.SettingWithdrawn)


def keep_settings(
    view: View, cursor: Cursor, table: str, batch: Batch, parameters: frozenset[str]
) -> dict[str, date]:
    """Keep the batch's settings of these parameters in ``table`` (of SETTINGS); for each
    centre whose settings changed, the earliest date from which what is in force may differ
    (a correction also from the date of the setting it replaces, a withdrawal from its own)."""
    changes = [(p, e) for p, e in batch if isinstance(e, SETTING_EVENTS)]
    if not changes:
        return {}
    named = {str(e.__dict__["setting_id"]) for _, e in changes}
    named |= {str(e.__dict__["corrects"]) for _, e in changes if _corrects(e)}
    known = view.rows_by_key(cursor, table, "setting_id", named)
    since: dict[str, date] = {}
    for position, event in changes:
        f = event.__dict__
        if isinstance(event, Policy.ParameterSet) and f["parameter"] in parameters:
            row = _setting_row(position, event)
            known[row["setting_id"]] = {k: row[k] for k in _KEPT}
            dates = [f["effective_from"]]
            if row["corrects"] in known:
                dates.append(date.fromisoformat(known[row["corrects"]]["effective_from"]))
            _earliest(since, row["centre_id"], min(dates))
        elif isinstance(event, Policy.SettingWithdrawn) and str(f["setting_id"]) in known:
            gone = known[str(f["setting_id"])]
            gone["withdrawn_by"] = str(position)
            _earliest(since, gone["centre_id"], date.fromisoformat(gone["effective_from"]))
    upsert(view, cursor, table, "setting_id", list(known.values()))
    return since


_KEPT = [c.split()[0] for c in SETTINGS.split(", ")]


def _earliest(since: dict[str, date], centre: str, day: date) -> None:
    since[centre] = min(day, since.get(centre, day))


def _corrects(event: object) -> bool:
    return isinstance(event, Policy.ParameterSet) and event.__dict__["corrects"] is not None


def _setting_row(position: int, event: Policy.ParameterSet) -> dict[str, Any]:
    f = event.__dict__
    return {
        "setting_id": str(f["setting_id"]),
        "position": position,
        "centre_id": str(f["centre_id"]),
        "parameter": f["parameter"],
        "subject": f["subject"],
        "value": f["value"],
        "effective_from": f["effective_from"].isoformat(),
        "reason": f["reason"],
        "corrects": str(f["corrects"]) if f["corrects"] else None,
        "actor": f["actor"],
        "business_date": f["business_date"].isoformat(),
        "recorded_at": event.timestamp.isoformat(),
        "replaced_by": None,
        "withdrawn_by": None,
        "withdrawal_reason": None,
    }


def as_setting(row: dict[str, Any]) -> Setting:
    """A stored setting as the domain resolves it."""
    return Setting(
        row["setting_id"],
        row["centre_id"],
        row["parameter"],
        row["subject"],
        int(row["value"]),
        date.fromisoformat(row["effective_from"]),
        int(row["position"]),
        row["corrects"],
    )


def book_of(rows: Iterable[dict[str, Any]]) -> PolicyBook:
    """The policy that rows of settings (SETTINGS, or this view's) hold."""
    rows = list(rows)
    return PolicyBook(map(as_setting, rows), [r["setting_id"] for r in rows if r["withdrawn_by"]])


def centre_row(view: PolicyView, centre_id: str) -> dict[str, Any] | None:
    """The centre's name and path (root first), if the view knows it."""
    with reading(view) as r:
        rows = r.rows(f"SELECT * FROM {r.table('pol_centres')} WHERE centre_id = %s", [centre_id])
    return rows[0] | {"path": rows[0]["path"].split(",")} if rows else None


def _path(r: Reader, centre_id: str) -> list[str]:
    """The centre's path, root first (the centre alone if the view does not know it yet)."""
    found = r.rows(f"SELECT path FROM {r.table('pol_centres')} WHERE centre_id = %s", [centre_id])
    return str(found[0]["path"]).split(",") if found else [centre_id]


def in_force(view: PolicyView, centre_id: str, on: date) -> tuple[list[Any], dict[str, str]]:
    """Every parameter for every subject at the centre on the date, with the setting in force
    (None where nothing applies), and the names of the centres that set them."""
    with reading(view) as r:
        path = _path(r, centre_id)
        marks = ", ".join(["%s"] * len(path))
        rows = r.rows(f"SELECT * FROM {r.table('pol_settings')} WHERE centre_id IN ({marks})", path)
        names = r.rows(
            f"SELECT centre_id, name FROM {r.table('pol_centres')} WHERE centre_id IN ({marks})",
            path,
        )
    return book_of(rows).everything(path, on), {n["centre_id"]: n["name"] for n in names}


def history(
    view: PolicyView, centre_id: str | None, parameter: str | None, after: int, limit: int
) -> list[dict[str, Any]]:
    """The settings that bear on a centre (at it and above it) and those below it (or every
    setting, for no centre), in the order they were recorded, after a log position; at most
    ``limit``."""
    with reading(view) as r:
        where, params = "1 = 1", list[Any]()
        if centre_id is not None:
            path = _path(r, centre_id)
            marks = ", ".join(["%s"] * len(path))
            subtree = in_subtree("s.centre_id", r.table("pol_tree"))
            where, params = f"(s.centre_id IN ({marks}) OR {subtree})", [*path, centre_id]
        if parameter is not None:
            where += " AND s.parameter = %s"
            params.append(parameter)
        return r.rows(
            f"SELECT s.*, c.name AS centre_name FROM {r.table('pol_settings')} s "
            f"LEFT JOIN {r.table('pol_centres')} c ON c.centre_id = s.centre_id "
            f"WHERE {where} AND s.position > %s ORDER BY s.position LIMIT %s",
            [*params, after, limit],
        )


def roots(view: PolicyView) -> list[str]:
    """The centres at the top of the tree (most ledgers have one)."""
    with reading(view) as r:
        rows = r.rows(
            f"SELECT centre_id FROM {r.table('pol_centres')} WHERE path NOT LIKE %s",
            ["%,%"],
        )
    return sorted(row["centre_id"] for row in rows)


def matching_ratios(
    r: Reader, settings_table: str, tree_table: str, centres: Iterable[str]
) -> Callable[[dict[str, Any]], tuple[int, int]]:
    """Central : match (100 : the share) that a row of the matching report requires: the share
    in force at its centre, on the last day of its fiscal year, for the level its source stands
    for; read from a view's own settings and centre tree (closure) tables."""
    book = book_of(
        r.rows(
            f"SELECT * FROM {settings_table} WHERE parameter = %s",
            [Parameter.MATCHING_RATIO.value],
        )
    )
    paths: dict[str, list[tuple[int, str]]] = {}
    wanted = sorted(set(centres)) if book.centres() else []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for row in r.rows(
            f"SELECT t.centre_id, t.ancestor_id, (SELECT COUNT(*) FROM {tree_table} d "
            f"WHERE d.centre_id = t.ancestor_id) AS depth FROM {tree_table} t "
            f"WHERE t.centre_id IN ({', '.join(['%s'] * len(chunk))})",
            chunk,
        ):
            paths.setdefault(row["centre_id"], []).append((int(row["depth"]), row["ancestor_id"]))

    def ratio(row: dict[str, Any]) -> tuple[int, int]:
        path = [centre for _, centre in sorted(paths.get(row["centre_id"], []))]
        level = MATCHER_LEVEL[row["match_source"]]
        share = book.value(Parameter.MATCHING_RATIO, level, path, year_end(row["fiscal_year"]))
        return (100, 100 if share is None else share)

    return ratio
