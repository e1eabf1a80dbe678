"""Owned accelerators: what one costs, and a fleet serving demand with cloud burst.

- Capital (price + overhead) is paid in the first month the hardware is usable,
  after the lead time. Its book value falls straight-line to the residual fraction
  over the amortisation period, and the fleet is sold at book value at the end of
  the horizon (the negative `residual_value` part).
- Cost of capital is charged each month on the book value at the start of the
  month at i = (1 + k) ** (1 / 12) - 1, the monthly rate compounding to the yearly
  k: the return the money would have earned elsewhere.
- Power: a used hour draws accelerator + host watts, an idle hour the idle fraction
  of that, each x PUE x price per kWh / 1000. Only owned hours the demand uses are
  busy, at most utilisation x 730 h a month per accelerator.
- Colocation: (accelerator + host) kW x price per kW-month, without PUE, because
  colocation is priced per kW of IT load and energy is metered apart (judgement
  on the usual wholesale lease). Operations: yearly fraction x capital / 12.
- Nothing is owned or charged during the lead time; its demand is rented on demand.
"""

from __future__ import annotations

from decimal import Decimal

from service.domain.catalog import PricingModel
from service.domain.tco.defaults import HOURS
from service.domain.tco.inputs import ceil, floor
from service.domain.tco.ledger import Delivery, Ledger
from service.domain.tco.resolve import Settings
from service.domain.tco.results import OwnedUnitCosts


def monthly_rate(per_year: Decimal) -> Decimal:
    """The monthly rate that compounds to a yearly one: (1 + k) ** (1 / 12) - 1."""
    return (1 + per_year) ** (Decimal(1) / 12) - 1


def unit_costs(settings: Settings) -> OwnedUnitCosts:
    """Return what one owned accelerator costs over the months it is owned."""
    owned = max(0, settings.horizon_months - settings.lead_time_months)
    capital = settings.capital_per_accelerator
    months = settings.amortisation_months
    depreciation = capital * (1 - settings.residual_fraction) / months
    rate = monthly_rate(settings.cost_of_capital_per_year)
    cost_of_capital = sum(
        (rate * (capital - depreciation * min(age, months)) for age in range(owned)),
        Decimal(0),
    )
    residual = capital - depreciation * min(owned, months)
    per_watt_hour = settings.pue * settings.price_per_kwh / 1000
    idle = settings.idle_watts * per_watt_hour
    busy = settings.busy_watts * per_watt_hour
    colocation = settings.busy_watts / 1000 * settings.colocation_per_kw_month
    operations = settings.operations_fraction_per_year * capital / 12
    fixed = None
    if owned:
        monthly = colocation + operations + idle * HOURS
        fixed = (capital - residual + cost_of_capital + monthly * owned) / (
            HOURS * owned
        )
    return OwnedUnitCosts(
        capital=capital,
        owned_months=owned,
        depreciation_per_month=depreciation,
        residual_value=residual,
        monthly_capital_rate=rate,
        cost_of_capital=cost_of_capital,
        colocation_per_month=colocation,
        operations_per_month=operations,
        idle_power_per_hour=idle,
        busy_power_per_hour=busy,
        fixed_per_owned_hour=fixed,
        variable_per_used_hour=busy - idle,
    )


def fleet_for_peak(settings: Settings) -> int:
    """The fewest accelerators that serve the peak month they are owned for."""
    served = settings.central_hours[settings.lead_time_months :]
    if not served:
        return 0
    return ceil(max(served) / (HOURS * settings.utilisation))


def owned_fleet(
    settings: Settings, units: OwnedUnitCosts, count: int
) -> tuple[Ledger, Delivery] | str:
    """Own `count` accelerators for the base of demand, rent the rest on demand.

    Returns the reason instead when some hours must be rented and there is no
    on-demand price.
    """
    ledger = Ledger(settings.horizon_months)
    capacity = count * HOURS * settings.utilisation
    on_demand = settings.rental.get(PricingModel.ON_DEMAND)
    owned_hours = rented_hours = Decimal(0)
    for month, hours in enumerate(settings.central_hours):
        age = month - settings.lead_time_months
        used = min(hours, capacity) if age >= 0 else Decimal(0)
        if age >= 0 and count:
            _own_month(ledger, settings, units, count, month, age, used)
        burst = hours - used
        if burst and on_demand is None:
            return f"{burst} hours of month {month} must be rented: no on-demand price"
        if burst and on_demand is not None:
            ledger.add("cloud", month, burst * on_demand.price_per_accelerator_hour)
        owned_hours += used
        rented_hours += burst
    if units.owned_months and count:
        last = settings.horizon_months - 1
        ledger.add("residual_value", last, -count * units.residual_value)
    owned = count if units.owned_months else 0
    note = (
        f"{owned} owned from month {settings.lead_time_months} at utilisation "
        f"{settings.utilisation}; {rented_hours.normalize():f} hours rented on demand"
    )
    return ledger, Delivery(
        owned_accelerators=owned,
        owned_hours=owned_hours,
        rented_hours=rented_hours,
        note=note,
    )


def best_hybrid_size(settings: Settings, units: OwnedUnitCosts) -> int:
    """Return the owned count with the lowest total, the smallest on a tie.

    The total is linear in the count between the points where a month's demand
    equals the owned capacity (hours / (730 x utilisation)), so its minimum over
    0..peak lies at 0, the peak fleet, or an integer next to one of those points:
    evaluating those alone equals a search of every count.
    """
    top = fleet_for_peak(settings)
    per_accelerator = HOURS * settings.utilisation
    candidates = {0, top}
    for hours in settings.central_hours[settings.lead_time_months :]:
        below = floor(hours / per_accelerator)
        candidates.update((below, below + 1))
    in_range = sorted(c for c in candidates if 0 <= c <= top)
    return min(in_range, key=lambda count: fleet_total(settings, units, count))


def fleet_total(settings: Settings, units: OwnedUnitCosts, count: int) -> Decimal:
    """The exact total of owning `count` with on-demand burst (edge excluded)."""
    fleet = owned_fleet(settings, units, count)
    if isinstance(fleet, str):
        raise ValueError(fleet)
    return fleet[0].total()


def _own_month(
    ledger: Ledger,
    settings: Settings,
    units: OwnedUnitCosts,
    count: int,
    month: int,
    age: int,
    used_hours: Decimal,
) -> None:
    months = settings.amortisation_months
    book_value = units.capital - units.depreciation_per_month * min(age, months)
    if age == 0:
        ledger.add("capital", month, count * units.capital)
    ledger.add(
        "cost_of_capital", month, count * units.monthly_capital_rate * book_value
    )
    idle_hours = count * HOURS - used_hours
    power = used_hours * units.busy_power_per_hour
    ledger.add("power", month, power + idle_hours * units.idle_power_per_hour)
    ledger.add("colocation", month, count * units.colocation_per_month)
    ledger.add("operations", month, count * units.operations_per_month)
    if age < months:
        ledger.depreciation[month] += count * units.depreciation_per_month
