"""After a run is applied, the Decision page's trade-offs table agrees with the page's other sentences
(issue 17): the same accuracy with the same source, the labels read off the same applied learning curve
and the labels priced as the cost report prices them; the report forwarded from the page (which has the
run's result file, with its raw learning curve) prints the same cells. AppTest on a real result file."""

from __future__ import annotations

import re

import pytest

from calculator.costs import evaluate
from calculator.recommend.wording import count
from core.files import runs_dir
from core.result import save_result
from dashboard import report_view
from tests.dashboard.apptest import PAGES, open_app
from tests.fake_result import fake_result

RUN = "run-tradeoffs-1"


@pytest.fixture
def applied(runs_root):
    """LoRA 95% on the 256 labels it trained on; its raw learning curve reads 80% at 256 labels."""
    save_result(fake_result(RUN, lora_accuracy=0.95), runs_dir() / RUN)
    at = open_app("benchmark")
    for box in at.checkbox:
        if box.key and box.key.startswith(f"apply-row:{RUN}:"):
            box.check()
    next(b for b in at.button if b.key == f"apply:{RUN}").click().run()
    at.switch_page(PAGES["decision"]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _frame(at, column: str) -> dict[str, dict[str, str]]:
    """The static table having `column`, unescaped, by approach title (without ' (chosen)')."""
    frame = next(t.value for t in at.table if column in t.value.columns.str.replace("\\", ""))
    frame = frame.map(lambda cell: str(cell).replace("\\", ""))
    frame.columns = frame.columns.str.replace("\\", "")
    return {r["approach"].removesuffix(" (chosen)"): r for r in frame.to_dict("records")}


def test_the_tradeoffs_cells_quote_the_applied_figures_the_page_uses(applied):
    at = applied
    text = "\n".join(m.value for m in at.markdown).replace("\\", "")
    trade, ranked = _frame(at, "labeled data needed"), _frame(at, "accuracy from")
    lora = trade["LoRA fine-tune"]
    # quality: the applied 95% and its interval as the reasons write them, from the ranking's source
    assert "its accuracy 95% [95% CI 90%–100%] may fall below the 90% target" in text
    assert lora["quality"] == f"95% [95% CI 90%–100%] ({ranked['LoRA fine-tune']['accuracy from']})"
    assert ranked["LoRA fine-tune"]["accuracy from"] == f"measured on smollm2-135m-instruct (local), run {RUN}"
    for title, accuracy in (("Zero-shot prompt", "70%"), ("Few-shot prompt", "75%")):
        assert trade[title]["quality"].startswith(f"{accuracy} [95% CI ")
        assert trade[title]["quality"].endswith(f"({ranked[title]['accuracy from']})")
    # labels to reach the target: the reasons' figure and source, off the applied curve (the raw one's
    # 80% at 256 labels never reaches 90%; the applied 256-label point is the row's 95%)
    said = re.search(r"LoRA fine-tune reaches the 90% target with about ([\d,.]+k?) labeled examples \((learning curve of "
                     r"run [^)]+)\)\.", text)
    assert said, text
    labels, source = said.groups()
    assert source == f"learning curve of run {RUN} on smollm2-135m-instruct"
    # labels priced: what the cost report of the page's scenario prices, with its source
    report = evaluate(at.session_state["scenario"])
    priced = report.inputs.quantities["labels.lora"]
    assert report.approaches["lora"].labels_needed == priced.value == 256
    assert lora["labeled data needed"] == (f"{labels} to reach the 90% target ({source}); "
                                           f"priced: {count(priced.value)} ({priced.source})")
    assert "80%" not in lora["labeled data needed"] and "not reached" not in lora["labeled data needed"]


def test_the_report_forwarded_from_the_page_prints_the_same_tradeoffs(applied):
    """The report reads the run's result file too: its raw curve (80% at 256) must not replace the
    applied one (the row's own 95% at 256) in the labels cell."""
    page = _frame(applied, "labeled data needed")
    md = report_view.report_bytes(applied.session_state["scenario"], "md").decode()
    header = next(line for line in md.splitlines() if line.startswith("| approach | labeled data needed |"))
    columns = header.strip("| ").split(" | ")
    for title in ("LoRA fine-tune", "Few-shot prompt", "Zero-shot prompt"):
        line = next(line for line in md.splitlines() if line.startswith(f"| {title} |"))
        printed = dict(zip(columns, line.strip("| ").split(" | "), strict=True))
        assert printed["labeled data needed"] == page[title]["labeled data needed"]
        assert printed["quality"] == page[title]["quality"]
    assert "(best 80% with 256)" not in md
