"""Where the tuned models are served: each provider-trainable tuned approach priced on own GPUs and at
the provider, side by side.

`finetuning.hosting` moves a tuned approach's cost more than any other input (a fleet of GPUs paid
every hour against a provider's price per token), yet a scenario prices one of the two. Here the
scenario is evaluated with the hosting set each way (`costs.evaluate`, no formula of its own), so the
reader sees the option not chosen, priced, and what it would train: at the provider the tuned model is
the provider's, not the open base model, so its quality is another model's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from calculator.approaches import REGISTRY
from calculator.approaches.tuning import served_per_token, uses_provider
from calculator.costs import CostReport, evaluate_with
from calculator.price_catalog import providers
from calculator.prices import PriceNotFound, finetune_offer
from calculator.recommend.wording import money
from calculator.scenario import Scenario
from core.approaches import BY_NAME, TUNED, title

Hosting = Literal["self_hosted", "provider"]
HOSTINGS: tuple[Hosting, ...] = ("self_hosted", "provider")
CURRENT = "current"  # the cell of the scenario's current hosting
UNTRAINABLE = "no provider's fine-tuning service trains it (data/finetune_prices.yaml): own GPUs only"


@dataclass(frozen=True)
class HostingVariant:
    approach: str
    hosting: Hosting
    place: str  # short: "on own GPUs", "at OpenAI"
    where: str  # in full: "own GPUs (1× L4 24GB)", "at OpenAI, gpt-4o-mini-2024-07-18 fine-tuned"
    model: str  # the model that would be trained: the open base model, or the provider's
    one_off_usd: float
    monthly_usd: float  # an average month of the horizon: fixed + its requests × per request
    tco_usd: float
    current: bool  # the hosting the scenario prices this approach with


@dataclass(frozen=True)
class LeftOut:
    approaches: list[str]  # the approaches left out for this one reason
    hosting: Hosting
    reason: str

    @property
    def text(self) -> str:
        where = "on own GPUs" if self.hosting == "self_hosted" else "at the provider"
        return f"{', '.join(title(a) for a in self.approaches)} {where}: {self.reason}"


@dataclass(frozen=True)
class HostingVariants:
    variants: list[HostingVariant]  # cheapest TCO first
    left_out: list[LeftOut]
    horizon_months: int
    base_model: str  # the open model tuned on own GPUs
    sources: list[str]  # where the prices of the rows come from

    def current(self, approach: str) -> HostingVariant | None:
        """How the scenario serves this approach now (for a headline to name it); None when not listed."""
        return next((v for v in self.variants if v.approach == approach and v.current), None)

    def to_dict(self) -> dict[str, Any]:
        return {"variants": [asdict(v) for v in self.variants], "left_out": [asdict(x) for x in self.left_out],
                "sources": self.sources}


def hosting_variants(costs: CostReport) -> HostingVariants:
    """Every provider-trainable tuned approach the scenario compares, on own GPUs and at the provider.

    The scenario's own hosting is read from `costs`; the other is the scenario evaluated with
    `finetuning.hosting` switched. A variant that cannot be priced (no provider row, a model that does
    not fit the GPUs, a provider that does not train the approach) is left out with the reason.
    """
    scenario = costs.scenario
    reports: dict[Hosting, CostReport | str] = {h: _evaluated(scenario, h) for h in HOSTINGS
                                               if h != scenario.finetuning.hosting}
    reports[scenario.finetuning.hosting] = costs
    variants: list[HostingVariant] = []
    left_out: dict[tuple[Hosting, str], list[str]] = {}  # (hosting, reason) -> the approaches it leaves out
    for name in (n for n in scenario.approaches if n in TUNED):
        if not BY_NAME[name].provider_trainable:
            left_out.setdefault(("provider", UNTRAINABLE), []).append(name)
            continue
        current: Hosting = "provider" if uses_provider(costs.inputs, BY_NAME[name]) else "self_hosted"
        for hosting, report in reports.items():
            found = _variant(name, hosting, report, current == hosting)
            if isinstance(found, str):
                left_out.setdefault((hosting, found), []).append(name)
            else:
                variants.append(found)
    return HostingVariants(sorted(variants, key=lambda v: v.tco_usd),
                           [LeftOut(names, hosting, reason) for (hosting, reason), names in left_out.items()],
                           costs.horizon_months, scenario.finetuning.base_model, _sources(reports))


def _evaluated(scenario: Scenario, hosting: Hosting) -> CostReport | str:
    """The scenario priced with this hosting, or why it cannot be (the error's first line)."""
    if hosting == "provider":
        provider, model = _provider_id(scenario), scenario.finetuning.provider_base_model
        try:
            finetune_offer(model, provider)
        except PriceNotFound:
            return (f"the price table of hosted fine-tuning (data/finetune_prices.yaml) has no row for {model} at "
                    f"{providers().get(provider, provider)}; pick a provider and model it has on the Scenario "
                    "page (Fine-tuning tab)")
    return evaluate_with(scenario, "finetuning", hosting=hosting)


def _variant(name: str, hosting: Hosting, report: CostReport | str, current: bool) -> HostingVariant | str:
    """The approach priced with this hosting, or why it cannot be."""
    if isinstance(report, str):
        return report
    at_provider = uses_provider(report.inputs, BY_NAME[name])
    if hosting == "provider" and not at_provider:
        tuned = report.scenario.finetuning
        return (f"{_provider_id(report.scenario)}/{tuned.provider_base_model} is not tuned this way there "
                "(data/finetune_prices.yaml)")
    place, where, model = _at_provider(name, report) if at_provider else _own_gpus(name, report)
    priced = report.approaches[name]
    one_off = float(priced.profile.one_off_usd)
    return HostingVariant(name, hosting, place, where, model, one_off,
                          (priced.tco_usd - one_off) / report.horizon_months, priced.tco_usd, current)


def _provider_id(scenario: Scenario) -> str:
    return scenario.finetuning.provider_id or scenario.api.provider_id


def _fleet_words(name: str, report: CostReport) -> str:
    fleet = REGISTRY[name].fleet(report.inputs)
    return f"{fleet.gpus:g}× {report.scenario.hosting.gpu}" if fleet else report.scenario.hosting.gpu


def _own_gpus(name: str, report: CostReport) -> tuple[str, str, str]:
    return "on own GPUs", f"own GPUs ({_fleet_words(name, report)})", report.scenario.finetuning.base_model


def _at_provider(name: str, report: CostReport) -> tuple[str, str, str]:
    """(place, where, model) at the provider; a dedicated deployment names its fleet."""
    provider_id, model = _provider_id(report.scenario), report.scenario.finetuning.provider_base_model
    place = f"at {providers().get(provider_id, provider_id)}"
    where = f"{place}, {model} fine-tuned"
    if not served_per_token(report.inputs, BY_NAME[name]):
        where += f", on a dedicated deployment ({_fleet_words(name, report)})"
    return place, where, model


def _sources(reports: dict[Hosting, CostReport | str]) -> list[str]:
    """The GPU price's and the hosted fine-tuning row's sources, as the inputs name them."""
    found = []
    for report in reports.values():
        if isinstance(report, str):
            continue
        for key in ("hosting.gpu_usd_per_hour", "provider_ft.training_usd_per_mtok"):
            quantity = report.inputs.quantities.get(key)
            if quantity and quantity.source not in found:
                found.append(quantity.source)
    return found


def notes(found: HostingVariants) -> list[str]:
    """What the table means in sentences: each approach's saving from its cheaper hosting, that the
    provider variant trains another model, and what is left out and why."""
    lines = []
    for name in dict.fromkeys(v.approach for v in found.variants):
        pair = [v for v in found.variants if v.approach == name]
        if len(pair) == 2:
            cheaper, dearer = pair
            lines.append(f"{title(name)} costs {money(dearer.tco_usd - cheaper.tco_usd)} less over "
                         f"{found.horizon_months} months {cheaper.place} than {dearer.place} "
                         f"({money(cheaper.tco_usd)} against {money(dearer.tco_usd)}).")
    trained = sorted({v.model for v in found.variants if v.hosting == "provider"})
    if trained:
        lines.append(f"At the provider the model trained is {', '.join(trained)}, not {found.base_model}: "
                     "its quality must be measured on that model (the scores here are the ones typed or "
                     "measured for each approach).")
    return lines + [f"Left out: {x.text}." for x in found.left_out]


def table_columns(found: HostingVariants) -> list[str]:
    return ["#", "approach", "served", "model trained", "one-off", "monthly (average)",
            f"TCO {found.horizon_months} months", "scenario"]


def table_rows(found: HostingVariants) -> list[list[str]]:
    """The rows as the Decision page and the report show them (table_columns), cheapest first."""
    return [[str(i), title(v.approach), v.where, v.model, money(v.one_off_usd), money(v.monthly_usd),
             money(v.tco_usd), CURRENT if v.current else ""] for i, v in enumerate(found.variants, 1)]
