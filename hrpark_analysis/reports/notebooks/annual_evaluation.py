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

# %% tags=["parameters"]
data_dir: str = ""  # 数据文件夹(与示例数据同样的结构)；空表示内置的示例数据
year: int = 2025  # 评估年度
policy_file: str = ""  # 政策参数文件；空表示内置的渝人社发〔2021〕57号基准
policy_set: list = []  # 政策参数覆盖列表(写法见 hrpark policy show 与 README)
sheet_file: str = ""  # 得分表；空表示内置的示意得分表
seed: int = 2021  # 本报告无随机步骤；记录在附录中以便与其他报告的参数集一致
issuer: str = "重庆市人力资源和社会保障局"  # 发布单位(封面)
report_date: str = ""  # 报告日期 YYYY-MM-DD(封面)；空表示 SOURCE_DATE_EPOCH，或评估年度的12月31日

# %%
from hrpark_analysis.reports.kernel_check import check_kernel  # every route (hrpark report, papermill alone) checks

check_kernel("annual", globals())  # the parameters above as hrpark report does: names, types, paths

# %%
from pathlib import Path

import pandas as pd

from hrpark_analysis import labels
from hrpark_analysis.reports import annual
from hrpark_analysis.reports import annual_charts
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


# %%
from hrpark_analysis.reports.document import Document
from hrpark_analysis.reports.formatting import percent

doc = Document(f"{year}年度重庆市市级人力资源服务产业园绩效评估报告", year=year, issuer=issuer,
               report_date=report_date, sample=is_sample,
               subtitle="依据《重庆市市级人力资源服务产业园管理办法(试行)》(渝人社发〔2021〕57号)第十九条至第二十五条")  # fmt: skip
doc.title_page()
overrides = ", ".join(f"{k}={v}" for k, v in policy.overrides.items()) or "无"
doc.cover([("数据来源", data_dir or "软件包内置的示例数据"), ("政策", f"{policy.document.get('number')}；覆盖参数：{overrides}")],
          report.tables)  # fmt: skip


def show(name: str, **kwargs):
    """Show a report table, numbered and captioned, and hand it to the XLSX (one sheet per table)."""
    doc.table(report.tables[name], name, **kwargs)


# %% [markdown]
# ## 摘要
#
# 本报告对参加本年度绩效评估的市级人力资源服务产业园进行量化评分、确定等次，并据此运用评估结果、核定补助资金。
# 所有数字均由同一数据与参数复现；政策参数、假设与数据来源见附录。

# %%
total = s["municipal_base_paid"] + s["municipal_bonus"]
low = s["lowest_excellent_score"]
doc.paragraph(
    f"{year}年参加绩效评估的市级园区 {s['n_participants']} 个：优秀 {s['n_excellent']} 个，合格 {s['n_qualified']} 个，"
    f"不合格 {s['n_unqualified']} 个(其中一票否决 {s['n_veto']} 个)。优秀名额 {s['cap']} 个"
    f"(参评园区数 × {percent(s['excellent_share'])}，{labels.CAP_ROUNDING[policy['grading.cap_rounding']]})，合格线 {s['pass_mark']:g} 分"
    + (f"，优秀最低得分 {low:.2f} 分。" if low is not None else "，本年度无优秀园区。")
)
doc.bullets([f"优秀：{annual.grade_list(report, 'excellent')}。", f"不合格：{annual.grade_list(report, 'unqualified')}。"])
doc.paragraph(
    f"市级拨付合计 {total:,.0f} 万元(基础补助 {s['municipal_base_paid']:,.0f} 万元，优秀奖励 {s['municipal_bonus']:,.0f} 万元)；"
    f"暂缓拨付 {s['pending']:,.0f} 万元，取消 {s['cancelled']:,.0f} 万元，区县配套 {s['district_match']:,.0f} 万元；"
    f"取消授牌 {s['n_revoked_this_year']} 个。"
)
doc.facts(annual.key_figures(report), "主要数字", title=f"{year}年主要数字与上年比较",
          lead="本年与上年的园区数、等次与资金见{ref}。", formats={"增减": "+"})  # fmt: skip
changes = annual.grade_changes(report)
if len(changes):
    doc.table(changes, "等次变化", title="与上年相比等次变化的园区",
              lead=f"与上年相比等次发生变化(含首次参评)的园区共 {len(changes)} 个，见{{ref}}。")  # fmt: skip
else:
    doc.paragraph("与上年相比，没有园区的等次发生变化。")

# %% [markdown]
# ## 一、概况

# %%
show("参评园区概况", title=f"{year}年参评园区的区域与类型分布",
     lead=f"{year}年参加绩效评估的市级园区 {s['n_participants']} 个，按一区两群区域与园区类型分布见{{ref}}。")  # fmt: skip

# %% [markdown]
# ## 二、得分
#
# 绩效评估采取量化评分方式，总分为100分(第二十四条)，评估内容分为经济发展、作用发挥、运营管理三方面
# (第二十一条)。

# %%
if data.sheet.illustrative:
    doc.paragraph("官方《重庆市市级人力资源服务产业园绩效评估得分表》未公开，本报告使用软件包自带的示意得分表；"
                  "以参数 sheet_file 指定市人力社保局的正式得分表即可替换。")  # fmt: skip
doc.table(annual.sheet_table(data.sheet), "指标体系", title="绩效评估指标体系(得分表)",
          lead="评估所用的指标、分值与计分方法见{ref}。")  # fmt: skip

# %%
show("得分表", title=f"{year}年各园区指标得分、分项得分与总分",
     lead="各园区的指标得分、分项得分、总分、名次与等次见{ref}(按名次排列)。")  # fmt: skip

# %%
# 第二十三条(二): each park's own 得分表 goes to the XLSX as its own sheet (not displayed here).
for sheet_name, park_sheet in annual.park_sheets(report, data.scores, data.sheet).items():
    doc.publish(park_sheet, sheet_name)
doc.paragraph(f"各园区的得分表随报告写入 XLSX(每个园区一个工作表，共 {s['n_participants']} 个)。")

# %%
doc.figure(annual_charts.score_chart(report, sample=is_sample), "得分分布", title=f"{year}年绩效评估得分分布",
           lead=f"得分分布见{{ref}}：合格线 {s['pass_mark']:g} 分；优秀名额 {s['n_participants']} × "
                f"{percent(s['excellent_share'])} → {s['cap']} 个；优秀最低得分 "
                + (f"{low:.2f} 分。" if low is not None else "(无优秀)。"))  # fmt: skip

# %%
doc.figure(annual_charts.dimension_chart(report, sample=is_sample), "分项得分", title=f"{year}年各园区分项得分(按名次排列)",
           lead="各园区经济发展、作用发挥、运营管理三项得分见{ref}。")  # fmt: skip

# %% [markdown]
# ## 三、等次
#
# 优秀等次按不超过参加绩效评估园区总数的30%确定，得分在60分以下的直接确定为不合格(第二十四条)。

# %%
rule = labels.TIE_POLICY[policy["grading.tie_policy"]]
doc.bullets([
    f"优秀名额是否用满并形成约束：{'是' if s['cap_binding'] else '否'}。",
    f"边界同分处理({policy['grading.tie_policy']}：{rule})："
    f"{'有同分园区因名额限制未评为优秀' if s['ties_excluded'] else '未发生边界同分排除'}。",
    f"优秀数是否超过名额：{'是(同分全部计入)' if s['cap_exceeded'] else '否'}。",
    f"一票否决：{s['n_veto']} 个。",
])  # fmt: skip
show("优秀名单", title=f"优秀名单({s['n_excellent']} 个)", lead="评为优秀的园区见{ref}。")

# %%
show("合格名单", title=f"合格名单({s['n_qualified']} 个)", lead="评为合格的园区见{ref}。")

# %%
show("不合格名单", title=f"不合格名单({s['n_unqualified']} 个，含一票否决)", lead="评为不合格的园区(含一票否决)见{ref}。")

# %% [markdown]
# ## 四、结果运用
#
# 对年度评估为优秀等次的园区，予以全市通报表扬，并增加补助资金10万元；对不合格等次的园区责令限期整改，
# 整改后仍不合格的，取消当年应划拨的补助资金；连续两年评估为不合格等次的，取消市级园区授牌(第二十五条)。

# %%
show("优秀奖励", title="优秀园区增加的补助资金",
     lead=f"优秀奖励 {len(report.tables['优秀奖励'])} 个园区，共 {s['municipal_bonus']:,.0f} 万元，见{{ref}}。")  # fmt: skip

# %%
show("整改与处理", title="不合格园区的整改与处理",
     lead=f"责令整改 {s['n_unqualified']} 个园区；暂缓拨付 {s['pending']:,.0f} 万元，取消 {s['cancelled']:,.0f} 万元；"
          f"取消授牌 {s['n_revoked_this_year']} 个。逐园处理见{{ref}}。")  # fmt: skip

# %% [markdown]
# ## 五、资金
#
# 市级补助最高300万元，分三年按150万元、100万元、50万元基准核拨(第十一条)；区县配套补助(第十三条)。

# %%
show("资金拨付", title=f"{year}年各园区补助资金",
     lead=f"{year}年市级拨付合计 {total:,.0f} 万元(基础补助 {s['municipal_base_paid']:,.0f} 万元，优秀奖励 "
          f"{s['municipal_bonus']:,.0f} 万元)；暂缓拨付 {s['pending']:,.0f} 万元，取消 {s['cancelled']:,.0f} 万元，"
          f"区县配套 {s['district_match']:,.0f} 万元。各园区明细见{{ref}}。")  # fmt: skip

# %%
show("历年资金", title="历年补助资金合计", lead="历年合计见{ref}。")

# %%
doc.publish(report.tables["园区台账"], "园区台账")
doc.paragraph(f"园区台账共 {len(report.tables['园区台账'])} 行，见 XLSX 的“园区台账”工作表。")

# %% [markdown]
# ## 解读影响
#
# 原文未明确之处按默认解读计算(docs/readings.md)。下表对政策文件中每项假设声明的替代取值逐一单独改用，
# 以同一数据重算当年等次与资金(第八条的解读按申报数据重算是否符合条件)，列出发生变化的园区或申报单位及变化额。

# %%
from hrpark_analysis.engine.impact import alternatives, interpretation_impact
from hrpark_analysis.io.readers import read_applicants
from hrpark_analysis.reports import explain as explained

applicants_path = (Path(data_dir) if data_dir else SAMPLE_DIR) / "applicants.csv"
applicants = read_applicants(applicants_path, policy) if applicants_path.exists() else None
impact = interpretation_impact(data.parks, data.evaluations, policy, year, applicants=applicants)
report.tables["解读影响"] = explained.impact_table(impact)
changed = impact[impact["kind"].isin(["park", "applicant"])]
show("解读影响", title="每项假设改用替代取值时的变化",
     lead=f"{impact['key'].nunique()} 项假设、{len(alternatives(policy))} 个替代取值；共 {len(changed)} 处园区或申报单位变化，"
          "见{ref}。")  # fmt: skip

# %% [markdown]
# ## 附录
#
# 政策参数、规则与条款、假设、数据文件及其校验和、软件版本与参数，以及逐园的等次说明。

# %%
show("政策参数", title="本年度适用的政策参数",
     lead=f"本年度适用的政策参数见{{ref}}(政策：{policy.document.get('number')}；覆盖参数：{overrides})。"
          "标注“属假设”的条目是原文未作规定、按项目的默认解读(docs/readings.md)的取值，可在参数集中覆盖。")  # fmt: skip

# %%
show("规则与条款", title="适用的规则及其条款原文", lead="本报告适用的规则及所依据条款的原文见{ref}。")

# %%
show("假设", title="原文未作规定之处的默认解读", lead="每条假设的取值与理由见{ref}。")

# %%
show("数据文件", title="数据文件及其 SHA-256 校验和", lead="本报告读取的数据文件见{ref}。")

# %%
show("版本与参数", title="软件版本与报告参数", lead="软件版本与本报告的参数见{ref}。")

# %% [markdown]
# ### 等次说明
#
# 每个参评园区一行：得分、名次、等次及其原因(一票否决、低于合格线、优秀名额边界同分)、其他园区得分不变时
# 评为优秀至少还需的分数、以及改用哪种解读会改变其等次。与 `hrpark explain` 使用同一函数，逐园详情可用该命令查看。

# %%
report.tables["等次说明"] = explained.explanation_table(report.evaluation, data.parks, policy, year)
show("等次说明", title="各园区等次说明", lead="逐园说明见{ref}。")
