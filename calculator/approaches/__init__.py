"""The approaches, one unit each; adding one means adding it to a module's APPROACHES list."""

from calculator.approaches import pretrain, prompting, tuning
from calculator.approaches.base import Approach, CostProfile

REGISTRY: dict[str, Approach] = {
    approach.name: approach
    for module in (prompting, tuning, pretrain)
    for approach in module.APPROACHES
}

__all__ = ["REGISTRY", "Approach", "CostProfile"]
