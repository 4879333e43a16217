"""What the resident wants: intent detection, the household-facts dialogue and program matching."""

from intents.catalogue import Catalogue, CatalogueError, Places, Program
from intents.detection import Intent, IntentDetector, IntentResult
from intents.dialogue import Choice, DialogueTurn, FactsDialogue
from intents.facts import Facts, FactsError
from intents.matching import (
    DEFAULT_LIMIT,
    AllowanceEstimate,
    AmountInForce,
    Amounts,
    Recommendation,
    Suggestion,
    recommend,
)
from intents.parsing import parse_facts

__all__ = [
    "DEFAULT_LIMIT",
    "AllowanceEstimate",
    "AmountInForce",
    "Amounts",
    "Catalogue",
    "CatalogueError",
    "Choice",
    "DialogueTurn",
    "Facts",
    "FactsDialogue",
    "FactsError",
    "Intent",
    "IntentDetector",
    "IntentResult",
    "Places",
    "Program",
    "Recommendation",
    "Suggestion",
    "parse_facts",
    "recommend",
]
