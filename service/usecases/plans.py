"""Saved plans: store a quote with its request, price it again at another instant."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from service.api.schemas.quotes import (
    OptionChange,
    OptionRead,
    PlanCreate,
    PlanRead,
    PlanSummary,
    QuoteRead,
    QuoteRequest,
    RepriceRead,
)
from service.domain.errors import NotFound
from service.store import plans as store
from service.store.tables import PlanRow
from service.usecases.catalog_cache import CatalogData
from service.usecases.keys import Principal
from service.usecases.quotes import quote_workload

log = logging.getLogger(__name__)

# Enough to rank every feasible option of a real catalogue when repricing.
REPRICE_MATCH_LIMIT = 1_000_000


def save_plan(
    session: Session,
    body: PlanCreate,
    *,
    principal: Principal,
    catalog: CatalogData,
    now: datetime,
) -> PlanRead:
    """Quote a request and store it with its answer under the key's team."""
    request = QuoteRequest.model_validate(body.model_dump(exclude={"name"}))
    quote = quote_workload(request, catalog=catalog, now=now)
    row = store.add_plan(
        session,
        PlanRow(
            id=str(uuid.uuid4()),
            team=principal.team,
            name=body.name,
            request=request.model_dump(mode="json", exclude={"as_of"}),
            answer=quote.model_dump(mode="json"),
            as_of=quote.as_of,
            catalog_version=quote.catalog_version,
            created_at=now,
            created_by=principal.key_id,
        ),
    )
    log.info(
        "plan.saved plan_id=%s team=%s key_id=%s", row.id, row.team, principal.key_id
    )
    return plan_read(row)


def plan_read(row: PlanRow) -> PlanRead:
    """The response body of a saved plan."""
    return PlanRead(
        id=row.id,
        name=row.name,
        as_of=row.as_of,
        catalog_version=row.catalog_version,
        created_at=row.created_at,
        request=row.request,
        quote=QuoteRead.model_validate(row.answer),
    )


def plan_summary(row: PlanRow) -> PlanSummary:
    """The list entry of a saved plan."""
    options = row.answer.get("options") or []
    best = options[0] if options else None
    total = None
    if best is not None:
        cost = best.get("cost") or best.get("cost_per_hour")
        total = Decimal(cost["total"])
    return PlanSummary(
        id=row.id,
        name=row.name,
        as_of=row.as_of,
        created_at=row.created_at,
        best_total=total,
        currency=row.answer.get("currency", "USD"),
    )


def find_plan(session: Session, principal: Principal, plan_id: str) -> PlanRow:
    """A plan of the key's team, or NotFound (also for another team's plan)."""
    row = store.get_plan(session, principal.team, plan_id)
    if row is None:
        raise NotFound("plan", plan_id)
    return row


def reprice_plan(row: PlanRow, *, as_of: datetime, catalog: CatalogData) -> RepriceRead:
    """The saved request priced at another instant, and what changed per option."""
    request = QuoteRequest.model_validate({**row.request, "as_of": as_of})
    before = QuoteRead.model_validate(row.answer)
    # Every feasible option, not only the first `limit`: a saved option that fell
    # down the ranking is still priced, not gone.
    everything = request.model_copy(update={"limit": REPRICE_MATCH_LIMIT})
    full = quote_workload(everything, catalog=catalog, now=as_of)
    after = full.model_copy(update={"options": full.options[: request.limit]})

    now_by_key = {_key(o): o for o in full.options}
    changes = [_change(o, now_by_key.get(_key(o))) for o in before.options]
    saved = {_key(o) for o in before.options}
    best_before = _total(before.options[0]) if before.options else None
    cheaper = [
        option
        for option in full.options
        if _key(option) not in saved
        and (best_before is None or _total(option) < best_before)
    ]
    cheaper = cheaper[: request.limit]
    changes += [_change(None, option) for option in cheaper]
    return RepriceRead(
        plan_id=row.id,
        as_of_before=before.as_of,
        as_of_after=after.as_of,
        currency=after.currency,
        best_total_before=best_before,
        best_total_after=_total(after.options[0]) if after.options else None,
        changes=changes,
        new_cheaper_options=cheaper,
        quote=after,
    )


def _key(option: OptionRead) -> tuple[int, str]:
    return option.offer_id, option.pricing_model


def _total(option: OptionRead) -> Decimal:
    if option.type == "training_run":
        return option.cost.total
    return option.cost_per_hour.total


def _change(before: OptionRead | None, after: OptionRead | None) -> OptionChange:
    known = before or after
    assert known is not None
    if before is None:
        kind = "new_offer"
    elif after is None:
        kind = "offer_gone"
    elif after.price_per_hour > before.price_per_hour:
        kind = "price_up"
    elif after.price_per_hour < before.price_per_hour:
        kind = "price_down"
    else:
        kind = "unchanged"
    return OptionChange(
        offer_id=known.offer_id,
        provider=known.provider,
        region=known.region,
        instance_type=known.instance_type,
        pricing_model=known.pricing_model,
        change=kind,
        price_per_hour_before=before.price_per_hour if before else None,
        price_per_hour_after=after.price_per_hour if after else None,
        total_before=_total(before) if before else None,
        total_after=_total(after) if after else None,
    )
