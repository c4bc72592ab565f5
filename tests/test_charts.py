"""charts.py: Chinese renders with the bundled Noto CJK font, no missing glyphs, reproducible PNG bytes."""

from __future__ import annotations

import io
import logging
import warnings

import matplotlib
import pytest
from matplotlib.font_manager import FontProperties, findfont
from PIL import Image

from hrpark_analysis.reports import charts

CHINESE = "重庆市市级人力资源服务产业园 绩效评估得分"


@pytest.fixture(scope="module", autouse=True)
def house_style():
    with matplotlib.rc_context():
        charts.setup_matplotlib()
        yield


def _chinese_figure():
    import matplotlib.pyplot as plt

    fig, ax = charts.new_figure(4, 3)
    ax.bar(["渝中区", "万州区", "黔江区"], [82.5, 58.0, 71.0])
    charts.style_axes(ax, title=CHINESE, xlabel="区县", ylabel="得分(分)")
    charts.reference_line(ax, y=60, label="合格线 60 分")
    charts.mark_sample(ax)
    return fig, plt


def test_the_sans_serif_font_resolves_to_the_bundled_noto_cjk_file():
    assert charts.cjk_font_path().name == "NotoSansCJKsc-Regular.otf"
    assert findfont(FontProperties(family=["sans-serif"]), fallback_to_default=False) == str(
        charts.cjk_font_path()
    )
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_chinese_text_renders_without_missing_glyph_warnings(caplog):
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING, logger="matplotlib"):
        warnings.simplefilter("error")
        fig, plt = _chinese_figure()
        fig.canvas.draw()
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_without_the_cjk_font_the_same_text_would_be_tofu():
    # The check above can fail: with matplotlib's default font the same text warns about missing glyphs.
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title(CHINESE)
        with pytest.warns(UserWarning, match="missing from font"):
            fig.canvas.draw()
        plt.close(fig)


def test_saved_png_carries_no_software_version_and_is_byte_identical_on_rerender(tmp_path):
    paths = []
    for i in range(2):
        fig, plt = _chinese_figure()
        paths.append(charts.save_png(fig, tmp_path / f"{i}.png"))
        plt.close(fig)
    first, second = (p.read_bytes() for p in paths)
    assert first == second
    assert b"Software" not in first and b"atplotlib" not in first
    with Image.open(paths[0]) as image:
        assert "Software" not in image.info
        assert round(image.info["dpi"][0]) == charts.DPI


def test_matplotlibs_default_png_does_carry_a_version_stamp():
    # Shows why PNG_METADATA is needed (and that the metadata check above can fail).
    fig, plt = _chinese_figure()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    assert b"Software" in buffer.getvalue()


def test_mark_sample_stamps_the_sample_label_on_the_axis():
    fig, plt = _chinese_figure()
    ax = fig.axes[0]
    marks = [t for t in ax.texts if t.get_gid() == charts.SAMPLE_MARK_GID]
    assert [t.get_text() for t in marks] == ["示例数据"]
    plt.close(fig)


def test_reference_line_needs_exactly_one_position():
    fig, plt = _chinese_figure()
    with pytest.raises(ValueError, match="exactly one"):
        charts.reference_line(fig.axes[0])
    with pytest.raises(ValueError, match="exactly one"):
        charts.reference_line(fig.axes[0], x=1, y=1)
    plt.close(fig)


def test_setup_outside_a_kernel_selects_agg():
    assert matplotlib.get_backend().lower() == "agg"


# --- park names are data (issue 12) ---------------------------------------------------------------------------
def _dimension_figure(names: list[str]):
    from types import SimpleNamespace

    import pandas as pd

    from hrpark_analysis.reports import annual_charts

    graded = pd.DataFrame(
        {
            "park_id": [f"P{i:02d}" for i in range(1, len(names) + 1)],
            "name": names,
            "score_economic": [30.0, 20.0, 10.0][: len(names)],
            "score_role": [30.0, 20.0, 10.0][: len(names)],
            "score_operations": [20.0, 20.0, 20.0][: len(names)],
        }
    )
    return annual_charts.dimension_chart(SimpleNamespace(graded=graded, year=2025), sample=False)


def test_a_park_name_with_dollar_signs_is_drawn_literally():
    import matplotlib.pyplot as plt

    names = ["收益$\\frac{1}{$园区", "$x^2$ 园区", "普通园区"]  # the first is broken mathtext
    fig = _dimension_figure(names)
    fig.savefig(io.BytesIO(), format="png")  # mathtext would raise on the first name
    ticks = fig.axes[0].get_xticklabels()
    assert [t.get_text() for t in ticks] == names
    assert not any(t.get_parse_math() for t in ticks)
    plt.close(fig)


def test_two_parks_with_the_same_name_keep_their_own_bars():
    import matplotlib.pyplot as plt

    fig = _dimension_figure(["同名园区", "同名园区", "另一园区"])
    ax = fig.axes[0]
    bars = [p for p in ax.patches if p.get_height() > 0]
    assert len(bars) == 3 * 3  # three parks × three dimensions, none merged
    # labelled with names; where two share one, the park id says which is which
    assert [t.get_text() for t in ax.get_xticklabels()] == ["同名园区(P01)", "同名园区(P02)", "另一园区"]
    # each park's stack adds up to its own total: 80, 60, 40
    tops = sorted({round(p.get_x(), 6): p.get_y() + p.get_height() for p in bars}.items())
    assert [round(top, 6) for _, top in tops] == [80.0, 60.0, 40.0]
    plt.close(fig)


def test_text_parsing_is_off_in_a_figure_made_without_the_setup_call():
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"text.parse_math": True}):
        fig, ax = charts.new_figure(3, 2)
        ax.set_title("$\\frac{$")
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)


def test_park_labels_add_the_id_only_where_names_repeat():
    assert charts.park_labels(["P1", "P2", "P3", "P4"], ["甲", "乙", "甲", "$x$"]) == [
        "甲(P1)",
        "乙",
        "甲(P3)",
        "$x$",
    ]
