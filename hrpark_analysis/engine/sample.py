"""示例数据: a seeded, clearly synthetic dataset of about 30 fictional municipal parks (hrpark_analysis/sample_data/).

:func:`generate` is a pure function of the seed (one ``numpy.random.Generator``): the same seed gives the
same tables and :func:`write_sample` the same bytes. Every park is named "示例园区…"; nothing here describes a
real park. Magnitudes follow public figures for Chongqing's HR service industry (about 2,846 institutions
and 618亿元 revenue in 2021; municipal parks plausibly 20–60 firms, 1–20亿元 revenue, 1–3万 m²).

How the scores come out: each park-year first gets a planned total (a park effect plus noise, with the
stories below fixed), then its monthly reports, targets and ratings are drawn around that level, and the
expert ratings are set last so that the sheet scores the planned total exactly. The past evaluation
results (2023–2024) are the scores of those years computed from the data with the bundled sheet, so
``hrpark score`` reproduces them.

Stories (the baseline policy, park ids fixed for every seed):

- ``P12`` is unqualified in 2024 and 2025 → its plaque is withdrawn in 2025 (第二十五条(二));
- ``P19`` is unqualified in 2025 for the first time, rectification unknown → its 2025 base is pending;
- ``P07`` scores exactly 60.00 in 2025 → qualified by default, unqualified with pass_mark_inclusive;
- ``P03`` and ``P21`` tie at the 30% boundary in 2025 → tie_policy decides whether either is 优秀;
- ``P10`` has a major accident in 2025 → vetoed (一票否决) whatever its score;
- ``P04`` was unqualified in 2023 and still unqualified after rectification → its 2023 base is cancelled.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hrpark_analysis.engine import monthly
from hrpark_analysis.engine.dataset import score_frames
from hrpark_analysis.engine.sample_stories import (
    APPLICANTS,
    BOUNDARY_GAP,
    CERTIFIED,
    DISTRICTS,
    EVENTS,
    EXPERTS,
    FILES,
    FIXED_TOTALS,
    LATEST,
    QUALITY,
    README,
    RECTIFIED,
    REGION_COUNTS,
    REGULAR_RANGE,
    SEASON,
    SEED,
    TIED,
    VETOED,
    YEARS,
)
from hrpark_analysis.io.tables import ROW, output_files, write_csv
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.law.sheet import Sheet, load_sheet
from hrpark_analysis.rules.grading import excellent_cap


def _cents_unique(values: dict[str, int], avoid: set[int], direction: dict[str, int]) -> dict[str, int]:
    """Nudge planned totals one cent at a time (away from the boundary) until no two are equal."""
    used = set(avoid)
    out = {}
    for key in sorted(values, key=lambda k: (-values[k], k)):
        v = values[key]
        while v in used:
            v += direction.get(key, 1)
        used.add(v)
        out[key] = v
    return out


def _parks(rng: np.random.Generator) -> pd.DataFrame:
    n = sum(CERTIFIED.values())
    ids = [f"P{i:02d}" for i in range(1, n + 1)]
    certified = np.repeat(list(CERTIFIED), list(CERTIFIED.values()))
    regions = rng.permutation(np.repeat(list(REGION_COUNTS), list(REGION_COUNTS.values())))
    district = np.empty(n, dtype=object)
    for region, names in DISTRICTS.items():
        where = np.flatnonzero(regions == region)
        district[where] = rng.choice(names, size=len(where), replace=False)
    return pd.DataFrame({
        "park_id": ids,
        "name": [f"示例园区{i[1:]}" for i in ids],
        "district": district,
        "certified_year": certified,
        "certified_month": rng.integers(9, 13, size=n),
        "kind": np.where(rng.random(n) < 0.6, "综合性", "专业性"),
        "online_offline": np.where(rng.random(n) < 0.3, "是", "否"),
        "region": regions,
    })  # fmt: skip


def _plan(rng: np.random.Generator, parks: pd.DataFrame, policy) -> dict[int, dict[str, int]]:
    """Planned totals in cents per evaluation year and park (the stories fixed, the rest a park effect + noise)."""
    ids = parks["park_id"].tolist()
    quality = dict(zip(ids, np.clip(rng.normal(77, 6, len(ids)), 66, 88), strict=True))
    quality.update(QUALITY)
    offset = policy["evaluation.first_evaluation_offset"]
    lo, hi = REGULAR_RANGE
    plan: dict[int, dict[str, int]] = {}
    for year in YEARS:
        active = parks.loc[parks["certified_year"] + offset <= year, "park_id"].tolist()
        if not active:
            continue
        noise = rng.normal(0, 3, len(active))
        natural = {
            p: int(np.clip(round((quality[p] + e) * 100), lo, hi)) for p, e in zip(active, noise, strict=True)
        }
        fixed = {}
        for (p, y), (a, b) in FIXED_TOTALS.items():
            if y == year:
                fixed[p] = int(rng.integers(a, b + 1))
        if year != LATEST:
            free = {p: v for p, v in natural.items() if p not in fixed}
            plan[year] = {**_cents_unique(free, set(fixed.values()), {}), **fixed}
            continue
        # 第二十四条 boundary: exactly cap − 1 candidates strictly above the tied pair.
        cap = int(
            excellent_cap(
                len(active), **{k: policy[f"grading.{k}"] for k in ("excellent_share", "cap_rounding")}
            )
        )
        others = [p for p in active if p not in fixed and p not in TIED and p != VETOED]
        ranked = sorted(others, key=lambda p: (-natural[p], p))
        above, below = ranked[: cap - 1], ranked[cap - 1 :]
        tie = (natural[above[-1]] + natural[below[0]]) // 2
        # Move each group away from the pair as a whole, so its spread stays as drawn.
        up = max(0, tie + BOUNDARY_GAP - natural[above[-1]])
        down = max(0, natural[below[0]] - (tie - BOUNDARY_GAP))
        regular = {p: natural[p] + up for p in above}
        regular |= {p: max(natural[p] - down, lo) for p in below}
        regular[VETOED] = (
            natural[VETOED] if abs(natural[VETOED] - tie) >= BOUNDARY_GAP else tie - BOUNDARY_GAP
        )
        direction = {p: (1 if v > tie else -1) for p, v in regular.items()}
        plan[year] = {**_cents_unique(regular, {tie, *fixed.values()}, direction), **fixed}
        plan[year] |= dict.fromkeys(TIED, tie)
    return plan


def _monthly(rng: np.random.Generator, parks: pd.DataFrame, plan: dict[int, dict[str, int]]) -> pd.DataFrame:
    """第十六条 monthly reports 2022–2025 from each park's certification month on, a few months missing."""
    n = len(parks)
    main = (parks["region"] == "main_city").to_numpy()
    online = (parks["online_offline"] == "是").to_numpy()
    revenue = np.where(
        main, np.clip(rng.lognormal(np.log(85000), 0.4, n), 52000, 190000),
        np.clip(rng.lognormal(np.log(52000), 0.2, n), 42000, 90000),
    )  # fmt: skip
    tax_rate = rng.uniform(0.035, 0.06, n)
    employment = revenue * rng.uniform(2.6, 4.2, n)
    talent = employment * rng.uniform(0.008, 0.014, n)
    institutions = np.where(main, rng.integers(22, 47, n), rng.integers(17, 31, n)).astype(float)
    area = np.round(
        np.where(main, rng.uniform(10000, 30000, n), rng.uniform(8000, 20000, n))
        * np.where(online, 0.6, 1.0),
        -2,
    )
    certified = parks["certified_year"].to_numpy()
    cert_month = parks["certified_month"].to_numpy()
    frames = []
    for year in YEARS:
        planned = plan.get(year, {})
        total = np.array([planned.get(p, 7500) / 100 for p in parks["park_id"]])
        # 第二十一条(一) "发展速度": growth is drawn around the park-year's level (full points at 15%).
        growth_fraction = np.clip((total - 55) / 30 + rng.normal(0, 0.12, n), -0.3, 1.4)
        growing = certified < year
        step = np.where(growing, 1 + 0.15 * growth_fraction, 1.0)
        revenue, employment, talent = (
            revenue * step,
            employment * step * rng.normal(1, 0.02, n),
            talent * step,
        )
        opened = np.where(growing, rng.integers(0, 5, n), 0)  # institutions joining during the year
        area = area + np.where(growing & (rng.random(n) < 0.12), np.round(rng.uniform(1000, 3000, n), -2), 0)
        due = (year > certified[:, None]) | (
            (year == certified[:, None]) & (np.arange(1, 13)[None, :] >= cert_month[:, None])
        )
        drop = np.where(growing & (rng.random(n) < 0.12), rng.integers(1, 13, n), 0)
        reported = due & (np.arange(1, 13)[None, :] != drop[:, None])
        noise = rng.lognormal(0, 0.04, (4, n, 12))
        stock = institutions[:, None] + np.floor(opened[:, None] * np.arange(1, 13)[None, :] / 12)
        institutions = institutions + opened
        park_idx, month_idx = np.nonzero(reported)
        monthly_rev = revenue[:, None] / 12 * SEASON[None, :] * noise[0]
        frames.append(pd.DataFrame({
            "park_id": parks["park_id"].to_numpy()[park_idx],
            "year": year,
            "month": month_idx + 1,
            "revenue": np.round(monthly_rev, 1)[park_idx, month_idx],
            "tax": np.round(monthly_rev * tax_rate[:, None] * noise[1], 1)[park_idx, month_idx],
            "employment_served": np.round(employment[:, None] / 12 * SEASON[None, :] * noise[2])[park_idx, month_idx],
            "talent_moves": np.round(talent[:, None] / 12 * SEASON[None, :] * noise[3])[park_idx, month_idx],
            "institutions": stock[park_idx, month_idx],
            "floor_area_m2": np.broadcast_to(area[:, None], (n, 12))[park_idx, month_idx],
        }))  # fmt: skip
    out = pd.concat(frames, ignore_index=True)
    out[ROW] = np.arange(len(out)) + 2
    return out


def _ratings(
    rng: np.random.Generator, ids: np.ndarray, year: int, cents: dict[str, np.ndarray]
) -> pd.DataFrame:
    """Three experts per rating whose mean is exactly the planned value (spreads cancel out)."""
    frames = []
    for indicator, (values, step, upper) in cents.items():
        spread = rng.integers(0, 6, len(ids)) * step
        spread = np.minimum(spread, np.minimum(values, upper - values))
        order = rng.permuted(np.tile([-1, 0, 1], (len(ids), 1)), axis=1)
        for e, expert in enumerate(EXPERTS):
            frames.append(pd.DataFrame({
                "park_id": ids, "year": year, "indicator": indicator, "expert": expert,
                "rating": (values + order[:, e] * spread) / 100,
            }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def _year_inputs(
    rng: np.random.Generator,
    sheet: Sheet,
    parks: pd.DataFrame,
    year: int,
    planned: dict[str, int],
    reports: pd.DataFrame,
    events: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Targets and ratings of one year such that the sheet scores the planned totals exactly."""
    ids = np.array(sorted(planned))
    active = parks.set_index("park_id").loc[ids].reset_index()
    want = np.array([planned[p] for p in ids]) / 100
    ratio = sheet.by_method("ratio_to_target")
    fraction = [i for i in sheet.by_method("rating") if i.params["scale"] == "fraction"]
    points = [i for i in sheet.by_method("rating") if i.params["scale"] == "points"]
    rated = fraction + points

    def run(targets: pd.DataFrame, ratings: pd.DataFrame) -> pd.DataFrame:
        return score_frames(sheet, active, year, reports, targets, ratings, events, files={})[0]

    def targets_for(actual: dict[str, np.ndarray], achieved: dict[str, np.ndarray]) -> pd.DataFrame:
        return pd.concat([
            pd.DataFrame({"park_id": ids, "year": year, "indicator": ind.id,
                          "target": np.maximum(np.round(actual[ind.id] / achieved[ind.id]), 1.0)})
            for ind in ratio
        ], ignore_index=True)  # fmt: skip

    zero = pd.DataFrame({"park_id": np.repeat(ids, len(rated)), "year": year,
                         "indicator": [i.id for i in rated] * len(ids), "rating": 0.0})  # fmt: skip
    figures = monthly.annual_figures(
        reports, active, year, sheet.monthly_fields,
        missing_month_flows=sheet.setting("missing_month_flows"),
        default_certified_month=sheet.setting("default_certified_month"),
    ).figures  # fmt: skip
    actual = {ind.id: figures[ind.field].to_numpy() for ind in ratio}
    first = run(targets_for(actual, dict.fromkeys(actual, 1.0)), zero)
    # Unfloored sums: the ratings added last lift 运营管理 above any deduction (checked at the end).
    fixed = first[[i.id for i in sheet.indicators if i.method in ("piecewise_linear", "deduction")]].sum(
        axis=1
    )
    remaining = want - fixed.to_numpy()
    ratio_weight = sum(i.weight for i in ratio)
    rated_weight = sum(i.weight for i in rated)
    level = np.clip(remaining / (ratio_weight + rated_weight), 0.05, 1.0)
    achieved = {ind.id: np.clip(level + rng.normal(0, 0.05, len(ids)), 0.3, 1.25) for ind in ratio}
    second = run(targets_for(actual, achieved), zero)

    # Keep what the ratings must bring inside what they can give (with a margin), moving ratio points.
    got = second[[i.id for i in ratio]].to_numpy()
    need = remaining - got.sum(axis=1)
    lo, hi = 1.0, rated_weight - 1.0
    weights = np.array([i.weight for i in ratio])
    room_up, room_down = weights - got, got
    shift_up = np.clip(need - hi, 0, None)
    shift_down = np.clip(lo - need, 0, None)
    got = got + shift_up[:, None] * room_up / room_up.sum(axis=1, keepdims=True).clip(1e-9)
    got = got - shift_down[:, None] * room_down / room_down.sum(axis=1, keepdims=True).clip(1e-9)
    achieved = {ind.id: np.clip(got[:, k] / ind.weight, 0.05, 1.0) for k, ind in enumerate(ratio)}
    for ind in ratio:  # a target met in full is set at or below the actual figure
        actual[ind.id] = np.where(achieved[ind.id] >= 1.0, np.floor(actual[ind.id]), actual[ind.id])
    targets = targets_for(actual, achieved)
    third = run(targets, zero)
    scored = [
        i.id for i in sheet.indicators if i.method in ("ratio_to_target", "piecewise_linear", "deduction")
    ]
    need = want - third[scored].sum(axis=1).to_numpy()

    # 0–1 ratings near the level, then the point-scale ratings take up the last cents exactly.
    cents: dict[str, tuple[np.ndarray, int, int]] = {}
    given = np.zeros(len(ids))
    for ind in fraction:
        g = np.clip(np.round((need / rated_weight + rng.normal(0, 0.03, len(ids))) * 100), 0, 100).astype(int)
        cents[ind.id] = (g, 1, 100)
        given += np.round(ind.weight * g) / 100
    left = np.round((need - given) * 100).astype(int)
    point_weight = sum(i.weight for i in points)
    for k, ind in enumerate(points):
        top = round(ind.weight * 100)
        if k == len(points) - 1:
            share = left
        else:
            rest = round((point_weight - ind.weight) * 100)
            share = np.clip(np.round(left * ind.weight / point_weight).astype(int), left - rest, top)
        cents[ind.id] = (share, 10, top)
        left = left - share
    for ind in rated:
        values, _, top = cents[ind.id]
        if ((values < 0) | (values > top)).any():  # a bug in the generator, not a user error
            raise RuntimeError(f"示例数据生成失败: {year} 年指标 {ind.id} 的评分超出范围")
    ratings = _ratings(rng, ids, year, cents)
    final = run(targets, ratings)
    missed = ~np.isclose(final["score"].to_numpy(), want, rtol=0, atol=1e-9)
    if missed.any():  # a bug in the generator, not a user error
        raise RuntimeError(f"示例数据生成失败: {year} 年园区 {', '.join(ids[missed])} 未得到计划总分")
    return targets, ratings, final


def generate(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """The sample tables for SEED (a pure function of the seed): parks, evaluations, monthly, targets,
    ratings, events, applicants."""
    rng = np.random.default_rng(seed)
    policy = load_policy()
    sheet = load_sheet(total_points=policy["evaluation.total_points"])
    parks = _parks(rng)
    plan = _plan(rng, parks, policy)
    reports = _monthly(rng, parks, plan)
    events = pd.DataFrame(EVENTS, columns=["park_id", "year", "indicator", "count", "note"])
    targets, ratings, scores = [], [], []
    for year in sorted(plan):
        t, r, s = _year_inputs(rng, sheet, parks, year, plan[year], reports, events)
        targets.append(t)
        ratings.append(r)
        scores.append(s)
    past = pd.concat([s for s in scores if s["year"].iloc[0] < LATEST], ignore_index=True)
    past = past.sort_values(["year", "park_id"], kind="stable").reset_index(drop=True)
    rectified = [RECTIFIED.get((p, y)) for p, y in zip(past["park_id"], past["year"], strict=True)]
    evaluations = pd.DataFrame({
        "park_id": past["park_id"], "year": past["year"], "score": past["score"],
        "veto": np.where(past["veto"], "true", "false"),
        "rectified": ["" if r is None else ("true" if r else "false") for r in rectified],
        "score_economic": past["score_economic"], "score_role": past["score_role"],
        "score_operations": past["score_operations"],
    })  # fmt: skip
    monthly_out = reports.drop(columns=[ROW])
    for col in ("employment_served", "talent_moves", "institutions", "floor_area_m2"):
        monthly_out[col] = monthly_out[col].astype(int)
    targets_out = pd.concat(targets, ignore_index=True).sort_values(["year", "park_id"], kind="stable")
    targets_out["target"] = targets_out["target"].astype(int)
    ratings_out = pd.concat(ratings, ignore_index=True).sort_values(
        ["year", "park_id", "indicator"], kind="stable"
    )
    return {
        "parks": parks.drop(columns=["region"]),
        "evaluations": evaluations,
        "monthly": monthly_out,
        "targets": targets_out.reset_index(drop=True),
        "ratings": ratings_out.reset_index(drop=True),
        "events": events,
        "applicants": APPLICANTS.copy(),
    }


def write_sample(out_dir: Path, seed: int = SEED, force: bool = False) -> list[Path]:
    """Write the sample dataset for SEED into OUT_DIR (atomic; existing files are kept unless ``force``)."""
    tables = generate(seed)
    out_dir = Path(out_dir)
    with output_files(out_dir, FILES, force=force) as tmp:
        for name, frame in tables.items():
            write_csv(frame, tmp / f"{name}.csv")
        (tmp / "README.md").write_text(
            README.format(seed=seed, latest=LATEST), encoding="utf-8", newline="\n"
        )
    return [out_dir / name for name in FILES]
