"""Errors of the catalogue: what was not found, and snapshots that cannot be applied."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest_names(name: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """The known names closest to a misspelt one, best first."""
    by_lower = {k.lower(): k for k in known}
    close = difflib.get_close_matches(name.lower(), by_lower, n=limit, cutoff=0.5)
    return [by_lower[c] for c in close]


class CatalogError(Exception):
    """Base of the catalogue's errors."""


class NotFound(CatalogError):
    """A thing asked for by id does not exist."""

    def __init__(self, kind: str, key: object, nearest: list[str] | None = None):
        self.kind = kind
        self.key = key
        self.nearest = nearest or []
        hint = f"; nearest: {', '.join(self.nearest)}" if self.nearest else ""
        super().__init__(f"no {kind} {key!r}{hint}")


class SnapshotRejected(CatalogError):
    """A catalogue snapshot cannot be applied without rewriting history."""


class ImportFormatError(CatalogError):
    """A catalogue file is not in the format it claims to be."""
