"""第十六条: monthly reports -> annual figures; duplicated, missing and impossible months; encodings.

Every expected value is worked out by hand in the comment next to it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hrpark_analysis.engine import monthly
from hrpark_analysis.errors import InputError
from hrpark_analysis.io import readers
from hrpark_analysis.law.sheet import MonthlyField

FIELDS = {
    "revenue": MonthlyField("revenue", "营业收入", "万元", "flow"),
    "institutions": MonthlyField("institutions", "入驻机构数", "家", "stock"),
}
HEADER = "park_id,year,month,revenue,institutions\n"
PARKS = pd.DataFrame(
    {
        "park_id": ["A", "B", "C"],
        "certified_year": [2023, 2022, 2024],
        "certified_month": [12, 3, 10],
        "_row": [2, 3, 4],
    }
)


def write(tmp_path: Path, body: str, name: str = "monthly.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


def rows(*records) -> str:
    return "".join(",".join(map(str, r)) + "\n" for r in records)


def figures(frame: pd.DataFrame, year: int = 2024, flows: str = "received", parks=PARKS) -> monthly.Annual:
    return monthly.annual_figures(
        frame,
        parks,
        year,
        FIELDS,
        missing_month_flows=flows,
        default_certified_month=12,
        parks_file="parks.csv",
    )


def frame(*records) -> pd.DataFrame:
    out = pd.DataFrame(records, columns=["park_id", "year", "month", "revenue", "institutions"])
    out["_row"] = np.arange(len(out)) + 2
    return out


def full_year(park, year, revenue, institutions, skip=()):
    return [(park, year, m, revenue, institutions) for m in range(1, 13) if m not in skip]


def test_flows_are_summed_and_stocks_take_the_last_reported_month():
    # A: 2024 revenue 100 a month for January–November, December not reported.
    #    revenue 11 × 100 = 1100; institutions: November's 31 (the last month reported), not 0 or NaN.
    data = frame(*full_year("A", 2024, 100, 30, skip=(11, 12)), ("A", 2024, 11, 100, 31))
    got = figures(data).figures.set_index("park_id")
    assert got.loc["A", "revenue"] == 1100
    assert got.loc["A", "institutions"] == 31
    assert got.loc["A", ["months_expected", "months_received"]].tolist() == [12, 11]
    assert got.loc["A", "compliance"] == pytest.approx(11 / 12)


def test_a_missing_month_is_listed_not_silently_zero():
    data = frame(*full_year("A", 2024, 100, 30, skip=(6,)), *full_year("B", 2024, 50, 20))
    annual = figures(data)
    # A is missing June; B reported everything; C (certified 2024-10) reported nothing of Oct–Dec.
    assert annual.missing.values.tolist() == [
        ["A", 2024, 6],
        ["C", 2024, 10],
        ["C", 2024, 11],
        ["C", 2024, 12],
    ]
    got = annual.figures.set_index("park_id")
    # nothing reported: unknown, not zero
    assert np.isnan(got.loc["C", "revenue"]) and np.isnan(got.loc["C", "institutions"])
    assert got.loc["C", "compliance"] == 0  # 0 of the 3 months due


def test_annualize_counts_each_missing_month_at_the_average_of_the_reported_ones():
    # 11 months × 100 = 1100 reported; annualized 1100 × 12/11 = 1200
    data = frame(*full_year("A", 2024, 100, 30, skip=(6,)))
    assert figures(data, flows="annualize").figures.set_index("park_id").loc["A", "revenue"] == pytest.approx(
        1200
    )
    assert figures(data, flows="received").figures.set_index("park_id").loc["A", "revenue"] == 1100


def test_the_reporting_rate_counts_from_the_certification_month():
    # C is certified in October 2024: 3 months due (Oct, Nov, Dec); it reports Oct and Dec -> 2/3.
    data = frame(("C", 2024, 10, 10, 5), ("C", 2024, 12, 10, 6))
    got = figures(data).figures.set_index("park_id").loc["C"]
    assert got["months_expected"] == 3 and got["months_received"] == 2
    assert got["compliance"] == pytest.approx(2 / 3)
    assert got["institutions"] == 6  # December's value
    # in 2025 all 12 months are due
    assert figures(data, year=2025).figures.set_index("park_id").loc["C", "months_expected"] == 12


def test_without_a_certified_month_column_reports_are_due_from_the_default_month():
    parks = PARKS.drop(columns=["certified_month"])
    # default_certified_month=12: C certified 2024 owes December only
    got = figures(frame(("C", 2024, 12, 10, 5)), parks=parks).figures.set_index("park_id").loc["C"]
    assert got["months_expected"] == 1 and got["compliance"] == 1.0


def test_growth_compares_the_same_months_of_both_years():
    # A (certified 2023-12) reported December 2023 only: 80. In 2024: 100 a month, December 120.
    #   like-for-like: December 120 against December 80 -> 120/80 − 1 = 0.5 (not 1220/80 − 1)
    # B: 2023 months at 50, but March 2023 missing; 2024 all months at 55.
    #   common months: the 11 months other than March -> 11 × 55 / (11 × 50) − 1 = 0.1
    data = frame(
        ("A", 2023, 12, 80, 20),
        *full_year("A", 2024, 100, 30, skip=(12,)),
        ("A", 2024, 12, 120, 30),
        *full_year("B", 2023, 50, 20, skip=(3,)),
        *full_year("B", 2024, 55, 20),
    )
    got = figures(data).figures.set_index("park_id")
    assert got.loc["A", "revenue_growth"] == pytest.approx(0.5)
    assert got.loc["B", "revenue_growth"] == pytest.approx(0.1)
    assert np.isnan(got.loc["C", "revenue_growth"])  # no months in both years
    assert "institutions_growth" not in got.columns  # growth is for flows only


def test_a_clean_file_is_read_with_typed_columns(tmp_path):
    path = write(tmp_path, rows(("A", 2024, 1, '"1,200.5"', 30), ("B", 2024, 1, 0, 20)))
    got = readers.read_monthly(path, FIELDS, ["A", "B", "C"])
    assert got["revenue"].tolist() == [1200.5, 0.0]
    assert got["month"].dtype.kind == "i" and got["year"].dtype.kind == "i"


@pytest.mark.parametrize(
    ("body", "row", "column", "expected"),
    [
        (rows(("A", 2024, 1, 10, 3), ("A", 2024, 1, 11, 3)), 3, "park_id, year, month", "重复的记录"),
        (rows(("A", 2024, 1, 10, 3), ("A", 2024, 13, 10, 3)), 3, "month", "应不大于 12，实际为 13"),
        (rows(("A", 2024, 0, 10, 3)), 2, "month", "应不小于 1，实际为 0"),
        (rows(("A", 2024, 1, 10, 3), ("A", 2024, 2, -5, 3)), 3, "revenue", "应不小于 0，实际为 -5"),
        (rows(("A", 2024, 1, 10, -1)), 2, "institutions", "应不小于 0"),
        (rows(("A", 2024, 1, 10, 3), ("Z", 2024, 1, 10, 3)), 3, "park_id", "园区 Z 不在园区名单中"),
        (rows(("A", 2024, 1, "", 3)), 2, "revenue", "值为空"),
        (rows(("A", 2024, 1.5, 10, 3)), 2, "month", "应为整数"),
    ],
)
def test_impossible_rows_name_their_row_and_column(tmp_path, body, row, column, expected):
    path = write(tmp_path, body)
    with pytest.raises(InputError) as err:
        readers.read_monthly(path, FIELDS, ["A", "B", "C"])
    assert (err.value.row, err.value.column) == (row, column)
    assert expected in str(err.value) and str(path) in str(err.value)


def test_a_missing_field_column_is_an_error(tmp_path):
    path = tmp_path / "monthly.csv"
    path.write_text("park_id,year,month,revenue\nA,2024,1,10\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        readers.read_monthly(path, FIELDS, ["A"])
    assert err.value.column == "institutions"


def test_gb18030_csv_and_xlsx_read_the_same_as_utf8(tmp_path):
    # Chinese Excel saves CSV as GB18030; a park id in Chinese makes the encoding matter.
    body = rows(("示例园区甲", 2024, 1, 10.5, 3), ("示例园区甲", 2024, 2, 11, 4))
    utf8 = readers.read_monthly(write(tmp_path, body), FIELDS, ["示例园区甲"])
    gb = readers.read_monthly(write(tmp_path, body, "gb.csv", "gb18030"), FIELDS, ["示例园区甲"])
    bom = readers.read_monthly(write(tmp_path, body, "bom.csv", "utf-8-sig"), FIELDS, ["示例园区甲"])
    xlsx = tmp_path / "monthly.xlsx"
    pd.read_csv(tmp_path / "monthly.csv").to_excel(xlsx, index=False)
    from_xlsx = readers.read_monthly(xlsx, FIELDS, ["示例园区甲"])
    for other in (gb, bom, from_xlsx):
        pd.testing.assert_frame_equal(other, utf8)
    assert utf8["park_id"].tolist() == ["示例园区甲", "示例园区甲"]


def test_certified_month_cells_in_the_parks_file_are_checked(tmp_path):
    parks = pd.DataFrame({"park_id": ["A", "B"], "certified_year": [2023, 2023], "certified_month": ["11", "13"],
                          "_row": [2, 3]})  # fmt: skip
    with pytest.raises(InputError) as err:
        readers.certification_months(parks, default_certified_month=12, file="parks.csv")
    assert (err.value.row, err.value.column) == (3, "certified_month")
    parks.loc[1, "certified_month"] = ""
    assert readers.certification_months(parks, default_certified_month=12, file="parks.csv").tolist() == [
        11,
        12,
    ]
