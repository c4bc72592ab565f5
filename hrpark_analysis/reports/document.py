"""A report notebook as a document: title page, numbered and captioned tables and figures, prose with figures.

Every report notebook makes one :class:`Document` and shows everything through it::

    doc = Document("2025年度…绩效评估报告", year=2025, issuer=issuer, report_date=report_date, sample=True)
    doc.title_page()                                   # title, year, issuing body, date, 目录
    doc.paragraph(f"参评园区 {n} 个。")                 # prose: data is escaped, never read as markup
    doc.table(df, "得分表", lead="各园区得分见{ref}。")  # '表3 得分表' above the table, and to the XLSX
    doc.figure(fig, "得分分布", lead="得分分布见{ref}。") # '图1 得分分布' below the figure

Tables are rendered by pandas' Styler with the formats of :mod:`.formatting` (no index column, text left,
numbers right, fixed decimals, thousands separators, percentages, nothing cut) into escaped HTML; the
numbers come from :class:`~hrpark_analysis.reports.captions.Captions`. Output is ``IPython.display.HTML``
(its plain-text form carries no memory address, so the executed notebook stays an nbval baseline). The
report date comes only from :mod:`.dates`, never from the clock.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from hrpark_analysis import labels
from hrpark_analysis.reports import dates
from hrpark_analysis.reports.captions import FIGURE, TABLE, Captions
from hrpark_analysis.reports.export.tables import publish_table
from hrpark_analysis.reports.formatting import ColumnFormat, column_formats, display_width, shown_frame

TITLE_METADATA = "hrpark"  # display metadata key: {"title": …} tells the HTML export the page title
TOC_PLACEHOLDER = '<nav class="hrpark-toc"></nav>'  # filled with the headings by export.html
# The title page's markup is read back by export.html_blocks (for the PDF and the Word title page): the class
# of the page, and the class of each fact on it by the field of export.blocks.TitlePage it fills.
TITLE_PAGE_CLASS = "hrpark-title-page"
TITLE_PAGE_FIELDS = {
    "hrpark-title": "title",
    "hrpark-subtitle": "subtitle",
    "hrpark-issuer": "issuer",
    "hrpark-date": "date",
    "hrpark-sample": "notice",
}
CAPTION_ATTR = "caption"  # DataFrame.attrs key: the table's caption, for the XLSX cover sheet's index
FORMATS_ATTR = "formats"  # DataFrame.attrs key: the column format overrides the page used
WIDE_COLUMNS = 9  # more columns than this: a wide table (smaller type; landscape when printed)
SHORT_TEXT = 12  # text columns this narrow (ids, names, grades) never wrap, not even on paper
WRAP_AT = 24  # text columns with longer values wrap (with a minimum width) instead of growing the table
DEFAULT_ISSUER = "重庆市人力资源和社会保障局"


def table_html(
    df: pd.DataFrame,
    caption: str | None = None,
    *,
    formats: Mapping[str, str | ColumnFormat] | None = None,
    table_id: str = "t",
) -> str:
    """``df`` as an escaped HTML table: caption, no index column, every column in its format."""
    frame = shown_frame(df)
    specs = column_formats(frame, formats)
    shown = pd.DataFrame(
        {i: [html.escape(spec.text(v)) for v in frame.iloc[:, i]] for i, spec in enumerate(specs)},
        index=range(len(frame)),
    )
    shown.columns = range(len(specs))
    longest_cells = [max((display_width(v) for v in shown.iloc[:, i]), default=0) for i in range(len(specs))]
    styler = shown.style.hide(axis="index")
    styler = styler.relabel_index([html.escape(str(c)) for c in frame.columns], axis=1)
    styler.set_uuid(table_id)
    wide = len(specs) > WIDE_COLUMNS
    # few long text columns: on paper each keeps a readable width (many would not fit the page together)
    few = (
        sum(1 for spec, n in zip(specs, longest_cells, strict=True) if not spec.numeric and n > SHORT_TEXT)
        <= 3
    )
    styler.set_table_attributes(
        f'class="hrpark-table{" hrpark-wide" if wide else ""}{" few-text" if few else ""}"'
    )
    styles = []
    for i, spec in enumerate(specs):
        align = "right" if spec.numeric else "left"
        props = [("text-align", align)]
        if not spec.numeric:
            if longest_cells[i] > WRAP_AT:
                props += [("white-space", "normal"), ("overflow-wrap", "break-word"), ("min-width", "10em")]
            else:
                props += [("white-space", "nowrap")]
        else:
            props += [("white-space", "nowrap")]
        styles.append({"selector": f"td.col{i}", "props": props})
        styles.append({"selector": f"th.col{i}", "props": [("text-align", align)]})
    styler.set_table_styles(styles)
    # "num"/"txt"/"txt short" per cell: on paper longer text wraps anywhere (every column stays on the page),
    # while numbers and short text (ids, names, grades) stay on one line.
    kinds = [
        "num" if spec.numeric else ("txt short" if longest <= SHORT_TEXT else "txt")
        for spec, longest in zip(specs, longest_cells, strict=True)
    ]
    styler.set_td_classes(pd.DataFrame([kinds] * len(shown), index=shown.index, columns=shown.columns))
    if caption:
        styler.set_caption(html.escape(caption))
    return styler.to_html()


class Document:
    """One report: its title page facts, its numbering, and the display of tables, figures and prose."""

    def __init__(
        self,
        title: str,
        *,
        year: int,
        issuer: str = "",
        report_date: str = "",
        sample: bool = False,
        subtitle: str = "",
    ) -> None:
        self.title = title
        self.year = int(year)
        self.issuer = issuer or DEFAULT_ISSUER
        self.date = dates.document_date(report_date or None, self.year)
        self.sample = sample
        self.subtitle = subtitle
        self.captions = Captions()

    # --- output -----------------------------------------------------------------------------------------
    @staticmethod
    def _show(markup: str, metadata: dict[str, Any] | None = None) -> None:
        from IPython.display import HTML, display

        display(HTML(markup), metadata=metadata or {})

    @property
    def date_text(self) -> str:
        return dates.chinese(self.date)

    def title_page(self) -> None:
        """Title, subtitle, issuing body and date, the 示例数据 notice, and the place of the 目录."""
        e = html.escape
        parts = [f'<div class="{TITLE_PAGE_CLASS}"><h1 class="hrpark-title">{e(self.title)}</h1>']
        if self.subtitle:
            parts.append(f'<p class="hrpark-subtitle">{e(self.subtitle)}</p>')
        parts.append(f'<p class="hrpark-issuer">{e(self.issuer)}</p>')
        parts.append(f'<p class="hrpark-date">{e(self.date_text)}</p>')
        if self.sample:  # the report's one 示例数据 notice (charts and workbook sheets carry their own stamp)
            parts.append(f'<p class="hrpark-sample">{e(labels.SAMPLE)}：{e(SAMPLE_NOTICE)}</p>')
        parts.append("</div>")
        parts.append(TOC_PLACEHOLDER)
        self._show("".join(parts), {TITLE_METADATA: {"title": self.title}})

    def paragraph(self, *sentences: str) -> None:
        """One paragraph of prose; the text is escaped (park names are data, never markup)."""
        self._show(f'<p class="hrpark-text">{html.escape("".join(sentences))}</p>')

    def bullets(self, items: Iterable[str]) -> None:
        """A bulleted list of escaped lines (nothing shown if empty)."""
        items = list(items)
        if items:
            lis = "".join(f"<li>{html.escape(item)}</li>" for item in items)
            self._show(f'<ul class="hrpark-text">{lis}</ul>')

    def table(
        self,
        df: pd.DataFrame,
        name: str,
        *,
        title: str | None = None,
        lead: str | None = None,
        formats: Mapping[str, str | ColumnFormat] | None = None,
        publish: bool = True,
    ) -> None:
        """Show ``df`` as the next numbered table, captioned ``表N title``, and hand it to the XLSX as sheet
        ``name``. ``lead`` is a sentence shown before it, with ``{ref}`` standing for ``表N``."""
        text = ""
        if lead:
            text = f'<p class="hrpark-text">{html.escape(lead.format(ref=self.captions.peek(TABLE)))}</p>'
        caption = self.captions.table(name, title)
        if publish:
            self.publish(df, name, caption=caption, formats=formats)
        number = self.captions.counts[TABLE]
        markup = table_html(df, caption, formats=formats, table_id=f"t{number}")
        # The sentence that refers to a table travels with it: a wide table's landscape page takes both.
        wide = " hrpark-wide" if 'class="hrpark-table hrpark-wide' in markup else ""
        self._show(f'<div class="hrpark-block{wide}">{text}{markup}</div>')

    def publish(
        self,
        df: pd.DataFrame,
        name: str,
        *,
        caption: str | None = None,
        formats: Mapping[str, str | ColumnFormat] | None = None,
    ) -> pd.DataFrame:
        """Hand ``df`` to the XLSX (alone: a sheet too long to show), with its caption for the cover's index
        and the column formats the page used, so the workbook shows the same."""
        frame = df.copy(deep=False)
        frame.attrs = {**df.attrs, CAPTION_ATTR: caption or df.attrs.get("title") or name}
        if formats:
            frame.attrs[FORMATS_ATTR] = dict(formats)
        publish_table(frame, name)
        return df

    def facts(self, rows: Sequence[tuple[str, Any]] | pd.DataFrame, name: str, **kwargs: Any) -> None:
        """A table of key figures: ``(项目, 数值)`` rows, or a frame with more columns (本年/上年 …)."""
        frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=["项目", "数值"])
        self.table(frame, name, **kwargs)

    def cover(
        self, facts: Sequence[tuple[str, Any]], tables: Mapping[str, pd.DataFrame] | None = None
    ) -> None:
        """The XLSX's 说明 sheet: the title page facts, 示例数据 where it applies, then ``facts`` (data source,
        policy …), the report's parameters and data files with their SHA-256 (its 版本与参数 and 数据文件 tables,
        if in ``tables``) and where the manifest is. Shown nowhere in the page itself."""
        rows = [
            ("标题", self.title),
            ("年度", str(self.year)),
            ("发布单位", self.issuer),
            ("报告日期", self.date_text),
        ]
        if self.sample:
            rows.append((labels.SAMPLE, SAMPLE_NOTICE))
        rows += [(str(k), str(v)) for k, v in facts]
        tables = tables or {}
        if "版本与参数" in tables:
            rows += [(str(k), str(v)) for k, v in tables["版本与参数"].itertuples(index=False, name=None)]
        if "数据文件" in tables:
            rows += [
                (f"数据文件 {f}", f"SHA-256 {h}")
                for f, h in tables["数据文件"].itertuples(index=False, name=None)
            ]
        rows.append(("清单", MANIFEST_NOTE))
        frame = pd.DataFrame(rows, columns=["项目", "内容"])
        frame.attrs = {"role": "cover"}
        publish_table(frame, "说明")

    def figure(self, fig: Any, name: str, *, title: str | None = None, lead: str | None = None) -> None:
        """Show ``fig`` as the next numbered figure, captioned ``图N title`` below it."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        if lead:
            self.paragraph(lead.format(ref=self.captions.peek(FIGURE)))
        caption = self.captions.figure(name, title)
        display(fig)
        plt.close(fig)
        self._show(f'<p class="hrpark-figcaption">{html.escape(caption)}</p>')

    @staticmethod
    def shown(table: pd.DataFrame, column: str, value: Any) -> str:
        """``value`` written exactly as ``column`` of ``table`` shows it (one rounding for text and table)."""
        frame = shown_frame(table)
        (spec,) = column_formats(frame[[column]])
        return spec.text(value)

    def ref(self, name: str) -> str:
        """``表N``/``图N`` of something already shown."""
        return self.captions.ref(name)


MANIFEST_NOTE = "同一文件夹中的 manifest.json 记录输入文件及其 SHA-256、全部参数、软件版本与输出文件。"
SAMPLE_NOTICE = "本报告使用软件包自带的合成示例数据，园区名称与数字均为虚构，仅用于演示。"
