"""Every Chinese label the reports use, in one place; code and column names stay English."""

REGION = {"main_city": "主城都市区", "northeast": "渝东北三峡库区城镇群", "southeast": "渝东南武陵山区城镇群"}
GRADE = {"excellent": "优秀", "qualified": "合格", "unqualified": "不合格", "": "未评估"}
STATUS = {"active": "在册", "revoked": "已摘牌"}
KIND = {"comprehensive": "综合性", "specialized": "专业性"}
DIMENSION = {"score_economic": "经济发展", "score_role": "作用发挥", "score_operations": "运营管理"}
TIE_POLICY = {
    "exclude": "同分组整体超名额则均不评优秀",
    "include": "同分组全部评优秀",
    "dimension": "按分项得分依次比较",
}
CAP_ROUNDING = {"floor": "向下取整", "round": "四舍五入", "ceil": "向上取整"}

COLUMN = {
    "park_id": "园区编号",
    "name": "园区名称",
    "district": "区县",
    "region": "区域",
    "kind": "类型",
    "online_offline": "线上+线下",
    "certified_year": "认定年份",
    "year": "年度",
    "score": "总分",
    "rank": "名次",
    "grade": "等次",
    "cap_exceeded": "突破优秀名额",
    "veto": "一票否决",
    "rectified": "整改结果",
    "status": "状态",
    "base_due": "应拨基础补助(万元)",
    "base_paid": "实拨基础补助(万元)",
    "pending": "暂缓拨付(万元)",
    "cancelled": "取消(万元)",
    "bonus": "优秀奖励(万元)",
    "cumulative_paid": "累计拨付(万元)",
    "district_match": "区县配套(万元)",
    "evaluated": "参加评估",
    "revoked_this_year": "当年摘牌",
    "applicant_id": "申报单位编号",
    "eligible": "符合条件",
    "relaxed": "适用放宽",
    "n_participants": "参评园区数",
    "cap": "优秀名额",
    "n_excellent": "优秀数",
    "n_unqualified": "不合格数",
    "n_veto": "否决数",
    "ties_excluded": "边界同分未评优秀",
    **DIMENSION,
    "key": "参数",
    "value": "取值",
    "unit": "单位",
    "description": "说明",
    "reference": "依据",
    "assumption": "属假设",
    "reason": "理由",
    "baseline": "基准",
    "reform": "改革方案",
}

YES_NO = {True: "是", False: "否"}
SAMPLE = "示例数据"  # stamped on every table and chart built from the synthetic sample data

# --- hrpark policy show (law/show.py): the sections of the policy file -------------------------------------
POLICY_SECTION = {
    "regions": "区域划分(一区两群)",
    "eligibility": "认定条件",
    "procedure": "申报程序",
    "evaluation": "绩效评估",
    "grading": "评估等次",
    "subsidy": "补助资金",
    "consequences": "结果运用",
}

# --- the annual report (reports/annual.py, notebooks/annual_evaluation.ipynb) -----------------------------
# 附录 规则与条款: (article, rule, implementing function). Every number in a rule is a placeholder that
# reports/annual.py fills from the policy actually applied, so a reform's report states the reform's rules.
ANNUAL_RULES = (
    ("第四条", "一区两群区域划分", "regions.regions_of"),
    (
        "第十一条",
        "基础补助分{schedule_years}拨付({base_schedule}万元)，累计不超过{base_cap}万元{grade_factor}",
        "subsidy.step",
    ),
    ("第十三条", "区县配套补助资金({district_match})", "ledger.district_match_ratios"),
    ("第二十条", "每年评估一次；{first_evaluation}参加评估", "ledger.build"),
    ("第二十一条–第二十三条", "经济发展、作用发挥、运营管理三方面量化评分", "dataset.score_year"),
    ("第二十四条", "优秀不超过参评园区总数的{excellent_share}；{unqualified}", "grading.grade_scores"),
    ("第二十五条(一)", "年度优秀增加补助资金{excellent_bonus}万元", "subsidy.step"),
    (
        "第二十五条(二)",
        "不合格限期整改；整改后仍不合格取消当年补助；连续{revoke_years}不合格取消授牌",
        "subsidy.step",
    ),
)
ANNUAL_RULES_COLUMNS = ("条款", "规则", "实现")
# The rules each simulated year of the forecast applies, stated with the policy's numbers (annual.rule_values).
FORECAST_RULES = (
    ("第四条", "新认定园区按一区两群的比例分布", "forecast.draw"),
    (
        "第十一条",
        "基础补助分{schedule_years}拨付({base_schedule}万元)，累计不超过{base_cap}万元；认定当年无条件拨付{grade_factor}",
        "subsidy.step",
    ),
    ("第十三条", "区县配套 = 当年市级拨付 × 区县配套比例({district_match})", "forecast.project"),
    ("第二十条", "{first_evaluation}每年参加评估；摘牌后不再参加", "forecast.project"),
    ("第二十一条", "得分模型：园区效应 + 逐年持续的偏离(AR(1))，由历年得分估计", "forecast.fit_score_model"),
    ("第二十四条", "优秀不超过参评园区总数的{excellent_share}；{unqualified}", "grading.grade_scores"),
    ("第二十五条(一)", "年度优秀增加补助资金{excellent_bonus}万元", "subsidy.step"),
    (
        "第二十五条(二)",
        "不合格限期整改，整改后仍不合格取消当年补助；连续{revoke_years}不合格取消授牌",
        "subsidy.step",
    ),
)
# the pieces of ANNUAL_RULES that depend on a reading of the text (docs/readings.md)
UNQUALIFIED_BELOW = "得分低于{pass_mark}分直接确定为不合格"  # grading.pass_mark_inclusive = false
UNQUALIFIED_AT_OR_BELOW = "得分{pass_mark}分及以下直接确定为不合格"  # grading.pass_mark_inclusive = true
# subsidy.grade_factor, shown only when a factor is not 1 (the baseline pays the schedule in full)
GRADE_FACTOR_RULE = "；次年起按等次系数核拨(优秀×{excellent}、合格×{qualified}、不合格×{unqualified})"
VETO_RULE = "一票否决事项直接确定为不合格"  # grading.veto_enabled = true
# evaluation.first_evaluation_offset: 0, 1, and any later year
FIRST_EVALUATION = {0: "认定当年起", 1: "认定次年起"}
FIRST_EVALUATION_LATER = "认定后第{offset}年起"
DISTRICT_MATCH_NONE = "未规定配套比例，按0计"
DISTRICT_MATCH_RATIO = "市级拨付额 × {ratio}"
DISTRICT_MATCH_BY_DISTRICT = "，{n} 个区县另设比例"
# a number of years in words, as the text writes 连续两年 (第二十五条(二)); other counts: 三年, 四年 …
YEARS = {2: "两年"}
YEARS_N = "{n}年"
# 第二十五条(二): what happens to an unqualified park this year (整改与处理 table)
RECTIFY_OUTCOME = {
    "revoked": "连续{revoke_years}不合格，取消授牌",
    "rectified": "整改合格，拨付当年补助",
    "not_rectified": "整改后仍不合格，取消当年补助",
    "pending": "限期整改中，当年补助暂缓拨付",
}
ANNUAL_COLUMN = {
    "outcome": "处理结果",
    "base_to_date": "累计基础补助(万元)",
    "cap_room": "距{base_cap}万元上限(万元)",
    "municipal_total": "市级拨付合计(万元)",
}
TOTAL = "合计"
KIND_MISSING = "未填"
REGION_HEADER = "区域"
# 指标体系: the evaluation sheet's columns (law/sheet.py ``Sheet.table``)
SHEET_COLUMN = {
    "id": "指标代码",
    "name": "指标名称",
    "dimension": "评估内容",
    "weight": "分值",
    "unit": "单位",
    "source": "数据来源",
    "method": "计分方法",
    "params": "计分参数",
    "reference": "依据",
}
# 第二十三条(二): each park's own 得分表 in the XLSX (one sheet per park)
PARK_SHEET_COLUMN = {"points": "得分"}
PARK_SHEET_TOTAL = "{name}(名次 {rank}，{grade})"
PARK_SHEET_NAME = "得分表-{park_id}"
PARK_SHEET_TITLE = "园区编号 {park_id}：{name} 绩效评估得分表"


# --- the sensitivity report (issue 5, notebooks/sensitivity.ipynb) ---------------------------------------
SENSITIVITY_FACTOR = {
    "excellent_share": "优秀比例上限",
    "pass_mark": "合格线",
    "sigma": "评分误差σ",
    "tie_policy": "边界同分处理",
    "cap_rounding": "名额取整",
    "pass_mark_inclusive": "“60分以下”含60分",
    "veto_enabled": "一票否决生效",
    "baseline": "基准",
}
SENSITIVITY_OUTPUT = {
    "total_bonus": "优秀奖励总额(万元)",
    "n_unqualified": "不合格园区数",
    "at_risk": "风险补助(万元)",
}
SENSITIVITY_COLUMN = {
    "share": "优秀比例上限",
    "pass_mark": "合格线(分)",
    "cap": "优秀名额",
    "n_excellent": "优秀数",
    "n_qualified": "合格数",
    "n_unqualified": "不合格数",
    "bonus": "优秀奖励(万元)",
    "at_risk": "风险补助(万元)",
    "base_due": "应拨基础补助(万元)",
    "is_baseline": "基准",
    "n_changed": "等次变化园区数",
    "to_excellent": "新增优秀",
    "from_excellent": "不再优秀",
    "to_unqualified": "新增不合格",
    "from_unqualified": "不再不合格",
    "share_from": "优秀比例自",
    "share_to": "优秀比例至",
    "pass_mark_from": "合格线自(分)",
    "pass_mark_to": "合格线至(分)",
    "excellent_from_share": "基准合格线下评为优秀所需比例",
    "unqualified_from_mark": "基准比例下判为不合格的合格线(分)",
    "changed_share": "网格中等次改变的比例",
    "changed": "改变的读法",
    **{name: SENSITIVITY_FACTOR[name] for name in ("tie_policy", "cap_rounding", "pass_mark_inclusive")},
    "veto_enabled": "一票否决生效",
    "cap_exceeded": "突破优秀名额",
    "ties_excluded": "边界同分未评优秀",
    "sigma": "评分误差σ(分)",
    "p_excellent": "P(优秀)",
    "p_qualified": "P(合格)",
    "p_unqualified": "P(不合格)",
    "rank_mean": "平均名次",
    "rank_p5": "名次5%分位",
    "rank_p95": "名次95%分位",
    "coin_toss": "等次摇摆",
    "n_excellent_mean": "优秀数均值",
    "n_excellent_p5": "优秀数5%分位",
    "n_excellent_p95": "优秀数95%分位",
    "n_unqualified_mean": "不合格数均值",
    "n_unqualified_p5": "不合格数5%分位",
    "n_unqualified_p95": "不合格数95%分位",
    "bonus_mean": "优秀奖励均值(万元)",
    "bonus_p5": "优秀奖励5%分位(万元)",
    "bonus_p95": "优秀奖励95%分位(万元)",
    "at_risk_mean": "风险补助均值(万元)",
    "at_risk_p5": "风险补助5%分位(万元)",
    "at_risk_p95": "风险补助95%分位(万元)",
    "tau_draws": "计算τ的抽样次数",
    "tau_mean": "τ均值",
    "tau_p5": "τ 5%分位",
    "tau_p95": "τ 95%分位",
    "output": "输出",
    "factor": "因素",
    "kind": "因素类型",
    "S1": "一阶指数S1",
    "S1_conf": "S1置信半宽",
    "ST": "总效应指数ST",
    "ST_conf": "ST置信半宽",
    "output_mean": "输出均值",
    "output_std": "输出标准差",
}
SOBOL_KIND = {"continuous": "连续", "categorical": "类别"}


# --- the subsidy forecast report (issue 6, notebooks/subsidy_forecast.ipynb) ------------------------------
# forecast.MEASURES, each with its unit: amounts in 万元, counts of parks in 个.
FORECAST_MEASURE = {
    "base_paid": "基础补助(万元)",
    "bonus": "优秀奖励(万元)",
    "outlay": "市级支出合计(万元)",
    "district_match": "区县配套(万元)",
    "pending": "暂缓拨付(万元)",
    "cancelled": "取消的基础补助(万元)",
    "active": "在册园区(个)",
    "revoked": "已摘牌园区(累计，个)",
    "newly_revoked": "当年摘牌(个)",
    "arrivals": "新认定园区(个)",
    **{f"arrivals_{key}": f"新认定-{name}(个)" for key, name in REGION.items()},
    "n_evaluated": "参评园区(个)",
    "n_excellent": "优秀(个)",
    "n_qualified": "合格(个)",
    "n_unqualified": "不合格(个)",
    "cumulative_outlay": "累计市级支出(万元)",
    "cumulative_district_match": "累计区县配套(万元)",
}
FORECAST_SCENARIO = {"baseline": "基准"}  # reforms keep the name the params file gives them
FORECAST_COLUMN = {
    "scenario": "方案",
    "reform": "改革方案",
    "year": "年度",
    "measure": "指标",
    "mean": "均值",
    "p5": "P5",
    "p50": "P50(中位数)",
    "p95": "P95",
    "budget": "预算线(万元)",
    "p_over_budget": "超预算概率",
    "expected_overrun": "预期超支额(万元)",
    "baseline_mean": "基准均值",
    "reform_mean": "改革方案均值",
    "difference_mean": "差额均值",
    "difference_p5": "差额P5",
    "difference_p50": "差额P50",
    "difference_p95": "差额P95",
    "existing": "已认定园区(万元)",
    "new": "新认定园区(万元)",
    "outlay_sd": "市级支出标准差(万元)",
    "existing_sd": "已认定园区标准差(万元)",
    "new_sd": "新认定园区标准差(万元)",
    "parameter": "参数",
    "symbol": "符号",
    "value": "取值",
    "meaning": "含义",
    "description": "说明",
}
# ForecastConfig fields shown in the report's 预测情景 table (forecast.ForecastConfig documents each).
FORECAST_CONFIG = {
    "horizon": "预测终止年",
    "paths": "模拟路径数(蒙特卡洛)",
    "seed": "随机种子",
    "arrivals": "新认定园区的情景：fixed 每年固定个数；poisson 每年个数服从泊松分布",
    "arrival_counts": "每年新认定园区个数(fixed)",
    "arrival_rate": "每年新认定园区的期望个数(poisson)",
    "region_shares": "新认定园区在一区两群的分布(第四条)",
    "ceiling": "在册园区个数上限(不设则无上限)",
    "score_model": "评分模型：fit 由历年得分估计；fixed 采用给定数值",
    "phi": "得分偏离的逐年持续性φ(fit 时为先验中心)",
    "sigma": "得分每年新增波动的标准差σ(分；fit 时为先验中心)",
    "mu_mean": "园区效应的均值m(分；fit 时为先验中心)",
    "mu_sd": "园区效应的标准差τ(分；fit 时为先验中心)",
    "prior_scale": "先验的宽度κ(越大越依赖数据)",
    "score_decimals": "评估得分保留的小数位数(决定同分的可能)",
    "veto_rate": "每个参评园区每年被一票否决的概率(第二十四条)",
    "rectification_probability": "不合格园区整改合格的概率(第二十五条(二))",
    "budget": "每年市级支出的预算线(万元；不设则不计算超预算风险)",
}

# --- the certification round (engine/certification.py, hrpark applications, the certification report) ----
# 第十条's materials and 第八条's conditions: (the clause cited, what it asks for).
MATERIAL = {
    "application_form": ("第十条(一)", "申报函件和审批表"),
    "local_policy": ("第十条(二)", "地方政策措施或规划"),
    "park_plan": ("第十条(三)", "园区规划、用地或产权(租赁)证明、运营管理材料"),
    "institution_list": ("第十条(四)", "拟入驻机构名录及证照"),
}
CONDITION = {  # in the order of 第八条's clauses
    "policy_support": ("第八条(一)", "地方政策支持"),
    "plan_complete": ("第八条(二)", "建设方案完整"),
    "floor_area": ("第八条(二)", "建筑面积"),
    "infrastructure": ("第八条(三)", "基础设施完备"),
    "management": ("第八条(四)", "运营管理机制健全"),
    "institutions": ("第八条(五)", "入驻机构数量"),
    "revenue": ("第八条(五)", "运营首年营收"),
    "employment": ("第八条(六)", "帮助就业和流动人次"),
    "talent": ("第八条(七)", "优秀紧缺人才流动人次"),
}
STAGE = {"submitted": "已申报(评估未完成)", "assessed": "通过评估(待公示结果)", "certified": "授牌",
         "rejected": "驳回"}  # fmt: skip
REJECTED_AT = {"assessment": "评估", "publicity": "公示", "": ""}
REASON_MATERIAL = "材料不全({clause})"
REASON_CONDITION = "不符合{clause} {name}"
REASON_EXPERT = "专家评审未通过(第九条(二))"
REASON_OBJECTION = "公示异议成立(第九条(三)、(四))"
REASON_SUBMITTED = "评估未完成(第九条(二))"
REASON_ASSESSED = "公示结果未定(第九条(三))"
REASON_CERTIFIED = "经公示无异议，认定授牌(第九条(四))"
REASON_SEPARATOR = "；"
EXPERT_WORDS = {"pass": 1.0, "通过": 1.0, "fail": 0.0, "未通过": 0.0, "不通过": 0.0}
OBJECTION_WORDS = {"upheld": 1.0, "成立": 1.0, "异议成立": 1.0, "none": 0.0, "无": 0.0, "无异议": 0.0,
                   "不成立": 0.0}  # fmt: skip
RELAXATION_NEEDED = {
    "none": "无需放宽", "regional": "仅因地区放宽", "online": "仅因“线上+线下”放宽", "either": "任一项放宽即可",
    "both": "需两项放宽同时适用", "ineligible": "不符合条件",
}  # fmt: skip
CERTIFICATION_COLUMN = {
    "stage": "所处阶段",
    "rejected_at": "驳回环节",
    "reason": "原因(依据)",
    "relaxation_applied": "适用的放宽",
    "relaxation_needed": "放宽的作用",
    "strict_eligible": "不放宽时符合条件",
    "existing_base": "在册园区基础补助(万元)",
    "existing_bonus": "在册园区优秀奖励(万元)",
    "new_base": "本轮新认定园区基础补助(万元)",
    "new_bonus_max": "本轮新认定园区优秀奖励上限(万元)",
    "total_max": "合计(上限，万元)",
    "before": "本轮前园区数",
    "new": "本轮新认定",
    "after": "本轮后园区数",
    "share_before": "本轮前占比",
    "share_after": "本轮后占比",
    "certified_month": "认定月份",
    "outlay_without": "不含本轮 期望市级支出(万元)",
    "outlay_without_p95": "不含本轮 P95(万元)",
    "outlay_with": "含本轮 期望市级支出(万元)",
    "outlay_with_p95": "含本轮 P95(万元)",
    "outlay_difference": "本轮新增 期望支出(万元)",
}
THRESHOLD_KINDS = ["无放宽", "地区放宽", "“线上+线下”面积放宽", "两项放宽同时适用"]
RELAXATION_APPLIED_REGIONAL = "地区放宽 × {factor}"
RELAXATION_APPLIED_ONLINE = "“线上+线下”面积 × {factor}"
RELAXATION_APPLIED_NONE = "无"
CERTIFICATION_RULES = (
    ("第四条", "一区两群区域划分，园区布局均衡", "regions.regions_of"),
    ("第八条(一)至(七)", "认定条件: 建筑面积不低于{min_floor_area_m2}平方米、入驻机构不低于{min_institutions}家、"
     "运营首年营收不低于{min_revenue_first_year}万元、帮助就业和流动不少于{min_employment_served}人次、"
     "优秀紧缺人才流动不少于{min_talent_moves}人次，及(一)(二)(三)(四)的事实条件", "eligibility.assess"),
    ("第八条 末段", "{relaxed_regions}的量化门槛 × {regional_relaxation}；“线上+线下”的面积门槛 × "
     "{online_area_relaxation}；两者同时适用时{combine}", "eligibility.thresholds"),
    ("第九条、第十条", "申报 → 评估(材料齐全({materials})、符合第八条、专家评审通过) → 公示(异议成立则驳回) → 授牌",
     "procedure.stages"),
    ("第十一条", "新认定园区基础补助按 {base_schedule} 万元分{schedule_years}拨付，最高{base_cap}万元",
     "subsidy.scheduled_base"),
    ("第二十五条(一)", "年度评估优秀增加补助资金{excellent_bonus}万元(新认定园区自认定年份后第{first_evaluation}年起参加评估)",
     "certification.commitments"),
)  # fmt: skip
COMBINE = {"multiply": "系数相乘", "min": "取较小系数(只适用放宽幅度较大的一项)"}

# The exploration notebook (reports/explore.py, issue 16): hp.compare's columns; 甲 = policy_a, 乙 = policy_b.
EXPLORE_COLUMN = {
    "paid": "当年拨付(万元)",
    "grade_a": "等次(甲)",
    "grade_b": "等次(乙)",
    "status_a": "状态(甲)",
    "status_b": "状态(乙)",
    "paid_a": "当年拨付(甲,万元)",
    "paid_b": "当年拨付(乙,万元)",
    "paid_diff": "拨付差额(乙−甲,万元)",
    "changed": "变化项",
}
EXPLORE_CHANGED = {
    "grade": "等次", "status": "状态", "paid": "当年拨付", "base_due": "应拨基础补助", "base_paid": "实拨基础补助",
    "bonus": "优秀奖励", "pending": "暂缓拨付", "cancelled": "取消", "district_match": "区县配套",
}  # fmt: skip
# --- hrpark explain and the annual report's 等次说明 (engine/explain.py, reports/explain.py)
EXPLAIN_TIE = {
    "exclude": "同分组整体超出剩余优秀名额，按 tie_policy=exclude 均不评为优秀",
    "include": "同分组按 tie_policy=include 全部评为优秀(突破优秀名额)",
    "dimension": "按 tie_policy=dimension 依分项得分比较，同分组 {total} 个园区中 {n} 个评为优秀",
}
EXPLAIN_MONEY = {
    "schedule": "认定后第{n}年，基准{amount}万元，应拨{due}万元(第十一条)",
    "after_schedule": "{years}年基础补助期已满，无基础补助(第十一条)",
    "revoked_before": "已摘牌，不再拨付(第二十五条(二))",
    "revoked_now": "连续{years}年不合格，当年取消授牌，应拨补助取消(第二十五条(二))",
    "pending": "不合格，整改结果未定，应拨补助暂缓(第二十五条(二))",
    "not_rectified": "整改后仍不合格，取消当年应拨补助(第二十五条(二))",
    "rectified": "不合格，已按期整改，照拨(第二十五条(二))",
    "cap": "超出累计{cap}万元上限的部分取消(第十一条)",
    "bonus": "优秀，增加补助资金{bonus}万元(第二十五条(一))",
    "no_bonus": "优秀，但按所用解读不给予奖励(subsidy.bonus_after_subsidy_years 或累计上限)",
}
EXPLAIN_TEXT = {
    "head": "园区 {park_id} {year} 年绩效评估：{score} 分，{grade}，名次 {rank}/{n}",
    "cap": "优秀名额：{formula}(第二十四条，优秀不超过参评园区总数的{share}，grading.cap_rounding={rounding})",
    "boundary": "当年最低优秀分：{score} 分",
    "no_boundary": "当年没有园区评为优秀",
    "tie": "同分园区：{ids}(共 {n} 个，{score} 分)",
    "tie_at_cap": "该同分组位于优秀名额边界(其上已有 {above} 个优秀候选，剩余名额 {left})：{outcome}",
    "veto_yes": "一票否决：是(grading.veto_enabled={enabled})",
    "veto_no": "一票否决：否",
    "to_excellent_zero": "距优秀：已评为优秀",
    "to_excellent": "距优秀：其他园区得分不变时，至少再得 {points} 分可评为优秀",
    "to_excellent_none": "距优秀：其他园区得分不变时，提高得分也不能评为优秀",
    "pass_mark": "距合格线：{diff:+g} 分(合格线 {mark} 分；{reading})",
    "readings": "不同解读下的等次(其余参数按所用政策)：",
    "reading_row": "  {label}({key})：{values}",
    "applied": "(采用)",
    "not_applicable": "无法计算(缺少分项得分)",
    "money": "资金(万元)：应拨 {base_due:g}，实拨 {base_paid:g}，暂缓 {pending:g}，取消 {cancelled:g}，奖励 {bonus:g}",
    "money_why": "  原因：{why}",
    "articles": "依据条款：",
    "article": "  {article}(用于 {keys})",
    "quote": "    「{quote}」",
}
EXPLAIN_PASS_READING = {
    False: "恰为合格线按合格计，grading.pass_mark_inclusive=false",
    True: "恰为合格线按不合格计(《民法典》读法)，grading.pass_mark_inclusive=true",
}
EXPLAIN_LINE = {
    "base": "{score} 分，名次 {rank}/{n}，{grade}",
    "veto": "一票否决",
    "below": "低于合格线{mark}分",
    "tie": "与 {others} 同分于优秀名额边界，{outcome}",
    "to_excellent": "再得 {points} 分可评优秀",
    "changes": "{label}={value} 时为{grade}",
}
EXPLAIN_SUMMARY_COLUMN = "说明"
QUOTE_COLUMN = "原文"  # 附录 规则与条款: the words of the article each rule applies
IMPACT = {
    "key": "解读(参数)",
    "baseline": "默认取值",
    "alternative": "替代取值",
    "id": "园区/申报单位",
    "change": "变化",
    "paid_change": "当年市级拨付变化(万元)",
    "due_change": "当年应拨基础补助变化(万元)",
    "district_match_change": "当年区县配套变化(万元)",
    "cumulative_change": "累计拨付变化(万元)",
    "none": "无园区或申报单位变化",
    "no_applicants": "无申报数据，未计算",
    "refused": "数据不适用该解读: {why}",
    "eligible": "符合条件: {was} → {now}",
    "grade": "等次: {was} → {now}",
    "money_only": "等次不变，资金变化",
}
NOT_SET = "(不设)"

# --- the bureau's own data: input files, their Chinese headers and the templates (io/tables.py, io/template.py)
# Each input file of a data folder: the Chinese name of its role, which is also the name of the worksheet
# that holds its rows in an XLSX file (a sheet named like the file stem is read as well).
INPUT_ROLE = {
    "parks": "园区名单",
    "evaluations": "评估结果",
    "monthly": "月报",
    "targets": "年度目标",
    "ratings": "专家评分",
    "events": "扣分与否决事项",
    "applicants": "申报单位",
}
# Every input column: (Chinese header, meaning, unit, article). The Chinese header is what the templates
# write and what every reader accepts as an alias of the English key: ONE table for both.
# The monthly figures take theirs from the evaluation sheet's ``monthly_fields`` (name and unit).
INPUT_COLUMN = {
    "park_id": ("园区编号", "园区的唯一编号(如 P01)，各文件之间以此对应", "", "第三条"),
    "applicant_id": ("申报单位编号", "申报园区的唯一编号(如 A01)", "", "第九条(一)"),
    "name": ("园区名称", "园区的名称", "", "第三条"),
    "district": ("区县", "园区所在区县(可写 渝北 或 渝北区)，决定其属于一区两群的哪一区域", "", "第四条"),
    "certified_year": ("认定年份", "市级人力资源服务产业园授牌的年份", "年", "第九条(四)"),
    "certified_month": ("认定月份", "授牌的月份；月报从该月起报送(空 = 得分表的默认月份)", "月", "第十六条"),
    "kind": ("园区类型", "综合性 或 专业性(可空)", "", "第三条"),
    "online_offline": ("线上+线下", "是否为“线上+线下”园区(是/否，可空 = 否)", "", "第三条；第八条 末段"),
    "year": ("年度", "评估、报送或目标所属的年份", "年", "第二十条"),
    "month": ("月份", "月报所属的月份(1–12)", "月", "第十六条"),
    "score": ("总分", "年度绩效评估总分(0–100)", "分", "第二十四条"),
    "veto": ("一票否决", "是否触发一票否决事项(是/否，空 = 否)", "", "第二十四条"),
    "rectified": (
        "整改合格",
        "不合格园区限期整改后是否合格(是/否，空 = 不适用或尚未确定)",
        "",
        "第二十五条(二)",
    ),
    "score_economic": ("经济发展得分", "经济发展方面的分项得分(可空)", "分", "第二十一条(一)"),
    "score_role": ("作用发挥得分", "作用发挥方面的分项得分(可空)", "分", "第二十一条(二)"),
    "score_operations": ("运营管理得分", "运营管理方面的分项得分(可空)", "分", "第二十一条(三)"),
    "indicator": ("指标代码", "得分表中的指标代码(下拉选择)", "", "第二十一条"),
    "target": ("目标值", "年度运营发展目标，单位同该指标(大于 0)", "指标单位", "第十四条"),
    "rating": ("评分", "专家评分，按该指标的评分方式(分值或 0–1)", "分或比例", "第二十二条(三)"),
    "expert": ("专家", "评分专家的代号(同一指标多位专家取平均)", "", "第二十二条(三)"),
    "count": ("次数", "扣分或一票否决事项发生的次数", "次", "第二十一条(三)；第二十四条"),
    "note": ("备注", "事项说明(可空)", "", "第二十一条(三)"),
    "floor_area_m2": ("园区建筑面积", "园区建筑面积", "平方米", "第八条(二)"),
    "n_institutions": ("入驻机构数", "入驻人力资源服务机构数量", "家", "第八条(五)"),
    "revenue_first_year": ("运营首年营业收入", "运营首年人力资源服务营业收入", "万元", "第八条(五)"),
    "employment_served": ("帮助就业和流动人次", "每年帮助劳动者实现就业和流动人次", "人次", "第八条(六)"),
    "talent_moves": ("优秀紧缺人才流动人次", "每年帮助优秀紧缺人才流动人次", "人次", "第八条(七)"),
    "policy_support": ("地方政策支持", "所在区县出台支持政策(是/否)", "", "第八条(一)"),
    "plan_complete": ("建设方案完整", "有完整的园区建设方案(是/否)", "", "第八条(二)"),
    "infrastructure": ("基础设施完备", "基础设施完备(是/否)", "", "第八条(三)"),
    "management": ("运营管理机制健全", "运营管理机制健全(是/否)", "", "第八条(四)"),
    "material_application_form": ("申报函件和审批表", "材料是否齐全(是/否，空 = 尚未审核)", "", "第十条(一)"),
    "material_local_policy": ("地方政策措施或规划", "材料是否齐全(是/否，空 = 尚未审核)", "", "第十条(二)"),
    "material_park_plan": ("园区规划及证明材料", "材料是否齐全(是/否，空 = 尚未审核)", "", "第十条(三)"),
    "material_institution_list": ("拟入驻机构名录", "材料是否齐全(是/否，空 = 尚未审核)", "", "第十条(四)"),
    "expert_review": ("专家评审", "通过 / 未通过(空 = 尚未评审)", "", "第九条(二)"),
    "publicity_objection": ("公示异议", "异议成立 / 无异议(空 = 公示未结束)", "", "第九条(三)"),
    "round": ("申报批次", "申报所属年度(认定当年)", "年", "第九条"),
}
MONTHLY_HEADER = "{name}({unit})"  # a monthly figure's header: the sheet's name and unit
HEADER_UNKNOWN = "无法识别的列名 {header!r}{hint}(可用的列名: {known})"
HEADER_HINT = "；是否想用 {best}？"
# the templates (hrpark template)
TEMPLATE_GUIDE_SHEET = "填写说明"
TEMPLATE_LISTS_SHEET = "选项"
TEMPLATE_GUIDE_COLUMNS = ("列名", "英文键", "含义", "单位", "依据", "是否必填", "可填的值")
TEMPLATE_REQUIRED = {True: "必填", False: "可空"}
TEMPLATE_EXAMPLE = "示例行"  # written in the first column of the example row; rows marked so are skipped
TEMPLATE_GUIDE_INTRO = (
    "本表为《重庆市市级人力资源服务产业园管理办法(试行)》(渝人社发〔2021〕57号)数据报送模板：{role}。",
    "第 1 行为中文列名，第 2 行(隐藏)为对应的英文键，请勿修改或删除这两行；数据从第 4 行起填写。",
    "第 3 行为示例行(首列标有“示例行”)，读取时跳过，可保留也可删除。",
    "可直接保存为 xlsx，也可另存为 CSV(UTF-8 或 GBK 编码均可)。",
)
TEMPLATE_YEAR_NOTE = "年度应在 {lo}–{hi} 之间"
TEMPLATE_WRITTEN = "模板已写入 {out}({n} 个文件)"
# hrpark check and the list of problems (cli.py)
CHECK_CLEAN = (
    "数据检查通过: {folder}，{n_parks} 个园区，{year} 年 {n_taking_part} 个园区参加评估，{n_files} 个文件"
)
CHECK_MISSING_MONTHS = "；缺报月报 {n} 条(第十六条，计入报送及时率): {which}"
CHECK_MISSING_MONTH = "{park_id} {year}年{month}月"
CHECK_MISSING_MORE = " 等"
CHECK_SEPARATOR = "、"
ERRORS_HEADER = "输入数据有 {n} 处问题，涉及 {files} 个文件:"
ERRORS_MORE = "……另有 {n} 处问题未列出(用 --errors 文件 保存完整清单)"
ERRORS_WRITTEN = "问题清单已写入 {path}"
ERRORS_COLUMN = {
    "file": "文件",
    "sheet": "工作表",
    "row": "行",
    "column": "列",
    "value": "值",
    "problem": "问题",
}
ERRORS_SHEET = "问题清单"
ERRORS_ROWS_SHEET = "问题行-{n}"
# the example row of each template (skipped on reading): a value per key; the first cell carries the mark
TEMPLATE_EXAMPLE_VALUES = {
    "park_id": "P01", "applicant_id": "A01", "name": "某某人力资源服务产业园", "district": "渝北区",
    "certified_month": 10, "kind": "综合性", "online_offline": "否", "month": 1, "score": 78.5, "veto": "否",
    "rectified": "", "score_economic": 31.2, "score_role": 26.8, "score_operations": 20.5, "target": 90000,
    "rating": 0.8, "expert": "E1", "count": 1, "note": "消防通道临时堵塞，已当场整改", "floor_area_m2": 15800,
    "n_institutions": 34, "revenue_first_year": 68000, "employment_served": 265000, "talent_moves": 2650,
    "policy_support": "是", "plan_complete": "是", "infrastructure": "是", "management": "是",
    "material_application_form": "是", "material_local_policy": "是", "material_park_plan": "是",
    "material_institution_list": "是", "expert_review": "通过", "publicity_objection": "无异议",
}  # fmt: skip
TEMPLATE_EXAMPLE_MARK = TEMPLATE_EXAMPLE + "({value})"
TEMPLATE_VALUES_YES_NO = "是 / 否"
TEMPLATE_VALUES_RANGE = "{lo} 至 {hi}"
TEMPLATE_VALUES_MIN = "不小于 {lo}"
TEMPLATE_VALUES_LIST = "下拉选择：{values}"
TEMPLATE_VALUES_DISTRICT = "下拉选择：一区两群的 {n} 个区县(第四条)"
TEMPLATE_INVALID = "填写的值不符合要求：{values}"
TEMPLATE_MONTHLY_MEANING = "月报数据：{name}({aggregation})"
TEMPLATE_AGGREGATION = {"flow": "按年合计", "stock": "取年末最后报送月份"}
