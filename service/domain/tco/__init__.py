"""Total cost of ownership: buying accelerators against renting them, and a hybrid.

Entry point: `compare_tco(TcoInputs) -> TcoComparison`. Pure: no I/O; the API
picks the rental prices (`cheapest_rental_prices`) from a catalogue snapshot.
"""

from service.domain.tco.compare import compare_tco
from service.domain.tco.inputs import (
    BuyingAssumptions,
    Demand,
    EdgeInputs,
    RentalPrice,
    SpotInputs,
    Strategy,
    TcoInputs,
)
from service.domain.tco.rental import cheapest_rental_prices
from service.domain.tco.results import (
    BreakEven,
    CostParts,
    OwnedUnitCosts,
    SensitivityCase,
    StrategyResult,
    TcoComparison,
)

__all__ = [
    "BreakEven",
    "BuyingAssumptions",
    "CostParts",
    "Demand",
    "EdgeInputs",
    "OwnedUnitCosts",
    "RentalPrice",
    "SensitivityCase",
    "SpotInputs",
    "Strategy",
    "StrategyResult",
    "TcoComparison",
    "TcoInputs",
    "cheapest_rental_prices",
    "compare_tco",
]
