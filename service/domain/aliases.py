"""Map the accelerator names that catalogues use onto catalogue accelerators."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase


@dataclass(frozen=True, slots=True)
class AliasRule:
    """A provider's name that means another chip for instance types matching a glob.

    An `accelerator_id` of None means rows matching the rule are left unmapped: the
    chip they name has no row in the catalogue, and guessing a neighbour would be wrong.
    """

    provider: str
    name: str
    instance_type_glob: str
    accelerator_id: str | None


@dataclass(frozen=True, slots=True)
class Resolution:
    """The accelerator a name resolved to, or the reason it did not."""

    accelerator_id: str | None
    reason: str | None = None


class AliasResolver:
    """Resolves (provider, name, instance type) to an accelerator id; rules win."""

    def __init__(self, aliases: dict[str, str], rules: list[AliasRule]) -> None:
        self._aliases = {alias.lower(): acc for alias, acc in aliases.items()}
        self._rules = [
            AliasRule(
                r.provider.lower(),
                r.name.lower(),
                r.instance_type_glob.lower(),
                r.accelerator_id,
            )
            for r in rules
        ]

    def resolve(self, provider: str, name: str, instance_type: str) -> Resolution:
        """Find the accelerator a catalogue row names."""
        key = name.strip().lower()
        if not key:
            return Resolution(None, "no accelerator name")
        for rule in self._rules:
            if (
                rule.provider == provider.lower()
                and rule.name == key
                and fnmatchcase(instance_type.lower(), rule.instance_type_glob)
            ):
                if rule.accelerator_id is None:
                    return Resolution(
                        None, f"accelerator {name!r} on {instance_type} has no row"
                    )
                return Resolution(rule.accelerator_id)
        accelerator_id = self._aliases.get(key)
        if accelerator_id is None:
            return Resolution(None, f"unmapped accelerator name {name!r}")
        return Resolution(accelerator_id)
