# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 重庆市市级人力资源服务产业园年度绩效评估报告
#
# 依据《重庆市市级人力资源服务产业园管理办法(试行)》(渝人社发〔2021〕57号)第十九条至第二十五条，
# 对参加本年度绩效评估的市级人力资源服务产业园进行量化评分、确定等次，并据此运用评估结果、核定补助资金。
# 本报告由参数化笔记本自动生成，所有数字均可由同一数据与参数复现。

# %% tags=["parameters"]
data_dir: str = ""  # 数据文件夹(与示例数据同样的结构)；空表示内置的示例数据
year: int = 2025  # 评估年度
policy_file: str = ""  # 政策参数文件；空表示内置的渝人社发〔2021〕57号基准
policy_set: list = []  # 政策参数覆盖列表(写法见 hrpark policy show 与 README)
sheet_file: str = ""  # 得分表；空表示内置的示意得分表
seed: int = 2021  # 本报告无随机步骤；记录在附录中以便与其他报告的参数集一致

# %%
from hrpark_analysis.reports.params import check_kernel  # every route (hrpark report, papermill alone) checks

check_kernel("annual", globals())  # the parameters above as hrpark report does: names, types, paths

# %%
from pathlib import Path

import pandas as pd

from IPython.display import Markdown, display

from hrpark_analysis import labels
from hrpark_analysis.reports import annual
from hrpark_analysis.reports import charts
from hrpark_analysis.engine.dataset import SAMPLE_DIR, load_dataset
from hrpark_analysis.reports.export import publish_table
from hrpark_analysis.law.policy import load_policy

charts.setup_matplotlib()
pd.set_option("display.max_columns", None)  # the score table has every indicator: show them all
pd.set_option("display.max_rows", 500)
policy = load_policy(policy_file or None, policy_set)
data = load_dataset(Path(data_dir) if data_dir else SAMPLE_DIR, year, policy, sheet_path=sheet_file or None)
is_sample = data.is_sample
report = annual.build(
    data.parks,
    data.evaluations,
    policy,
    year,
    scores=data.scores,
    indicator_names={ind.id: ind.name for ind in data.sheet.indicators},
    files=data.files,
    parameters={"data_dir": data_dir or "(内置示例数据)", "year": year, "policy_file": policy_file or "(内置)",
                "policy_set": policy_set, "sheet_file": sheet_file or "(内置示意得分表)", "seed": seed},
)  # fmt: skip
s = report.summary


def show(name: str):
    """Display a report table and hand it to the XLSX (one sheet per table)."""
    return publish_table(report.tables[name], name)


if is_sample:
    display(Markdown("> **示例数据**：本报告使用软件包自带的合成示例数据，园区名称与数字均为虚构，仅用于演示。"))

# %% [markdown]
# ## 一、概况

# %%
print(f"{year} 年参加绩效评估的市级园区: {s['n_participants']} 个")
print(f"优秀 {s['n_excellent']} 个，合格 {s['n_qualified']} 个，不合格 {s['n_unqualified']} 个(其中一票否决 {s['n_veto']} 个)")
show("参评园区概况")

# %% [markdown]
# 本年度适用的政策参数如下。标注“属假设”的条目是原文未作规定、按项目的默认解读(docs/readings.md)的取值，
# 可在参数集中覆盖(附录列出了每条假设的理由)。

# %%
overrides = ", ".join(f"{k}={v}" for k, v in policy.overrides.items()) or "无"
print(f"政策: {policy.document.get('number')}；覆盖参数: {overrides}")
show("政策参数")

# %% [markdown]
# ## 二、得分
#
# 绩效评估采取量化评分方式，总分为100分(第二十四条)，评估内容分为经济发展、作用发挥、运营管理三方面
# (第二十一条)。

# %%
if data.sheet.illustrative:
    display(Markdown("> 官方《重庆市市级人力资源服务产业园绩效评估得分表》未公开，本报告使用软件包自带的**示意得分表**；"
                     "以参数 `sheet_file` 指定市人力社保局的正式得分表即可替换。"))  # fmt: skip
publish_table(annual.sheet_table(data.sheet), "指标体系")

# %%
show("得分表")

# %%
# 第二十三条(二): each park's own 得分表 goes to the XLSX as its own sheet (not displayed here).
for sheet_name, park_sheet in annual.park_sheets(report, data.scores, data.sheet).items():
    publish_table(park_sheet, sheet_name)
print(f"各园区得分表随报告写入 XLSX(每个园区一个工作表，共 {s['n_participants']} 个)")

# %%
fig = annual.score_chart(report, sample=is_sample)

# %%
low = s["lowest_excellent_score"]
print(f"合格线: {s['pass_mark']:g} 分；优秀名额: {s['n_participants']} × {s['excellent_share']:.0%} → {s['cap']} 个")
print("优秀最低得分: " + (f"{low:.2f} 分" if low is not None else "(无优秀)"))

# %%
fig = annual.dimension_chart(report, sample=is_sample)

# %% [markdown]
# ## 三、等次
#
# 优秀等次按不超过参加绩效评估园区总数的30%确定，得分在60分以下的直接确定为不合格(第二十四条)。

# %%
rule = labels.TIE_POLICY[policy["grading.tie_policy"]]
print(f"优秀名额是否用满并形成约束: {'是' if s['cap_binding'] else '否'}")
print(f"边界同分处理({policy['grading.tie_policy']}: {rule}): "
      f"{'有同分园区因名额限制未评为优秀' if s['ties_excluded'] else '未发生边界同分排除'}")  # fmt: skip
print(f"优秀数是否超过名额: {'是(同分全部计入)' if s['cap_exceeded'] else '否'}")
print(f"一票否决: {s['n_veto']} 个")
print(f"\n优秀名单({s['n_excellent']} 个):")
show("优秀名单")

# %%
print(f"合格名单({s['n_qualified']} 个):")
show("合格名单")

# %%
print(f"不合格名单({s['n_unqualified']} 个，含一票否决):")
show("不合格名单")

# %% [markdown]
# ## 四、结果运用
#
# 对年度评估为优秀等次的园区，予以全市通报表扬，并增加补助资金10万元；对不合格等次的园区责令限期整改，
# 整改后仍不合格的，取消当年应划拨的补助资金；连续两年评估为不合格等次的，取消市级园区授牌(第二十五条)。

# %%
print(f"优秀奖励: {len(report.tables['优秀奖励'])} 个园区，共 {s['municipal_bonus']:g} 万元")
print(f"责令整改: {s['n_unqualified']} 个园区；暂缓拨付 {s['pending']:g} 万元；取消 {s['cancelled']:g} 万元")
print(f"取消授牌: {s['n_revoked_this_year']} 个园区")
show("优秀奖励")

# %%
show("整改与处理")

# %% [markdown]
# ## 五、资金
#
# 市级补助最高300万元，分三年按150万元、100万元、50万元基准核拨(第十一条)；区县配套补助(第十三条)。

# %%
total = s["municipal_base_paid"] + s["municipal_bonus"]
print(f"{year} 年市级拨付合计: {total:g} 万元(基础补助 {s['municipal_base_paid']:g}，优秀奖励 {s['municipal_bonus']:g})")
print(f"暂缓拨付 {s['pending']:g} 万元；取消 {s['cancelled']:g} 万元；区县配套 {s['district_match']:g} 万元")
show("资金拨付")

# %%
show("历年资金")

# %%
publish_table(report.tables["园区台账"], "园区台账")
print(f"园区台账共 {len(report.tables['园区台账'])} 行(见 XLSX 的“园区台账”工作表)")

# %% [markdown]
# ## 解读影响
#
# 原文未明确之处按默认解读计算(docs/readings.md)。下表对政策文件中每项假设声明的替代取值逐一单独改用，
# 以同一数据重算当年等次与资金(第八条的解读按申报数据重算是否符合条件)，列出发生变化的园区或申报单位及变化额。

# %%
from hrpark_analysis.engine.impact import alternatives, interpretation_impact
from hrpark_analysis.io.readers import read_applicants
from hrpark_analysis.reports import explain as explained

pd.set_option("display.max_colwidth", None)  # 解读影响, the quoted articles and 等次说明 are read in full
applicants_path = (Path(data_dir) if data_dir else SAMPLE_DIR) / "applicants.csv"
applicants = read_applicants(applicants_path, policy) if applicants_path.exists() else None
impact = interpretation_impact(data.parks, data.evaluations, policy, year, applicants=applicants)
report.tables["解读影响"] = explained.impact_table(impact)
changed = impact[impact["kind"].isin(["park", "applicant"])]
print(f"{impact['key'].nunique()} 项假设、{len(alternatives(policy))} 个替代取值；"
      f"共 {len(changed)} 处园区或申报单位变化")
show("解读影响")

# %% [markdown]
# ## 附录
#
# 规则与条款、假设、数据文件及其校验和、软件版本与参数。

# %%
show("规则与条款")

# %%
show("假设")

# %%
show("数据文件")

# %%
show("版本与参数")

# %% [markdown]
# ### 等次说明
#
# 每个参评园区一行：得分、名次、等次及其原因(一票否决、低于合格线、优秀名额边界同分)、其他园区得分不变时
# 评为优秀至少还需的分数、以及改用哪种解读会改变其等次。与 `hrpark explain` 使用同一函数，逐园详情可用该命令查看。

# %%
report.tables["等次说明"] = explained.explanation_table(report.evaluation, data.parks, policy, year)
show("等次说明")
