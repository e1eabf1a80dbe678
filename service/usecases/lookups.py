"""Turn the names users type into catalogue ids, or say what is nearest."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.errors import NotFound, nearest_names
from service.store.tables import AcceleratorAliasRow, AcceleratorRow


def accelerator_id_for(session: Session, name: str) -> str:
    """The id of an accelerator named by id or alias (case-insensitive)."""
    key = name.strip().lower()
    if session.get(AcceleratorRow, key) is not None:
        return key
    alias = session.get(AcceleratorAliasRow, key)
    if alias is not None:
        return alias.accelerator_id
    known = list(session.scalars(select(AcceleratorRow.id)))
    known += list(session.scalars(select(AcceleratorAliasRow.alias)))
    raise NotFound("accelerator", name, nearest_names(name, known))
