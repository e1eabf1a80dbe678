"""Documented defaults of the TCO model, each with its source or marked judgement."""

from __future__ import annotations

from decimal import Decimal

from service.domain.catalog import Accelerator
from service.domain.spot import HOURS_PER_MONTH, rate_from_monthly_fraction
from service.domain.workload import Assumption

HOURS = Decimal(HOURS_PER_MONTH)
HOURS_SOURCE = "8,760 hours a year / 12, the month cloud price lists use"

UTILISATION = Assumption(
    0.8,
    "judgement: the share of its hours a well-scheduled owned cluster does work; "
    "give demand.utilisation for your own",
)
AMORTISATION_MONTHS = Assumption(
    48,
    "judgement: between the 3 years Epoch AI used for servers up to 2020 and the "
    "5 from 2023 (github epoch-research/training-cost-trends, get_server_lifetime)",
)
RESIDUAL_FRACTION = Assumption(
    0.2,
    "GPU Lease Rate Index residual guide (Jan 2026): an H100 keeps 15-20% of its "
    "price after 4 years, 25-35% after 3; eBay sold comps (SpotWire, May 2026) are "
    "higher; 0.2 at the end of amortisation is a judgement between them",
)
COST_OF_CAPITAL = Assumption(
    0.08,
    "judgement: a mid-range corporate cost of capital; set 0 for the cash view only",
)
IDLE_POWER_FRACTION = Assumption(
    0.3,
    "judgement: a GPU idles near a tenth of its TDP, host CPUs, fans and switches "
    "near half their peak (Barroso and Hoelzle 2007, 'The Case for "
    "Energy-Proportional Computing'); about 0.3 of the busy draw for a DGX H100",
)
PUE = Assumption(
    1.56,
    "Uptime Institute Global Data Center Survey 2024: average annual PUE 1.56 "
    "(1.58 in 2023)",
)
PRICE_PER_KWH_USD = Assumption(
    "0.0806",
    "US EIA Electric Power Annual (data for 2023, released 2024-10-17): industrial "
    "average 8.06 cents per kWh",
)
COLOCATION_PER_KW_MONTH_USD = Assumption(
    "184.06",
    "CBRE North America Data Center Trends H2 2024: average asking rate for a "
    "250-500 kW requirement in primary markets, $184.06 per kW a month",
)
OPERATIONS_FRACTION = Assumption(
    0.06,
    "CTWatch Quarterly 2(2), May 2006, 'Designing and Supporting High-End "
    "Computational Facilities': maintenance 4-8% of the purchase price a year; "
    "the midpoint, staff not included",
)
LEAD_TIME_MONTHS = Assumption(
    3,
    "The Register, 2024-04-12, 'Dell shaves months off lead times for GPU-powered AI "
    "servers': 8-12 weeks for H100 servers, down from about 40; 12 weeks rounded up",
)
SPOT_FRACTION_PER_MONTH = 0.15
SPOT_RATE = Assumption(
    rate_from_monthly_fraction(SPOT_FRACTION_PER_MONTH),
    "judgement, the planner's GPU default: 15% of instances interrupted a month, "
    "inside the 10-15% and 15-20% bands of AWS Spot Instance Advisor (bands <5%, "
    "5-10%, 10-15%, 15-20%, >20%); -ln(1 - 0.15) / 730 per instance-hour",
)
SPOT_CHECKPOINT_HOURS = Assumption(
    1.0, "judgement, as the planner's: hourly checkpoints"
)
SPOT_RESTART_HOURS = Assumption(
    0.25, "judgement, as the planner's: 15 minutes to get capacity back and reload"
)
SPOT_JOB_INSTANCES_SOURCE = (
    "judgement: the peak month's accelerators run as one synchronous job, the "
    "conservative case; give spot.job_instances for smaller jobs"
)

# Share of a cluster's cost in its network fabric: Cottier et al. 2024, "The rising
# costs of training frontier AI models" (arXiv:2405.21015), code
# github epoch-research/training-cost-trends, CLUSTER_INTERCONNECT_COST_FRACTION.
_NETWORK_SHARE = Decimal("0.19")
# Server-to-chip cost multiplier, Epoch's average (same code, get_server_cost_overhead).
_SERVER_MULTIPLIER = Decimal("1.64")
_SERVER_SHARE_MARKERS = ("dgx", "hgx", "per gpu")

OVERHEAD_ON_SERVER_SHARE = Assumption(
    float(round(1 / (1 - _NETWORK_SHARE) - 1, 2)),
    "the price is a share of a whole server, so only the network is added: 19% of "
    "a cluster's cost is its interconnect (Cottier et al. 2024, arXiv:2405.21015), "
    "0.19 / 0.81 = 0.23; storage not included",
)
OVERHEAD_ON_CHIP = Assumption(
    float(round(_SERVER_MULTIPLIER / (1 - _NETWORK_SHARE) - 1, 2)),
    "the price is the chip alone: a server costs 1.64x its chips and the network "
    "19% of the cluster (Epoch AI, Cottier et al. 2024), 1.64 / 0.81 - 1 = 1.02; "
    "storage not included",
)


def default_overhead_fraction(
    accelerator: Accelerator, price_from_catalogue: bool
) -> Assumption[float]:
    """Return the server and network overhead on top of the accelerator's price."""
    source = (accelerator.list_price_source or "").lower()
    if price_from_catalogue and any(m in source for m in _SERVER_SHARE_MARKERS):
        return OVERHEAD_ON_SERVER_SHARE
    return OVERHEAD_ON_CHIP


# Host watts per accelerator from the maximum input power of NVIDIA's 8-GPU systems.
_HOST_WATTS_BY_FAMILY: tuple[tuple[tuple[str, ...], Assumption[float]], ...] = (
    (
        ("h100", "h200", "h800"),
        Assumption(
            575.0,
            "NVIDIA DGX H100/H200 user guide: 10.2 kW maximum for 8 GPUs of 700 W, "
            "10,200 / 8 - 700 = 575 W of CPUs, NVSwitches, NICs and fans per GPU",
        ),
    ),
    (
        ("a100", "a800"),
        Assumption(
            412.5,
            "NVIDIA DGX A100 datasheet: 6.5 kW maximum for 8 GPUs of 400 W, "
            "6,500 / 8 - 400 = 412.5 W per GPU",
        ),
    ),
)


def default_host_power_watts(
    accelerator: Accelerator, accelerator_watts: float
) -> Assumption[float]:
    """Return the host's power per accelerator: CPUs, memory, NICs, switches, fans."""
    name = f"{accelerator.id} {accelerator.name}".lower()
    for keys, assumption in _HOST_WATTS_BY_FAMILY:
        if any(key in name for key in keys):
            return assumption
    return Assumption(
        round(0.8 * accelerator_watts, 1),
        "0.8 x the accelerator's power: Epoch AI's chip-to-server power multiplier "
        "of 1.8 for other GPUs (github epoch-research/training-cost-trends, "
        "chip_to_server_power)",
    )
