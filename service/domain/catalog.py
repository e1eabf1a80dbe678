"""Hardware and price catalogue as plain values: accelerators, offers, price points."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class Precision(StrEnum):
    """Numeric formats a workload computes or stores in."""

    FP32 = "fp32"
    TF32 = "tf32"
    BF16 = "bf16"
    FP16 = "fp16"
    FP8 = "fp8"
    INT8 = "int8"
    INT4 = "int4"


class PricingModel(StrEnum):
    """How a provider charges; the store accepts any slug, these are the known ones."""

    ON_DEMAND = "on_demand"
    SPOT = "spot"
    RESERVED_1Y = "reserved_1y"
    RESERVED_3Y = "reserved_3y"


RESERVED_TERM_HOURS: dict[str, int] = {
    # A year of 365 days, as AWS and Azure divide reservation prices (8,760 h).
    PricingModel.RESERVED_1Y: 8_760,
    PricingModel.RESERVED_3Y: 26_280,
}


@dataclass(frozen=True, slots=True)
class Accelerator:
    """One chip model with its dense peaks; a peak of None means the chip lacks it."""

    id: str
    name: str
    vendor: str
    memory_gib: float
    memory_bandwidth_gbps: float | None
    peak_tflops_fp32: float | None
    peak_tflops_tf32: float | None
    peak_tflops_bf16: float | None
    peak_tflops_fp16: float | None
    peak_tflops_fp8: float | None
    peak_tflops_int8: float | None
    tdp_watts: float | None
    interconnect_gbps: float | None
    list_price: Decimal | None = None
    list_price_currency: str | None = None
    list_price_source: str | None = None
    aliases: tuple[str, ...] = ()
    source: str = ""
    notes: str = ""
    # False for chips made for inference alone (AWS Inferentia): quotes do not
    # offer them for training.
    trains: bool = True

    @property
    def memory_bytes(self) -> int:
        """Memory in bytes, reading the vendor's nominal figure as GiB."""
        return int(self.memory_gib * 2**30)

    def peak_tflops(self, precision: Precision | str) -> float | None:
        """Dense peak for a compute precision, or None when the chip lacks it."""
        return {
            Precision.FP32: self.peak_tflops_fp32,
            Precision.TF32: self.peak_tflops_tf32,
            Precision.BF16: self.peak_tflops_bf16,
            Precision.FP16: self.peak_tflops_fp16,
            Precision.FP8: self.peak_tflops_fp8,
            Precision.INT8: self.peak_tflops_int8,
        }.get(Precision(precision))


@dataclass(frozen=True, slots=True)
class Offer:
    """Something rentable: an instance type with its accelerators, in one place."""

    id: int
    provider: str
    region: str
    zone: str | None
    instance_type: str
    accelerator_id: str
    accelerator_count: float
    vcpus: float | None
    host_memory_gib: float | None


@dataclass(frozen=True, slots=True)
class PricePoint:
    """An offer's hourly price under a pricing model over [valid_from, valid_to)."""

    offer_id: int
    pricing_model: str
    price_per_hour: Decimal
    currency: str
    valid_from: datetime
    valid_to: datetime | None = None
    import_id: int | None = None

    def is_valid_at(self, instant: datetime) -> bool:
        """Say whether this point is the price at an instant."""
        return self.valid_from <= instant and (
            self.valid_to is None or instant < self.valid_to
        )


@dataclass(frozen=True, slots=True)
class PricedOffer:
    """An offer with its price under one pricing model at one instant."""

    offer: Offer
    pricing_model: str
    price_per_hour: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class CatalogSnapshot:
    """A read-only view of the catalogue at one version and instant, for the planner."""

    version: int
    as_of: datetime
    accelerators: dict[str, Accelerator]
    priced_offers: tuple[PricedOffer, ...] = field(default=())
