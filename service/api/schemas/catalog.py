"""Response bodies of the catalogue routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.api.schemas.common import MoneyAmount


class AcceleratorRead(BaseModel):
    """An accelerator with its dense peaks (TFLOP/s, no sparsity) and sources."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "h100-sxm",
                    "name": "NVIDIA H100 SXM5 80GB",
                    "vendor": "NVIDIA",
                    "memory_gib": 80,
                    "memory_bandwidth_gbps": 3350,
                    "peak_tflops": {"bf16": 989.4, "fp8": 1978.9},
                    "tdp_watts": 700,
                    "aliases": ["h100", "h100-sxm"],
                }
            ]
        }
    )

    id: str = Field(description="Stable slug.")
    name: str
    vendor: str
    memory_gib: float = Field(description="Memory per accelerator, GiB.")
    memory_bandwidth_gbps: float | None = Field(description="Memory bandwidth, GB/s.")
    peak_tflops: dict[str, float | None] = Field(
        description="Dense peak TFLOP/s per precision (fp32, tf32, bf16, fp16, fp8, "
        "int8); null where the chip has no such peak."
    )
    tdp_watts: float | None
    interconnect_gbps: float | None = Field(
        description="Accelerator-to-accelerator bandwidth, GB/s."
    )
    list_price: MoneyAmount | None = Field(
        description="Public purchase price per accelerator, where one is known."
    )
    list_price_currency: str | None
    list_price_source: str | None
    aliases: list[str] = Field(description="Names catalogues use for this chip.")
    source: str = Field(description="Where the figures come from.")
    notes: str
    trains: bool = Field(
        description="False for chips made for inference alone; quotes do not "
        "offer them for training."
    )


class PriceRead(BaseModel):
    """An offer's price under one pricing model over [valid_from, valid_to)."""

    pricing_model: str = Field(examples=["on_demand"])
    price_per_hour: MoneyAmount = Field(description="Per instance-hour.")
    price_per_accelerator_hour: MoneyAmount = Field(
        description="Derived: the instance price divided by its accelerators."
    )
    currency: str = Field(examples=["USD"])
    valid_from: datetime
    valid_to: datetime | None = Field(description="Null while the price is current.")
    import_id: int = Field(description="The import that recorded this price.")


class OfferRead(BaseModel):
    """A rentable instance type in one place, with its prices at `as_of`."""

    id: int
    provider: str = Field(examples=["gcp"])
    region: str = Field(examples=["us-central1"])
    zone: str | None = Field(examples=["us-central1-a"])
    instance_type: str = Field(examples=["a3-highgpu-8g"])
    accelerator: str = Field(description="Accelerator id.", examples=["h100-sxm"])
    accelerator_count: float = Field(description="Accelerators per instance.")
    vcpus: float | None
    host_memory_gib: float | None
    prices: list[PriceRead] = Field(
        description="Prices valid at `as_of` (or the full history, where asked)."
    )


class AnomalyRead(BaseModel):
    """A row of a catalogue file that was not stored as read."""

    row: int | None = Field(description="1-based line number in the file.")
    reason: str = Field(examples=["placeholder_price"])
    detail: str


class ImportSummary(BaseModel):
    """What one catalogue import read and changed, with its anomalies counted."""

    id: int
    provider: str
    source: str
    format: str
    scope: str = Field(description="`full`: the provider's whole list; `partial`.")
    checksum_sha256: str
    observed_at: datetime = Field(description="When the prices were seen.")
    started_at: datetime
    finished_at: datetime | None
    rows_read: int
    offers_created: int
    price_points_opened: int
    price_points_closed: int
    price_points_unchanged: int
    anomaly_counts: dict[str, int] = Field(description="Anomalies by reason.")
    catalog_version: int = Field(description="Catalogue version after the import.")


class ImportRead(ImportSummary):
    """A catalogue import with every anomaly it reported."""

    anomalies: list[AnomalyRead] = Field(
        description="Rows not stored as read: the first 1,000 (all are counted in "
        "`anomaly_counts`)."
    )
    anomalies_omitted: int = Field(description="Anomalies past the first 1,000.")
