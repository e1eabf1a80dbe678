"""Renting: on demand, on spot capacity, and reserved for whole terms.

- On demand: every hour of demand at the on-demand price.
- Spot: the expected-cost model of `service/domain/spot.py`; a synchronous job on n
  instances loses L (tau / 2 + R) of its hours to interruptions, so each hour of
  work costs 1 / (1 - L (tau / 2 + R)) paid hours.
- Reserved: capacity for the peak month, in whole instances, paid for every hour
  of every term that overlaps the horizon (RESERVED_TERM_HOURS / 730 = 12 or 36
  months). A horizon that is not a multiple of the term pays the whole last term;
  its months after the horizon are the `reserved_beyond_horizon` part.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from service.domain.catalog import RESERVED_TERM_HOURS, PricedOffer, PricingModel
from service.domain.spot import HOURS_PER_MONTH, expected_spot_run
from service.domain.tco.defaults import HOURS
from service.domain.tco.inputs import RENTAL_MODELS, RentalPrice, Strategy, ceil, dec
from service.domain.tco.ledger import Delivery, Ledger
from service.domain.tco.resolve import Settings

RESERVED_STRATEGIES: dict[str, Strategy] = {
    PricingModel.RESERVED_1Y: Strategy.RENT_RESERVED_1Y,
    PricingModel.RESERVED_3Y: Strategy.RENT_RESERVED_3Y,
}


def cheapest_rental_prices(
    priced_offers: Iterable[PricedOffer],
    accelerator_id: str,
    offer_ids: Iterable[int] | None = None,
) -> tuple[RentalPrice, ...]:
    """Pick, per pricing model, the offer with the lowest price per accelerator-hour.

    Only offers of the accelerator (and, when given, with one of `offer_ids`)
    count; a tie goes to the lowest offer id.
    """
    wanted = set(offer_ids) if offer_ids is not None else None
    best: dict[str, tuple[Decimal, int, RentalPrice]] = {}
    for priced in priced_offers:
        offer = priced.offer
        if offer.accelerator_id != accelerator_id or offer.accelerator_count <= 0:
            continue
        if wanted is not None and offer.id not in wanted:
            continue
        if priced.pricing_model not in RENTAL_MODELS:
            continue
        per_accelerator = priced.price_per_hour / dec(offer.accelerator_count)
        label = f"{offer.provider}/{offer.region}/{offer.instance_type}"
        price = RentalPrice(
            pricing_model=priced.pricing_model,
            price_per_accelerator_hour=per_accelerator,
            currency=priced.currency,
            offer=label,
            offer_id=offer.id,
            accelerators_per_instance=max(1, int(offer.accelerator_count)),
        )
        key = (per_accelerator, offer.id, price)
        current = best.get(priced.pricing_model)
        if current is None or key[:2] < current[:2]:
            best[priced.pricing_model] = key
    return tuple(best[model][2] for model in RENTAL_MODELS if model in best)


def on_demand(settings: Settings) -> tuple[Ledger, Delivery] | str:
    """Rent every hour on demand, or say why not."""
    price = settings.rental.get(PricingModel.ON_DEMAND)
    if price is None:
        return "no on-demand price for this accelerator"
    ledger = Ledger(settings.horizon_months)
    for month, hours in enumerate(settings.central_hours):
        ledger.add("cloud", month, hours * price.price_per_accelerator_hour)
    rented = sum(settings.central_hours, Decimal(0))
    return ledger, Delivery(rented_hours=rented, note=_offer_note(price))


def spot_paid_hours_per_hour(settings: Settings) -> tuple[Decimal, str] | str:
    """Paid spot hours per hour of work, with how it was found; or why not feasible."""
    price = settings.rental.get(PricingModel.SPOT)
    if price is None:
        return "no spot price for this accelerator"
    instances = settings.spot_job_instances or 1
    run = expected_spot_run(1.0, instances, settings.spot)
    if not run.feasible:
        return run.reason or "the job is expected never to finish on spot capacity"
    inflation = 1 / (1 - dec(run.lost_fraction))
    note = (
        f"{instances} instances as one job lose {run.lost_fraction:.4%} of hours to "
        "interruptions"
    )
    return inflation, note


def spot(settings: Settings) -> tuple[Ledger, Delivery] | str:
    """Rent every hour on spot capacity at its expected cost, or say why not."""
    found = spot_paid_hours_per_hour(settings)
    if isinstance(found, str):
        return found
    inflation, note = found
    price = settings.rental[PricingModel.SPOT]
    ledger = Ledger(settings.horizon_months)
    paid = Decimal(0)
    for month, hours in enumerate(settings.central_hours):
        hours_paid = hours * inflation
        ledger.add("cloud", month, hours_paid * price.price_per_accelerator_hour)
        paid += hours_paid
    return ledger, Delivery(rented_hours=paid, note=f"{note}; {_offer_note(price)}")


def reserved(settings: Settings, model: str) -> tuple[Ledger, Delivery] | str:
    """Reserve capacity for the peak month for whole terms, or say why not."""
    price = settings.rental.get(model)
    if price is None:
        return f"no {model} price for this accelerator"
    per_instance = price.accelerators_per_instance
    instances = ceil(max(settings.central_hours) / (HOURS * per_instance))
    accelerators = instances * per_instance
    monthly = accelerators * HOURS * price.price_per_accelerator_hour
    term_months = RESERVED_TERM_HOURS[model] // HOURS_PER_MONTH
    months = settings.horizon_months
    charged_months = ceil(Decimal(months) / term_months) * term_months
    ledger = Ledger(months)
    for month in range(months):
        ledger.add("cloud", month, monthly)
    ledger.add(
        "reserved_beyond_horizon", months - 1, (charged_months - months) * monthly
    )
    note = (
        f"{accelerators} accelerators reserved for {charged_months // term_months} "
        f"term(s) of {term_months} months; {_offer_note(price)}"
    )
    return ledger, Delivery(
        reserved_accelerators=accelerators,
        rented_hours=accelerators * HOURS * charged_months,
        note=note,
    )


def _offer_note(price: RentalPrice) -> str:
    offer = price.offer or "given price"
    return f"{price.pricing_model} at {price.price_per_accelerator_hour}/h ({offer})"
