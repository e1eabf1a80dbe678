"""A small hand-made catalogue with round numbers, for arithmetic done by hand."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from service.domain.catalog import Accelerator, Offer, PricedOffer
from service.domain.models import ModelArchitecture
from service.domain.workload import AssumptionInputs, Workload
from tests.domain.helpers import chip, pretraining, serving

# 100 dense bf16 TFLOPS each; no interconnect figure (the slow scaling tier, c = 0.1).
CHIP_A = chip("tst-a", "Test A 10GB", 10, 1000, 100)
CHIP_B = chip("tst-b", "Test B 2GB", 2, 1000, 100)
CHIP_FAST = replace(chip("tst-f", "Test F 10GB", 10, 1000, 100), interconnect_gbps=900)
CHIP_NO_BF16 = chip("tst-old", "Test Old", 10, 1000, None)
CHIPS: dict[str, Accelerator] = {
    c.id: c for c in (CHIP_A, CHIP_B, CHIP_FAST, CHIP_NO_BF16)
}

# 1e9 parameters, no other shape: 2 B weights + 2 B gradients + 12 B Adam state and
# fp32 master weights = 16e9 bytes; activations unknown (a lower bound).
ONE_B = ModelArchitecture(parameters=1_000_000_000)
# MFU 0.5 and no memory headroom keep every number round.
ROUND = AssumptionInputs(mfu=0.5, memory_headroom_fraction=0.0)
# 6 x 1e9 x 1.2e10 = 7.2e19 FLOPs = 400 accelerator-hours at 100 TFLOPS x 0.5.
TOKENS_400_ACCELERATOR_HOURS = 12_000_000_000


def training(tokens: int = TOKENS_400_ACCELERATOR_HOURS, **spec: object) -> Workload:
    """Pretrain the 1B model with round assumptions."""
    return pretraining(ONE_B, tokens=tokens, assumptions=ROUND, **spec)


def fleet(**spec: object) -> Workload:
    """Serve the 1B model: 1,000-token prompts, 200-token outputs, MBU 0.5."""
    assumptions = replace(ROUND, memory_bandwidth_utilization=0.5)
    return serving(ONE_B, 1000, 200, assumptions=assumptions, **spec)


def priced(
    offer_id: int,
    accelerator: Accelerator | str,
    per_instance: float,
    price: str,
    pricing_model: str = "on_demand",
    provider: str = "aws",
    region: str = "r1",
    currency: str = "USD",
) -> PricedOffer:
    """Price an offer of some accelerators per instance, per instance-hour."""
    accelerator_id = accelerator if isinstance(accelerator, str) else accelerator.id
    offer = Offer(
        offer_id,
        provider,
        region,
        None,
        f"it-{offer_id}",
        accelerator_id,
        per_instance,
        None,
        None,
    )
    return PricedOffer(offer, pricing_model, Decimal(price), currency)
