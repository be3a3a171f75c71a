"""Charts as PNG for the PDF, drawn in-process by matplotlib from the very plotly figures the dashboard
and the HTML report show (reporting/charts.py): one translator of plotly figures, no chart drawn twice.

No browser and no other process, so nothing to wait on: a chart is drawn or fails at once. A figure
using what the translator does not draw (a trace type, a shape, an axis type) raises Unsupported; that
chart comes back as None with a one-line reason, which the PDF prints in its place.

What is translated: scatter (lines, markers, dash, fills toself / tonexty / tozeroy, error bars), bar
(vertical and horizontal; group, stack, relative and overlay; `base`; text on bars; hatch patterns;
error bars), linear, log and category axes (range, tickvals / ticktext, tickformat, prefix / suffix,
reversed), titles, legends, annotations (paper, domain and data references; arrows) and line shapes
(add_vline / add_hline), with colours as plotly takes them (hex, CSS names, rgb(a), hsl(a)). Sizes are
plotly's pixels: the PNG is PNG_WIDTH × the layout's height, at PNG_SCALE pixels per plotly pixel.
"""

from __future__ import annotations

import base64
import colorsys
import html
import io
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import (
    FixedFormatter,
    FixedLocator,
    FuncFormatter,
    LogLocator,
    MaxNLocator,
    NullLocator,
)
from matplotlib.transforms import Bbox, blended_transform_factory
from PIL import Image

PNG_WIDTH, PNG_SCALE = 900, 2  # plotly pixels across, and PNG pixels per plotly pixel
DEFAULT_HEIGHT = 380  # plotly pixels, for a figure without a layout height
PT = 0.72  # points per plotly pixel (a plotly pixel is 1/100 inch here)
UNAVAILABLE = "static chart unavailable"
FONT_PX = {"tick": 12, "axis": 14, "title": 17, "text": 12, "legend": 12}
GAP_PX = 4  # between the things stacked under the plot, and around the edge of the picture
MIN_PLOT_SHARE = 0.2  # of the picture's width and height: less left for the plot area is an error
DASHES = {"solid": (), "dot": (1, 1), "dash": (3, 3), "longdash": (5, 5), "dashdot": (3, 1, 1, 1),
          "longdashdot": (5, 2, 1, 2)}  # in units of max(line width, 3 px), as plotly.js draws them
MARKERS = {"circle": "o", "square": "s", "diamond": "D", "cross": "P", "x": "X", "triangle-up": "^",
           "triangle-down": "v", "triangle-left": "<", "triangle-right": ">", "star": "*",
           "pentagon": "p", "hexagon": "h"}
HATCHES = {"/": "///", "\\": "\\\\\\", "x": "xxx", "-": "---", "|": "|||", "+": "+++", ".": "..."}
ANCHOR_LOC = {"top": "upper", "middle": "center", "bottom": "lower"}
_CSS = re.compile(r"(rgba?|hsla?)\(\s*([-\d.]+)(%|deg)?[\s,]+([\d.]+)(%)?[\s,]+([\d.]+)(%)?\s*(?:[,/]\s*([\d.]+)(%)?\s*)?\)")
_LOCK = threading.Lock()  # matplotlib's text and font caches are shared: one chart at a time


class Unsupported(ValueError):
    """The figure uses something the translator does not draw."""


def height_of(figure: go.Figure) -> int:
    """The picture's height in plotly pixels."""
    return int(figure.layout.height or DEFAULT_HEIGHT)


def to_png(figure: go.Figure) -> tuple[bytes | None, str | None]:
    """The figure as PNG bytes (PNG_WIDTH × height_of, times PNG_SCALE), or None and why, in one line."""
    try:
        with _LOCK:
            drawn = draw(figure)
            drawn.canvas.draw()
            pixels = np.asarray(drawn.canvas.buffer_rgba())[..., :3]
        out = io.BytesIO()
        Image.fromarray(pixels).save(out, format="PNG")  # RGB: no alpha mask for the PDF to carry
        return out.getvalue(), None
    except Exception as exc:  # any failure of one chart: the others are still drawn
        detail = str(exc).splitlines()[0] if str(exc) else "no detail"
        return None, f"{UNAVAILABLE} ({type(exc).__name__}: {detail}); the HTML report has every chart"


def draw(figure: go.Figure, width: int = PNG_WIDTH) -> Figure:
    """The plotly figure as a laid-out matplotlib Figure (not yet rendered)."""
    return _Drawing(_decoded(figure.to_dict()), width, height_of(figure)).figure


# --- values, colours, text ------------------------------------------------------------------------


def _get(tree: Any, path: str, default: Any = None) -> Any:
    for key in path.split("."):
        if not isinstance(tree, dict) or key not in tree:
            return default
        tree = tree[key]
    return default if tree is None else tree


def _decoded(tree: Any) -> Any:
    """The figure's dict with plotly's base64 typed arrays ({"dtype", "bdata"}) as lists."""
    if isinstance(tree, dict):
        if "bdata" in tree and "dtype" in tree:
            values = np.frombuffer(base64.b64decode(tree["bdata"]), dtype=tree["dtype"])
            shape = [int(n) for n in str(tree.get("shape", len(values))).split(",")]  # "2, 3" for 2-D
            return values.reshape(shape).tolist()
        return {key: _decoded(value) for key, value in tree.items()}
    if isinstance(tree, list | tuple):
        return [_decoded(value) for value in tree]
    return tree


def _floats(values: Sequence[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def rgba(color: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    """A plotly colour (hex, CSS name, rgb(a) and hsl(a), with commas or spaces) as matplotlib's RGBA,
    its alpha times `alpha`; other CSS colour functions raise ValueError."""
    found = _CSS.fullmatch(str(color).strip().lower())
    if not found:
        red, green, blue, own = to_rgba(color)
        return red, green, blue, own * alpha
    kind, a, a_unit, b, b_pct, c, c_pct, own, own_pct = found.groups()
    if kind.startswith("rgb"):  # 0-255 each, or percentages
        red, green, blue = (float(v) / (100 if unit else 255) for v, unit in ((a, a_unit), (b, b_pct), (c, c_pct)))
    else:  # hue in degrees, saturation and lightness in percent
        red, green, blue = colorsys.hls_to_rgb(float(a) % 360 / 360, float(c) / 100, float(b) / 100)
    opacity = 1.0 if own is None else float(own) / (100 if own_pct else 1)
    return red, green, blue, opacity * alpha


def plain(text: Any) -> str:
    """Plotly's HTML-like text as matplotlib shows it: <br> a new line, other tags dropped, entities
    decoded, $ escaped (matplotlib reads $...$ as mathematics)."""
    text = re.sub(r"<br\s*/?>", "\n", str(text), flags=re.IGNORECASE)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).replace("$", r"\$")


def _minus(text: str) -> str:
    return "−" + text[1:] if text.startswith("-") else text


def si_number(value: float) -> str:
    """Plotly's default tick label: 0.5, 20, 1500, 20k, 1.5M, 2B."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return _minus(f"{value / size:.3g}{suffix}")
    return _minus(f"{value:.4g}")


def tick_label(value: float, tickformat: str = "", prefix: str = "", suffix: str = "") -> str:
    """A tick label as plotly writes it; d3 formats Python shares (',.0f', '.0%') by Python's format,
    others as plotly's default. The sign goes before the prefix: −$4,400."""
    try:
        text = format(value, tickformat) if tickformat else si_number(value)
    except ValueError:
        text = si_number(value)
    sign = "−" if text.startswith(("-", "−")) else ""
    return plain(f"{sign}{prefix}{text.lstrip('-−')}{suffix}")


def _line_style(dash: str | None, width_px: float) -> str | tuple:
    """A plotly dash (a name or 'Npx,Mpx,...') as matplotlib's, in units of the line's width."""
    dash = dash or "solid"
    if dash in DASHES:
        lengths = [k * max(width_px, 3) for k in DASHES[dash]]
    else:
        lengths = [float(v) for v in re.findall(r"[\d.]+", dash)]
        if not lengths:
            raise Unsupported(f"line dash {dash!r}")
    return (0, tuple(v / max(width_px, 0.1) for v in lengths)) if lengths else "-"


# --- axes -----------------------------------------------------------------------------------------


@dataclass
class _Axis:
    """One plotly axis (x or y) and how its values become matplotlib coordinates."""

    letter: str
    spec: dict
    kind: str  # "linear", "log" or "category"
    categories: list[str] = field(default_factory=list)

    def coords(self, values: Sequence[Any]) -> np.ndarray:
        """Trace values (and shape positions: data units, also on a log axis) as coordinates."""
        return np.array([self.position(v) for v in values], dtype=float)

    def position(self, value: Any) -> float:
        if value is None:
            return np.nan
        if self.kind == "category" and not _is_number(value):
            if value not in self.categories:
                self.categories.append(value)
            return float(self.categories.index(value))
        return float(value)

    def from_range(self, value: Any) -> float:
        """A range end or an annotation position: log10 units on a log axis, as plotly takes them."""
        return 10.0 ** float(value) if self.kind == "log" else self.position(value)


def _axis_kind(spec: dict, values: list[Any]) -> str:
    kind = spec.get("type", "-")
    if kind in ("linear", "log", "category"):
        return kind
    if kind != "-":
        raise Unsupported(f"{kind} axis")
    if any(isinstance(v, np.datetime64) or (isinstance(v, str) and re.match(r"\d{4}-\d\d-\d\d", v))
           for v in values):
        raise Unsupported("date axis")
    return "linear" if all(_is_number(v) for v in values if v is not None) else "category"


def _trace_values(trace: dict, letter: str) -> list[Any]:
    """A trace's x or y values; plotly's x0 + i·dx (0, 1, 2, ...) where it gives only the other."""
    values = trace.get(letter)
    if values is not None:
        return list(values)
    other = trace.get("y" if letter == "x" else "x")
    start, step = trace.get(f"{letter}0", 0), trace.get(f"d{letter}", 1)
    return [start + i * step for i in range(len(other if other is not None else []))]


# --- the drawing ----------------------------------------------------------------------------------


@dataclass
class _Below:
    """Something placed under the plot in plot-area fractions (the legend, a note): stacked in the order
    of its requested height so that none covers the axis labels or another."""

    artist: Any
    x: float
    y: float  # as requested

    def move(self, y: float) -> None:
        if hasattr(self.artist, "set_bbox_to_anchor"):  # the legend
            self.artist.set_bbox_to_anchor((self.x, y), transform=self.artist.axes.transAxes)
        else:
            self.artist.xy = (self.x, y)


class _Drawing:
    """One plotly figure (as its dict) drawn on a matplotlib Figure of the same size in pixels."""

    def __init__(self, spec: dict, width: int, height: int):
        self.layout = spec.get("layout", {})
        template = self.layout.get("template")
        if template is None:
            default = pio.templates.default
            template = pio.templates[default].to_plotly_json() if default else {}
        self.template = template.get("layout", {})
        self.traces = [t for t in spec.get("data", []) if t.get("visible", True) is not False]
        for trace in self.traces:
            if trace.get("type", "scatter") not in ("scatter", "bar"):
                raise Unsupported(f"trace type {trace.get('type')}")
        self.text_color = rgba(self._style("font.color", "#444444"))
        self.figure = Figure(figsize=(width / 100, height / 100), dpi=100 * PNG_SCALE)
        FigureCanvasAgg(self.figure)
        self.figure.set_facecolor(rgba(self._style("paper_bgcolor", "white")))
        margin = {"l": 80, "r": 80, "t": 100, "b": 80, **self.layout.get("margin", {})}
        self.ax = self.figure.add_axes((margin["l"] / width, margin["b"] / height,
                                        1 - (margin["l"] + margin["r"]) / width,
                                        1 - (margin["t"] + margin["b"]) / height))
        self.ax.set_facecolor(rgba(self._style("plot_bgcolor", "white")))
        self.axes = {letter: self._axis(letter) for letter in "xy"}
        self.legend_entries: list[tuple[Any, str]] = []
        self.notes_below: list[_Below] = []
        self.legend_below: _Below | None = None
        self.legend_spec: dict | None = None  # the layout's legend, when one is shown
        self._draw()

    def _style(self, path: str, default: Any = None) -> Any:
        """A layout value, else the template's, else the default."""
        return _get(self.layout, path, _get(self.template, path, default))

    def _axis(self, letter: str) -> _Axis:
        for trace in self.traces:
            if trace.get(f"{letter}axis", letter) != letter:
                raise Unsupported(f"trace on axis {trace[f'{letter}axis']} (subplots)")
        spec = self.layout.get(f"{letter}axis", {})
        axis = _Axis(letter, spec, _axis_kind(spec, [v for t in self.traces for v in _trace_values(t, letter)]))
        if axis.kind == "log":
            (self.ax.set_xscale if letter == "x" else self.ax.set_yscale)("log")
        return axis

    def _draw(self) -> None:
        colorway = self._style("colorway", ["#1f77b4"])
        bars = [t for t in self.traces if t.get("type") == "bar"]
        for index, trace in enumerate(self.traces):
            color, zorder = colorway[index % len(colorway)], 2 + index * 0.01
            if trace.get("type") == "bar":
                self._bar(trace, bars, color, zorder)
            else:
                self._scatter(index, color, zorder)
        for axis in self.axes.values():
            self._finish_axis(axis)
        for shape in self.layout.get("shapes", []):
            self._shape(shape)
        for note in self.layout.get("annotations", []):
            self._annotation(note)
        title = _get(self.layout, "title.text")
        if title:
            self.ax.set_title(plain(title), loc="left", fontsize=FONT_PX["title"] * PT, color=self.text_color)
        shown = self.layout.get("showlegend", len(self.legend_entries) > 1)
        self.legend_spec = self.layout.get("legend", {}) if shown and self.legend_entries else None
        self._fit()

    # --- traces ---------------------------------------------------------------------------------

    def _xy(self, trace: dict) -> tuple[np.ndarray, np.ndarray]:
        return (self.axes["x"].coords(_trace_values(trace, "x")),
                self.axes["y"].coords(_trace_values(trace, "y")))

    def _scatter(self, index: int, color: str, zorder: float) -> None:
        trace = self.traces[index]
        x, y = self._xy(trace)
        mode = trace.get("mode") or ("lines+markers" if len(x) < 20 else "lines")
        if "text" in mode:
            raise Unsupported("scatter text mode")
        line, opacity = trace.get("line", {}), float(trace.get("opacity", 1))
        color = line.get("color", color)
        width = float(line.get("width", 2))
        handles = []
        fill = trace.get("fill", "none")
        if fill != "none":
            fill_color = rgba(trace["fillcolor"], opacity) if "fillcolor" in trace else rgba(color, 0.5 * opacity)
            handles.append(self._fill(index, fill, x, y, fill_color, zorder))
        if "lines" in mode and width > 0:
            handles += self.ax.plot(x, y, color=rgba(color, opacity), linewidth=width * PT,
                                    linestyle=_line_style(line.get("dash"), width), zorder=zorder)
        if "markers" in mode:
            handles.append(self._markers(trace, x, y, color, opacity, zorder))
        marker_color = _get(trace, "marker.color", color)
        self._errors(trace, x, y, rgba(marker_color if isinstance(marker_color, str) else color), zorder)
        if handles:
            self._legend_entry(trace, handles[0] if len(handles) == 1 else tuple(handles))

    def _fill(self, index: int, fill: str, x: np.ndarray, y: np.ndarray, color: tuple, zorder: float) -> Any:
        """The area of a fill: the trace's own outline, down to 0, or over to the scatter trace before it."""
        before = [t for t in self.traces[:index] if t.get("type", "scatter") == "scatter"]
        if fill.startswith("tonext") and before:
            px, py = self._xy(before[-1])
            outline = (np.concatenate([x, px[::-1]]), np.concatenate([y, py[::-1]]))
        elif fill in ("tozerox", "tonextx"):  # the first trace fills to zero, as in plotly
            outline = (np.concatenate([x, np.zeros_like(x)]), np.concatenate([y, y[::-1]]))
        elif fill in ("tozeroy", "tonexty", "tonext"):
            outline = (np.concatenate([x, x[::-1]]), np.concatenate([y, np.zeros_like(y)]))
        elif fill == "toself":
            outline = (x, y)
        else:
            raise Unsupported(f"fill {fill}")
        (patch,) = self.ax.fill(*outline, facecolor=color, edgecolor="none", linewidth=0, zorder=zorder - 0.005)
        return patch

    def _markers(self, trace: dict, x: np.ndarray, y: np.ndarray, color: str, opacity: float,
                 zorder: float) -> Any:
        marker = trace.get("marker", {})
        symbol = str(marker.get("symbol", "circle"))
        shape = MARKERS.get(symbol.removesuffix("-open"))
        if shape is None:
            raise Unsupported(f"marker symbol {symbol}")
        fill = marker.get("color", color)
        colors = [rgba(c, opacity * float(marker.get("opacity", 1)))
                  for c in (fill if isinstance(fill, list | tuple) else [fill] * len(x))]
        size = np.broadcast_to(np.asarray(marker.get("size", 6), dtype=float), x.shape)
        edge = marker.get("line", {})
        if symbol.endswith("-open"):
            style = {"facecolors": "none", "edgecolors": colors, "linewidths": 1.5 * PT}
        else:
            style = {"facecolors": colors, "edgecolors": rgba(edge.get("color", "white")),
                     "linewidths": float(edge.get("width", 0)) * PT}
        return self.ax.scatter(x, y, s=(size * PT) ** 2, marker=shape, zorder=zorder + 0.002, **style)

    def _errors(self, trace: dict, x: np.ndarray, y: np.ndarray, color: tuple, zorder: float) -> None:
        for letter, values in (("x", x), ("y", y)):
            bars = trace.get(f"error_{letter}")
            if not bars or bars.get("visible", True) is False:
                continue
            plus, minus = _error_sizes(bars, values)
            width = float(bars.get("thickness", 2)) * PT
            self.ax.errorbar(x, y, **{f"{letter}err": [minus, plus]}, fmt="none",
                             ecolor=rgba(bars["color"]) if "color" in bars else color, elinewidth=width,
                             capthick=width, capsize=float(bars.get("width", 4)) * PT, zorder=zorder + 0.001)

    def _bar(self, trace: dict, bars: list[dict], color: str, zorder: float) -> None:
        horizontal = trace.get("orientation", "v") == "h"
        where, size = (self.axes["y"], self.axes["x"]) if horizontal else (self.axes["x"], self.axes["y"])
        positions = where.coords(_trace_values(trace, where.letter))
        lengths = size.coords(_trace_values(trace, size.letter))
        same = [t for t in bars if (t.get("orientation", "v") == "h") == horizontal]
        order = next(i for i, t in enumerate(same) if t is trace)
        mode = self.layout.get("barmode", "group")
        spacing = (1.0 if where.kind == "category" or len(np.unique(positions)) < 2
                   else float(np.diff(np.unique(positions)).min()))
        slot = spacing * (1 - float(self.layout.get("bargap", 0.2)))
        width, offset = (slot / len(same), -slot / 2 + (order + 0.5) * slot / len(same)) if mode == "group" \
            else (slot, 0.0)
        base = self._bar_base(trace, same[:order], mode, where, size, positions, lengths)
        keep = ~np.isnan(lengths)
        marker, opacity = trace.get("marker", {}), float(trace.get("opacity", 1))
        fill = marker.get("color", color)
        colors = [rgba(c, opacity * float(marker.get("opacity", 1)))
                  for c in (fill if isinstance(fill, list | tuple) else [fill] * len(positions))]
        colors = [c for c, k in zip(colors, keep, strict=True) if k] or [rgba(color)]
        hatch = HATCHES.get(_get(marker, "pattern.shape", ""))
        style = ({"color": "none", "edgecolor": colors, "hatch": hatch, "linewidth": 0} if hatch
                 else {"color": colors, "linewidth": 0})
        at, long, start = positions[keep] + offset, lengths[keep], base[keep]
        if horizontal:
            drawn = self.ax.barh(at, long, height=width, left=start, zorder=zorder, **style)
        else:
            drawn = self.ax.bar(at, long, width=width, bottom=start, zorder=zorder, **style)
        for patch, begin in zip(drawn, start, strict=True):  # the axis hugs 0, not a stacked bar's start
            if begin != 0:
                (patch.sticky_edges.x if horizontal else patch.sticky_edges.y).clear()
        self._bar_text(trace, keep, at, start, long, colors, horizontal)
        ends = start + long
        self._errors(trace, *((ends, at) if horizontal else (at, ends)),
                     colors[0] if len(set(colors)) == 1 else rgba("#444444"), zorder)
        self._legend_entry(trace, Patch(facecolor="none" if hatch else colors[0], hatch=hatch, linewidth=0,
                                        edgecolor=colors[0] if hatch else "none"))

    def _bar_base(self, trace: dict, earlier: list[dict], mode: str, where: _Axis, size: _Axis,
                  positions: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Where each bar starts: its `base`, else on the bars before it (stack: all of them; relative:
        those of its sign), else at 0."""
        if trace.get("base") is not None:
            return np.broadcast_to(_floats(np.atleast_1d(trace["base"]).tolist()), positions.shape).copy()
        base = np.zeros_like(positions)
        if mode not in ("stack", "relative"):
            return base
        for other in earlier:
            below = dict(zip(where.coords(_trace_values(other, where.letter)),
                             np.nan_to_num(size.coords(_trace_values(other, size.letter))), strict=True))
            for i, (position, length) in enumerate(zip(positions, lengths, strict=True)):
                previous = below.get(position, 0.0)
                if mode == "stack" or np.sign(previous) == np.sign(length):
                    base[i] += previous
        return base

    def _bar_text(self, trace: dict, keep: np.ndarray, at: np.ndarray, start: np.ndarray, lengths: np.ndarray,
                  colors: list[tuple], horizontal: bool) -> None:
        texts, where = trace.get("text"), trace.get("textposition", "auto")
        if texts is None or where == "none":
            return
        texts = np.broadcast_to(np.asarray(texts, dtype=object), keep.shape)[keep]
        size = float(_get(trace, "textfont.size", FONT_PX["text"])) * PT
        for text, position, begin, length, color in zip(texts, at, start, lengths, colors, strict=False):
            if where == "outside":
                out = 1 if length >= 0 else -1
                point = (begin + length, position) if horizontal else (position, begin + length)
                align = ({"ha": "left" if out > 0 else "right", "va": "center"} if horizontal
                         else {"ha": "center", "va": "bottom" if out > 0 else "top"})
                self.ax.annotate(plain(text), point, xytext=(3 * out, 0) if horizontal else (0, 3 * out),
                                 textcoords="offset points", fontsize=size, zorder=4,
                                 color=rgba(_get(trace, "textfont.color", "#444444")), **align)
            else:  # inside (and plotly's auto): centred, in a colour that reads on the bar
                middle = begin + length / 2
                self.ax.annotate(plain(text), (middle, position) if horizontal else (position, middle),
                                 ha="center", va="center", fontsize=size, zorder=4,
                                 color="#222222" if sum(color[:3]) / 3 > 0.6 else "white")

    # --- axes, shapes, notes ----------------------------------------------------------------------

    def _finish_axis(self, axis: _Axis) -> None:
        spec, x = axis.spec, axis.letter == "x"
        mpl = self.ax.xaxis if x else self.ax.yaxis
        if axis.kind == "category":
            limits = (-0.5, len(axis.categories) - 0.5)
            mpl.set_major_locator(FixedLocator(range(len(axis.categories))))
            mpl.set_major_formatter(FixedFormatter([plain(c) for c in axis.categories]))
        else:
            limits = self.ax.get_xlim() if x else self.ax.get_ylim()
            if spec.get("tickvals") is not None:
                values = [float(v) for v in spec["tickvals"]]
                texts = spec.get("ticktext")
                mpl.set_major_locator(FixedLocator(values))
                mpl.set_major_formatter(FixedFormatter(
                    [plain(t) for t in texts] if texts is not None else [self._tick(spec, v) for v in values]))
            else:  # plotly's automatic ticks: 1-2-5 steps, one per 80 px across, per 40 px up
                length = (self.ax.bbox.width if x else self.ax.bbox.height) / PNG_SCALE
                mpl.set_major_locator(LogLocator(base=10) if axis.kind == "log" else MaxNLocator(
                    nbins=int(min(max(length / (80 if x else 40), 4), 9)), steps=[1, 2, 5, 10]))
                mpl.set_major_formatter(FuncFormatter(lambda v, _: self._tick(spec, v)))
        mpl.set_minor_locator(NullLocator())
        if spec.get("range") is not None:
            limits = tuple(axis.from_range(v) for v in spec["range"])
        elif spec.get("autorange") == "reversed":
            limits = limits[::-1]
        (self.ax.set_xlim if x else self.ax.set_ylim)(*limits)
        title = _get(spec, "title.text")
        if title:
            (self.ax.set_xlabel if x else self.ax.set_ylabel)(
                plain(title), fontsize=FONT_PX["axis"] * PT, color=self.text_color, labelpad=8 * PT)
        self.ax.tick_params(axis=axis.letter, length=0, labelsize=FONT_PX["tick"] * PT,
                            labelcolor=self.text_color, pad=6 * PT)
        if spec.get("tickangle") not in (None, "auto"):
            self.ax.tick_params(axis=axis.letter, labelrotation=-float(spec["tickangle"]))
        style = f"{axis.letter}axis"
        if axis.kind != "category" and self._style(f"{style}.showgrid", True):
            self.ax.grid(True, axis=axis.letter, color=rgba(self._style(f"{style}.gridcolor", "#eeeeee")),
                         linewidth=PT)
            self.ax.set_axisbelow(True)
        low, high = sorted(limits)
        if axis.kind == "linear" and low < 0 < high and self._style(f"{style}.zeroline", True):
            (self.ax.axvline if x else self.ax.axhline)(
                0, color=rgba(self._style(f"{style}.zerolinecolor", "#444444")), zorder=1,
                linewidth=float(self._style(f"{style}.zerolinewidth", 1)) * PT)
        for spine in self.ax.spines.values():
            spine.set_visible(False)

    def _tick(self, spec: dict, value: float) -> str:
        return tick_label(value, spec.get("tickformat", ""), spec.get("tickprefix", ""),
                          spec.get("ticksuffix", "").strip())

    def _ref(self, letter: str, ref: str, value: Any, shape: bool) -> tuple[str, float]:
        """(matplotlib coordinate system, position) of a shape's or a note's x or y."""
        if ref in ("paper", f"{letter} domain"):
            return "axes fraction", float(value)
        if ref != letter:
            raise Unsupported(f"reference {ref} (subplots)")
        axis = self.axes[letter]
        return "data", axis.position(value) if shape else axis.from_range(value)

    def _shape(self, shape: dict) -> None:
        """A line shape (add_vline, add_hline): data units on any axis, also a log one."""
        if shape.get("type") != "line":
            raise Unsupported(f"shape {shape.get('type')}")
        (xs, x0), (_, x1) = (self._ref("x", shape.get("xref", "x"), shape.get(k, 0), True) for k in ("x0", "x1"))
        (ys, y0), (_, y1) = (self._ref("y", shape.get("yref", "y"), shape.get(k, 0), True) for k in ("y0", "y1"))
        transform = blended_transform_factory(*(self.ax.transData if s == "data" else self.ax.transAxes
                                                for s in (xs, ys)))
        line = shape.get("line", {})
        width = float(line.get("width", 2))
        self.ax.add_line(Line2D([x0, x1], [y0, y1], transform=transform, color=rgba(line.get("color", "#444444")),
                                linewidth=width * PT, linestyle=_line_style(line.get("dash"), width),
                                zorder=3.5 if shape.get("layer", "above") == "above" else 1.5))

    def _annotation(self, note: dict) -> None:
        """A note: on a data axis in plotly's range units (log10 on a log axis), left out, as plotly
        does, when that position is off the plot."""
        (xs, x), (ys, y) = (self._ref(letter, note.get(f"{letter}ref", letter), note.get(letter, 0.5), False)
                            for letter in "xy")
        if not (self._on_plot(xs, x, "x") and self._on_plot(ys, y, "y")):
            return
        arrow = note.get("showarrow", True)
        xanchor, yanchor = note.get("xanchor", "auto"), note.get("yanchor", "auto")
        ha = "center" if arrow or xanchor == "auto" else xanchor
        va = "center" if arrow or yanchor in ("auto", "middle") else yanchor
        offset = ((note.get("ax", -10) * PT, -note.get("ay", -30) * PT) if arrow else
                  (note.get("xshift", 0) * PT, note.get("yshift", 0) * PT))
        font = note.get("font", {})
        box = None
        if note.get("bgcolor") or note.get("bordercolor"):
            box = {"boxstyle": "square,pad=0.2", "facecolor": rgba(note.get("bgcolor", "rgba(0,0,0,0)")),
                   "edgecolor": rgba(note.get("bordercolor", "rgba(0,0,0,0)")),
                   "linewidth": note.get("borderwidth", 1) * PT}
        props = None
        if arrow:
            props = {"arrowstyle": "-" if note.get("arrowhead", 1) == 0 else "-|>", "shrinkA": 0, "shrinkB": 0,
                     "color": rgba(note.get("arrowcolor", "#444444")), "linewidth": note.get("arrowwidth", 1) * PT}
        artist = self.ax.annotate(plain(note.get("text", "")), (x, y), xycoords=(xs, ys), xytext=offset,
                                  textcoords="offset points", ha=ha, va=va, bbox=box, arrowprops=props,
                                  fontsize=font.get("size", FONT_PX["text"]) * PT, zorder=4,
                                  color=rgba(font["color"]) if "color" in font else self.text_color,
                                  multialignment=note.get("align", "center"), annotation_clip=False)
        if ys == "axes fraction" and (y < 0 or (y == 0 and va == "top")):
            self.notes_below.append(_Below(artist, x, y))

    def _on_plot(self, system: str, value: float, letter: str) -> bool:
        low, high = sorted(self.ax.get_xlim() if letter == "x" else self.ax.get_ylim())
        return system != "data" or low <= value <= high

    def _legend_entry(self, trace: dict, handle: Any) -> None:
        if trace.get("showlegend", True) and trace.get("name") is not None:
            self.legend_entries.append((handle, plain(trace["name"])))

    # --- legend and layout ------------------------------------------------------------------------

    def _place_legend(self, renderer: Any) -> None:
        """The legend where plotly puts it; a horizontal one in as many columns as fit the width."""
        spec = self.legend_spec
        if spec is None:
            return
        horizontal = spec.get("orientation", "v") == "h"
        x, y = spec.get("x", 0 if horizontal else 1.02), spec.get("y", -0.1 if horizontal else 1)
        xanchor, yanchor = spec.get("xanchor", "auto"), spec.get("yanchor", "auto")
        if xanchor == "auto":
            xanchor = "left" if x <= 1 / 3 else "right" if x >= 2 / 3 else "center"
        if yanchor == "auto":
            yanchor = "bottom" if y <= 1 / 3 else "top" if y >= 2 / 3 else "middle"
        loc = f"{ANCHOR_LOC[yanchor]} {xanchor}".replace("center center", "center")
        room = self.figure.bbox.width - 2 * GAP_PX * PNG_SCALE
        if xanchor == "left":
            room = self.figure.bbox.width - GAP_PX * PNG_SCALE - self.ax.transAxes.transform((x, 0))[0]
        columns = len(self.legend_entries) if horizontal else 1
        while True:
            handles, labels = zip(*_row_major(self.legend_entries, columns), strict=True)
            legend = self.ax.legend(handles, labels, ncols=columns, loc=loc, bbox_to_anchor=(x, y),
                                    bbox_transform=self.ax.transAxes, frameon=False, borderaxespad=0,
                                    fontsize=FONT_PX["legend"] * PT, labelcolor=self.text_color,
                                    columnspacing=1.2, handlelength=2.2)
            if columns == 1 or legend.get_window_extent(renderer).width <= room:
                break
            columns -= 1
        below = y < 0 or (y == 0 and yanchor == "top")
        self.legend_below = _Below(legend, x, y) if below else None

    def _fit(self) -> None:
        """Plotly's automargin: the plot area shrinks until everything (tick labels, titles, the legend
        and the notes under the plot, stacked without overlap) is inside the picture."""
        renderer = self.figure.canvas.get_renderer()
        edge = GAP_PX * PNG_SCALE
        for _ in range(6):
            self._place_legend(renderer)
            self._tilt_crowded_labels(renderer)
            self._stack_below(renderer)
            outer = self.figure.get_tightbbox(renderer).transformed(self.figure.dpi_scale_trans)
            box = self.ax.get_position().transformed(self.figure.transFigure)
            over = (max(0, edge - outer.x0), max(0, edge - outer.y0),
                    max(0, outer.x1 - (self.figure.bbox.width - edge)),
                    max(0, outer.y1 - (self.figure.bbox.height - edge)))
            if max(over) < 1:
                return
            inner = Bbox.from_extents(box.x0 + over[0], box.y0 + over[1], box.x1 - over[2], box.y1 - over[3])
            if (inner.width < MIN_PLOT_SHARE * self.figure.bbox.width
                    or inner.height < MIN_PLOT_SHARE * self.figure.bbox.height):
                raise Unsupported("no room left for the plot area (labels or legend too large)")
            self.ax.set_position(inner.transformed(self.figure.transFigure.inverted()))

    def _tilt_crowded_labels(self, renderer: Any) -> None:
        """Category labels that would overlap on the x axis are tilted 30°, as plotly does."""
        labels = [t for t in self.ax.xaxis.get_ticklabels() if t.get_text()]
        if self.axes["x"].kind != "category" or not labels or labels[0].get_rotation():
            return
        boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda b: b.x0)
        if any(a.x1 + GAP_PX > b.x0 for a, b in zip(boxes, boxes[1:], strict=False)):
            self.ax.tick_params(axis="x", labelrotation=30)
            for label in self.ax.xaxis.get_ticklabels():
                label.set_horizontalalignment("right")
                label.set_rotation_mode("anchor")

    def _stack_below(self, renderer: Any) -> None:
        """The legend and the notes under the plot at their requested heights, each moved down as far
        as it must to clear the x axis's labels and the one above it."""
        plot = self.ax.get_window_extent(renderer)
        labels = self.ax.xaxis.get_tightbbox(renderer)
        floor = min(labels.y0, plot.y0) if labels is not None else plot.y0
        items = self.notes_below + ([self.legend_below] if self.legend_below else [])
        for item in sorted(items, key=lambda b: -b.y):
            item.move(item.y)
            top = item.artist.get_window_extent(renderer).y1
            if top > floor - GAP_PX * PNG_SCALE:
                item.move(item.y - (top - floor + GAP_PX * PNG_SCALE) / plot.height)
            floor = item.artist.get_window_extent(renderer).y0


def _row_major(entries: list[tuple[Any, str]], columns: int) -> list[tuple[Any, str]]:
    """Entries ordered so that matplotlib's column-by-column legend reads row by row, as plotly's."""
    rows = math.ceil(len(entries) / columns)
    full = len(entries) - (rows - 1) * columns  # columns with an entry in the last row
    return [entries[row * columns + column] for column in range(columns)
            for row in range(rows if column < full else rows - 1)]


def _error_sizes(bars: dict, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(plus, minus) of plotly's error_x / error_y, type data, percent, constant or sqrt."""
    kind = bars.get("type", "percent" if "value" in bars else "data")
    if kind == "data":
        plus = _floats(list(bars.get("array", [])))
        minus = plus if bars.get("symmetric", "arrayminus" not in bars) else _floats(list(bars["arrayminus"]))
        return plus, minus
    size = {"percent": lambda v: np.abs(values) * v / 100, "constant": lambda v: np.full_like(values, v),
            "sqrt": lambda v: np.sqrt(np.abs(values))}.get(kind)
    if size is None:
        raise Unsupported(f"error bars of type {kind}")
    plus = size(float(bars.get("value", 10)))
    minus = plus if bars.get("symmetric", True) else size(float(bars.get("valueminus", 10)))
    return plus, minus
