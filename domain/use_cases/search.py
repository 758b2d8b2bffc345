"""Finding a household within one's subtree: by ID number through the keyed-hash index, or by
name among households whose sealed data the caller hands over (the read is recorded)."""

from __future__ import annotations

import unicodedata
from typing import Any
from uuid import UUID

from domain.access import Actor, Permission
from domain.cases import Case
from domain.id_numbers import normalise_id_number
from domain.person_index import PersonIndex, person_index_id
from domain.use_cases.supervision import SupervisionUseCases

NAME_SEARCH_PURPOSE = "search by name"


def _folded(text: str) -> str:
    """A name as compared: NFKC, case-folded, without spaces (全角/半角 and 'Li Ming' alike)."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _names(person: dict[str, Any]) -> list[str]:
    members = person.get("family_members") or []
    return [str(person.get("name", "")), *(str(m.get("name", "")) for m in members)]


class SearchUseCases(SupervisionUseCases):
    """Finding households; each answer stays within the user's subtree."""

    def find_by_id_number(self, actor: Actor, id_number: str) -> UUID | None:
        """The open archive of the person with this ID number, if it lies in the user's subtree.

        The number is only hashed with the vault's index key (as 一人一档 does); it is never
        stored, and an archive outside the subtree is reported as none at all."""
        actor.require(Permission.READ_PERSONAL_DATA)
        number = normalise_id_number(id_number)  # InvalidIdNumberError, said to the typist only
        index = self._find(PersonIndex, person_index_id(self._vault().person_ref(number)))
        if index is None or index.open_case_id is None:
            return None
        case = self._find(Case, index.open_case_id)
        outside = (
            actor.centre_id is not None
            and case is not None
            and (actor.centre_id not in case.centre_path)
        )
        return None if case is None or outside else case.id

    def find_by_name(
        self, actor: Actor, sealed: dict[UUID, str], name: str
    ) -> dict[UUID, dict[str, Any]]:
        """The households among ``sealed`` (the caller has checked they lie in the user's
        subtree) whose worker or family member has a name containing ``name``.

        Every household opened is recorded as read (purpose "search by name"): to compare
        the names, all of them are decrypted, not only those that match."""
        actor.require(Permission.READ_PERSONAL_DATA)
        wanted = _folded(name)
        if not wanted or not sealed:
            return {}
        people = self.read_personal_data(actor, sealed, NAME_SEARCH_PURPOSE)
        return {
            case_id: person
            for case_id, person in people.items()
            if person is not None and any(wanted in _folded(n) for n in _names(person))
        }
