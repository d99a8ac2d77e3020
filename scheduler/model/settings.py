"""Every weight, penalty and default of a solve, in one validated object.

Echoed into every plan so that a rota can be reproduced and explained. The objective these
weights make, term by term, is ``scheduler.rules.objective``'s (the routing model is built from
it and every plan carries its breakdown). ``drop_normal`` is far above any travel a single
visit could save, so visits are only left out when no carer can fit them; ``drop_critical``
is far above ``drop_normal`` times the size of any day we plan, so a critical visit is never
traded for normal ones.
"""

from __future__ import annotations

from enum import Enum, StrEnum

from pydantic import Field, model_validator
from pydantic.fields import FieldInfo

from routing.travel import TravelSettings
from scheduler.model.base import Frozen

__all__ = [
    "DEFAULT_SKILLS",
    "MAX_PENALTY",
    "MAX_WEIGHT",
    "CapYields",
    "CompareSettings",
    "FirstSolution",
    "Metaheuristic",
    "ReplanSettings",
    "Settings",
    "SolveSettings",
    "describe",
    "setting_field",
]

DEFAULT_SKILLS = frozenset(
    {
        "medication",
        "hoist",
        "peg_feeding",
        "dementia",
        "catheter",
        "stoma",
        "diabetes",
        "palliative",
        "personal_care",
    }
)


MAX_WEIGHT = 10**9
"""Most a weight may be: x 1440 minutes x 5000 visits (a large day) is 7.2e15, far below the
2^62 (4.6e18) that keeps OR-Tools' 64-bit objective sums from overflowing."""
MAX_PENALTY = 10**12
"""Most a drop penalty may be: x 5000 visits left out is 5e15, again far below 2^62."""
DAY_MINUTES = 24 * 60
"""Most minutes a break, a rest or a run's length may be: a day."""
MAX_TIME_LIMIT_S = 7 * 24 * 3600
"""Most seconds of search: a week (the service sets its own, lower, limit)."""
MAX_VISITS = 100_000
"""More visits, or carers, than any day planned: the bound of counts of them."""
MAX_WORKERS = 256
"""More processes than any machine that plans a rota has cores."""
MAX_MONEY = 1_000_000.0
"""Most a pay rate or a mileage rate may be, in any currency: beyond, a typo."""


class FirstSolution(StrEnum):
    """OR-Tools first-solution strategies that cope with tight windows and optional visits.

    PATH_CHEAPEST_ARC is deliberately absent: on tight-window days it found no first plan at all.
    """

    LOCAL_CHEAPEST_INSERTION = "LOCAL_CHEAPEST_INSERTION"
    PARALLEL_CHEAPEST_INSERTION = "PARALLEL_CHEAPEST_INSERTION"
    SEQUENTIAL_CHEAPEST_INSERTION = "SEQUENTIAL_CHEAPEST_INSERTION"
    LOCAL_CHEAPEST_COST_INSERTION = "LOCAL_CHEAPEST_COST_INSERTION"


class Engine(StrEnum):
    """Which search plans the day first (``routing.solver.solve_routing``). docs/search.md
    has the measurements behind ``auto``."""

    AUTO = "auto"
    """PyVRP first on a day without double-handed visits, OR-Tools alone on a day with them:
    PyVRP's untied plan left pairs that could not be tied (town: 3 visits fewer at 10 and
    30 s), and planned days without pairs better (town short-staffed, every other rule kept:
    5 visits more, 1 critical fewer)."""
    ORTOOLS = "ortools"
    """OR-Tools alone: a first plan by ``first_solution``, then ``metaheuristic``."""
    PYVRP = "pyvrp"
    """PyVRP's iterated local search for ``pyvrp_share`` of the time, then OR-Tools from its
    routes; OR-Tools alone where PyVRP cannot express the day within ``pyvrp_memory_mib``."""


class CapYields(StrEnum):
    """Which calls the weekly cap on distinct carers gives way to, when no carer within the
    cap can take them: every call (the default: the cap never costs a call), or only critical
    ones (a normal call is then left out with the reason ``weekly_carer_cap``)."""

    ALL = "all"
    CRITICAL = "critical"


class Metaheuristic(StrEnum):
    """OR-Tools' local search after the first plan. ``AUTO``: guided local search, or tabu
    search where travel is unpriced (``travel_weight`` 0): ``routing.solver.metaheuristic_for``."""

    AUTO = "AUTO"
    GUIDED_LOCAL_SEARCH = "GUIDED_LOCAL_SEARCH"
    SIMULATED_ANNEALING = "SIMULATED_ANNEALING"
    TABU_SEARCH = "TABU_SEARCH"
    GREEDY_DESCENT = "GREEDY_DESCENT"


class SolveSettings(Frozen):
    """How hard and how long to search.

    With ``solution_limit`` set and the default one worker, a solve is reproducible: the same
    scenario, settings and ``seed`` give the same plan. A time limit alone is not reproducible
    (the search stops wherever the clock says).
    """

    time_limit_s: float = Field(
        default=30.0, gt=0, le=MAX_TIME_LIMIT_S, description="seconds of search, a day"
    )
    solution_limit: int | None = Field(
        default=None,
        gt=0,
        le=MAX_WEIGHT,
        description="stop after this many improving solutions (a reproducible run)",
    )
    first_solution: FirstSolution = Field(
        default=FirstSolution.LOCAL_CHEAPEST_INSERTION,
        description="how the search builds its first plan",
    )
    metaheuristic: Metaheuristic = Field(
        default=Metaheuristic.AUTO,
        description="the local search after the first plan (AUTO: guided local search, "
        "or tabu search where travel is unpriced)",
    )
    engine: Engine = Field(
        default=Engine.AUTO,
        description="the first search: pyvrp (PyVRP, then OR-Tools from its routes), "
        "ortools (OR-Tools alone), or auto (pyvrp on a day without double-handed visits, "
        "else ortools)",
    )
    pyvrp_share: float = Field(
        default=0.5,
        gt=0,
        lt=1,
        description="share of a search's time for PyVRP when the engine is pyvrp (all of "
        "it on a problem of over 800 visits, where OR-Tools' search overran its limit)",
    )
    pyvrp_memory_mib: float = Field(
        default=512.0,
        ge=0,
        le=16384,
        description="most memory PyVRP's matrices may take (one pair per class of carer "
        "shifts); a day needing more is searched by OR-Tools alone",
    )
    late_in_search: bool = Field(
        default=False,
        description="price lateness inside the search rather than only in the insertions "
        "after it: the first search keeps every window, then a search with soft latest "
        "starts goes on from its routes. For days where being late is part of the plan, not "
        "a last resort (Mankowska's home-care instances at 20 s: mean gap 23.9 -> 14.2 %)",
    )
    zone_visits: int = Field(
        default=800,
        ge=50,
        le=MAX_VISITS,
        description="days with more visits than this are split into geographic zones, "
        "solved side by side, then improved as a whole (days over whole_day_visits: see "
        "joined_zone_visits)",
    )
    joined_zone_visits: int = Field(
        default=300,
        ge=50,
        le=MAX_VISITS,
        description="days over whole_day_visits, whose joined zones are the answer, are split "
        "into zones of at most this many visits where OR-Tools searches them (double-handed "
        "visits, or engine ortools): with no search of the whole day after, small zones search "
        "better (3000 visits at 60 s: 523 hours' travel against 628 in zones of 800, critical "
        "calls left out within the runs' spread); PyVRP keeps zones of zone_visits",
    )
    whole_day_visits: int = Field(
        default=2000,
        ge=1,
        le=MAX_VISITS,
        description="a day split into zones is improved as a whole afterwards only up to "
        "this many visits, and only when the time left after the zones can build its model; "
        "else the joined zones are the answer",
    )
    zone_share: float = Field(
        default=0.5, gt=0, lt=1, description="share of the time limit for solving the zones"
    )
    untied_share: float = Field(
        default=0.6,
        gt=0,
        lt=1,
        description="share of a search's time with double-handed halves untied, before "
        "the pairs are mended and the search goes on",
    )
    workers: int = Field(
        default=2, ge=1, le=MAX_WORKERS, description="processes for zones solved side by side"
    )
    seed: int = Field(
        default=0,
        ge=0,
        le=2**32 - 1,
        description="seed for splitting large days into zones and for PyVRP's search "
        "(numpy takes 0..2^32-1)",
    )


class ReplanSettings(Frozen):
    """What a re-plan during the day (``scheduler.planning.replan``) prices, besides the day's
    own objective: every change to the rota is a phone call to a carer and a client."""

    carer_change_weight: int = Field(
        default=200,
        ge=0,
        le=MAX_WEIGHT,
        description="cost of a planned call going to another carer (200 = 20 minutes of "
        "travel at the default travel weight; measured on a 280-visit day, a cost worth 10 "
        "minutes of travel or more kept 99 % of the calls nobody asked to change with their "
        "carer)",
    )
    band_minutes: int = Field(
        default=15,
        ge=0,
        le=DAY_MINUTES,
        description="a planned call may start up to this much earlier than planned (never "
        "more) and this much later at no cost; later still at moved_weight a minute",
    )
    moved_weight: int = Field(
        default=20,
        ge=0,
        le=MAX_WEIGHT,
        description="cost per minute a planned call starts later than its band (20 = 2 "
        "minutes of travel at the default travel weight)",
    )


class CompareSettings(Frozen):
    """How an optimised rota is judged against a manual or baseline one (``domcare compare``)."""

    continuity_tolerance: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="a day's released hours count only if the optimised familiar share is at "
        "most this much below the other rota's",
    )
    continuity_weights: tuple[int, ...] = Field(
        default=(300, 1000, 3000),
        description="continuity weights tried in turn, after the settings' own, until the "
        "optimised rota's familiar share is at least the reference rota's (the manual rota, "
        "else the coordinator baseline): each is one more solve at the same time limit "
        "(town at 30 s: 55-57 % familiar at 100, 62-63 % at 300 to 3000, the coordinator "
        "baseline 62 %)",
    )
    mileage_rate_per_km: float = Field(
        default=0.28,
        ge=0,
        le=MAX_MONEY,
        description="cost of a km driven: HMRC's approved 45p a mile is 28p a km",
    )
    hourly_pay: float = Field(
        default=12.71,
        ge=0,
        le=MAX_MONEY,
        description="a carer's pay per paid hour in a what-if's cost: the UK National Living "
        "Wage from April 2026",
    )
    currency: str = "GBP"

    @model_validator(mode="after")
    def _rising_weights(self) -> CompareSettings:
        weights = self.continuity_weights
        if any(not 0 < w <= MAX_WEIGHT for w in weights) or list(weights) != sorted(set(weights)):
            raise ValueError("continuity_weights must be positive and rising")
        return self


class Settings(Frozen):
    travel_weight: int = Field(
        default=10, ge=0, le=MAX_WEIGHT, description="cost per travel minute"
    )
    waiting_weight: int = Field(
        default=2, ge=0, le=MAX_WEIGHT, description="cost per idle minute in a run"
    )
    late_tolerance_minutes: int = Field(
        default=0,
        ge=0,
        le=DAY_MINUTES,
        description="minutes a normal or waiting-list call may start after its latest start, "
        "at late_weight a minute, when the visit gives no tolerance of its own; a critical "
        "call is never late (0: every window is hard)",
    )
    late_weight: int = Field(
        default=100,
        ge=0,
        le=MAX_WEIGHT,
        description="cost per minute a call starts after its latest start (100 = 10 minutes "
        "of travel at the default travel weight: a call is late only to be made at all, or "
        "to save far more travel)",
    )
    overtime_minutes: int = Field(
        default=0,
        ge=0,
        le=DAY_MINUTES,
        description="minutes a carer may be home after a shift's end, at overtime_weight a "
        "minute (0: every shift end is hard); a carer's working-time cap still holds",
    )
    overtime_weight: int = Field(
        default=100,
        ge=0,
        le=MAX_WEIGHT,
        description="cost per minute a carer is home after a shift's end (100 = 10 minutes "
        "of travel at the default travel weight)",
    )
    missed_break_weight: int | None = Field(
        default=None,
        ge=0,
        le=MAX_WEIGHT,
        description="cost of a carer's break window (break_window in carers.csv) with no "
        "break in it; None: every break window is kept (hard)",
    )
    balance_weight: int = Field(
        default=0,
        ge=0,
        le=MAX_WEIGHT,
        description="cost per minute a shift's working time (care and travel) is above or "
        "below its fair share: the plan's working time shared among the shifts on duty in "
        "proportion to their length (0: work goes where travel is least)",
    )
    leave_at_shift_start: bool = Field(
        default=False,
        description="carers leave home at their shift's start, paid from then (salaried "
        "shifts): a wait before the first call is idle time in the run at waiting_weight "
        "(false: each run leaves in time for its first call)",
    )
    drop_normal: int = Field(default=1_000_000, gt=0, le=MAX_PENALTY)
    drop_critical: int = Field(default=1_000_000_000, gt=0, le=MAX_PENALTY)
    drop_optional: int = Field(
        default=100_000,
        gt=0,
        le=MAX_PENALTY,
        description="for each optional call left out: above any travel a call could cost, "
        "below a normal visit, above a waiting-list call",
    )
    drop_waiting: int = Field(
        default=10_000,
        gt=0,
        le=MAX_PENALTY,
        description="for each call of a waiting-list package left out: above any travel a "
        "call could cost, far below a current client's visit",
    )
    continuity_weight: int = Field(
        default=100,
        ge=0,
        le=MAX_WEIGHT,
        description="cost of a visit by a carer the client does not know (100 = 10 minutes of "
        "travel at the default travel weight)",
    )
    soft_gender_weight: int = Field(
        default=300,
        ge=0,
        le=MAX_WEIGHT,
        description="cost of a visit against a soft gender preference",
    )
    min_rest_minutes: int = Field(
        default=11 * 60,
        ge=0,
        le=DAY_MINUTES,
        description="a week's least rest between a carer getting home and leaving the next day",
    )
    break_after_minutes: int | None = Field(
        default=6 * 60,
        gt=0,
        le=DAY_MINUTES,
        description="a run (leaving home to getting back, less the break) longer than this "
        "includes an unpaid break; None: no breaks",
    )
    break_minutes: int = Field(
        default=20,
        ge=1,
        le=DAY_MINUTES,
        description="the least length of that break, taken between two calls",
    )
    max_carers_per_client_week: int = Field(
        default=4,
        ge=1,
        le=MAX_VISITS,
        description="a week's most distinct carers a client sees",
    )
    cap_yields_to: CapYields = Field(
        default=CapYields.ALL,
        description="the calls for which a client's weekly cap on distinct carers gives way "
        "when no carer within it can take them: all (default) or critical; a critical call is "
        "never lost to the cap",
    )
    over_cap_weight: int = Field(
        default=100_000,
        gt=0,
        le=MAX_WEIGHT,
        description="cost of a visit by a carer beyond the client's weekly cap: above any "
        "travel a call could save, below a missed call, so the cap gives way only to keep one",
    )
    team_weight: int = Field(
        default=100,
        ge=0,
        le=MAX_WEIGHT,
        description="under the weekly cap on distinct carers, cost of a visit by a carer "
        "outside the client's team for the week who has not visited yet this week, on top of "
        "continuity_weight (100 = 10 minutes of travel; 1000 covered 0.7 points more of a "
        "capped week for 16 % more travel); 0 plans the week without teams",
    )
    long_wait_minutes: int = Field(
        default=60,
        ge=1,
        le=24 * 60,
        description="a wait before a call this long or longer is counted in the day's figures "
        "(long_waits)",
    )
    short_day_minutes: int = Field(
        default=120,
        ge=0,
        le=24 * 60,
        description="a carer paid for fewer minutes than this in a day is counted in the day's "
        "figures (short_days)",
    )
    travel: TravelSettings = TravelSettings()
    compare: CompareSettings = CompareSettings()
    replan: ReplanSettings = ReplanSettings()
    solve: SolveSettings = SolveSettings()

    def cap_yields(self, priority: str) -> bool:
        """Whether a visit of ``priority`` may go to a carer beyond its client's weekly cap
        on distinct carers (at ``over_cap_weight``) when no carer within it can take it."""
        return self.cap_yields_to is CapYields.ALL or priority == "critical"

    def drop_penalty(self, priority: str) -> int:
        """The cost of leaving out a visit of ``priority`` (a ``scheduler.model.care.Priority``)."""
        return {
            "critical": self.drop_critical,
            "normal": self.drop_normal,
            "optional": self.drop_optional,
            "waiting": self.drop_waiting,
        }[priority]

    @model_validator(mode="after")
    def _ordered_penalties(self) -> Settings:
        if not self.drop_waiting < self.drop_optional < self.drop_normal < self.drop_critical:
            raise ValueError("drop penalties must rise: waiting < optional < normal < critical")
        if self.over_cap_weight >= self.drop_normal:
            raise ValueError(
                "over_cap_weight must be below drop_normal: the cap gives way "
                "to keep a call, never the reverse"
            )
        return self


def setting_field(name: str) -> FieldInfo:
    """A setting's field: one of ``Settings``' own, or of its search section
    (``time_limit_s``, ``solution_limit``, ...). Front ends take their options' bounds,
    defaults and help from here, never a copy."""
    if name in Settings.model_fields:
        return Settings.model_fields[name]
    return SolveSettings.model_fields[name]


def describe(name: str) -> str:
    """A setting's description with its default, for a command's help or a schema."""
    field = setting_field(name)
    default = field.default
    if isinstance(default, Enum):
        default = default.value
    shown = "none" if default is None else f"{default:g}" if isinstance(default, float) else default
    return f"{field.description} (default {shown})"
