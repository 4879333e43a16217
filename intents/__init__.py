"""What the resident wants: intent detection, the household-facts dialogue and program matching."""

from intents.catalogue import Catalogue, CatalogueError, Program
from intents.facts import Facts, FactsError
from intents.matching import DEFAULT_LIMIT, AllowanceEstimate, Recommendation, Suggestion, recommend

__all__ = [
    "DEFAULT_LIMIT",
    "AllowanceEstimate",
    "Catalogue",
    "CatalogueError",
    "Facts",
    "FactsError",
    "Program",
    "Recommendation",
    "Suggestion",
    "recommend",
]
