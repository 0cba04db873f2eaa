"""Where things sit on a timeline: days of the plan period as percentages of its width."""

from __future__ import annotations

from datetime import date, timedelta

from pacflow.domain.values import Per, period_bounds
from slotted import FrozenValue, frozen_record


@frozen_record
class Scale(FrozenValue):
    """Maps the days of `start..end` (both inclusive) onto 0 to 100 % of a width."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the period holds."""
        return (self.end - self.start).days + 1

    def at(self, day: date) -> float:
        """Where `day` begins, in percent (clamped to the period)."""
        offset = min(max((day - self.start).days, 0), self.days)
        return 100.0 * offset / self.days

    def middle(self, day: date) -> float:
        """The middle of `day`, in percent: where a milestone or a visit is drawn."""
        return min(self.at(day) + 50.0 / self.days, 100.0)

    def span(self, first: date, last: date) -> tuple[float, float]:
        """Left edge and width, in percent, of the days `first..last` (inclusive)."""
        left = self.at(first)
        return left, max(self.at(last + timedelta(days=1)) - left, 0.0)

    def holds(self, day: date) -> bool:
        """Whether `day` falls inside the period."""
        return self.start <= day <= self.end

    def months(self, keys: tuple[str, ...]) -> list[tuple[str, float, float]]:
        """Each month key with its left edge and width in percent (cut to the period)."""
        found = []
        for key in keys:
            first, last = period_bounds(key, Per.MONTH)
            left, width = self.span(max(first, self.start), min(last, self.end))
            found.append((key, left, width))
        return found


def pct(value: float) -> str:
    """A percentage for inline CSS, short and locale-free: `8.493%`."""
    return f"{value:.3f}".rstrip("0").rstrip(".") + "%"
