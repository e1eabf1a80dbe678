"""The catalogue held in memory per version, so quotes read nothing per request."""

from __future__ import annotations

import bisect
import gc
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from service.domain.catalog import Accelerator, Offer, PricedOffer, PricePoint
from service.domain.planner import OfferIndex, index_offers
from service.store import catalog as store

T = TypeVar("T")
ANSWERS_KEPT = 512


class AnswerCache:
    """Answers computed from one catalogue version, kept for identical requests.

    Quotes and estimates are functions of the request, the catalogue version and
    the price interval alone, so a repeated request is answered from here; the
    least recently used answer goes first. A new version starts an empty cache.
    """

    def __init__(self, size: int = ANSWERS_KEPT) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._answers: OrderedDict[Hashable, object] = OrderedDict()

    def kept(self, key: Hashable) -> object | None:
        """The answer kept for a key, if any; computes nothing."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        return None

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer kept for a key, or a new one computed and kept."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]  # type: ignore[return-value]
        answer = compute()
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)
        return answer


@dataclass(slots=True)
class CatalogData:
    """One catalogue version: accelerators, offers and the whole price history.

    The prices valid at an instant only change at the instants where some point
    opens or closes, so the priced offers are computed once per interval between
    such boundaries and shared by every request that falls in it.
    """

    version: int
    accelerators: dict[str, Accelerator]
    offers: dict[int, Offer]
    points: list[PricePoint]
    boundaries: list[datetime] = field(default_factory=list)
    providers: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    price_pairs: int = 0
    _points_by_interval: dict[int, dict[int, tuple[PricePoint, ...]]] = field(
        default_factory=dict
    )
    _by_interval: dict[int, tuple[PricedOffer, ...]] = field(default_factory=dict)
    _index_by_interval: dict[int, OfferIndex] = field(default_factory=dict)
    answers: AnswerCache = field(default_factory=AnswerCache)

    def __post_init__(self) -> None:
        instants = {p.valid_from for p in self.points}
        instants |= {p.valid_to for p in self.points if p.valid_to is not None}
        self.boundaries = sorted(instants)
        self.providers = frozenset(o.provider for o in self.offers.values())
        self.regions = frozenset(o.region for o in self.offers.values())
        # Every (offer, pricing model) that has a price at some instant.
        self.price_pairs = len({(p.offer_id, p.pricing_model) for p in self.points})

    def interval_of(self, instant: datetime) -> int:
        """Which of the intervals between price changes an instant falls in."""
        return bisect.bisect_right(self.boundaries, instant)

    def points_at(self, instant: datetime) -> dict[int, tuple[PricePoint, ...]]:
        """The price points valid at an instant per offer id, in offer id order."""
        interval = self.interval_of(instant)
        by_offer = self._points_by_interval.get(interval)
        if by_offer is None:
            grouped: dict[int, list[PricePoint]] = {}
            for point in self.points:
                if point.is_valid_at(instant):
                    grouped.setdefault(point.offer_id, []).append(point)
            by_offer = {
                offer_id: tuple(grouped[offer_id]) for offer_id in sorted(grouped)
            }
            self._points_by_interval[interval] = by_offer
        return by_offer

    def priced_offers_at(self, instant: datetime) -> tuple[PricedOffer, ...]:
        """Every (offer, pricing model) with a price valid at an instant."""
        interval = self.interval_of(instant)
        priced = self._by_interval.get(interval)
        if priced is None:
            priced = tuple(
                PricedOffer(
                    self.offers[p.offer_id],
                    p.pricing_model,
                    p.price_per_hour,
                    p.currency,
                )
                for points in self.points_at(instant).values()
                for p in points
            )
            self._by_interval[interval] = priced
        return priced

    def index_at(self, instant: datetime) -> OfferIndex:
        """The planner's index of the offers priced at an instant, built once."""
        interval = self.interval_of(instant)
        index = self._index_by_interval.get(interval)
        if index is None:
            index = index_offers(self.priced_offers_at(instant))
            self._index_by_interval[interval] = index
        return index


class CatalogCache:
    """Holds the newest catalogue version in memory.

    A request checks the stored version at most every `refresh_seconds` (another
    process may have imported meanwhile); a write in this process calls
    `invalidate`, so its own changes are seen at once.
    """

    def __init__(
        self, refresh_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._data: CatalogData | None = None
        self._checked_at = float("-inf")

    def fresh(self) -> CatalogData | None:
        """The catalogue held, if it was checked recently enough; no store read."""
        with self._lock:
            if self._clock() - self._checked_at < self._refresh_seconds:
                return self._data
        return None

    def warm(self, sessions: Callable[[], Session], now: datetime) -> None:
        """Load the catalogue and today's prices before the first request needs them."""
        self.get(sessions).index_at(now)

    def invalidate(self) -> None:
        """Forget the held version; the next request loads the stored one."""
        with self._lock:
            self._data = None

    def get(self, sessions: Callable[[], Session]) -> CatalogData:
        """The current catalogue, loading it only when its version changed."""
        with self._lock:
            data, fresh = self._data, self._clock() - self._checked_at
            if data is not None and fresh < self._refresh_seconds:
                return data
            with sessions() as session:
                version = store.catalog_version(session)
                if data is None or data.version != version:
                    data = _load(session, version)
                    # The catalogue lives until the next version: keep its many
                    # objects out of the cyclic collector's full passes, whose
                    # pauses would otherwise grow with the price history.
                    gc.freeze()
            self._data, self._checked_at = data, self._clock()
            return data


def _load(session: Session, version: int) -> CatalogData:
    return CatalogData(
        version=version,
        accelerators={a.id: a for a in store.load_accelerators(session)},
        offers={o.id: o for o in store.load_offers(session)},
        points=store.load_price_points(session),
    )
