"""What each pricing model charges, as instance-hours to multiply by the hourly price.

A charge depends on the instance count and the hours, never on the price, so the
planner computes it once per accelerator shape and pricing model and only
multiplies by each offer's price. Hours are floats; they enter Decimal through
their shortest repr, and every product after that is Decimal.

- on_demand: instances x hours (billed per second: defaults.BILLING).
- spot: the expected hours of spot.expected_spot_run; what they add to the
  uninterrupted hours is `spot_interruption_overhead`.
- reserved_1y / reserved_3y: the whole term (catalog.RESERVED_TERM_HOURS), or as many
  whole terms as a longer job needs, is paid whether used or not; the hours the job
  leaves idle are `reserved_idle`, less the share the request says other work uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from service.domain.catalog import RESERVED_TERM_HOURS, PricingModel
from service.domain.money import round_cost

# The pricing models charged here; the store accepts any slug, others are excluded.
KNOWN_MODELS = frozenset(PricingModel)
COMPUTE = "compute"
SPOT_OVERHEAD = "spot_interruption_overhead"
RESERVED_IDLE = "reserved_idle"


def to_decimal(value: float) -> Decimal:
    """Return a float as the Decimal of its shortest repr (0.1 -> Decimal('0.1'))."""
    return Decimal(repr(value))


# Not frozen, like the plans: a quote builds thousands, and a frozen dataclass sets
# each field through object.__setattr__, several times slower. Nothing mutates them.
@dataclass(slots=True)
class Charge:
    """Instance-hours charged, split into named parts; cost = price x each part."""

    names: tuple[str, ...]
    instance_hours: tuple[Decimal, ...]

    def amounts(self, price_per_hour: Decimal) -> list[Decimal]:
        """Return the exact cost of each part at an hourly price per instance."""
        return [price_per_hour * hours for hours in self.instance_hours]

    def cost(self, price_per_hour: Decimal, unit: Decimal) -> Decimal:
        """Return the total cost, rounded once as money.split_rounded rounds it."""
        total = Decimal(0)
        for hours in self.instance_hours:
            total += price_per_hour * hours
        return round_cost(total, unit)

    def scaled(self, factor: Decimal) -> Charge:
        """Return the charge with every part multiplied by a factor."""
        return Charge(self.names, tuple(h * factor for h in self.instance_hours))


def on_demand_charge(instances: int, hours: float) -> Charge:
    """Charge instances x hours."""
    return Charge((COMPUTE,), (instances * to_decimal(hours),))


def spot_charge(instances: int, work_hours: float, expected_hours: float) -> Charge:
    """Charge the expected hours, showing what interruptions add to the work."""
    work = to_decimal(work_hours)
    extra = to_decimal(expected_hours) - work
    return Charge((COMPUTE, SPOT_OVERHEAD), (instances * work, instances * extra))


def reserved_terms(pricing_model: str, hours: float) -> tuple[int, int]:
    """Return (terms, term hours): the whole terms a job of some hours must pay."""
    term = RESERVED_TERM_HOURS[pricing_model]
    return max(1, math.ceil(hours / term)), term


def reserved_charge(
    instances: int, hours: float, terms: int, term_hours: int, used_elsewhere: float
) -> Charge:
    """Charge whole terms: the job's hours, and the idle rest not used elsewhere."""
    used = to_decimal(hours)
    idle = terms * term_hours - used
    share_charged = 1 - to_decimal(used_elsewhere)
    return Charge(
        (COMPUTE, RESERVED_IDLE), (instances * used, instances * idle * share_charged)
    )


def fleet_charge(instances: int, spare_fraction: float) -> Charge:
    """Charge a serving fleet's hour: its instances, and spot's spare capacity."""
    if spare_fraction == 0:
        return Charge((COMPUTE,), (Decimal(instances),))
    spare = instances * to_decimal(spare_fraction)
    return Charge((COMPUTE, SPOT_OVERHEAD), (Decimal(instances), spare))
