"""A deadline and a late policy: how much of a late submission's score it keeps.

Runs on the instructor's machine. The policy comes from the lab's `[late]` table in lab.toml
or from `grade`'s options (which win):

    deadline = "2026-12-10T23:59:00+01:00"  # ISO 8601; without an offset, this machine's time zone
    penalty = "10%/day"                      # of the submission's own score, per started day or hour
    cap = "50%"                              # at most this much is taken, however late
    grace = "15m"                            # a submission this close after the deadline is on time

A student's extension (the roster's `extension` column) moves their deadline. Lateness is
counted from the (extended) deadline in started units: 1 minute late on "10%/day" costs 10%,
24 h 1 min late costs 20%. The penalty is a share of the score the submission earned, so a
late empty notebook still scores 0 and never below.
"""

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .errors import UsageError
from .roster import parse_duration

PENALTY = re.compile(r"^\s*(?P<pct>\d+(?:\.\d+)?)\s*%\s*(?:/|per)\s*(?P<unit>day|hour)\s*$")
UNITS = {"day": timedelta(days=1), "hour": timedelta(hours=1)}


def _percent(text: str, what: str) -> float:
    m = re.match(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$", str(text))
    if not m or float(m[1]) > 100:
        raise UsageError(f"{what} '{text}' is not a percentage between 0% and 100%")
    return float(m[1]) / 100


def parse_time(text: str) -> datetime:
    """An ISO 8601 time; without an offset, in this machine's time zone."""
    try:
        when = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise UsageError(f"deadline '{text}' is not an ISO 8601 time such as 2026-12-10T23:59:00+01:00")
    return when if when.tzinfo else when.astimezone()


@dataclass(frozen=True)
class LatePolicy:
    deadline: datetime
    rate: float = 0.0                  # share of the score taken per started unit
    unit: timedelta = UNITS["day"]
    cap: float = 1.0                   # the most that is taken
    grace: timedelta = timedelta(0)

    @classmethod
    def from_settings(cls, settings: dict) -> "LatePolicy | None":
        """From lab.toml's [late] table updated with the command line's options; None without a deadline."""
        if not settings.get("deadline"):
            if any(settings.get(k) for k in ("penalty", "cap", "grace")):
                raise UsageError("a late penalty needs a deadline (--deadline, or deadline in lab.toml's [late])")
            return None
        rate, unit = 0.0, UNITS["day"]
        if settings.get("penalty"):
            m = PENALTY.match(str(settings["penalty"]))
            if not m:
                raise UsageError(f"late penalty '{settings['penalty']}' is not of the form 10%/day or 2%/hour")
            rate, unit = float(m["pct"]) / 100, UNITS[m["unit"]]
        cap = _percent(settings["cap"], "late cap") if settings.get("cap") else 1.0
        return cls(parse_time(settings["deadline"]), rate, unit, cap, parse_duration(settings.get("grace")))

    def late_by(self, when: datetime | None, extension: timedelta = timedelta(0)) -> timedelta:
        """How late `when` is (zero when on time, within the grace period, or unknown)."""
        if when is None:
            return timedelta(0)
        when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)  # as roster.py reads it
        late = when - (self.deadline + extension)
        return late if late > self.grace else timedelta(0)

    def penalty(self, late: timedelta) -> float:
        """The share of the score taken for that lateness."""
        if late <= timedelta(0):
            return 0.0
        return min(self.cap, self.rate * math.ceil(late / self.unit))

    def describe(self) -> str:
        unit = "day" if self.unit == UNITS["day"] else "hour"
        when = self.deadline.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return (f"deadline {when}, {self.rate:.0%} per started {unit} late, at most {self.cap:.0%}, "
                f"grace {self.grace}")
