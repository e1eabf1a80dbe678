"""The planner's documented defaults, and the settings a quote runs with.

Every default names its source, or says "judgement" where it is one; the quote
echoes each value used, with that source or "given in the request".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.domain.catalog import Accelerator
from service.domain.planner.inputs import Constraints, PricingAssumptions
from service.domain.spot import (
    HOURS_PER_MONTH,
    SpotAssumptions,
    rate_from_monthly_fraction,
)
from service.domain.workload import GIVEN, Assumption, AssumptionLog

DEFAULT_CURRENCY: Assumption[str] = Assumption(
    "USD", "every bundled and imported catalogue price is in USD; a budget sets another"
)
BILLING: Assumption[str] = Assumption(
    "per second",
    "AWS (2017) and Google Compute Engine (2017) bill Linux VMs per second after a "
    "one-minute minimum; a provider billing per minute or hour adds at most that",
)
HOURS_PER_SERVING_MONTH = 720  # a 30-day month; price lists' 730 h is 1/12 year

# -- Scaling across instances ------------------------------------------------------

# Interconnect of the anchor run below: V100 NVLink 2.0, 300 GB/s per GPU.
FAST_INTERCONNECT_MIN_GBPS = 300
# The Megatron-LM anchor scaled whole multi-GPU servers; instances with fewer
# accelerators put that many more endpoints on the network for the same job, so
# only servers of at least this many accelerators get the fast figure (judgement).
FAST_INSTANCE_MIN_ACCELERATORS = 4
SCALING_OVERHEAD_FAST: Assumption[float] = Assumption(
    0.02,
    "Megatron-LM (Shoeybi et al. 2019, Fig. 5) on 32 DGX-2H servers of 16 V100s: "
    "data parallelism over 4 servers kept 96% (1.2B, 64 GPUs) and over 32 servers "
    "74/77 = 96% of the 8-way model-parallel run; 1 / (1 + c log2 servers) gives "
    "c = 0.02 and 0.008, the larger kept",
)
SCALING_OVERHEAD_SLOW: Assumption[float] = Assumption(
    0.10,
    "judgement: 5x the NVLink-class figure for chips with under 300 GB/s or unknown "
    "interconnect, and for instances of fewer than 4 accelerators, as PCIe 4.0 x16 "
    "(64 GB/s) is about 1/5 of V100 NVLink; such instances also tend to have "
    "slower networks",
)
MAX_ACCELERATORS_SEARCHED: Assumption[int] = Assumption(
    32_768,
    "judgement: twice the 16,384 H100s of Llama 3 405B (Llama 3 Herd of Models, "
    "2024), the upper end of what one job uses; more instances are not searched",
)

# -- Spot ----------------------------------------------------------------------------

_ADVISOR = (
    "AWS Spot Instance Advisor buckets each pool's share of instances interrupted "
    "over the trailing month (<5%, 5-10%, 10-15%, 15-20%, >20%)"
)
SPOT_MONTHLY_FRACTION: dict[str, Assumption[float]] = {
    "aws": Assumption(
        0.15,
        f"{_ADVISOR}; GPU pools read 5-10% (p4d, A100) to 10-20% (p5, H100) in "
        "2025-26 (Thunder Compute's reading of the Advisor); 0.15, the middle of "
        "the H100 band, is a judgement",
    ),
    "azure": Assumption(
        0.15,
        "judgement: the AWS GPU figure; Azure shows per-size eviction rates in the "
        "same five bands (0-5% ... 20+%) but publishes none for GPU sizes",
    ),
    "gcp": Assumption(
        0.15,
        "judgement: the AWS GPU figure; Google publishes no single rate (its "
        "preemptible VM page: 'generally low, but might vary from day to day and "
        "from zone to zone'; per machine type, Compute Engine's capacity advice "
        "shows recent preemption rates to a project)",
    ),
    "lambda": Assumption(
        0.20,
        "judgement: the fallback; Lambda Cloud sells no spot capacity (its catalogue "
        "has no spot price), so this applies only to a price imported later",
    ),
    "vast": Assumption(
        0.30,
        "judgement: Vast.ai interruptible instances are reclaimed whenever a higher "
        "bid or an on-demand rental wants the host, and no rate is published; set "
        "above the Advisor's top band",
    ),
}
SPOT_FALLBACK_FRACTION: Assumption[float] = Assumption(
    0.20, f"judgement: the lower edge of the top band of the {_ADVISOR}"
)
CHECKPOINT_INTERVAL: Assumption[float] = Assumption(
    1.0,
    "judgement: hourly checkpoints; Young's optimum sqrt(2 x write time / rate) "
    "(Young 1974) is longer at these rates, but checkpoints also guard against "
    "hardware faults",
)
RESTART: Assumption[float] = Assumption(
    0.25,
    "judgement: 15 minutes to get capacity back, boot, and load the checkpoint",
)
RESERVED_UTILIZATION_ELSEWHERE: Assumption[float] = Assumption(
    0.0,
    "no other work named: the reserved term's hours this job leaves idle are charged "
    "to it (a reservation is paid per hour of the term, used or not)",
)


@dataclass(slots=True)
class QuoteSettings:
    """The pricing assumptions a quote runs with, after defaults were applied."""

    pricing: PricingAssumptions
    log: AssumptionLog
    currency: str
    restart_hours: float
    checkpoint_interval_hours: float = CHECKPOINT_INTERVAL.value
    reserved_utilization_elsewhere: float = RESERVED_UTILIZATION_ELSEWHERE.value
    overhead_fast: float = SCALING_OVERHEAD_FAST.value
    overhead_slow: float = SCALING_OVERHEAD_SLOW.value
    max_accelerators_searched: int = MAX_ACCELERATORS_SEARCHED.value
    _spot: dict[str, SpotAssumptions] = field(default_factory=dict)

    def scaling_overhead(self, accelerator: Accelerator, per_instance: int) -> float:
        """Return c of 1 / (1 + c log2 instances) for an instance's interconnect."""
        fast = (
            (accelerator.interconnect_gbps or 0) >= FAST_INTERCONNECT_MIN_GBPS
            and per_instance >= FAST_INSTANCE_MIN_ACCELERATORS
        )
        return self.overhead_fast if fast else self.overhead_slow

    def spot(self, provider: str) -> SpotAssumptions:
        """Return a provider's spot assumptions, logging the rate the first time."""
        known = self._spot.get(provider)
        if known is None:
            rate = self._spot_rate(provider)
            known = SpotAssumptions(
                rate, self.checkpoint_interval_hours, self.restart_hours
            )
            self._spot[provider] = known
        return known

    def _spot_rate(self, provider: str) -> float:
        name = f"spot.interruptions_per_instance_hour.{provider}"
        given_rate = self.pricing.spot_interruptions_per_instance_hour.get(provider)
        if given_rate is not None:
            self.log.note(name, given_rate, GIVEN)
            return given_rate
        given = self.pricing.spot_monthly_interruption_fraction.get(provider)
        default = SPOT_MONTHLY_FRACTION.get(provider, SPOT_FALLBACK_FRACTION)
        fraction = default.value if given is None else given
        source = default.source if given is None else GIVEN
        rate = rate_from_monthly_fraction(fraction)
        self.log.note(
            name,
            rate,
            f"-ln(1 - {fraction}) / {HOURS_PER_MONTH} h for {fraction:.0%} of "
            f"instances interrupted a month; {source}",
        )
        return rate


def settings_for(
    constraints: Constraints,
    pricing: PricingAssumptions,
    log: AssumptionLog,
    training: bool,
) -> QuoteSettings:
    """Apply the defaults to a request's pricing assumptions, logging those used."""
    budget = constraints.budget
    currency = log.use(
        "currency", budget.currency if budget else None, DEFAULT_CURRENCY
    )
    log.note("billing", BILLING.value, BILLING.source)
    restart = log.use("spot.restart_hours", pricing.restart_hours, RESTART)
    if not training:
        return QuoteSettings(pricing, log, currency, restart)
    return QuoteSettings(
        pricing,
        log,
        currency,
        restart,
        checkpoint_interval_hours=log.use(
            "spot.checkpoint_interval_hours",
            pricing.checkpoint_interval_hours,
            CHECKPOINT_INTERVAL,
        ),
        reserved_utilization_elsewhere=log.use(
            "reserved_utilization_elsewhere",
            pricing.reserved_utilization_elsewhere,
            RESERVED_UTILIZATION_ELSEWHERE,
        ),
        overhead_fast=log.use(
            "scaling_overhead.fast_interconnect",
            pricing.scaling_overhead_fast_interconnect,
            SCALING_OVERHEAD_FAST,
        ),
        overhead_slow=log.use(
            "scaling_overhead.slow_interconnect",
            pricing.scaling_overhead_slow_interconnect,
            SCALING_OVERHEAD_SLOW,
        ),
        max_accelerators_searched=log.use(
            "max_accelerators_searched", None, MAX_ACCELERATORS_SEARCHED
        ),
    )
