"""Issue 4: the annual evaluation report end to end on the sample data, as a user runs it.

One real run (module fixture) serves most assertions; a second run with hostile park names checks that
text in generated files stays inert. The runner's own safety (killed runs, concurrent runs, failing cells)
is tested on a tiny fixture notebook in test_report_runner.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
from report_checks import check_html, check_reproduces, check_xlsx

from hrpark_analysis.cli import main
from hrpark_analysis.engine import ledger
from hrpark_analysis.engine.dataset import SAMPLE_DIR, load_dataset
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.reports.export import write_xlsx

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ["一、概况", "二、得分", "三、等次", "四、结果运用", "五、资金", "附录"]
TITLE = "2025年度重庆市市级人力资源服务产业园绩效评估报告"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    code = main(
        ["report", "annual", "--params", str(REPO / "params" / "annual-2025.yaml"), "--out", str(out)]
    )
    assert code == 0
    return out / "2025"


@pytest.fixture(scope="module")
def expected_ledger():
    """The 2025 ledger computed directly from the library, independently of the notebook."""
    policy = load_policy()
    ds = load_dataset(SAMPLE_DIR, 2025, policy)
    book = ledger.build(ds.parks, ds.evaluations, policy, end_year=2025).ledger
    return book[book["year"] == 2025]


def test_the_report_folder_has_notebook_html_pdf_docx_xlsx_and_manifest(report):
    names = sorted(p.name for p in report.iterdir())
    assert names == [
        "annual_evaluation.docx",
        "annual_evaluation.html",
        "annual_evaluation.ipynb",
        "annual_evaluation.pdf",
        "annual_evaluation.xlsx",
        "environment.txt",
        "manifest.json",
    ]


def test_the_html_has_every_section_in_chinese_and_no_code_or_traceback(report):
    html = (report / "annual_evaluation.html").read_text("utf-8")
    for section in SECTIONS:
        assert section in html
    assert "示例数据" in html
    assert "Traceback" not in html
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html  # no cell printed a warning
    assert "from hrpark_analysis" not in html and "load_dataset(" not in html  # code cells hidden
    assert "<script src=" not in html  # self-contained: no external scripts


TITLE = "2025年度重庆市市级人力资源服务产业园绩效评估报告"


def test_the_html_reads_as_a_document_with_every_table_and_figure_numbered_and_captioned(report):
    check_html(report / "annual_evaluation.html", TITLE, summary_before="本年度适用的政策参数</caption>")
    page = (report / "annual_evaluation.html").read_text("utf-8")
    assert "重庆市人力资源和社会保障局" in page and "2025年12月31日" in page  # issuer, date from dates.py
    assert "2,440" in page  # thousands separators: last year's municipal outlay in the 摘要


def test_the_workbook_opens_on_a_cover_sheet_and_every_sheet_is_formatted_for_print(report):
    book = check_xlsx(report / "annual_evaluation.xlsx", TITLE)
    facts = {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True) if row and row[0]}
    assert facts["年度"] == "2025" and "示例数据" in facts
    assert book["得分表"].oddHeader.right.text == "示例数据"  # printed on every page of every sheet
    index = {row[0]: row for row in book["说明"].iter_rows(values_only=True) if row and row[0]}
    assert index["得分表-P01"][2] == "P01"  # each park sheet's full id in the index
    assert book["得分表"].freeze_panes == "C2"  # header row and the id/name columns stay in view
    changes = book["主要数字"]
    assert [c.value for c in changes[1]][-1] == "增减" and changes["D2"].number_format == "+#,##0;-#,##0;0"
    money = book["资金拨付"]
    header = [c.value for c in money[1]]
    column = header.index("实拨基础补助(万元)") + 1
    assert money.cell(row=2, column=column).number_format == "#,##0"


def test_a_park_id_too_long_for_a_sheet_name_is_kept_whole_in_a1_and_in_the_index(tmp_path):
    # issue 12: Excel cuts sheet names at 31 characters, so two long ids become 得分表-QQQ… and … (2)
    long_ids = ["Q" * 40 + "1", "Q" * 40 + "2"]
    tables = []
    for park_id in long_ids:
        frame = pd.DataFrame({"指标代码": ["a"], "得分": [1.5]})
        frame.attrs = {"park_id": park_id, "title": f"园区编号 {park_id}：甲 绩效评估得分表"}
        tables.append((f"得分表-{park_id}", frame))
    path = tmp_path / "t.xlsx"
    names = write_xlsx(tables, path)
    assert names[1].endswith(" (2)") and names[0] != names[1]
    book = openpyxl.load_workbook(path)
    for name, park_id in zip(names, long_ids, strict=True):
        assert book[name]["A1"].value == f"园区编号 {park_id}：甲 绩效评估得分表"
    index = {row[0]: row[2] for row in book["说明"].iter_rows(values_only=True) if row and row[0]}
    assert [index[name] for name in names] == long_ids


def test_the_executed_notebook_has_no_error_outputs(report):
    nb = nbformat.read(report / "annual_evaluation.ipynb", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert outputs and not [o for o in outputs if o.output_type == "error"]


def test_xlsx_totals_equal_the_ledger(report, expected_ledger):
    wb = openpyxl.load_workbook(report / "annual_evaluation.xlsx", read_only=True)
    assert {"得分表", "资金拨付", "园区台账", "假设"} <= set(wb.sheetnames)
    rows = list(wb["资金拨付"].values)
    header, total = rows[0], rows[-1]
    assert total[0] == "合计"
    got = dict(zip(header, total, strict=True))
    assert got["实拨基础补助(万元)"] == pytest.approx(expected_ledger["base_paid"].sum())
    assert got["优秀奖励(万元)"] == pytest.approx(expected_ledger["bonus"].sum())
    assert got["暂缓拨付(万元)"] == pytest.approx(expected_ledger["pending"].sum())
    assert got["取消(万元)"] == pytest.approx(expected_ledger["cancelled"].sum())


def test_every_graded_park_has_its_own_score_sheet(report, expected_ledger):
    wb = openpyxl.load_workbook(report / "annual_evaluation.xlsx", read_only=True)
    evaluated = expected_ledger[expected_ledger["evaluated"]]
    park_sheets = [n for n in wb.sheetnames if n.startswith("得分表-")]
    assert sorted(park_sheets) == sorted(f"得分表-{p}" for p in evaluated["park_id"])
    rows = list(wb[park_sheets[0]].values)
    assert rows[0][0].startswith(f"园区编号 {park_sheets[0].removeprefix('得分表-')}：")  # A1: the full id
    header = rows[1]
    points = [dict(zip(header, r, strict=True)) for r in rows[2:]]
    total = points[-1]
    assert total["指标代码"] == "合计"
    assert sum(p["得分"] for p in points[:-1]) == pytest.approx(total["得分"], abs=0.02)
    assert total["分值"] == pytest.approx(100)


def test_a_rerun_without_force_refuses_and_keeps_the_old_report(report, capsys):
    before = {p.name: p.read_bytes() for p in report.iterdir()}
    code = main(["report", "annual", "--params", str(REPO / "params" / "annual-2025.yaml"),
                 "--out", str(report.parent)])  # fmt: skip
    assert code == 2
    assert "--force" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in report.iterdir()} == before


def test_unknown_or_mistyped_parameters_are_refused_before_running(tmp_path, capsys):
    params = tmp_path / "p.yaml"
    params.write_text('data_dir: ""\nyear: 2025\nsead: 1\n', "utf-8")
    assert main(["report", "annual", "--params", str(params), "--out", str(tmp_path / "r")]) == 2
    assert "sead" in capsys.readouterr().err
    params.write_text("data_dir: ''\nyear: '2025'\n", "utf-8")
    assert main(["report", "annual", "--params", str(params), "--out", str(tmp_path / "r")]) == 2
    assert "year" in capsys.readouterr().err
    assert not (tmp_path / "r" / "2025").exists()


def test_hostile_park_names_stay_inert_in_html_and_xlsx(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    parks = pd.read_csv(data / "parks.csv", dtype=str, keep_default_na=False)
    parks.loc[0, "name"] = "<script>alert(1)</script>"
    parks.loc[1, "name"] = '=HYPERLINK("http://x","y")'
    parks.to_csv(data / "parks.csv", index=False)
    out = tmp_path / "reports"
    assert main(["report", "annual", "--year", "2025", "--data", str(data), "--out", str(out)]) == 0
    html = (out / "2025" / "annual_evaluation.html").read_text("utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    wb = openpyxl.load_workbook(out / "2025" / "annual_evaluation.xlsx", read_only=True)
    cells = [v for row in wb["得分表"].values for v in row if isinstance(v, str)]
    assert any(v.startswith("'=HYPERLINK") for v in cells)
    assert not any(v.startswith("=") for v in cells)


def test_a_recorded_rectification_outcome_for_the_scored_year_resolves_the_pending_amount(tmp_path):
    # P19 is 不合格 in 2025 with its 100 pending (data/sample/README.md); the bureau records that it
    # rectified in time, so the 100 is paid (第二十五条(二)). The score in that row is ignored.
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    with open(data / "evaluations.csv", "a", encoding="utf-8") as fh:
        fh.write("P19,2025,0,false,true,,,\n")
    policy = load_policy()
    before = load_dataset(SAMPLE_DIR, 2025, policy)
    after = load_dataset(data, 2025, policy)

    def row(ds):
        book = ledger.build(ds.parks, ds.evaluations, policy).ledger
        return book.set_index(["park_id", "year"]).loc[("P19", 2025)]

    assert (row(before)["pending"], row(before)["base_paid"]) == (100, 0)
    assert (row(after)["pending"], row(after)["base_paid"]) == (0, 100)
    assert row(after)["score"] == row(before)["score"]


def test_a_year_in_which_no_park_takes_part_says_so(tmp_path, capsys):
    # the sample's first parks are certified in 2022 and first evaluated in 2023 (第二十条; docs/readings.md)
    assert main(["score", "--data", str(SAMPLE_DIR), "--year", "2022", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "2022 年没有园区参加绩效评估" in err and "certified_year" in err
    assert not (tmp_path / "o").exists()


def appendix_rules(report_dir: Path) -> dict[str, str]:
    """The 附录's 规则与条款 table as the produced HTML shows it: article -> rule."""
    import html as html_lib
    import re

    page = (report_dir / "annual_evaluation.html").read_text("utf-8")
    appendix = page.index('<h2 id="%E9%99%84%E5%BD%95">')  # 附录, the last section
    caption = re.compile(r"<caption>表\d+ 适用的规则及其条款原文</caption>")
    start = caption.search(page, appendix).start()
    table = page[start : page.index("</table>", start)]
    assert "条款" in table and "规则" in table
    rules = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        cells = [
            html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        if cells:
            rules[cells[0]] = cells[1]
    return rules


def test_the_appendix_states_the_rules_of_the_baseline(report):
    rules = appendix_rules(report)
    assert "30%" in rules["第二十四条"] and "60分" in rules["第二十四条"]
    assert "10万元" in rules["第二十五条(一)"]
    assert "150/100/50万元" in rules["第十一条"] and "300万元" in rules["第十一条"]
    assert "连续两年" in rules["第二十五条(二)"]


def test_a_reform_report_states_the_reform_rules_not_the_2021_numbers(tmp_path):
    # 第二十四条 and 第二十五条(一) reformed: the appendix must state the rules that were applied.
    params = tmp_path / "reform.yaml"
    params.write_text(
        f"data_dir: {SAMPLE_DIR.as_posix()}\nyear: 2025\n"
        'policy_set: ["grading.excellent_share=0.2", "subsidy.excellent_bonus=20"]\n',
        "utf-8",
    )
    out = tmp_path / "reports"
    assert main(["report", "annual", "--params", str(params), "--out", str(out)]) == 0
    rules = appendix_rules(out / "2025")
    assert "优秀不超过参评园区总数的20%" in rules["第二十四条"]
    assert "30%" not in rules["第二十四条"]
    assert "增加补助资金20万元" in rules["第二十五条(一)"]
    assert "10万元" not in rules["第二十五条(一)"]
    stated = " ".join(rules.values())
    assert "30%" not in stated and "10万元" not in stated
    # the unchanged rules keep the law's numbers
    assert "150/100/50万元" in rules["第十一条"] and "60分" in rules["第二十四条"]


# --- the PDF and the Word document ---------------------------------------------------------------------------
GRADE_WORDS = {"excellent": "优秀", "qualified": "合格", "unqualified": "不合格"}
A4_MARGIN_PT = 2 / 2.54 * 72  # 2 cm: the PDF's side margins


@pytest.fixture(scope="module")
def expected_grades(expected_ledger):
    """Each graded park's 2025 total (two decimals, as the report shows totals) and grade word, from the ledger."""
    graded = expected_ledger[expected_ledger["evaluated"]]
    assert len(graded) == 24  # the sample's 2025 participants (sample_data/README.md)
    return {row.park_id: (f"{row.score:.2f}", GRADE_WORDS[row.grade]) for row in graded.itertuples()}


def park_rows(text: str) -> list[str]:
    """The text split before every park id (P01 …): each piece is one park's row, however it wrapped."""
    import re

    return re.split(r"(?=\bP\d{2}\b)", " ".join(text.split()))


def test_the_pdf_text_holds_every_graded_park_total_and_grade(report, expected_grades):
    import pypdf

    reader = pypdf.PdfReader(report / "annual_evaluation.pdf")
    rows = park_rows("\n".join(page.extract_text() for page in reader.pages))
    for park, (total, grade) in expected_grades.items():
        assert any(r.startswith(park) and total in r.split() and grade in r.split() for r in rows), park


def test_the_pdf_is_a4_with_its_cjk_font_embedded_and_bookmarks_from_the_headings(report):
    import pypdf

    reader = pypdf.PdfReader(report / "annual_evaluation.pdf")
    for page in reader.pages:
        size = sorted((round(float(page.mediabox.width)), round(float(page.mediabox.height))))
        assert size == [595, 842]  # A4 in points, portrait or landscape
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
            fonts.append(str(font["/BaseFont"]))
    assert fonts and all("NotoSansCJK" in name for name in fonts)
    titles = []
    stack = list(reader.outline)
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack = item + stack
        else:
            titles.append(item.title)
    assert set(SECTIONS) <= set(titles)


def test_every_pdf_table_column_starts_inside_the_page_margins(report):
    import pypdf

    reader = pypdf.PdfReader(report / "annual_evaluation.pdf")
    for number, page in enumerate(reader.pages, start=1):
        width = float(page.mediabox.width)
        starts: list[float] = []

        def visit(text, cm, tm, font, size, starts=starts):
            if text.strip():
                starts.append(cm[0] * tm[4] + cm[2] * tm[5] + cm[4])

        page.extract_text(visitor_text=visit)
        assert starts, number
        assert min(starts) >= A4_MARGIN_PT - 1 and max(starts) <= width - A4_MARGIN_PT, number


def test_the_score_table_has_every_column_on_the_page_of_its_first_row(report):
    import pypdf

    reader = pypdf.PdfReader(report / "annual_evaluation.pdf")
    wb = openpyxl.load_workbook(report / "annual_evaluation.xlsx", read_only=True)
    rows = wb["得分表"].values
    header, first = [str(h) for h in next(rows)], next(rows)
    first_park = str(first[header.index("园区编号")])
    # Wrapped headers come out line by line: compare the page's text with all whitespace removed.
    pages = ["".join(page.extract_text().split()) for page in reader.pages]
    page = next(p for p in pages if "总分" in p and "等次" in p and first_park in p)
    missing = [h for h in header if "".join(h.split()) not in page]
    assert not missing


def test_the_pdf_opens_on_a_title_page_then_a_contents_page_whose_numbers_match_the_bookmarks(report):
    import re

    import pypdf

    reader = pypdf.PdfReader(report / "annual_evaluation.pdf")
    texts = [page.extract_text() for page in reader.pages]
    cover = "".join(texts[0].split())
    for fact in (TITLE, "重庆市人力资源和社会保障局", "2025年12月31日", "示例数据"):
        assert fact in cover, fact
    assert cover.count("示例数据：") == 1  # the notice once, on the title page
    assert "目录" not in cover and "摘要" not in cover  # the title page is a page of its own
    assert texts[1].split()[0] == "目录"
    assert "".join(texts[2].split()).startswith("摘要")  # 摘要 opens the report after the 目录
    # Each 目录 line is "一、概况 . . . 2": the printed number is the page the bookmark opens, counted from
    # the 摘要 page as 1 (the title page and the 目录 carry no number).
    listed = {
        name: int(number) for name, number in re.findall(r"^(\S+?)[\s.]*?\u2060?(\d+)\s*$", texts[1], re.M)
    }
    bookmarks = {item.title: reader.get_destination_page_number(item) for item in _outline(reader)}
    for section in ["摘要", *SECTIONS, "等次说明"]:
        assert listed[section] == bookmarks[section] - 1, section
    assert texts[2].split()[-1] == str(len(reader.pages) - 2)  # the footer: "1 / N" on the 摘要 page


def _outline(reader) -> list:
    items, stack = [], list(reader.outline)
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack = item + stack
        else:
            items.append(item)
    return items


def test_the_docx_has_a_title_page_a_contents_field_and_word_headings_for_each_section(report):
    import docx

    document = docx.Document(report / "annual_evaluation.docx")
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", TITLE)
    front = [text for _, text in paragraphs[: paragraphs.index(("TOC Heading", "目录"))]]
    assert {"重庆市人力资源和社会保障局", "2025年12月31日"} <= set(front)
    assert any(text.startswith("示例数据：") for text in front)
    # The sections are Word's top level (the navigation pane, the 目录), the appendix's parts the second.
    assert [text for style, text in paragraphs if style == "Heading 1"] == [
        "摘要",
        *SECTIONS[:5],
        "解读影响",
        "附录",
    ]
    assert "等次说明" in [text for style, text in paragraphs if style == "Heading 2"]
    # The 目录 is a TOC field over Heading 1–2 that Word fills in (with page numbers) when the file opens.
    body = document.element.body.xml
    assert 'TOC \\o "1-2"' in body and 'w:dirty="true"' in body
    assert document.settings.element.xpath("./w:updateFields/@w:val") == ["true"]
    assert sum("示例数据：" in text for _, text in paragraphs) == 1


def test_the_docx_has_word_tables_with_every_graded_park(report, expected_grades):
    import docx

    document = docx.Document(report / "annual_evaluation.docx")
    found = {}
    for table in document.tables:
        assert table.rows[0]._tr.trPr is not None and table.rows[0]._tr.trPr.xpath("./w:tblHeader")
        for row in table.rows:
            cells = [c.text for c in row.cells]
            if cells and cells[0] in expected_grades:
                found.setdefault(cells[0], set()).update(cells)
    for park, (total, grade) in expected_grades.items():
        assert {total, grade} <= found.get(park, set()), park


def test_docx_numbers_are_right_aligned_and_text_left(report):
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document(report / "annual_evaluation.docx")
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "园区编号" and "总分" in
                 [c.text for c in t.rows[0].cells])  # fmt: skip
    header = [c.text for c in table.rows[0].cells]
    row = table.rows[1].cells
    assert row[header.index("总分")].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert row[header.index("园区名称")].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT


def test_a_second_run_gives_the_same_bytes_in_every_file(report, monkeypatch, capsys):
    """Issue 11: `hrpark report verify` re-runs the report from its manifest and compares every file."""
    check_reproduces(report, REPO, monkeypatch, capsys)
