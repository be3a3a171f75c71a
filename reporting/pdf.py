"""The PDF report: static charts (reporting/static.py draws them in-process, no browser), A4 or
Letter, the scenario attached as a file to rerun it.

Text uses DejaVu Sans when the system has it (any Unicode a user types); otherwise the PDF core
font, with characters outside Latin-1 replaced, and a note saying so.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode

from core.version import __version__
from reporting import Paper
from reporting.document import ReportData
from reporting.outline import Block, outline
from reporting.static import PNG_WIDTH, height_of, to_png
from reporting.tables import Table

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts"))
ASCII_FOR = {"—": "-", "–": "-", "≥": ">=", "≤": "<=", "×": "x", "÷": "/", "Σ": "sum", "≈": "~",
             "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...", "→": "->", "·": "*", "Δ": "d"}
MARGIN = 15
CHART_TEXT_MM = 20  # a chart's title and a two-line caption
MIN_CHART_SCALE = 0.75  # a chart shrinks to this share of its height to stay on the page


def _font_file(name: str) -> Path | None:
    return next((d / name for d in FONT_DIRS if (d / name).is_file()), None)


class ReportPDF(FPDF):
    def __init__(self, paper: Paper, footer_text: str):
        super().__init__(orientation="portrait", unit="mm", format=paper)
        self.footer_text = footer_text
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        regular, bold = (_font_file(f) for f in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
        self.unicode = bool(regular and bold)
        if self.unicode:
            self.add_font("body", "", regular)
            self.add_font("body", "B", bold)
        self.body = "body" if self.unicode else "helvetica"

    def text_of(self, text: str) -> str:
        """Text the current fonts can draw (Latin-1 only with the core fonts)."""
        if self.unicode:
            return text
        text = "".join(ASCII_FOR.get(ch, ch) for ch in unicodedata.normalize("NFC", text))
        return text.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.body, size=7)
        self.set_text_color(110)
        self.cell(0, 5, self.text_of(f"{self.footer_text} — page {self.page_no()}/{{nb}}"), align="C")
        self.set_text_color(0)

    # --- blocks ---------------------------------------------------------------------------

    def heading(self, text: str, size: float = 14) -> None:
        if self.will_page_break(30):
            self.add_page()
        self.ln(3)
        self.set_font(self.body, "B", size)
        self.multi_cell(0, size * 0.5, self.text_of(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def paragraph(self, text: str, size: float = 9.5, bold: bool = False) -> None:
        self.set_font(self.body, "B" if bold else "", size)
        self.multi_cell(0, size * 0.48, self.text_of(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def bullets(self, items: list[str], size: float = 9.5) -> None:
        self.set_font(self.body, "", size)
        for item in items:
            self.set_x(MARGIN + 1)
            self.cell(4, size * 0.48, "•" if self.unicode else "-")
            self.multi_cell(0, size * 0.48, self.text_of(item), align="L", new_x="LMARGIN", new_y="NEXT")
            self.ln(0.8)
        self.ln(1)

    def table_block(self, table: Table, size: float = 7) -> None:
        if self.will_page_break(25):
            self.add_page()
        self.set_font(self.body, "B", 9.5)
        self.cell(0, 5, self.text_of(table.title), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.body, "", size)
        headed = any(table.columns)
        with self.table(col_widths=table.widths or None, text_align="LEFT", line_height=size * 0.5,
                        first_row_as_headings=headed, width=self.epw, padding=0.8,
                        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 240)),
                        cell_fill_color=(248, 248, 250), cell_fill_mode=TableCellFillMode.ROWS,
                        borders_layout="HORIZONTAL_LINES") as grid:
            for row in ([table.columns] if headed else []) + table.rows:
                cells = grid.row()
                for cell in row:
                    cells.cell(self.text_of(cell))
        if table.note:
            self.set_font(self.body, "", 7)
            self.set_text_color(90)
            self.multi_cell(0, 3.4, self.text_of(table.note), align="L", new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(0)
        self.ln(3)

    def chart(self, png: bytes | None, missing: str | None, title: str, caption: str, height_px: int) -> None:
        """The chart at full width; a little smaller (down to MIN_CHART_SCALE) rather than a new page.
        A chart that could not be drawn: why (`missing`), in its place."""
        full = self.epw * height_px / PNG_WIDTH if png is not None else 0
        room = self.page_break_trigger - self.get_y() - CHART_TEXT_MM
        scale = 1.0 if full <= room else room / full
        if scale < MIN_CHART_SCALE:
            self.add_page()
            scale = 1.0
        self.set_font(self.body, "B", 9.5)
        self.multi_cell(0, 5, self.text_of(title), align="L", new_x="LMARGIN", new_y="NEXT")
        if png is not None:
            self.image(png, x=self.l_margin + self.epw * (1 - scale) / 2, w=self.epw * scale, h=full * scale)
        elif missing:
            self.paragraph(missing, size=8, bold=True)
        self.set_font(self.body, "", 8)
        self.set_text_color(80)
        self.multi_cell(0, 3.8, self.text_of(caption), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.ln(3)


def render_pdf(data: ReportData, paper: Paper = "A4") -> bytes:
    pdf = ReportPDF(paper, f"Prompt or Tune — {data.scenario.name}")
    pdf.set_title(f"Prompt or Tune: {data.scenario.name}")
    pdf.set_creator(f"prompt-or-tune {__version__}")
    pdf.embed_file(bytes=data.scenario_yaml.encode("utf-8"), basename="scenario.yaml",
                   desc="The scenario of this report: prompt-or-tune report scenario.yaml reruns it")
    pdf.add_page()
    pdf.set_font(pdf.body, "B", 18)
    pdf.multi_cell(0, 8, pdf.text_of(f"Prompt or Tune: {data.scenario.name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.body, "", 8)
    pdf.set_text_color(100)
    pdf.cell(0, 5, pdf.text_of(f"Decision report generated {data.generated_at} by prompt-or-tune "
                               f"{__version__}. All amounts in {data.scenario.currency}. "
                               f"Paper: {paper}."), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    if not pdf.unicode:
        pdf.paragraph("DejaVu fonts not found: characters outside Latin-1 are shown as '?'.", size=8)
    for section in outline(data):
        if section.key == "charts":
            pdf.add_page()
        pdf.heading(section.heading)
        for b in section.blocks:
            _block(pdf, b)
    return bytes(pdf.output())


def _block(pdf: ReportPDF, b: Block) -> None:
    if b.kind == "paragraph":
        pdf.paragraph(b.text, size=11 if b.strong else 9.5, bold=b.strong)
    elif b.kind == "subheading":
        pdf.heading(b.text, size=11)
    elif b.kind == "bullets":
        pdf.bullets(b.items)
    elif b.kind == "more":
        pdf.heading(b.title, size=10)
        pdf.bullets(b.items)
    elif b.kind == "table":
        pdf.table_block(b.table)
    elif b.kind == "charts":
        for c in b.charts:
            png, missing = to_png(c.figure)
            pdf.chart(png, missing, c.title, c.caption, height_of(c.figure))
    else:  # the scenario file: attached to the PDF (render_pdf), not printed
        pdf.paragraph("Attached to this PDF: scenario.yaml (the attachments pane of a PDF viewer; "
                      "pdfdetach -saveall on the command line).", size=8)
