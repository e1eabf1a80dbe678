"""The planner: every priced offer as a costed option, ranked, for one workload.

Pure: plain values in, plain values out; no web framework, database or I/O.
Build `index_offers(priced_offers)` once per catalogue snapshot and pass it to
`plan_quote` for every request.
"""

from service.domain.planner.index import OfferIndex, index_offers
from service.domain.planner.inputs import Constraints, Objective, PricingAssumptions
from service.domain.planner.options import (
    CostBreakdown,
    Exclusion,
    InferenceOption,
    Memory,
    Option,
    OptionOffer,
    Place,
    Quote,
    TrainingOption,
)
from service.domain.planner.quote import plan_quote

__all__ = [
    "Constraints",
    "CostBreakdown",
    "Exclusion",
    "InferenceOption",
    "Memory",
    "Objective",
    "OfferIndex",
    "Option",
    "OptionOffer",
    "Place",
    "PricingAssumptions",
    "Quote",
    "TrainingOption",
    "index_offers",
    "plan_quote",
]
