"""The approaches priced: one PricedApproach per entry of the spec, by the cost function of its family."""

from calculator.approaches import pretrain, prompt_search, prompting, tuning
from calculator.approaches.base import CostProfile, PricedApproach
from core.approaches import SPECS

PRICING = {"prompting": prompting.priced, "tuning": tuning.priced, "pretraining": pretrain.priced}
OWN_PRICING = {"prompt_search": prompt_search.priced}  # a family member that also pays a search once
REGISTRY: dict[str, PricedApproach] = {s.name: OWN_PRICING.get(s.name, PRICING[s.family])(s) for s in SPECS}

__all__ = ["REGISTRY", "CostProfile", "PricedApproach"]
