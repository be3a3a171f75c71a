"""The approaches priced: one PricedApproach per entry of the spec, by the cost function of its family."""

from calculator.approaches import pretrain, prompting, tuning
from calculator.approaches.base import CostProfile, PricedApproach
from core.approaches import SPECS

PRICING = {"prompting": prompting.priced, "tuning": tuning.priced, "pretraining": pretrain.priced}
REGISTRY: dict[str, PricedApproach] = {s.name: PRICING[s.family](s) for s in SPECS}

__all__ = ["REGISTRY", "CostProfile", "PricedApproach"]
