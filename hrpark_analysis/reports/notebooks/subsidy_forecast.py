# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
from typing import Optional, Union  # rather than "X | None": papermill --help-notebook reads these

data_dir: str = ""  # 数据文件夹(与示例数据同样的结构)；空表示内置的示例数据
base_year: int = 2025  # 基准年：最近的评估年度，预测从次年开始
horizon: int = 2030  # 预测终止年(日历年；小于1000时表示预测年数)
policy_file: str = ""  # 政策参数文件；空表示内置的渝人社发〔2021〕57号基准
policy_set: list = []  # 基准方案的政策参数覆盖列表(写法见 hrpark policy show 与 README)
sheet_file: str = ""  # 得分表；空表示内置的示意得分表
arrivals: str = "poisson"  # 新认定园区：fixed 每年固定个数；poisson 每年个数服从泊松分布
arrival_counts: Union[int, list] = 1  # fixed：每年个数，或每个预测年份一个数的列表
arrival_rate: Union[float, list] = 1.0  # poisson：每年期望个数，或每个预测年份一个数的列表
region_shares: dict = {"main_city": 0.6, "northeast": 0.25, "southeast": 0.15}  # 新认定园区的区域分布(第四条)
ceiling: Optional[int] = None  # 在册园区个数上限(如“1+10+N”规划)；None 表示不设
score_model: str = "fit"  # fit：由历年得分估计评分模型；fixed：采用下面四个数值
phi: float = 0.5  # 得分偏离的逐年持续性 φ(fit 时为先验中心)
sigma: float = 5.0  # 每年新增波动的标准差 σ，分(fit 时为先验中心)
mu_mean: float = 75.0  # 园区效应的均值 m，分(fit 时为先验中心)
mu_sd: float = 8.0  # 园区效应的标准差 τ，分(fit 时为先验中心)
prior_scale: float = 1.0  # 先验宽度 κ
veto_rate: float = 0.02  # 每个参评园区每年被一票否决的概率
rectification_probability: float = 0.8  # 不合格园区整改合格的概率
paths: int = 1000  # 模拟路径数(正式报告可用 10000)
seed: int = 20211222  # 随机种子
budget: Optional[float] = 1300.0  # 每年市级支出的预算线，万元；None 表示不设
reforms: dict = {"优秀比例20%": {"grading.excellent_share": 0.2}, "奖励20万元": {"subsidy.excellent_bonus": 20}}  # 方案名称与覆盖(映射，或 --set 写法的列表)
issuer: str = "重庆市人力资源和社会保障局"  # 发布单位(封面)
report_date: str = ""  # 报告日期 YYYY-MM-DD(封面)；空表示 SOURCE_DATE_EPOCH，或基准年的12月31日

# %%
from hrpark_analysis.reports.kernel_check import check_kernel  # every route (hrpark report, papermill alone) checks

check_kernel("forecast", globals())  # the parameters above as hrpark report does: names, types, paths

# %%
from pathlib import Path

import pandas as pd

from hrpark_analysis import labels
from hrpark_analysis.reports import charts
from hrpark_analysis.reports import forecast as fr
from hrpark_analysis.reports import forecast_charts as frc
from hrpark_analysis.engine.dataset import SAMPLE_DIR, load_dataset
from hrpark_analysis.reports.export import publish_table
from hrpark_analysis.engine.forecast import ForecastConfig, forecast
from hrpark_analysis.law.policy import load_policy

charts.setup_matplotlib()
pd.set_option("display.precision", 2)
pd.set_option("display.max_rows", 200)

policy = load_policy(policy_file or None, policy_set)
config = ForecastConfig.from_mapping(
    {
        "horizon": fr.horizon_year(base_year, horizon),
        "paths": paths,
        "seed": seed,
        "arrivals": arrivals,
        "arrival_counts": arrival_counts,
        "arrival_rate": arrival_rate,
        "region_shares": region_shares,
        "ceiling": ceiling,
        "score_model": score_model,
        "phi": phi,
        "sigma": sigma,
        "mu_mean": mu_mean,
        "mu_sd": mu_sd,
        "prior_scale": prior_scale,
        "veto_rate": veto_rate,
        "rectification_probability": rectification_probability,
        "budget": budget,
    }
)
# What forecast_dataset does (score the base year from the folder, then forecast), with the folder read once so
# that its files can be listed in the appendix.
data = load_dataset(Path(data_dir) if data_dir else SAMPLE_DIR, base_year, policy, sheet_path=sheet_file or None)
result = forecast(data.parks, data.evaluations, policy, config, base_year=base_year, reforms=reforms)
is_sample = data.is_sample
report = fr.build(
    result,
    policy,
    files=data.files,
    parameters={
        "data_dir": data_dir or "(内置示例数据)", "base_year": base_year, "horizon": horizon, "policy_file": policy_file or "(内置)",
        "policy_set": policy_set, "sheet_file": sheet_file or "(内置示意得分表)", "arrivals": arrivals,
        "arrival_counts": arrival_counts, "arrival_rate": arrival_rate, "region_shares": region_shares,
        "ceiling": ceiling, "score_model": score_model, "phi": phi, "sigma": sigma, "mu_mean": mu_mean,
        "mu_sd": mu_sd, "prior_scale": prior_scale, "veto_rate": veto_rate,
        "rectification_probability": rectification_probability, "paths": paths, "seed": seed, "budget": budget,
        "reforms": reforms,
    },
)  # fmt: skip
s = report.summary
years = [int(y) for y in report.years]


def show(name: str):
    """Display a report table and hand it to the XLSX (one sheet per table)."""
    return publish_table(report.tables[name], name)


# %%
from hrpark_analysis.reports.document import Document
from hrpark_analysis.reports.formatting import percent

doc = Document(f"{years[0]}–{years[-1]}年重庆市市级人力资源服务产业园补助资金多年预测", year=base_year,
               issuer=issuer, report_date=report_date, sample=is_sample,
               subtitle="依据《重庆市市级人力资源服务产业园管理办法(试行)》(渝人社发〔2021〕57号)第十一条、第二十四条、第二十五条")  # fmt: skip
doc.title_page()
doc.cover([("数据来源", data_dir or "软件包内置的示例数据"), ("基准年", str(base_year)),
           ("预测年份", f"{years[0]}–{years[-1]}")], report.tables)  # fmt: skip


def show(name: str, **kwargs):
    """Show a report table, numbered and captioned, and hand it to the XLSX (one sheet per table)."""
    doc.table(report.tables[name], name, **kwargs)


# %% [markdown]
# ## 摘要
#
# 依据《重庆市市级人力资源服务产业园管理办法(试行)》(渝人社发〔2021〕57号)，预测今后几年市级人力资源服务产业
# 发展资金需要拨付的第十一条基础补助(150/100/50万元)、第二十五条(一)优秀奖励，以及第二十五条(二)整改后仍不合格
# 取消补助、连续两年不合格取消授牌带来的减少。
#
# 预测从基准年的园区台账出发，对每一个预测年份模拟新认定园区、各园区的评估得分、一票否决和整改结果，再按与年度
# 评估报告相同的规则(第二十四条定等次、第十一条与第二十五条核定补助)逐年计算。模拟重复成千上万次(“路径”)，
# 报告给出均值和 P5/P50/P95：P5–P95 之间包含 90% 的模拟结果。同一数据、参数与随机种子得到完全相同的结果。
#
# 市级支出指市级财政拨付的基础补助与优秀奖励之和(不含区县配套)。均值是所有模拟路径的平均；
# P5–P95 是 90% 的模拟路径所在的范围，反映新认定园区个数、评估得分、一票否决和整改结果的随机性。

# %%
outlay = result.summary.query("scenario == 'baseline' and measure == 'outlay'").set_index("year")
doc.paragraph(
    f"基准年 {s['base_year']} 年已认定市级园区 {s['n_existing']} 个，其中在册 {s['active_at_base']} 个。"
    f"预测 {s['first_year']}–{s['last_year']} 年，模拟路径 {s['paths']:,} 条，随机种子 {s['seed']}。"
    f"{s['first_year']}–{s['last_year']} 年市级支出合计：均值 {s['total_mean']:,.0f} 万元，"
    f"P5–P95 {s['total_p5']:,.0f}–{s['total_p95']:,.0f} 万元。"
)
doc.bullets(f"{year} 年：均值 {outlay.loc[year, 'mean']:,.0f} 万元(P5 {outlay.loc[year, 'p5']:,.0f}，"
            f"P50 {outlay.loc[year, 'p50']:,.0f}，P95 {outlay.loc[year, 'p95']:,.0f})" for year in years)  # fmt: skip
notes = []
if s["budget"] is not None:
    worst = doc.shown(report.tables["超预算风险"], labels.FORECAST_COLUMN["p_over_budget"], s["worst_p_over"])
    notes.append(f"预算线 {s['budget']:,.0f} 万元/年：超预算概率最高的是 {s['worst_year']} 年，{worst}。")
else:
    notes.append("未设预算线(参数 budget)，不计算超预算概率。")
notes.append(f"基准年暂缓拨付 {s['pending_at_base']:,.0f} 万元：整改结果未定，不计入任何预测年份，预算时需另行预留。")
if s["truncated_paths"]:
    notes.append(f"注意：{s['truncated_paths']} 条路径的新认定总数超过了模拟上限，已按上限截断。")
if result.reforms:
    for _, row in report.tables["改革方案汇总"].iterrows():
        notes.append(f"改革方案“{row['改革方案']}”：{s['first_year']}–{s['last_year']} 年市级支出合计比基准 "
                     f"{row['差额均值(万元)']:+,.0f} 万元(P5 {row['差额P5(万元)']:+,.0f}，P95 {row['差额P95(万元)']:+,.0f})。")  # fmt: skip
doc.paragraph(*notes)

# %% [markdown]
# 基准年暂缓拨付的金额(第二十五条(二)：不合格园区整改结果出来之前，当年补助既不拨付也不取消)留在台账原处：
# 整改合格则补拨，整改后仍不合格则取消。预测不对这笔资金作任何假设，它不在任何预测年份的支出或取消金额中。

# %% [markdown]
# ## 一、情景与评分模型
#
# 情景参数不是《办法》的规定，而是预测的假设：每年新认定多少园区、分布在哪个区域、在册园区是否设上限，
# 以及评估得分如何变化。

# %%
show("预测情景", title="预测使用的情景与模型参数", lead="本次预测使用的取值见{ref}。")

# %% [markdown]
# **评分模型。** 每个园区有一个长期水平(园区效应)，某年的得分等于园区效应加上一个偏离；偏离每年保留上一年的
# 一部分(比例 φ)，再加上新的随机波动(标准差 σ)：
#
# 得分(t) = 园区效应 + φ × (得分(t−1) − 园区效应) + σ × 随机数
#
# 园区效应在园区之间的均值为 m、标准差为 τ。`score_model = fit` 时，这四个数由历年得分估计(对每个园区的得分序列
# 求边际似然，在以参数取值为中心的弱先验下取后验众数)；得分年数少的园区，其园区效应向全体均值 m 收缩。
# 新认定园区的园区效应从同一分布中抽取。模拟出的得分保留两位小数后参加第二十四条定等次。

# %%
m = result.model
lines = [f"评分模型({'由历年得分估计' if m.method == 'fit' else '采用给定数值'})：φ = {m.phi:.3f}，σ = {m.sigma:.2f} 分，"
         f"m = {m.mu_mean:.2f} 分，τ = {m.mu_sd:.2f} 分；得分围绕园区效应的长期标准差 σ/√(1−φ²) = {m.stationary_sd:.2f} 分。"]  # fmt: skip
if m.method == "fit":
    effects = report.tables["园区效应"]
    lines.append(f"估计所用：{m.n_parks} 个园区的 {m.n_scores} 个年度得分；每个园区 {effects['得分年数'].min()}–"
                 f"{effects['得分年数'].max()} 年；优化{'已收敛' if m.converged else '未收敛，结果需谨慎使用'}。")  # fmt: skip
doc.paragraph(*lines, "模型参数见{}。".format(doc.captions.peek("表")))
show("评分模型", title="评分模型的参数")

# %%
doc.publish(report.tables["园区效应"], "园区效应")
doc.paragraph(f"各园区的园区效应估计共 {len(report.tables['园区效应'])} 行，见 XLSX 的“园区效应”工作表。")

# %% [markdown]
# **使用时请注意：**
#
# - 历年得分的年数很少时，估计主要由先验决定；φ、σ 的小变化会改变不合格和优秀的概率。
# - 预测只用估计出的一组数值(后验众数)，没有计入这些数值本身的不确定性，因此 P5–P95 区间偏窄。
# - 模型没有趋势：园区整体水平不随时间提高或下降；评估方法、得分表和园区行为也假定不变。
# - 一票否决和整改结果按固定概率逐年独立抽取；新认定园区个数与园区表现无关。
# - 只有市级补助和区县配套计入预测；第十二条资金用途、其他奖补不在范围内。

# %% [markdown]
# ## 二、市级支出预测
#
# 第十一条：认定当年拨付150万元，此后两年按评估情况拨付100万元、50万元，累计不超过300万元；
# 第二十五条(一)：年度评估优秀的园区增加补助资金10万元。

# %%
show("历年实际", title="台账中的历年实际拨付", lead="台账中的历年实际拨付见{ref}。")

# %%
show("年度市级支出", title="年度市级支出预测(万元)", lead="逐年预测见{ref}。")

# %%
doc.figure(frc.fan_chart(report, "outlay", "年度市级支出(基础补助 + 优秀奖励)", budget=True, sample=is_sample),
           "年度市级支出", title="年度市级支出：实际与预测(P5–P95、P25–P75、中位数、均值)",
           lead="年度市级支出的预测区间见{ref}。")  # fmt: skip

# %% [markdown]
# 累计市级支出是预测期内逐年支出之和；它的 P5–P95 区间可用于确定整个预测期的资金盘子。

# %%
show("累计市级支出", title="预测期累计市级支出(万元)", lead="截至各年的累计支出见{ref}。")

# %%
doc.figure(frc.fan_chart(report, "cumulative_outlay", "预测期累计市级支出", sample=is_sample), "累计市级支出",
           title="预测期累计市级支出", lead="累计支出的预测区间见{ref}。")  # fmt: skip

# %% [markdown]
# ## 三、超预算风险
#
# 超预算概率是某年市级支出超过预算线的模拟路径所占比例；预期超支额是超出部分的平均值(未超出的路径计为0)。

# %%
if "超预算风险" in report.tables:
    show("超预算风险", title="各年超预算概率与预期超支额", lead="各年超过预算线的概率与预期超支额见{ref}。")
    doc.figure(frc.budget_chart(report, sample=is_sample), "超预算概率", title="各方案各年超预算概率",
               lead="各方案的超预算概率见{ref}。")  # fmt: skip
else:
    doc.paragraph("未设预算线(参数 budget)，不计算超预算概率。")

# %% [markdown]
# ## 四、支出由什么决定
#
# 把同一组随机数再算一遍、但不认定任何新园区，就得到基准年已认定园区的支出；两者之差是新认定园区带来的增量
# (它们自己的补助，以及参评园区增多使优秀名额增加的影响)。两次计算用的是同一组随机数，所以这一拆分逐条路径成立，
# 不是两次随机模拟之差。
#
# - 已认定园区的三年基础补助陆续到期后，它们只剩优秀奖励；此后的基础补助几乎都来自新认定园区。
# - 新认定园区在认定当年即无条件获得第一年的基础补助(基准为150万元)，因此新认定个数是年度支出波动的主要来源之一；标准差一栏显示了各部分的波动。
# - 不合格园区整改后仍不合格、或连续两年不合格被摘牌，会取消相应的基础补助，使支出减少。

# %%
share = s["existing_total"] / s["total_mean"] if s["total_mean"] else float("nan")
show("支出构成", title="预期市级支出的构成(万元)",
     lead=f"预测期合计中，已认定园区占 {percent(share, 0)}；因不合格或摘牌取消的基础补助均值 {s['cancelled_total']:,.0f} 万元。"
          "逐年构成见{ref}。")  # fmt: skip

# %%
doc.figure(frc.composition_chart(report, sample=is_sample), "支出构成", title="预期市级支出构成(均值)",
           lead="已认定园区与新认定园区的支出见{ref}。")  # fmt: skip

# %% [markdown]
# ## 五、区县配套、暂缓与取消
#
# 第十三条要求区县给予配套补助，但没有规定比例；默认配套比例为0，可在参数 `policy_set` 中设置
# `subsidy.district_match_ratio`(或按区县设置 `subsidy.district_match_ratio_by_district.区县名`)。
# 预测年份的整改结果按整改合格概率抽取，所以预测年份没有暂缓拨付的金额；取消的基础补助是整改后仍不合格或摘牌的结果。

# %%
by_district = policy["subsidy.district_match_ratio_by_district"]
show("区县配套与取消", title="区县配套、取消与暂缓(万元)",
     lead=f"区县配套比例：默认 {policy['subsidy.district_match_ratio']:g}，单独设置的区县 {len(by_district)} 个；"
          f"预测期区县配套合计均值 {s['district_total']:,.0f} 万元。逐年数字见{{ref}}。")  # fmt: skip

# %% [markdown]
# ## 六、园区数量与等次
#
# 在册园区是已认定且未被取消授牌的园区；参评园区是认定次年起参加评估的在册园区(第二十条)。
# 优秀不超过参评园区总数的30%，60分以下为不合格(第二十四条)。

# %%
parks_now = result.summary.query("scenario == 'baseline' and measure in ['active', 'revoked']")
last = parks_now[parks_now["year"] == s["last_year"]].set_index("measure")
show("园区数量", title="新认定、在册与摘牌园区数(个)",
     lead=f"{s['last_year']} 年在册园区均值 {last.loc['active', 'mean']:.1f} 个(P5 {last.loc['active', 'p5']:.0f}，"
          f"P95 {last.loc['active', 'p95']:.0f})，累计摘牌均值 {last.loc['revoked', 'mean']:.1f} 个。逐年数字见{{ref}}。")  # fmt: skip

# %%
doc.figure(frc.fan_chart(report, "active", "在册市级园区个数", sample=is_sample), "在册园区", title="在册市级园区个数",
           lead="在册园区个数的预测区间见{ref}。")  # fmt: skip

# %%
show("等次分布", title="参评园区与各等次园区数(个)", lead="各等次园区数见{ref}。")

# %% [markdown]
# ## 七、改革方案比较
#
# 每个改革方案是基准政策加上若干参数覆盖(参数 `reforms`)，从第一个预测年份起适用。所有方案使用同一组随机数
# (同样的新认定园区、得分、一票否决和整改结果)，所以方案之间的差额完全来自政策本身，不是随机波动；
# 差额的 P5–P95 区间反映同一政策变化在不同情形下的影响大小。差额以若干万元为单位变化，均值不一定落在 P5–P95 之内。

# %%
if result.reforms:
    show("改革方案参数", title="改革方案的参数覆盖", lead="各改革方案改变的政策参数见{ref}。")
else:
    doc.paragraph("未设改革方案(参数 reforms)。")

# %%
if result.reforms:
    show("改革方案汇总", title="预测期市级支出合计：改革方案与基准(万元)", lead="各方案与基准的差额见{ref}。")
    doc.figure(frc.reform_chart(report, sample=is_sample), "改革方案", title="改革方案 − 基准：均值与P5–P95",
               lead="差额的均值与区间见{ref}。")  # fmt: skip

# %%
if result.reforms:
    show("改革方案逐年比较", title="逐年市级支出：改革方案 − 基准(万元)", lead="逐年差额见{ref}。")
    if "改革方案超预算风险" in report.tables:
        show("改革方案超预算风险", title="各方案的超预算风险", lead="各方案的超预算风险见{ref}。")

# %% [markdown]
# ## 附录
#
# 规则与条款、假设、全部预测指标、数据文件及其校验和、软件版本与参数。

# %%
show("规则与条款", title="预测适用的规则及其条款", lead="预测适用的规则见{ref}。")

# %%
show("假设", title="原文未作规定之处的默认解读",
     lead="标注为假设的政策参数是原文未作规定、按项目的默认解读(docs/readings.md)的取值，可在 policy_set 中覆盖，见{ref}。")  # fmt: skip

# %%
doc.publish(report.tables["预测明细"], "预测明细")
doc.paragraph(f"全部方案、全部指标的均值与 P5/P50/P95 共 {len(report.tables['预测明细'])} 行，见 XLSX 的“预测明细”工作表。")

# %%
show("数据文件", title="数据文件及其 SHA-256 校验和", lead="本报告读取的数据文件见{ref}。")

# %%
show("版本与参数", title="软件版本与报告参数", lead="软件版本与本报告的参数见{ref}。")
