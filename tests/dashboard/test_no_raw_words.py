"""The Decision page of every preset as a decision maker reads it: no "None", "nan", scientific notation or
name meant for the code (tests/reader_text.py) in any heading, sentence, caption, metric, table cell or
expander."""

from __future__ import annotations

import pytest

from calculator.scenario_io import preset_names
from tests.dashboard.apptest import open_app
from tests.reader_text import raw_words, unescaped


def page_texts(at) -> list[str]:
    """Every text the page draws: titles, Markdown (reasons, bullets), captions, notices, each metric's label,
    value, delta and help, each table's header and cells, each expander's label."""
    texts = [e.value for kind in ("title", "subheader", "markdown", "caption", "success", "warning", "info", "error")
             for e in getattr(at, kind)]
    texts += [part for m in at.metric for part in (m.label, m.value, m.proto.delta, m.proto.help)]
    for table in [*at.table, *at.dataframe]:
        frame = table.value
        texts += [str(c) for c in frame.columns] + [str(cell) for cell in frame.to_numpy().ravel()]
    texts += [e.label for e in at.expander]
    return [unescaped(str(text)) for text in texts]


@pytest.mark.parametrize("preset", preset_names())
def test_the_decision_page_shows_no_raw_words(preset):
    at = open_app("decision", {"preset": preset})
    texts = page_texts(at)
    assert len(texts) > 50  # the whole page was read: headline, reasons, both tables
    found = [words for text in texts for words in raw_words(text)]
    assert not found, "\n".join(found)

