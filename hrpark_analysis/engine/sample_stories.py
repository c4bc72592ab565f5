"""示例数据's fixed facts: the parks' counts and districts, the stories every seed must tell, the applicants
and the README written beside the tables. :mod:`hrpark_analysis.engine.sample` draws everything else."""

from __future__ import annotations

import numpy as np
import pandas as pd

SEED = 2021
YEARS = (2022, 2023, 2024, 2025)
LATEST = 2025
FILES = [
    "parks.csv", "evaluations.csv", "monthly.csv", "targets.csv", "ratings.csv", "events.csv", "applicants.csv",
    "README.md",
]  # fmt: skip

# Parks per certification year (ids P01.. in that order) and per region of 一区两群 (第四条).
CERTIFIED = {2022: 8, 2023: 8, 2024: 8, 2025: 6}
REGION_COUNTS = {"main_city": 18, "northeast": 7, "southeast": 5}
DISTRICTS = {
    "main_city": [
        "渝中区", "大渡口区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "北碚区", "渝北区", "巴南区", "涪陵区",
        "长寿区", "江津区", "合川区", "永川区", "南川区", "綦江区", "大足区", "璧山区", "铜梁区", "潼南区",
        "荣昌区", "两江新区", "重庆高新区", "万盛经开区",
    ],
    "northeast": ["万州区", "开州区", "梁平区", "城口县", "丰都县", "垫江县", "忠县", "云阳县", "奉节县", "巫山县", "巫溪县"],
    "southeast": ["黔江区", "武隆区", "石柱土家族自治县", "秀山土家族苗族自治县", "酉阳土家族苗族自治县", "彭水苗族土家族自治县"],
}  # fmt: skip

# The stories (module docstring); planned totals in cents, ranges drawn from with the seed.
REVOKED = "P12"
PENDING = "P19"
AT_PASS_MARK = "P07"
TIED = ("P03", "P21")
VETOED = "P10"
RECTIFY_FAILED = "P04"
FIXED_TOTALS = {  # (park, year): (low, high) cents, drawn uniformly
    (RECTIFY_FAILED, 2023): (5500, 5900),
    (REVOKED, 2024): (5300, 5800),
    (REVOKED, 2025): (5000, 5700),
    (PENDING, 2025): (5400, 5900),
    (AT_PASS_MARK, 2025): (6000, 6000),
}
QUALITY = {
    RECTIFY_FAILED: 67.0,
    REVOKED: 62.0,
    PENDING: 66.0,
    AT_PASS_MARK: 65.0,
    TIED[0]: 84.0,
    TIED[1]: 84.0,
}
RECTIFIED = {(RECTIFY_FAILED, 2023): False, (REVOKED, 2024): True}
EVENTS = [  # park, year, indicator, count, note
    ("P02", 2024, "safety_incidents", 1, "消防通道临时堵塞，已当场整改(示例)"),
    ("P14", 2025, "safety_incidents", 1, "电梯故障困人，无人员受伤(示例)"),
    ("P20", 2025, "safety_incidents", 2, "两起用电安全隐患(示例)"),
    (VETOED, 2025, "major_accident", 1, "重大安全事故(示例，一票否决)"),
]
REGULAR_RANGE = (6200, 9100)  # cents: regular park-years are qualified, below what the sheet can reach
BOUNDARY_GAP = 30  # cents between the tied pair and its neighbours

# 第十六条 monthly profile: quieter around 春节, busy at year end (mean 1).
SEASON = np.array([0.82, 0.70, 1.00, 1.00, 1.02, 1.05, 0.98, 0.95, 1.05, 1.02, 1.06, 1.35])
SEASON = SEASON / SEASON.mean()
EXPERTS = ["E1", "E2", "E3"]


OK4 = ("是", "是", "是", "是")  # the four materials of 第十条, all supplied
APPLICANTS = pd.DataFrame(
    [
        # 主城都市区, every threshold of 第八条 met without relaxation; 公示 without objection → 授牌
        ("A01", "示例申报园区01", "渝北区", "否", 15800, 34, 68000, 265000, 2650, "是", "是", "是", "是", *OK4, "pass", "none", LATEST),
        # 渝东北: revenue and employment pass only with the regional relaxation (× 0.8) → 授牌
        ("A02", "示例申报园区02", "万州区", "否", 12500, 23, 45000, 175000, 1900, "是", "是", "是", "是", *OK4, "pass", "none", LATEST),
        # 线上+线下: floor area passes only with the online relaxation (× 0.5) → 授牌
        ("A03", "示例申报园区03", "九龙坡区", "是", 6200, 28, 56000, 230000, 2300, "是", "是", "是", "是", *OK4, "pass", "none", LATEST),
        # 渝东南 + 线上+线下: area passes only with both relaxations (10000 × 0.8 × 0.5 = 4000); an objection
        # raised during 公示 is upheld → rejected at 公示
        ("A04", "示例申报园区04", "酉阳土家族苗族自治县", "是", 4500, 17, 41000, 168000, 1700, "是", "是", "是", "是", *OK4, "pass", "upheld", LATEST),
        # 主城都市区: revenue below 5亿, no relaxation applies → rejected at 评估 before any expert review
        ("A05", "示例申报园区05", "江津区", "否", 13000, 26, 42000, 215000, 2200, "是", "是", "是", "是", *OK4, "", "", LATEST),
        # 渝东北: talent moves below even the relaxed threshold (1600)
        ("A06", "示例申报园区06", "开州区", "否", 11000, 21, 47000, 172000, 1500, "是", "是", "是", "是", *OK4, "", "", LATEST),
        # 主城都市区: the park plan is incomplete (第八条(二))
        ("A07", "示例申报园区07", "沙坪坝区", "否", 18000, 40, 82000, 320000, 3400, "是", "否", "是", "是", *OK4, "", "", LATEST),
        # 线上+线下 in 主城都市区: 4800 m² is below even the relaxed 5000 m²
        ("A08", "示例申报园区08", "璧山区", "是", 4800, 24, 52000, 205000, 2100, "是", "是", "是", "是", *OK4, "", "", LATEST),
        # 渝东南, not online: every quantitative condition passes only with the regional relaxation → 授牌
        ("A09", "示例申报园区09", "武隆区", "否", 8800, 18, 44000, 170000, 1750, "是", "是", "是", "是", *OK4, "pass", "none", LATEST),
        # 主城都市区, eligible, but the list of institutions (第十条(四)) is missing → stopped at 评估
        ("A10", "示例申报园区10", "永川区", "否", 14000, 30, 61000, 240000, 2400, "是", "是", "是", "是", "是", "是", "是", "否", "", "", LATEST),
        # 主城都市区, passed 评估; 公示 not over yet → stays at assessed
        ("A11", "示例申报园区11", "合川区", "否", 12800, 27, 58000, 236000, 2380, "是", "是", "是", "是", *OK4, "pass", "", LATEST),
    ],
    columns=[
        "applicant_id", "name", "district", "online_offline", "floor_area_m2", "n_institutions",
        "revenue_first_year", "employment_served", "talent_moves", "policy_support", "plan_complete",
        "infrastructure", "management", "material_application_form", "material_local_policy",
        "material_park_plan", "material_institution_list", "expert_review", "publicity_objection", "round",
    ],
)  # fmt: skip


README = """\
# 示例数据 (synthetic sample data)

**本文件夹全部为示例数据(合成数据)，不代表任何真实园区。** Every park is named "示例园区…" and every
number was drawn by `hrpark_analysis.engine.sample` with seed {seed}; `hrpark sample --out DIR --seed {seed}` writes
the same files byte for byte. The evaluation sheet used to score them is the package's *illustrative*
得分表 (`hrpark_analysis/law/sheet-illustrative.yaml`), not the bureau's official one, which is not public.
Every table or chart built from this folder must say 示例数据.

Amounts are in 万元, people in 人次, areas in m². Files are UTF-8 CSV; the package reads the same tables
as GB18030/GBK CSV or XLSX. The latest year is {latest}: it is scored from the monthly reports
(`hrpark score --data DIR --year {latest} --out OUT`, DIR being this folder); `evaluations.csv` holds the results of the
years before it, which are the scores of those years computed the same way.

## Files and columns

### parks.csv — the municipal parks (第三条, 第四条)
| column | meaning |
|---|---|
| park_id | id, P01–P30 |
| name | 示例园区NN (fictional) |
| district | 区县 as users write it (with 区/县/自治县); region follows 一区两群 (第四条) |
| certified_year | year of certification (授牌, 第九条(四)); first evaluated the year after (第二十条) |
| certified_month | month of certification; monthly reports are due from that month on (第十六条) |
| kind | 综合性 / 专业性 (第三条) |
| online_offline | 是 if the park runs a “线上+线下” platform (第三条) |

### evaluations.csv — past annual evaluation results (第二十四条), the input of `hrpark evaluate`
| column | meaning |
|---|---|
| park_id, year | the park and the evaluation year |
| score | total score out of 100 (2 decimals) |
| veto | true if a veto item (一票否决) was triggered |
| rectified | for 不合格 results: true = rectified in time, false = still 不合格 after rectification (第二十五条(二)); empty = not applicable or not yet known |
| score_economic, score_role, score_operations | subtotals 经济发展 / 作用发挥 / 运营管理 (第二十一条(一)(二)(三)) |

A row for the scored year itself (e.g. 2025) is read only for its `rectified` value: when the bureau
records that an unqualified park rectified in time (or did not), that year's pending base subsidy becomes
paid (or cancelled). Its score is ignored — the scored year's score always comes from the monthly data.

### monthly.csv — monthly operating reports (第十六条)
One row per park and reported month, from the certification month on. A few months are missing on purpose:
they are listed by `load_dataset(...).missing_months` and lower the reporting-rate indicator.
| column | meaning | aggregation over a year |
|---|---|---|
| park_id, year, month | the park and the month (1–12) | |
| revenue | 人力资源服务营业收入, 万元 | flow: sum |
| tax | 纳税额, 万元 | flow: sum |
| employment_served | 帮助劳动者实现就业和流动, 人次 | flow: sum |
| talent_moves | 帮助优秀紧缺人才流动, 人次 | flow: sum |
| institutions | 入驻人力资源服务机构数, 家 | stock: last reported month |
| floor_area_m2 | 园区建筑面积, m² | stock: last reported month |

### targets.csv — annual operating targets set by the bureau (第十四条)
| column | meaning |
|---|---|
| park_id, year | the park and the year |
| indicator | a `ratio_to_target` indicator of the sheet: revenue_target, tax_target, institutions_target, employment_target, talent_target |
| target | the target in the indicator's unit (万元, 家 or 人次); always > 0 |

### ratings.csv — expert ratings (第二十二条(三))
| column | meaning |
|---|---|
| park_id, year | the park and the year |
| indicator | a `rating` indicator: innovation, safety_management (0–1), social_responsibility (0–10 points), service_system (0–12 points) |
| expert | E1, E2, E3; an indicator's rating is the mean over experts (sheet setting `rating_aggregate`) |
| rating | the rating on the indicator's scale |

### events.csv — deduction and veto events (第二十一条(三), 第二十四条)
| column | meaning |
|---|---|
| park_id, year | the park and the year |
| indicator | safety_incidents (3 points off each, at most 9, never below zero for 运营管理) or major_accident (一票否决) |
| count | number of events |
| note | description (fictional) |

### applicants.csv — the {latest} certification round (第八条–第十条), the input of `hrpark eligibility` and `hrpark applications`
`applicant_id, name, district, online_offline` (是/否), `floor_area_m2` (m²), `n_institutions` (家),
`revenue_first_year` (万元), `employment_served`, `talent_moves` (人次), and the yes/no facts
`policy_support, plan_complete, infrastructure, management` (第八条(一)–(四)). The procedure of 第九条:
`material_application_form, material_local_policy, material_park_plan, material_institution_list` (第十条(一)–(四),
是/否, empty = not yet checked), `expert_review` (第九条(二): pass / fail / empty = not yet held),
`publicity_objection` (第九条(三): upheld / none / empty = 公示 not over) and `round` (the year of the round,
the certification year of a park certified in it).
A01 meets every condition; A02 (渝东北) passes only with the regional relaxation, A03 (线上+线下) only with the
area relaxation, A04 (渝东南, 线上+线下) only with both, A09 (渝东南) only with the regional relaxation; A05–A08 fail
(revenue, talent moves, incomplete plan, floor area even after relaxation).

## Stories (baseline policy, 渝人社发〔2021〕57号)
- **P12** is 不合格 in 2024 and in {latest} → its plaque is withdrawn in {latest} (第二十五条(二)).
- **P19** is 不合格 in {latest} for the first time; its rectification is not yet known → its {latest} base
  subsidy is pending (暂缓拨付).
- **P07** scores exactly 60.00 in {latest}: 合格 by default, 不合格 with `grading.pass_mark_inclusive=true`.
- **P03** and **P21** tie at the 30% boundary of {latest}: with `tie_policy=exclude` (default) neither is 优秀,
  with `include` both are (the cap is passed), with `dimension` the one with the higher 作用发挥 subtotal is.
- **P10** has a major accident in {latest} (一票否决): 不合格 whatever its score.
- **P04** was 不合格 in 2023 and still 不合格 after rectification: its 2023 base subsidy is cancelled.

## The certification round of {latest} (`hrpark applications`, 第八条–第十条)
- **A01, A02, A03, A09** pass 评估 and 公示 without objection → 授牌 in {latest}; `new_parks.csv` lists them.
  A03 is a “线上+线下” park (area 6200 m² ≥ 10000 × 0.5); A09 (武隆, 渝东南) is eligible only through the
  regional relaxation (8800 m² ≥ 8000, 18 ≥ 16 家, …): with `eligibility.regional_relaxation=1` it is rejected.
- **A10** is eligible but its list of institutions is missing → stopped at 评估, 材料不全(第十条(四)).
- **A04** passes 评估, but an objection during 公示 is upheld → rejected at 公示 (第九条(三)、(四)).
- **A05–A08** fail a condition of 第八条 → rejected at 评估 (before any expert review).
- **A11** passed 评估; 公示 is not over → `assessed`.
"""
