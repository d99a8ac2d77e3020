"""What a comparison of rotas finds (``scheduler.analysis.compare``), as data: rendered by
``scheduler.render.report`` and served by the service as JSON."""

from __future__ import annotations

from scheduler.analysis.released import Released, RotaSummary
from scheduler.model.base import Frozen

__all__ = ["Comparison", "ContinuityMatch", "ContinuityTry", "Intake"]


class Intake(Frozen):
    """How many people from the waiting list a rota takes on, all or nothing."""

    rota: str
    packages: int
    taken_on: tuple[str, ...]
    current_visits_covered: int
    """The scenario's own visits still covered with the packages taken on."""


class ContinuityTry(Frozen):
    """One optimised plan made while matching continuity."""

    continuity_weight: int
    familiar_share: float
    visits_covered: int
    non_contact_minutes: int
    """Travel and waiting, what released hours are counted from."""
    matched: bool
    seconds: float


class ContinuityMatch(Frozen):
    """How the optimised rota was planned to keep continuity no worse than the reference
    rota's: the weights tried in turn, each one solve at the same search limit."""

    reference: str
    """The manual rota if given, else the coordinator baseline."""
    reference_share: float
    tolerance: float
    """The most a single day of a week may fall below the reference's share that day."""
    search: str
    """Each solve's search limit, e.g. "30 s"."""
    tried: tuple[ContinuityTry, ...]
    continuity_weight: int
    """The weight of the plan kept: the first that matched, else the most familiar one."""
    matched: bool
    seconds: float
    """Planning time over all the tries."""
    method: str
    """The above in a sentence, as the report and the terminal state it."""


class Comparison(Frozen):
    scenario: str
    dates: tuple[str, ...]
    rotas: tuple[RotaSummary, ...]
    """The optimised rota first, then the manual rota if given, then the baselines."""
    released: tuple[Released, ...]
    """What the optimised rota releases against each of the others."""
    continuity: ContinuityMatch | None = None
    """None only in a comparison stored before continuity was matched."""
    intake: tuple[Intake, ...] = ()
    week_estimate: bool = False
    """True when the scenario is one day and weekly figures are that day times seven."""
    notes: tuple[str, ...] = ()
