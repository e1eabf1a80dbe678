"""Errors of the domain; they know nothing of HTTP (service/api/problems.py maps them).

DomainError
 +-- UnknownPreset        a model preset id that is not in the catalogue
 +-- UnknownAccelerator   an accelerator id or name that is not in the catalogue
 +-- InvalidWorkload      an input that cannot describe a real job (field, reason)
 +-- InvalidPresetData    a preset entry in models.yaml that does not parse
 +-- NotFound             a thing asked for by id does not exist
 +-- UnknownName          a name in a request body the catalogue does not have
 +-- SnapshotRejected     a catalogue snapshot that would rewrite history
 +-- ImportFormatError    a catalogue file not in the format it claims
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest_names(name: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """Return the known names closest to a misspelt one, best first."""
    by_lower = {k.lower(): k for k in known}
    close = difflib.get_close_matches(name.lower(), by_lower, n=limit, cutoff=0.5)
    return [by_lower[c] for c in close]


class DomainError(Exception):
    """Base of the domain's errors."""


class NotFound(DomainError):
    """A thing asked for by id does not exist."""

    def __init__(self, kind: str, key: object, nearest: list[str] | None = None):
        self.kind = kind
        self.key = key
        self.nearest = nearest or []
        hint = f"; nearest: {', '.join(self.nearest)}" if self.nearest else ""
        super().__init__(f"no {kind} {key!r}{hint}")


class UnknownName(DomainError):
    """A request names something the catalogue does not have (field, nearest)."""

    def __init__(
        self, field: str, kind: str, name: str, nearest: list[str], hint: str = ""
    ):
        self.field = field
        self.nearest = nearest
        near = f"; nearest: {', '.join(nearest)}" if nearest else ""
        super().__init__(f"no {kind} {name!r}{near}{hint}")


class SnapshotRejected(DomainError):
    """A catalogue snapshot cannot be applied without rewriting history."""


class ImportFormatError(DomainError):
    """A catalogue file is not in the format it claims to be."""


class UnknownPreset(DomainError):
    """No model preset has this id."""

    def __init__(self, name: str, nearest: list[str]) -> None:
        self.name = name
        self.nearest = nearest
        hint = f"; nearest: {', '.join(nearest)}" if nearest else ""
        super().__init__(f"no model preset {name!r}{hint}")


class UnknownAccelerator(DomainError):
    """No accelerator has this id, name or alias."""

    def __init__(self, name: str, nearest: list[str]) -> None:
        self.name = name
        self.nearest = nearest
        hint = f"; nearest: {', '.join(nearest)}" if nearest else ""
        super().__init__(f"no accelerator {name!r}{hint}")


class InvalidWorkload(DomainError):
    """An input field holds a value no real job can have.

    `field` is a dotted path into the workload (`training.tokens`,
    `assumptions.mfu`, `model.kv_heads`) so the API can point at the JSON member.
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class InvalidPresetData(DomainError):
    """A model preset entry is malformed; this is a bug in the bundled data."""

    def __init__(self, preset_id: str, reason: str) -> None:
        self.preset_id = preset_id
        self.reason = reason
        super().__init__(f"model preset {preset_id!r}: {reason}")


def require_at_least(field: str, value: float | None, minimum: float) -> None:
    """Raise InvalidWorkload when a given value is below a minimum."""
    if value is not None and value < minimum:
        raise InvalidWorkload(field, f"must be at least {minimum}, got {value}")


def require_positive(field: str, value: float | None) -> None:
    """Raise InvalidWorkload when a given value is zero or negative."""
    if value is not None and value <= 0:
        raise InvalidWorkload(field, f"must be above 0, got {value}")


def require_fraction(field: str, value: float | None) -> None:
    """Raise InvalidWorkload for a utilisation outside (0, 1], e.g. an MFU of 1.2."""
    if value is not None and not 0 < value <= 1:
        raise InvalidWorkload(field, f"must be above 0 and at most 1, got {value}")
