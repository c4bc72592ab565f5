"""The executed notebook as a Word document (python-docx), to be edited in Word or WPS.

The same :mod:`.blocks` as the PDF: a title page (the title in Word's ``Title`` style, the issuing body, the
date, the 示例数据 notice), a 目录 that is Word's own TOC field (Word fills in its page numbers when the
file opens; until then it lists the headings), the report's sections in ``Heading 1`` and their
subsections in ``Heading 2`` (the navigation pane and the 目录 find them), paragraphs, figures with a
``Caption`` paragraph, and real tables
— header rows marked to repeat on every page, text left and numbers right, the widths and font size of
:func:`.layout.table_layout`; a section with a table too wide for portrait is a landscape section. A4 pages.
Chinese runs use 宋体 (headings 黑体) through the East-Asian font slot, which Word and WPS both honour.

Same inputs, same bytes: the core properties (created, modified, last printed) are the report's date from
:func:`hrpark_analysis.reports.dates.document_datetime`, and the zip is rewritten by
:func:`.reproducible.normalize_zip` with every entry dated that day (python-docx would stamp each entry with the
wall clock).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from xml.sax.saxutils import escape

from hrpark_analysis.reports.export.blocks import (
    Contents,
    Document,
    Figure,
    Heading,
    Paragraph,
    Table,
    TitlePage,
)
from hrpark_analysis.reports.export.layout import figure_width_pt, sections, table_layout
from hrpark_analysis.reports.export.reproducible import normalize_zip

TITLE_PT = 24  # 一号 is 26 pt: the title of a report, on its own page
CONTENTS_DEPTH = 2  # the 目录 lists sections (Heading 1) and subsections (Heading 2)
CONTENTS_INDENT_TWIPS = 420  # a subsection's entry is indented two characters of body text
CONTENTS_NOTE = "注：目录页码在 Word 中打开文档时更新；如未更新，请右键单击目录并选择“更新域”。"
BODY_FONT = "宋体"  # the East-Asian font of body text and tables (Word and WPS ship it)
HEADING_FONT = "黑体"
LATIN_FONT = "Arial"
BODY_PT = 10.5  # 五号
PAGE_MM = (210, 297)  # A4
MARGIN_MM = 20
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CELL_MARGIN_TWIPS = 45  # 2.25 pt each side: within the padding that layout.table_layout allows for


def _fonts(element, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Set every font slot of a style's or run's rPr, dropping theme fonts (which would override them)."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), latin)


def _styles(doc) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element, BODY_FONT)
    # The East-Asian language tells Word and WPS to break lines and space punctuation the Chinese way.
    rpr = normal.element.get_or_add_rPr()
    rpr.append(rpr.makeelement(qn("w:lang"), {qn("w:val"): "en-US", qn("w:eastAsia"): "zh-CN"}))
    for level, size in ((1, 18), (2, 15), (3, 12.5)):
        style = doc.styles[f"Heading {level}"]
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.bold = True
        _fonts(style.element, HEADING_FONT)
    title = doc.styles["Title"]
    title.font.size = Pt(TITLE_PT)
    title.font.bold = True
    title.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(title.element, HEADING_FONT)
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):  # the template's blue rule under the title
        ppr.remove(border)
    caption = doc.styles["Caption"]
    caption.font.size = Pt(10)
    caption.font.bold = True
    caption.font.italic = False
    caption.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(caption.element, HEADING_FONT)


def _page(section, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    width, height = PAGE_MM if not landscape else PAGE_MM[::-1]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(width), Mm(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))


def _title_page(doc, block: TitlePage) -> None:
    """The title (Word's Title style), subtitle, issuing body and date, and the 示例数据 notice."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    def line(text: str, size: float, before: float, color: RGBColor | None = None, style: str | None = None):
        par = _styled(doc, style)
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        par.paragraph_format.space_before = Pt(before)
        run = par.add_run(text)
        if style is None:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color
        return par

    # Spaced by hand, not centred by the section's vAlign: LibreOffice ignores that (and these add up to
    # about 600 of the page's 728 pt, so the title page never runs onto a second page).
    line(block.title, TITLE_PT, 140, style="Title")
    if block.subtitle:
        line(block.subtitle, 12, 6, RGBColor(0x46, 0x46, 0x46))
    line(block.issuer, 15, 180)
    line(block.date, 15, 6)
    if block.notice:
        line(block.notice, 10, 100, RGBColor(0xB7, 0x1C, 0x1C))


def _contents(doc, headings: list[Heading]) -> None:
    """目录: a TOC field over the Heading 1–2 paragraphs, which Word fills in with page numbers when the
    document is opened (settings ``updateFields``). Until it is updated — and in an editor that does not
    update fields on opening — the field shows the headings themselves, and a note says how to update it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    heading = _styled(doc, "TOC Heading", "目录")  # outline level 9: not an entry of the 目录 itself
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    entries = [h for h in headings if h.level <= CONTENTS_DEPTH] or [Heading(1, "(打开文档时更新目录)")]
    begin = (
        '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> TOC \\o "1-{CONTENTS_DEPTH}" \\h \\z \\u </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    )
    end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    for i, entry in enumerate(entries):
        indent = (entry.level - 1) * CONTENTS_INDENT_TWIPS
        run = f'<w:r><w:t xml:space="preserve">{escape(entry.text)}</w:t></w:r>'
        xml = (
            f'<w:p xmlns:w="{W_NS}"><w:pPr><w:spacing w:before="0" w:after="60"/>'
            f'<w:ind w:left="{indent}"/></w:pPr>{begin if i == 0 else ""}{run}'
            f"{end if i == len(entries) - 1 else ''}</w:p>"
        )
        doc.element.body.find(qn("w:sectPr")).addprevious(parse_xml(xml))
    note = _styled(doc, None, CONTENTS_NOTE)
    note.paragraph_format.space_before = Pt(12)
    for run in note.runs:
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x61, 0x61, 0x61)
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = settings.makeelement(qn("w:updateFields"), {qn("w:val"): "true"})
        # CT_Settings order: updateFields precedes hdrShapeDefaults, footnotePr, endnotePr and compat.
        later = [qn(f"w:{tag}") for tag in ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat")]
        following = next((child for child in settings if child.tag in later), None)
        if following is not None:
            following.addprevious(update)
        else:
            settings.append(update)


STYLES = ("Heading 1", "Heading 2", "Heading 3", "Heading 4", "Heading 5", "Heading 6", "Heading 7",
          "Heading 8", "Heading 9", "Caption", "List Bullet", "Intense Quote", "Title",
          "TOC Heading")  # fmt: skip
_STYLE_IDS: dict[str, str] = {}  # style name -> id in python-docx's default template, filled on first use


def _styled(doc, style: str | None, text: str | None = None):
    """A new paragraph in the style named ``style`` (None: Normal).

    The style id is set on the paragraph directly: python-docx's lookup by name scans the styles part on
    every call, which made it the slowest step of the whole document.
    """
    if not _STYLE_IDS:
        _STYLE_IDS.update({name: doc.styles[name].style_id for name in STYLES})
    par = doc.add_paragraph(text)
    if style is not None:
        par._p.style = _STYLE_IDS[style]
    return par


def _paragraph(doc, block: Paragraph) -> None:
    from docx.shared import Pt, RGBColor

    style = {"bullet": "List Bullet", "quote": "Intense Quote"}.get(block.style)
    par = _styled(doc, style)
    for piece in block.runs:
        run = par.add_run(piece.text)
        run.bold = piece.bold or None
        run.italic = piece.italic or None
        if piece.code:
            run.font.color.rgb = RGBColor(0x37, 0x47, 0x4F)
    if block.style == "quote":
        for run in par.runs:
            run.font.size = Pt(BODY_PT)


def _run_xml(text: str, half_points: int, bold: bool) -> str:
    lines = str(text).split("\n")
    parts = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
    weight = "<w:b/>" if bold else ""
    return f'<w:r><w:rPr>{weight}<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>{parts}</w:r>'


def _cell_xml(text: str, twips: int, span: int, align: str, half_points: int, header: bool) -> str:
    props = f'<w:tcW w:w="{twips}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if header:
        props += '<w:shd w:val="clear" w:color="auto" w:fill="E8E8E8"/>'
    props += '<w:vAlign w:val="center"/>'
    run = _run_xml(text, half_points, header) if text else ""
    return (
        f'<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:pPr><w:spacing w:before="0" w:after="0"/>'
        f'<w:jc w:val="{align}"/></w:pPr>{run}</w:p></w:tc>'
    )


def _table_xml(block: Table, style_id: str) -> str:
    """The table as WordprocessingML, built as text and parsed once: python-docx's cell-by-cell API is slow."""
    layout = table_layout(block)
    twips = [round(w * 20) for w in layout.widths_pt]
    half_points = round(layout.font_pt * 2)
    numeric = block.numeric
    rows = []
    for header_row in block.header:
        cells, start = [], 0
        for cell in header_row:
            width = sum(twips[start : start + cell.span])
            cells.append(_cell_xml(cell.text, width, cell.span, "center", half_points, True))
            start += cell.span
        # tblHeader: Word and WPS repeat this row at the top of every page the table runs onto.
        rows.append(f'<w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>{"".join(cells)}</w:tr>')
    for values in block.body:
        cells = [
            _cell_xml(value, twips[j], 1, "right" if numeric[j] else "left", half_points, False)
            for j, value in enumerate(values)
        ]
        rows.append(f"<w:tr>{''.join(cells)}</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
    margin = f'w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"'
    return (
        f'<w:tbl xmlns:w="{W_NS}"><w:tblPr><w:tblStyle w:val="{style_id}"/>'
        f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
        f"<w:tblCellMar><w:left {margin}/><w:right {margin}/></w:tblCellMar></w:tblPr>"
        f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )


def _table(doc, block: Table) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    if block.caption:
        _styled(doc, "Caption", block.caption).paragraph_format.keep_with_next = True
    table = parse_xml(_table_xml(block, doc.styles["Table Grid"].style_id))
    body = doc.element.body
    body.find(qn("w:sectPr")).addprevious(table)
    # Two tables with nothing between them are one table to Word: a paragraph after each keeps them apart.
    doc.add_paragraph().paragraph_format.space_after = 0


def _figure(doc, block: Figure) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc.add_picture(io.BytesIO(block.png), width=Pt(figure_width_pt(block)))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if block.caption:
        caption = _styled(doc, "Caption", block.caption)
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER


def write_docx(document: Document, path: str | Path, *, date: dt.datetime, author: str = "") -> None:
    """Write ``document`` as the Word file ``path``, dated ``date`` in its core properties, by ``author``."""
    import docx
    from docx.enum.section import WD_SECTION

    doc = docx.Document()
    _styles(doc)
    naive = date.replace(tzinfo=None)  # core properties are stored in UTC without an offset
    props = doc.core_properties
    props.title = document.title
    props.author = author
    props.last_modified_by = author
    props.created = props.modified = props.last_printed = naive
    props.revision = 1
    props.comments = ""
    props.language = "zh-CN"

    headings = [b for b in document.blocks if isinstance(b, Heading)]
    current: bool | None = None  # the orientation of the page so far (None: no page yet)
    front = False  # the section so far was the title page or the 目录: what follows starts a new page
    for section in sections(document.blocks):
        landscape = section.landscape
        if current is None:
            word_section = doc.sections[0]
        elif landscape or current or front:
            # A new page in the orientation of this section; portrait sections otherwise just follow on.
            word_section = doc.add_section(WD_SECTION.NEW_PAGE)
        else:
            word_section = None
        if word_section is not None:
            _page(word_section, landscape)
        current = landscape
        front = any(isinstance(b, TitlePage | Contents) for b in section.blocks)
        for block in section.blocks:
            if isinstance(block, TitlePage):
                _title_page(doc, block)
            elif isinstance(block, Contents):
                _contents(doc, headings)
            elif isinstance(block, Heading):
                _styled(doc, f"Heading {min(max(block.level, 1), 9)}", block.text)
            elif isinstance(block, Paragraph):
                _paragraph(doc, block)
            elif isinstance(block, Table) and block.n_columns:
                _table(doc, block)
            elif isinstance(block, Figure):
                _figure(doc, block)

    doc.save(str(path))
    # python-docx stamps the save time into every zip entry: the one normalization of every office output
    # (export/reproducible.py) dates them by the report instead, so equal content is equal bytes.
    normalize_zip(Path(path), date)
