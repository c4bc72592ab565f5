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
applicants_file: str = ""  # 申报文件；空表示数据文件夹中的 applicants.csv(或 applicants.xlsx)
year: int = 2025  # 申报年度(本轮认定的年份；在册园区的台账算到这一年)
policy_file: str = ""  # 政策参数文件；空表示内置的渝人社发〔2021〕57号基准
policy_set: list = []  # 政策参数覆盖列表(写法见 hrpark policy show 与 README)
sheet_file: str = ""  # 得分表(在册园区本年度得分由月报计算)；空表示内置的示意得分表
relaxation_factors: list = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]  # 放宽系数敏感性分析的取值(第八条 末段)
forecast_horizon: int = 2030  # 多年预测的终止年
forecast_paths: int = 200  # 多年预测的模拟路径数；0 表示不做预测(正式报告可用 2000 或更多)
seed: int = 2021  # 多年预测的随机种子；同一种子得到完全相同的结果
issuer: str = "重庆市人力资源和社会保障局"  # 发布单位(封面)
report_date: str = ""  # 报告日期 YYYY-MM-DD(封面)；空表示 SOURCE_DATE_EPOCH，或申报年度的12月31日

# %%
from hrpark_analysis.reports.kernel_check import check_kernel  # every route (hrpark report, papermill alone) checks

check_kernel("certification", globals())  # the parameters above as hrpark report does: names, types, paths

# %%
from pathlib import Path

import pandas as pd

from hrpark_analysis.engine.dataset import SAMPLE_DIR, load_dataset
from hrpark_analysis.io.readers import find_table, read_applicants
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.reports import certification, charts
from hrpark_analysis.reports.export import publish_table

charts.setup_matplotlib()
pd.set_option("display.max_columns", None)
pd.set_option("display.max_rows", 500)
policy = load_policy(policy_file or None, policy_set)
folder = Path(data_dir) if data_dir else SAMPLE_DIR
data = load_dataset(folder, year, policy, sheet_path=sheet_file or None)
applicants_path = Path(applicants_file) if applicants_file else find_table(folder, "applicants", required=True)
applicants = read_applicants(applicants_path, policy)
is_sample = data.is_sample and applicants["name"].str.startswith("示例").all()
report = certification.build(
    applicants, data.parks, data.evaluations, policy, year,
    applicants_file=applicants_file or applicants_path.name, factors=[float(f) for f in relaxation_factors],
    files=[*data.files, applicants_path],
    parameters={"data_dir": data_dir or "(内置示例数据)", "applicants_file": applicants_file or "(数据文件夹中的 applicants)",
                "year": year, "policy_file": policy_file or "(内置)", "policy_set": policy_set,
                "sheet_file": sheet_file or "(内置示意得分表)", "relaxation_factors": relaxation_factors, "forecast_horizon": forecast_horizon,
                "forecast_paths": forecast_paths, "seed": seed},
    forecast={"horizon": forecast_horizon, "paths": forecast_paths, "seed": seed},
)  # fmt: skip
s = report.summary


def show(name: str):
    """Display a report table and hand it to the XLSX (one sheet per table)."""
    return publish_table(report.tables[name], name)


# %%
from hrpark_analysis import labels
from hrpark_analysis.reports.document import Document

doc = Document(f"{year}年重庆市市级人力资源服务产业园认定评审报告", year=year, issuer=issuer, report_date=report_date,
               sample=is_sample, subtitle="依据《重庆市市级人力资源服务产业园管理办法(试行)》(渝人社发〔2021〕57号)第八条至第十条")  # fmt: skip
doc.title_page()
doc.cover([("数据来源", data_dir or "软件包内置的示例数据"), ("申报文件", applicants_file or applicants_path.name)],
          report.tables)  # fmt: skip


def show(name: str, **kwargs):
    """Show a report table, numbered and captioned, and hand it to the XLSX (one sheet per table)."""
    doc.table(report.tables[name], name, **kwargs)


# %% [markdown]
# ## 摘要
#
# 依据《重庆市市级人力资源服务产业园管理办法(试行)》(渝人社发〔2021〕57号)第八条至第十条，对本轮申报的
# 人力资源服务产业园逐一核对认定条件、申报材料与审核程序(申报 → 评估 → 公示 → 授牌)，并测算认定后的补助资金
# (第十一条、第二十五条(一))与一区两群布局(第四条)。所有数字均可由同一数据与参数复现。

# %%
new_parks = report.tables["新认定园区"]
certified = "、".join(f"{n}({i})" for i, n in zip(new_parks[labels.COLUMN["park_id"]], new_parks[labels.COLUMN["name"]],
                                                 strict=True)) or "无"  # fmt: skip
doc.paragraph(
    f"{year}年申报 {s['n_applicants']} 个，符合第八条条件 {s['n_eligible']} 个(其中仅因第八条末段的放宽而符合 "
    f"{s['n_relaxed_only']} 个)。授牌 {s['n_certified']} 个；通过评估待公示结果 {s['n_assessed']} 个；评估未完成 "
    f"{s['n_submitted']} 个；驳回 {s['n_rejected']} 个。"
)
doc.bullets([
    f"授牌：{certified}。",
    f"认定成本：认定当年基础补助 {s['first_year_cost']:,.0f} 万元，基础补助合计 {s['round_cost_base']:,.0f} 万元，"
    f"优秀奖励至多 {s['round_cost_bonus_max']:,.0f} 万元(第十一条、第二十五条(一))。",
])  # fmt: skip

# %% [markdown]
# ## 一、申报与审核进度
#
# 申报审核程序为申报、评估、公示、授牌(第九条)；申报材料应包括第十条所列四项。材料不全、不符合第八条条件或
# 专家评审未通过的，在评估环节驳回；公示期间异议成立的，不予授牌。

# %%
show("申报与阶段", title=f"{year}年申报单位及其所处阶段", lead="各申报单位所处的阶段及驳回原因见{ref}。")

# %% [markdown]
# ## 二、认定条件(第八条)
#
# 每项量化条件的差距(%)为 (实际值 ÷ 门槛 − 1) × 100：正数表示高出门槛的百分比，负数表示低于门槛的百分比。门槛已按第八条末段的
# 放宽计算(“适用的放宽”一列)；放宽系数是对“适当放宽”的默认解读(docs/readings.md 第2节)，可在参数中覆盖。

# %%
show("适用门槛", title="第八条各项门槛(放宽前后)", lead="各项量化条件的门槛见{ref}。")

# %%
show("认定条件与差距", title="各申报单位的认定条件与差距", lead="逐项核对结果见{ref}。")

# %% [markdown]
# ### 仅因放宽而符合条件的申报

# %%
show("因放宽而符合条件", title="仅因第八条末段的放宽而符合条件的申报",
     lead=f"仅因第八条末段的放宽而符合条件的申报 {s['n_relaxed_only']} 个，见{{ref}}。")  # fmt: skip

# %% [markdown]
# ### 放宽系数的影响
#
# 地区放宽系数(eligibility.regional_relaxation)与“线上+线下”面积放宽系数(eligibility.online_area_relaxation)
# 取不同数值时符合第八条条件的申报数(1 表示不放宽)。

# %%
show("放宽系数与符合条件数", title="放宽系数与符合条件的申报数", lead="两个放宽系数的各种取值下符合条件的申报数见{ref}。")

# %%
doc.figure(certification.grid_chart(report, sample=is_sample), "放宽系数", title="放宽系数与符合条件的申报数",
           lead="同一结果的图示见{ref}。")  # fmt: skip

# %% [markdown]
# ## 三、认定成本(第十一条、第二十五条(一))
#
# 新认定园区按第十一条的基准分年拨付基础补助；评估为优秀的，每年增加补助资金(第二十五条(一))。在册园区
# 本年度为台账实际数(应拨基础补助与优秀奖励)，以后年度为在册园区的基准拨付额(等次尚未确定，按基准计)。
# 新认定园区的优秀奖励为上限(假定每年均评为优秀)。

# %%
show("认定成本与在册园区承诺", title="本轮认定成本与在册园区的补助承诺(万元)",
     lead=f"本轮授牌 {s['n_certified']} 个：认定当年基础补助 {s['first_year_cost']:,.0f} 万元，基础补助合计 "
          f"{s['round_cost_base']:,.0f} 万元，优秀奖励至多 {s['round_cost_bonus_max']:,.0f} 万元。逐年数字见{{ref}}。")  # fmt: skip

# %% [markdown]
# ### 多年预测
#
# 用补助资金预测模型(与 `hrpark report forecast` 相同)模拟在册园区今后的得分、等次与拨付，比较含与不含本轮
# 新认定园区的期望市级支出(基础补助 + 优秀奖励)；不假设其他新认定园区。`forecast_paths` 为 0 时不做预测。

# %%
if "多年预测" in report.tables:
    show("多年预测", title="含与不含本轮新认定园区的期望市级支出(万元)",
         lead=f"模拟路径 {forecast_paths} 条，随机种子 {seed}；逐年结果见{{ref}}。")  # fmt: skip
else:
    doc.paragraph("未做多年预测(forecast_paths = 0)。")

# %% [markdown]
# ## 四、一区两群布局(第四条)

# %%
show("一区两群布局", title="本轮前后一区两群的园区数", lead="本轮认定前后各区域的园区数见{ref}。")

# %%
doc.figure(certification.balance_chart(report, sample=is_sample), "一区两群", title="本轮认定前后一区两群的园区数",
           lead="同一结果的图示见{ref}。")  # fmt: skip

# %% [markdown]
# ### 新认定园区
#
# 与 `hrpark applications` 写出的 new_parks.csv 相同，列与园区名单(parks)一致；并入园区名单后，次年的
# 年度绩效评估即包括这些园区。

# %%
show("新认定园区", title="新认定园区(与 new_parks.csv 相同)", lead="新认定园区见{ref}。")

# %% [markdown]
# ## 附录
#
# 规则与条款、假设、数据文件及其校验和、软件版本与参数。

# %%
show("规则与条款", title="适用的规则及其条款", lead="本报告适用的规则见{ref}。")

# %%
show("假设", title="原文未作规定之处的默认解读", lead="每条假设的取值与理由见{ref}。")

# %%
show("数据文件", title="数据文件及其 SHA-256 校验和", lead="本报告读取的数据文件见{ref}。")

# %%
show("版本与参数", title="软件版本与报告参数", lead="软件版本与本报告的参数见{ref}。")
