"""Continuity of care: which carers each client knows, and what a rota costs for strangers.

A carer is familiar to a client when the client names them as preferred or they have visited
the client before (the scenario's history). Familiar carers are preferred through a cost per
visit by a stranger (``Settings.continuity_weight``), never required.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import numpy.typing as npt

from scheduler.model import Carer, Scenario, Strength
from scheduler.settings import Settings

__all__ = ["familiar_carers", "visit_costs"]


def familiar_carers(scenario: Scenario) -> dict[str, frozenset[str]]:
    """Client id -> the carers that client knows."""
    known: dict[str, set[str]] = defaultdict(set)
    for client in scenario.clients:
        known[client.id] |= client.preferred_carers
    for entry in scenario.history:
        known[entry.client_id].add(entry.carer_id)
    return {client.id: frozenset(known[client.id]) for client in scenario.clients}


def visit_costs(
    scenario: Scenario,
    settings: Settings,
    carers: list[Carer],
    client_ids: list[str],
) -> npt.NDArray[np.int64]:
    """``cost[i, j]``: the soft cost of carer ``carers[i]`` doing a visit at client
    ``client_ids[j]``: continuity for a stranger, plus a soft gender preference not met."""
    staff = scenario.carers
    row_of = {carer.id: i for i, carer in enumerate(staff)}
    genders = np.array([carer.gender or "" for carer in staff])
    known = familiar_carers(scenario)
    by_client = np.zeros((len(staff), len(scenario.clients)), dtype=np.int64)
    for j, client in enumerate(scenario.clients):
        column = np.full(len(staff), settings.continuity_weight, dtype=np.int64)
        column[[row_of[c] for c in known[client.id] if c in row_of]] = 0
        if client.gender_preference and client.gender_preference_strength is Strength.SOFT:
            column += np.where(genders != client.gender_preference, settings.soft_gender_weight, 0)
        by_client[:, j] = column
    column_of = {client.id: j for j, client in enumerate(scenario.clients)}
    rows = np.array([row_of[carer.id] for carer in carers], dtype=np.int64)
    columns = np.array([column_of[client_id] for client_id in client_ids], dtype=np.int64)
    return by_client[np.ix_(rows, columns)]
