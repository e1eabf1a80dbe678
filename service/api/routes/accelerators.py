"""Accelerators: the chips of the catalogue with their dense peaks."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from service.api.auth import require
from service.api.deps import PagingDep, SessionDep
from service.api.problems import problem_responses
from service.api.schemas.catalog import AcceleratorRead
from service.api.schemas.common import Page
from service.domain.catalog import Accelerator
from service.store.catalog import load_accelerators
from service.usecases.lookups import accelerator_id_for

router = APIRouter(
    prefix="/v1/accelerators",
    tags=["catalogue"],
    dependencies=[Depends(require("read"))],
    responses=problem_responses(401, 403),
)


def accelerator_read(accelerator: Accelerator) -> AcceleratorRead:
    """The response body of an accelerator."""
    return AcceleratorRead(
        id=accelerator.id,
        name=accelerator.name,
        vendor=accelerator.vendor,
        memory_gib=accelerator.memory_gib,
        memory_bandwidth_gbps=accelerator.memory_bandwidth_gbps,
        peak_tflops={
            p: accelerator.peak_tflops(p)
            for p in ("fp32", "tf32", "bf16", "fp16", "fp8", "int8")
        },
        tdp_watts=accelerator.tdp_watts,
        interconnect_gbps=accelerator.interconnect_gbps,
        list_price=accelerator.list_price,
        list_price_currency=accelerator.list_price_currency,
        list_price_source=accelerator.list_price_source,
        aliases=list(accelerator.aliases),
        source=accelerator.source,
        notes=accelerator.notes,
        trains=accelerator.trains,
    )


@router.get("", summary="List accelerators", responses=problem_responses(422))
def list_accelerators(
    session: SessionDep, paging: PagingDep, vendor: str | None = None
) -> Page[AcceleratorRead]:
    """List the catalogue's accelerators, optionally of one vendor."""
    accelerators = [
        a
        for a in load_accelerators(session)
        if vendor is None or a.vendor.lower() == vendor.lower()
    ]
    chosen = accelerators[paging.offset : paging.offset + paging.limit]
    return Page[AcceleratorRead](
        items=[accelerator_read(a) for a in chosen],
        total=len(accelerators),
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get(
    "/{accelerator_id}",
    summary="Get an accelerator",
    responses=problem_responses(404),
)
def get_accelerator(session: SessionDep, accelerator_id: str) -> AcceleratorRead:
    """Get one accelerator by id or by any of its aliases (e.g. `H100`)."""
    wanted = accelerator_id_for(session, accelerator_id)
    accelerator = next(a for a in load_accelerators(session) if a.id == wanted)
    return accelerator_read(accelerator)
