"""A data folder laid out like the sample dataset, read once and scored for one evaluation year.

This is the one entry point for notebooks, forecasts and sweeps::

    ds = load_dataset(SAMPLE_DIR, 2025, policy)
    result = ledger.build(ds.parks, ds.evaluations, policy)   # past results + the scored year

Files (CSV in UTF-8 / UTF-8 with BOM / GB18030, or XLSX with the same stem; see ``sample_data/README.md``),
with the English keys or the Chinese headers of ``hrpark template`` (labels.INPUT_COLUMN). Every file is
read and checked before anything stops, so all of a folder's problems come back in one InputErrors:

| file | required | content |
|---|---|---|
| ``parks`` | yes | ``hrpark evaluate``'s parks file, optional ``certified_month`` (第十六条) |
| ``evaluations`` | no | past results (第二十四条), used for years before YEAR only |
| ``monthly`` | yes | 第十六条 monthly reports: ``park_id, year, month`` + the sheet's monthly fields |
| ``targets`` | if the sheet has ratio_to_target indicators | 第十四条 annual targets: ``park_id, year, indicator, target`` |
| ``ratings`` | if the sheet has rating indicators | 第二十二条(三) expert ratings: ``park_id, year, indicator, rating[, expert]`` |
| ``events`` | no | deduction and veto events: ``park_id, year, indicator, count[, note]`` |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from hrpark_analysis import labels
from hrpark_analysis.engine import ledger, monthly
from hrpark_analysis.errors import InputError
from hrpark_analysis.io import readers
from hrpark_analysis.io.problems import Problems
from hrpark_analysis.io.readers import EVALUATION_FIELDS
from hrpark_analysis.io.tables import ROW
from hrpark_analysis.law.policy import DIMENSION_COLUMNS, Policy
from hrpark_analysis.law.sheet import Sheet, load_sheet
from hrpark_analysis.rules.scoring import score_parks

# The synthetic 示例数据 shipped with the package (a checkout or an installed wheel alike).
SAMPLE_DIR = Path(str(resources.files("hrpark_analysis").joinpath("sample_data")))
SCORED_ROW = 0  # `_row` of the scored year's evaluations: they come from no file row


@dataclass(frozen=True)
class Dataset:
    """One data folder read for one evaluation year (all frames validated)."""

    data_dir: Path
    year: int
    parks: pd.DataFrame  # inputs.read_parks: park_id, name, district, region, certified_year, kind, ...
    evaluations: pd.DataFrame  # past results (years < year) + the scored year: ready for ledger.build
    scores: pd.DataFrame  # park_id, year, one column per indicator, subtotals, score, veto
    sheet: Sheet
    files: list[Path]  # every input file read, the sheet included (for checksums in reports)
    annual: pd.DataFrame  # 第十六条 annual figures of the scored parks (monthly.annual_figures)
    missing_months: pd.DataFrame  # park_id, year, month: months due in YEAR but not reported

    @property
    def is_sample(self) -> bool:
        """Synthetic 示例数据 (every park named 示例…): reports and charts built from it must say so."""
        return bool(len(self.parks)) and bool(self.parks["name"].str.startswith("示例").all())


# --- who takes part --------------------------------------------------------------------------------------
def taking_part(
    parks: pd.DataFrame, past: pd.DataFrame, year: int, policy: Policy, *, evaluations_file: str | Path
) -> np.ndarray:
    """第二十条 / 第二十五条(二): parks evaluated in YEAR — certified at least ``first_evaluation_offset``
    years before and not revoked by the past results (found by running ``ledger.build`` up to YEAR−1).

    Past results must cover every year a park was due before YEAR: without them nobody can tell whether
    the park lost its plaque, so a gap is an error naming the park and the year.
    """
    offset = policy["evaluation.first_evaluation_offset"]
    certified = parks["certified_year"].to_numpy(dtype=int)
    due = certified + offset <= year
    if len(parks) == 0 or year - 1 < certified.min():
        return due
    book = ledger.build(parks, past, policy, evaluations_file=evaluations_file, end_year=year - 1).ledger
    cert_of = dict(zip(parks["park_id"], certified, strict=True))
    row_due = book["year"].to_numpy() >= book["park_id"].map(cert_of).to_numpy() + offset
    gap = (book["status"] == "active").to_numpy() & row_due & ~book["evaluated"].to_numpy(dtype=bool)
    if gap.any():
        first = book[gap].iloc[0]
        raise InputError(
            f"园区 {first['park_id']} 在 {first['year']} 年应参加绩效评估(第二十条)，但没有该年的评估结果；"
            f"无法确定其在 {year} 年是否仍持有授牌(第二十五条(二))",
            file=evaluations_file, column="year",
        )  # fmt: skip
    revoked = set(book.loc[book["status"] == "revoked", "park_id"])
    return due & ~parks["park_id"].isin(revoked).to_numpy()


# --- scoring from frames ---------------------------------------------------------------------------------
def _aligned(
    frame: pd.DataFrame | None, year: int, ids: np.ndarray, ind_ids: list[str], value: str, how: str
):
    """An indicator-by-park table of one input for YEAR (NaN where a park has none)."""
    if frame is None:
        return pd.DataFrame(np.nan, index=pd.Index(ids), columns=pd.Index(ind_ids, dtype=object))
    rows = frame[frame["year"] == year]
    table = rows.groupby(["park_id", "indicator"])[value].agg(how).unstack("indicator")
    return table.reindex(index=ids, columns=ind_ids)


def indicator_inputs(
    sheet: Sheet,
    parks: pd.DataFrame,
    year: int,
    figures: pd.DataFrame,
    targets: pd.DataFrame | None,
    ratings: pd.DataFrame | None,
    events: pd.DataFrame | None,
    *,
    files: Mapping[str, str | Path],
) -> dict[str, dict[str, np.ndarray]]:
    """第二十一条: each indicator's inputs aligned to ``parks`` — annual figures (第十六条), targets (第十四条),
    ratings (第二十二条(三)) and event counts. A target or rating missing for a park taking part is an error;
    no event means zero events."""
    ids = parks["park_id"].to_numpy()
    ratio = [ind.id for ind in sheet.by_method("ratio_to_target")]
    rated = [ind.id for ind in sheet.by_method("rating")]
    counted = [ind.id for ind in sheet.by_method("deduction", "veto")]
    target_table = _aligned(targets, year, ids, ratio, "target", "first")
    rating_table = _aligned(ratings, year, ids, rated, "rating", sheet.setting("rating_aggregate"))
    event_table = _aligned(events, year, ids, counted, "count", "sum").fillna(0.0)
    problems = Problems()
    for table, kind, file, column in (
        (target_table, "目标值(第十四条)", files.get("targets", "targets.csv"), "target"),
        (rating_table, "专家评分(第二十二条(三))", files.get("ratings", "ratings.csv"), "rating"),
    ):
        for i, j in zip(*np.nonzero(table.isna().to_numpy()), strict=True):
            ind = sheet.get(table.columns[j])
            problems.add(InputError(f"园区 {ids[i]} 缺少 {year} 年指标 {ind.id}({ind.name})的{kind}", file=file,
                                    column=column))  # fmt: skip
    problems.raise_any()

    out: dict[str, dict[str, np.ndarray]] = {}
    for ind in sheet.indicators:
        if ind.method == "ratio_to_target":
            out[ind.id] = {
                "actual": figures[ind.field].to_numpy(dtype=float),
                "target": target_table[ind.id].to_numpy(dtype=float),
            }
        elif ind.method == "piecewise_linear":
            column = {"annual": ind.field, "growth": f"{ind.field}_growth", "compliance": "compliance"}[
                ind.measure
            ]
            out[ind.id] = {"value": figures[column].to_numpy(dtype=float)}
        elif ind.method == "rating":
            out[ind.id] = {"rating": rating_table[ind.id].to_numpy(dtype=float)}
        else:
            out[ind.id] = {"events": event_table[ind.id].to_numpy(dtype=float)}
    return out


def score_frames(
    sheet: Sheet,
    parks: pd.DataFrame,
    year: int,
    monthly_reports: pd.DataFrame,
    targets: pd.DataFrame | None,
    ratings: pd.DataFrame | None,
    events: pd.DataFrame | None,
    *,
    files: Mapping[str, str | Path],
) -> tuple[pd.DataFrame, monthly.Annual]:
    """第十六条 + 第二十一条: score YEAR for ``parks`` (those taking part) from validated frames.

    Returns the scores table (``park_id, year``, indicators, subtotals, ``score``, ``veto``) and the annual
    figures with the missing months. A park taking part with no monthly report at all in YEAR is an error
    (its figures would be guesses).
    """
    reported = monthly_reports.loc[monthly_reports["year"] == year, "park_id"]
    silent = ~parks["park_id"].isin(set(reported))
    problems = Problems()
    for pid in parks.loc[silent, "park_id"]:
        problems.add(InputError(f"园区 {pid} 在 {year} 年参加绩效评估，但没有任何月报(第十六条)，无法计算年度指标",
                                file=files.get("monthly", "monthly.csv"), column="park_id"))  # fmt: skip
    problems.raise_any()
    annual = monthly.annual_figures(
        monthly_reports,
        parks,
        year,
        sheet.monthly_fields,
        missing_month_flows=sheet.setting("missing_month_flows"),
        default_certified_month=sheet.setting("default_certified_month"),
        parks_file=files.get("parks", "parks.csv"),
    )
    values = indicator_inputs(sheet, parks, year, annual.figures, targets, ratings, events, files=files)
    table = score_parks(sheet, values, score_decimals=sheet.setting("score_decimals"))
    table.insert(0, "park_id", parks["park_id"].to_numpy())
    table.insert(1, "year", year)
    return table, annual


def as_evaluations(scores: pd.DataFrame) -> pd.DataFrame:
    """The scored year as rows of the evaluations file: rectification not yet known (第二十五条(二))."""
    out = scores[["park_id", "year", "score", "veto", *DIMENSION_COLUMNS]].copy()
    out["rectified"] = np.nan
    out[ROW] = SCORED_ROW
    return out[[*EVALUATION_FIELDS, ROW]]


def load_dataset(
    data_dir: str | Path, year: int, policy: Policy, sheet_path: str | Path | None = None
) -> Dataset:
    """Read a data folder and score YEAR (第十六条, 第二十一条–第二十三条) for every park taking part.

    ``evaluations`` is the folder's past results for years before YEAR plus YEAR's scores (rectification
    unknown unless recorded, see :func:`hrpark_analysis.io.readers.rectification_outcomes`), so ``ledger.build(ds.parks, ds.evaluations,
    policy)`` grades YEAR with its history. Scores for YEAR or later in the evaluations file are ignored:
    YEAR is scored from the data.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise InputError("数据文件夹不存在", file=data_dir)
    sheet = load_sheet(sheet_path, total_points=policy["evaluation.total_points"])
    # Every file is read and checked before anything stops, so a district gets all its mistakes back at once.
    problems = Problems()
    required = {
        "parks": True, "evaluations": False, "monthly": True,
        "targets": bool(sheet.by_method("ratio_to_target")), "ratings": bool(sheet.by_method("rating")),
        "events": False,
    }  # fmt: skip
    paths: dict[str, Path | None] = {}
    for stem, needed in required.items():
        paths[stem] = None
        with problems.collecting():
            paths[stem] = readers.find_table(data_dir, stem, required=needed)
    parks = None
    if paths["parks"]:
        with problems.collecting():
            parks = readers.read_parks(paths["parks"], policy, problems)
    ids = None if parks is None else parks["park_id"].dropna().to_numpy()
    results = readers.read_results(None)
    evaluations_file = paths["evaluations"] or data_dir / "evaluations.csv"
    if paths["evaluations"]:
        with problems.collecting():
            results = readers.read_results(paths["evaluations"], problems)
            readers.check_known_parks(results, ids, paths["evaluations"], problems)
    reports = targets = ratings = events = None
    with problems.collecting():
        if paths["monthly"]:
            reports = readers.read_monthly(paths["monthly"], sheet.monthly_fields, ids, problems)
    with problems.collecting():
        if paths["targets"]:
            targets = readers.read_targets(paths["targets"], sheet, ids, problems)
    with problems.collecting():
        if paths["ratings"]:
            ratings = readers.read_ratings(paths["ratings"], sheet, ids, problems)
    with problems.collecting():
        if paths["events"]:
            events = readers.read_events(paths["events"], sheet, ids, problems)
    problems.raise_any()
    assert parks is not None and reports is not None  # both required: a problem above otherwise
    past = results[results["year"] < year].reset_index(drop=True)
    active = taking_part(parks, past, year, policy, evaluations_file=evaluations_file)
    if not active.any():
        offset = policy["evaluation.first_evaluation_offset"]
        raise InputError(
            f"{year} 年没有园区参加绩效评估: 园区在认定 {offset} 年后首次参加评估(第二十条)，"
            f"最早的认定年份为 {int(parks['certified_year'].min())} 年",
            file=paths["parks"], column="certified_year",
        )  # fmt: skip
    files = {k: v for k, v in paths.items() if v is not None}
    scores, annual = score_frames(
        sheet, parks[active].reset_index(drop=True), year, reports, targets, ratings, events, files=files
    )
    current = as_evaluations(scores)
    outcomes = readers.rectification_outcomes(results, year)
    current["rectified"] = current["park_id"].map(outcomes).astype(float)
    merged = pd.concat([past[[*EVALUATION_FIELDS, ROW]], current], ignore_index=True)
    merged["veto"] = merged["veto"].astype(bool)
    return Dataset(
        data_dir=data_dir,
        year=year,
        parks=parks,
        evaluations=merged,
        scores=scores,
        sheet=sheet,
        files=[*files.values(), sheet.path],
        annual=annual.figures,
        missing_months=annual.missing,
    )


def score_year(
    data_dir: str | Path, year: int, policy: Policy, sheet_path: str | Path | None = None
) -> pd.DataFrame:
    """第二十一条–第二十三条: ``park_id, year``, points per indicator, subtotals, ``score`` and ``veto`` for
    every park taking part in YEAR's evaluation, scored from the data folder (``hrpark score``)."""
    return load_dataset(data_dir, year, policy, sheet_path=sheet_path).scores


def latest_year(data_dir: str | Path, sheet: Sheet) -> int | None:
    """The latest year of a data folder's monthly reports (``hrpark check`` without ``--year``), if readable."""
    try:
        path = readers.find_table(Path(data_dir), "monthly", required=True)
        years = readers.read_monthly(path, sheet.monthly_fields, None)["year"]
    except InputError:
        return None
    return int(years.max()) if len(years) else None


def check(
    data_dir: str | Path, year: int | None, policy: Policy, sheet_path: str | Path | None = None
) -> str:
    """``hrpark check``: every file of a data folder and the rules between them, as a report would read them
    (:func:`load_dataset`, the one implementation), plus the applicants file if there is one; no report.

    Raises every problem found (InputErrors); returns the one-line summary when the folder is clean.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise InputError("数据文件夹不存在", file=data_dir)
    sheet = load_sheet(sheet_path, total_points=policy["evaluation.total_points"])
    problems = Problems()
    with problems.collecting():
        applicants = readers.find_table(data_dir, "applicants", required=False)
        if applicants is not None:
            readers.read_applicants(applicants, policy, problems)
    year = year if year is not None else latest_year(data_dir, sheet)
    ds = None
    with problems.collecting():
        if year is None:  # the monthly file is missing or broken: load_dataset says how
            year = 0
        ds = load_dataset(data_dir, year, policy, sheet_path=sheet_path)
    problems.raise_any()
    assert ds is not None
    summary = labels.CHECK_CLEAN.format(
        folder=data_dir.as_posix(), n_parks=len(ds.parks), year=year, n_taking_part=len(ds.scores),
        n_files=len(ds.files) - 1 + (applicants is not None),
    )  # fmt: skip
    missing = ds.missing_months
    if len(missing):
        shown = 5  # a line, not a list: load_dataset(...).missing_months has them all
        which = labels.CHECK_SEPARATOR.join(
            labels.CHECK_MISSING_MONTH.format(park_id=r.park_id, year=r.year, month=r.month)
            for r in missing.head(shown).itertuples()
        ) + (labels.CHECK_MISSING_MORE if len(missing) > shown else "")
        summary += labels.CHECK_MISSING_MONTHS.format(n=len(missing), which=which)
    return summary
