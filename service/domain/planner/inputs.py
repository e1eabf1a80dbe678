"""What a quote is asked: the constraints, the objective and the pricing assumptions.

Every assumption is optional; None (or a provider left out of a mapping) means "use
the documented default", and the quote echoes each value used with its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from service.domain.errors import InvalidWorkload, require_at_least, require_positive
from service.domain.money import Money, minor_unit


class Objective(StrEnum):
    """What the options are ranked by, the other criterion breaking ties.

    Training: total cost, or wall-clock hours. Inference: cost per million output
    tokens, or seconds per output token (TPOT).
    """

    COST = "cost"
    TIME = "time"


@dataclass(frozen=True, slots=True)
class Constraints:
    """Limits on the options; a None field leaves that dimension free."""

    deadline_hours: float | None = None
    budget: Money | None = None
    providers: frozenset[str] | None = None
    regions: frozenset[str] | None = None
    accelerators: frozenset[str] | None = None
    pricing_models: frozenset[str] | None = None
    max_accelerators: int | None = None
    max_instances: int | None = None


@dataclass(frozen=True, slots=True)
class PricingAssumptions:
    """Overrides of the pricing assumptions, each with a documented default.

    Spot interruptions are given per provider, either as the share of instances
    interrupted in a month (the figure AWS's Spot Instance Advisor shows) or as a
    rate per instance-hour, which wins when both are given.
    """

    spot_monthly_interruption_fraction: Mapping[str, float] = field(
        default_factory=dict
    )
    spot_interruptions_per_instance_hour: Mapping[str, float] = field(
        default_factory=dict
    )
    checkpoint_interval_hours: float | None = None
    restart_hours: float | None = None
    reserved_utilization_elsewhere: float | None = None
    scaling_overhead_fast_interconnect: float | None = None
    scaling_overhead_slow_interconnect: float | None = None


# Above ln 2 the modelled throughput n / (1 + c log2 n) would fall as instances are
# added, which no one would do; the cap keeps time monotone in the instance count.
MAX_SCALING_OVERHEAD = 0.5


def validate_request(
    constraints: Constraints, pricing: PricingAssumptions, limit: int
) -> None:
    """Raise InvalidWorkload, naming the field, for a request no quote can answer."""
    require_at_least("limit", limit, 1)
    require_positive("constraints.deadline_hours", constraints.deadline_hours)
    require_at_least("constraints.max_accelerators", constraints.max_accelerators, 1)
    require_at_least("constraints.max_instances", constraints.max_instances, 1)
    budget = constraints.budget
    if budget is not None:
        minor_unit(budget.currency)
        require_positive("constraints.budget.amount", float(budget.amount))
    for provider, fraction in pricing.spot_monthly_interruption_fraction.items():
        if not 0 <= fraction < 1:
            raise InvalidWorkload(
                f"pricing.spot_monthly_interruption_fraction.{provider}",
                "must be at least 0 and below 1",
            )
    for provider, rate in pricing.spot_interruptions_per_instance_hour.items():
        require_at_least(
            f"pricing.spot_interruptions_per_instance_hour.{provider}", rate, 0
        )
    require_positive(
        "pricing.checkpoint_interval_hours", pricing.checkpoint_interval_hours
    )
    require_at_least("pricing.restart_hours", pricing.restart_hours, 0)
    share = pricing.reserved_utilization_elsewhere
    if share is not None and not 0 <= share <= 1:
        raise InvalidWorkload(
            "pricing.reserved_utilization_elsewhere", "must be between 0 and 1"
        )
    for name in ("fast", "slow"):
        overhead = getattr(pricing, f"scaling_overhead_{name}_interconnect")
        if overhead is not None and not 0 <= overhead <= MAX_SCALING_OVERHEAD:
            raise InvalidWorkload(
                f"pricing.scaling_overhead_{name}_interconnect",
                f"must be between 0 and {MAX_SCALING_OVERHEAD}",
            )
