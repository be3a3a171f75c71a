"""A tiny benchmark started from the Benchmark page on an uploaded non-ASCII CSV (AppTest)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

POSITIVE = ["Wunderbar, ich liebe es!", "A delight from start to finish.", "Très bon film, bravo.",
            "Great acting and a clever plot.", "I smiled the whole time.", "Superb, see it twice."]
NEGATIVE = ["Langweilig und viel zu lang.", "A dull mess of a film.", "Nul, je me suis ennuyé.",
            "Terrible script, wooden acting.", "I walked out halfway.", "Awful, avoid it."]


def tiny_csv() -> bytes:
    rows = ["review,sentiment,extra"]
    for i in range(3):
        rows += [f'"{text} #{i}",good,{i}' for text in POSITIVE]
        rows += [f'"{text} #{i}",bad,{i}' for text in NEGATIVE]
    return ("\n".join(rows) + "\n").encode("utf-8")


def start_tiny_run(at: AppTest, approaches: list[str], data: bytes | None = None, precision: str = "auto",
                   model: str | None = None) -> str:
    """Fill the form (upload `data`, default the tiny CSV; columns; quick mode; precision; the model,
    default the packaged one), click Start run; the new run's folder."""
    next(s for s in at.selectbox if s.label == "Task").set_value("Upload CSV/JSONL…")
    if model:
        next(t for t in at.text_input if t.label == "Model").set_value(model)
    at.file_uploader[0].upload("my reviews.csv", data or tiny_csv())
    next(t for t in at.text_input if t.label == "Text column").set_value("review")
    next(t for t in at.text_input if t.label == "Label column").set_value("sentiment")
    at.radio[0].set_value("quick")
    next(s for s in at.selectbox if s.label == "Precision").set_value(precision)
    next(m for m in at.multiselect if m.label == "Approaches").set_value(approaches)
    next(b for b in at.button if b.label == "Start run").click().run()
    assert not at.error, [e.value for e in at.error]
    return at.session_state["my_runs"][-1]
