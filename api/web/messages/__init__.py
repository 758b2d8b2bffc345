"""Every text of the pages, one module per area: key -> (Chinese, English).

Event labels come from domain.catalogue, vocabulary terms from domain.vocabulary; a key is
defined once (a test checks that no two areas define the same key)."""

from __future__ import annotations

from api.web.messages.archive import ARCHIVE
from api.web.messages.audit import AUDIT
from api.web.messages.common import COMMON
from api.web.messages.funds import FUNDS
from api.web.messages.households import HOUSEHOLDS
from api.web.messages.users import USERS

AREAS: dict[str, dict[str, tuple[str, str]]] = {
    "common": COMMON,
    "households": HOUSEHOLDS,
    "funds": FUNDS,
    "archive": ARCHIVE,
    "audit": AUDIT,
    "users": USERS,
}
MESSAGES: dict[str, tuple[str, str]] = {k: v for area in AREAS.values() for k, v in area.items()}
