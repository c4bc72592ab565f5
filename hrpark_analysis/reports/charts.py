"""Charts for the reports: a CJK font that ships with the package's dependencies, stable PNGs, house style.

Call :func:`setup_matplotlib` once at the top of a notebook (or script) before drawing:

- registers ``NotoSansCJKsc-Regular.otf`` from the ``mplfonts`` package by path, so Chinese renders with
  no system font installed and no missing-glyph warnings (no tofu);
- ``axes.unicode_minus = False``: the hyphen-minus renders in every font, so no fallback is ever needed;
- a fixed DPI (:data:`DPI`) and PNGs without the ``Software: Matplotlib x.y`` text chunk, so a figure's bytes
  do not change when matplotlib is upgraded; this applies to the Jupyter inline backend (through
  ``InlineBackend.print_figure_kwargs``) and to :func:`save_png`;
- outside a Jupyter kernel the Agg backend, which renders the same pixels on every machine;
- ``text.parse_math = False``: text is drawn as written. Park names, indicator names and file names are data,
  and matplotlib would read ``$…$`` in them as mathtext (and fail on a broken one); no chart uses mathtext.
  :func:`new_figure` sets it too, so a chart drawn without :func:`setup_matplotlib` is safe as well.

Every chart drawn from the synthetic sample data must say so: :func:`mark_sample` puts 示例数据 on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import font_manager

from hrpark_analysis import labels
from hrpark_analysis.reports.fonts import cjk_font_path

DPI = 100
PNG_METADATA: dict[str, Any] = {"Software": None}  # None removes matplotlib's version stamp
SAMPLE_MARK_GID = "hrpark-sample-mark"

# Grade colours shared by every report, keyed like the grade words in files (ARCHITECTURE.md).
GRADE_COLORS = {"excellent": "#2e7d32", "qualified": "#1565c0", "unqualified": "#c62828"}
REFERENCE_COLOR = "#616161"
LITERAL_TEXT = {"text.parse_math": False}  # names are data: "$…$" in a park name is drawn as written


def _in_jupyter_kernel() -> bool:
    # A Jupyter kernel (JupyterLab, papermill, nbval) draws through the inline backend, which must be kept;
    # anything else (scripts, tests, a terminal IPython) gets Agg.
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _configure_inline() -> None:
    # The inline backend renders figures through print_figure_kwargs; put the fixed DPI and the stripped
    # metadata there (and re-select the formatter) so every displayed PNG is reproducible byte for byte.
    from matplotlib_inline.backend_inline import set_matplotlib_formats
    from matplotlib_inline.config import InlineBackend

    config = InlineBackend.instance()
    kwargs = {**config.print_figure_kwargs, "metadata": dict(PNG_METADATA), "dpi": DPI}
    config.print_figure_kwargs = kwargs
    config.figure_formats = {"png"}
    set_matplotlib_formats("png", **kwargs)


def setup_matplotlib() -> str:
    """Register the CJK font and the house style; return the font family name used. Safe to call twice."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    if _in_jupyter_kernel():
        _configure_inline()
    else:
        matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            # DejaVu Sans stays as a per-glyph fallback for symbols a CJK font lacks.
            "font.sans-serif": [family, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "figure.figsize": (8.0, 4.5),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": False,
            "legend.frameon": False,
            "svg.hashsalt": "hrpark",  # stable SVG ids should anyone export SVG
            **LITERAL_TEXT,
        }
    )
    return family


def park_labels(park_ids: Any, names: Any) -> list[str]:
    """Chart labels for parks: each name, with its park id added where two parks share the name.

    Charts place parks by id (a row, a line), never by name; this only says which is which.
    """
    names = [str(n) for n in names]
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return [f"{n}({pid})" if counts[n] > 1 else n for pid, n in zip(park_ids, names, strict=True)]


def new_figure(width: float = 8.0, height: float = 4.5, **kwargs: Any) -> tuple[Any, Any]:
    """``(fig, ax)`` in the house size with a constrained layout (labels never cut off)."""
    import matplotlib.pyplot as plt

    # Tick labels are made when the figure is drawn, so the setting must hold globally, not in a context.
    matplotlib.rcParams.update(LITERAL_TEXT)
    kwargs.setdefault("layout", "constrained")
    return plt.subplots(figsize=(width, height), **kwargs)


def style_axes(
    ax: Any,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    grid: str | None = "y",
) -> Any:
    """Title, axis labels and a light grid on one axis (``grid`` = "x", "y", "both" or None); returns ax."""
    if title is not None:
        ax.set_title(title, loc="left")
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if grid:
        ax.grid(True, axis=grid, color="#e0e0e0", linewidth=0.8)
        ax.set_axisbelow(True)
    return ax


def reference_line(
    ax: Any, *, x: float | None = None, y: float | None = None, label: str | None = None, **kwargs: Any
) -> Any:
    """A dashed reference line (e.g. the 60-point pass mark or the 30% cap boundary), labelled at its end."""
    if (x is None) == (y is None):
        raise ValueError("give exactly one of x or y")
    style = {"color": REFERENCE_COLOR, "linestyle": "--", "linewidth": 1.2, **kwargs}
    if x is not None:
        line = ax.axvline(x, **style)
        if label:
            ax.annotate(
                label, xy=(x, 1), xycoords=("data", "axes fraction"), xytext=(3, -3),
                textcoords="offset points", va="top", fontsize=9, color=style["color"],
            )  # fmt: skip
    else:
        line = ax.axhline(y, **style)
        if label:
            ax.annotate(
                label, xy=(1, y), xycoords=("axes fraction", "data"), xytext=(-3, 3),
                textcoords="offset points", ha="right", fontsize=9, color=style["color"],
            )  # fmt: skip
    return line


def mark_sample(ax: Any, text: str = labels.SAMPLE) -> Any:
    """Stamp 示例数据 in the axis' top-right corner: every chart built from the sample data must carry it.

    Returns the Text artist (its gid is :data:`SAMPLE_MARK_GID`, so tests can find it).
    """
    return ax.text(
        0.99, 0.98, text, transform=ax.transAxes, ha="right", va="top", fontsize=10, color="#b71c1c",
        alpha=0.85, zorder=10, gid=SAMPLE_MARK_GID,
        bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "#b71c1c", "alpha": 0.8},
    )  # fmt: skip


def save_png(fig: Any, path: str | Path, **kwargs: Any) -> Path:
    """Save ``fig`` as a PNG with the fixed DPI and no version metadata; returns the path."""
    path = Path(path)
    options = {"dpi": DPI, "metadata": dict(PNG_METADATA), "bbox_inches": "tight", **kwargs}
    fig.savefig(path, format="png", **options)
    return path
