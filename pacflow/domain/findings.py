"""The diagnostic's figures: the four tools the method draws before choosing targets.

The PAC "is drawn up after the marketing and sales diagnostic of your sector, obtained by
analysing the results of the previous period" (fiche 07, tools 1 to 6). Each tool's figures
are a frozen value recorded in a `FindingRecorded` event, tagged by `tool`:

- `abc` — the cross ABC matrix: accounts by revenue class (A, B, C; P for prospects) and
  potential class (A', B', C'), both read against thresholds the user gives, and the
  three zones the method shades (`Zone`);
- `offers` — the offers x segments matrix: per cell revenue, margin, conversion rate and
  a verdict (develop, correct, abandon);
- `amont_aval` — the won and lost deals of the last period by origin: before or after the
  customer's consultation (`upstream`/`downstream`) x the offer's notoriety (strong/weak),
  which places each deal in one of the four approaches (`Quadrant`);
- `emoff` — strengths, weaknesses, opportunities and threats.

Everything here is pure: classes and zones are computed from the figures, never stored.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pacflow.domain.checked import Checked, pydantic
from pacflow.domain.plain import loader, to_plain
from pacflow.domain.values import Count, Key, NonNegativeDecimal, OptionalText, Text
from slotted import FrozenValue, frozen_record, frozen_value


class _Figure(FrozenValue):
    """Base of the figures: frozen dataclasses that pydantic validates (with no unknown
    field) where they come in, and that check their own consistency in `__post_init__`."""

    __slots__ = ()
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}


def _at_least_one() -> tuple[Any, ...]:
    return (pydantic().Field(min_length=1),)


MarginPct = Annotated[
    Decimal, Checked(lambda: (pydantic().Field(ge=-100, le=100, allow_inf_nan=False),))
]
"""A margin rate, in percent: from -100 to 100."""
ConversionPct = Annotated[
    Decimal, Checked(lambda: (pydantic().Field(ge=0, le=100, allow_inf_nan=False),))
]
"""A conversion rate, in percent: from 0 to 100."""


class Tool(enum.StrEnum):
    """A diagnostic tool of the method."""

    ABC = "abc"
    OFFERS = "offers"
    AMONT_AVAL = "amont_aval"
    EMOFF = "emoff"


# --- cross ABC matrix --------------------------------------------------------------------


class Zone(enum.StrEnum):
    """The three zones of the cross ABC matrix."""

    CORE = "core_business"
    """Fond de commerce: the accounts that make the revenue today; keep them."""
    DEVELOPMENT = "development"
    """Potentiel de développement: more potential than revenue; invest there."""
    ECONOMY = "economy"
    """Gestion économique: little revenue, little potential; serve them at low cost."""


REVENUE_CLASSES = ("A", "B", "C", "P")
POTENTIAL_CLASSES = ("A'", "B'", "C'")


@frozen_value
class AccountFigure(_Figure):
    """One account of the cross ABC matrix: last period's revenue and its potential."""

    key: Key
    name: OptionalText = None
    segment: OptionalText = None
    revenue: NonNegativeDecimal
    potential: NonNegativeDecimal
    prospect: bool = False


def zone_of(revenue_class: str, potential_class: str) -> Zone:
    """The zone of one cell of the grid: development where the potential class is better
    than the revenue class (a prospect with A' or B'); else core business for A and B
    accounts, economy for the rest (a prospect of little potential among them)."""
    revenue = min(REVENUE_CLASSES.index(revenue_class), 2)
    potential = POTENTIAL_CLASSES.index(potential_class)
    if potential < revenue:
        return Zone.DEVELOPMENT
    return Zone.CORE if revenue <= 1 else Zone.ECONOMY


@frozen_value
class AbcMatrix(_Figure):
    """The cross ABC matrix: accounts, and the thresholds of their classes (amounts)."""

    tool: Literal["abc"] = "abc"
    accounts: Annotated[tuple[AccountFigure, ...], Checked(_at_least_one)]
    revenue_a: NonNegativeDecimal
    revenue_b: NonNegativeDecimal
    potential_a: NonNegativeDecimal
    potential_b: NonNegativeDecimal

    def __post_init__(self) -> None:
        if self.revenue_b > self.revenue_a:
            raise ValueError("revenue_b must not be above revenue_a")
        if self.potential_b > self.potential_a:
            raise ValueError("potential_b must not be above potential_a")
        keys = [account.key for account in self.accounts]
        if len(set(keys)) != len(keys):
            raise ValueError("each account once")

    def revenue_class(self, account: AccountFigure) -> str:
        """A, B or C by revenue; P for a prospect (no revenue yet)."""
        if account.prospect or account.revenue == 0:
            return "P"
        if account.revenue >= self.revenue_a:
            return "A"
        return "B" if account.revenue >= self.revenue_b else "C"

    def potential_class(self, account: AccountFigure) -> str:
        """A', B' or C' by potential."""
        if account.potential >= self.potential_a:
            return "A'"
        return "B'" if account.potential >= self.potential_b else "C'"

    def zone(self, account: AccountFigure) -> Zone:
        """The zone of the account's cell (`zone_of`)."""
        return zone_of(self.revenue_class(account), self.potential_class(account))

    def cell(self, revenue_class: str, potential_class: str) -> tuple[AccountFigure, ...]:
        """The accounts of one cell of the grid."""
        return tuple(
            account
            for account in self.accounts
            if self.revenue_class(account) == revenue_class
            and self.potential_class(account) == potential_class
        )


# --- offers x segments -------------------------------------------------------------------


class Verdict(enum.StrEnum):
    """What the offers x segments matrix says of one cell."""

    DEVELOP = "develop"
    CORRECT = "correct"
    ABANDON = "abandon"


@frozen_value
class OfferCell(_Figure):
    """One offer in one segment over the last period."""

    offer: Key
    segment: Key
    revenue: NonNegativeDecimal
    margin_pct: MarginPct | None = None
    conversion_pct: ConversionPct | None = None
    verdict: Verdict | None = None


@frozen_value
class OffersMatrix(_Figure):
    """The offers x segments matrix (prestations / clientèles)."""

    tool: Literal["offers"] = "offers"
    cells: Annotated[tuple[OfferCell, ...], Checked(_at_least_one)]

    def __post_init__(self) -> None:
        pairs = [(cell.offer, cell.segment) for cell in self.cells]
        if len(set(pairs)) != len(pairs):
            raise ValueError("each offer and segment once")

    def offers(self) -> tuple[str, ...]:
        """The offers, in the order they first appear."""
        return tuple(dict.fromkeys(cell.offer for cell in self.cells))

    def segments(self) -> tuple[str, ...]:
        """The segments, in the order they first appear."""
        return tuple(dict.fromkeys(cell.segment for cell in self.cells))

    def at(self, offer: str, segment: str) -> OfferCell | None:
        """The cell of `offer` in `segment`, if any."""
        return next(
            (c for c in self.cells if c.offer == offer and c.segment == segment),
            None,
        )


# --- amont / aval ------------------------------------------------------------------------


class Quadrant(enum.StrEnum):
    """The four approaches of the amont/aval matrix (origin of a deal)."""

    FARMING = "farming"
    """Élevage: upstream of the consultation, strong notoriety."""
    HUNTING = "hunting"
    """Chasse: upstream, weak notoriety."""
    CULTIVATION = "cultivation"
    """Culture: downstream (the customer consults), strong notoriety."""
    GATHERING = "gathering"
    """Cueillette: downstream, weak notoriety (open calls for tender)."""


def quadrant_of(upstream: bool, strong: bool) -> Quadrant:
    """Where a deal falls: its timing against the consultation x the offer's notoriety."""
    if upstream:
        return Quadrant.FARMING if strong else Quadrant.HUNTING
    return Quadrant.CULTIVATION if strong else Quadrant.GATHERING


@frozen_value
class WonLost(_Figure):
    """Deals won and lost in one quadrant."""

    won: Count = 0
    lost: Count = 0

    @property
    def deals(self) -> int:
        return self.won + self.lost


@frozen_value
class AmontAval(_Figure):
    """Won and lost deals of the last period by quadrant (for one offer, or all)."""

    tool: Literal["amont_aval"] = "amont_aval"
    offer: Key | None = None
    quadrants: dict[Quadrant, WonLost]

    def __post_init__(self) -> None:
        if not any(counts.deals for counts in self.quadrants.values()):
            raise ValueError("no deal: give at least one won or lost deal")

    def counts(self, quadrant: Quadrant) -> WonLost:
        """The deals of one quadrant (none when absent)."""
        return self.quadrants.get(quadrant, WonLost())

    @property
    def deals(self) -> int:
        return sum(counts.deals for counts in self.quadrants.values())

    @property
    def won(self) -> int:
        return sum(counts.won for counts in self.quadrants.values())

    def conversion_pct(self) -> Decimal:
        """Deals won over deals closed, in percent (one decimal)."""
        return (Decimal(100 * self.won) / self.deals).quantize(Decimal("0.1"))

    def upstream_pct(self) -> Decimal:
        """Share of deals detected upstream of the consultation, in percent."""
        upstream = self.counts(Quadrant.FARMING).deals + self.counts(Quadrant.HUNTING).deals
        return (Decimal(100 * upstream) / self.deals).quantize(Decimal("0.1"))


# --- EMOFF -------------------------------------------------------------------------------


@frozen_value
class Emoff(_Figure):
    """The EMOFF (SWOT) matrix: what to lean on, what to work on."""

    tool: Literal["emoff"] = "emoff"
    strengths: tuple[Text, ...] = ()
    weaknesses: tuple[Text, ...] = ()
    opportunities: tuple[Text, ...] = ()
    threats: tuple[Text, ...] = ()

    def __post_init__(self) -> None:
        if not (self.strengths or self.weaknesses or self.opportunities or self.threats):
            raise ValueError("give at least one strength, weakness, opportunity or threat")


AnyFigures = Annotated[
    AbcMatrix | OffersMatrix | AmontAval | Emoff,
    Checked(lambda: (pydantic().Field(discriminator="tool"),)),
]
"""The figures of any tool; `tool` tells which."""


@frozen_record
class Figures(FrozenValue):
    """One tool's figures (`root`), tagged by `tool`; stored and typed as the figures
    themselves (`{"tool": "abc", ...}`)."""

    root: AbcMatrix | OffersMatrix | AmontAval | Emoff

    @property
    def tool(self) -> Tool:
        return Tool(self.root.tool)

    def as_data(self) -> dict[str, Any]:
        """The figures as plain JSON data, as stored."""
        data: dict[str, Any] = to_plain(self)
        return data

    def __plain__(self) -> Any:
        return to_plain(self.root)

    @classmethod
    def __from_plain__(cls, data: Any) -> Figures:
        return cls(loader(AnyFigures)(data))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        # Validated, serialised and described (JSON Schema) as the figures themselves.
        from pydantic_core import core_schema

        figures = handler.generate_schema(AnyFigures)

        def figures_of(value: Any, validate: Any) -> Figures:
            return value if isinstance(value, cls) else cls(validate(value))

        return core_schema.no_info_wrap_validator_function(
            figures_of,
            figures,
            serialization=core_schema.wrap_serializer_function_ser_schema(
                lambda value, serialize: serialize(value.root), schema=figures
            ),
            ref="Figures",
            metadata={
                "pydantic_js_updates": {
                    "description": "One tool's figures, tagged by `tool`.",
                    "title": "Figures",
                }
            },
        )


def tool_of(name: str) -> Tool:
    """A tool from what a user typed (`amont-aval`, `ABC`)."""
    return Tool(name.strip().lower().replace("-", "_"))


__all__ = [
    "POTENTIAL_CLASSES",
    "REVENUE_CLASSES",
    "AbcMatrix",
    "AccountFigure",
    "AmontAval",
    "Emoff",
    "Figures",
    "OfferCell",
    "OffersMatrix",
    "Quadrant",
    "Tool",
    "Verdict",
    "WonLost",
    "Zone",
    "quadrant_of",
    "tool_of",
    "zone_of",
]
