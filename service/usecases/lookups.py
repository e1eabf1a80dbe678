"""Turn the names users type into catalogue ids, or say what is nearest."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.errors import NotFound, nearest_names
from service.store.offers import known_providers, known_regions
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


def check_provider(session: Session, provider: str) -> str:
    """A provider the catalogue has offers for, or NotFound naming the nearest."""
    known = known_providers(session)
    if provider in known:
        return provider
    raise NotFound("provider", provider, nearest_names(provider, known))


def check_region(session: Session, region: str) -> str:
    """A region the catalogue has offers in, or NotFound naming the nearest."""
    known = known_regions(session)
    if region in known:
        return region
    raise NotFound("region", region, nearest_names(region, known))
