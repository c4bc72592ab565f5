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

# %% [markdown]
# # 探索笔记本：用 `hrpark_analysis` 的公开接口提出自己的问题
#
# 本笔记本面向政策研究人员，带您走一遍《重庆市市级人力资源服务产业园管理办法(试行)》(渝人社发〔2021〕57号)
# 分析软件包的公开接口 `import hrpark_analysis as hp`：载入政策与数据、评定等次(第二十四条)、换一种条文读法、
# 比较两套政策、查看一个园区、做一次小型敏感性分析，最后用**实时控件**调整优秀比例、合格线、同分处理和名额
# 取整方式，立即重新评定并重画图表。
#
# 所有计算都通过 `hp.*` 完成，笔记本本身不含任何规则。每个函数的说明见 `help(hp.compare)` 或 `make docs`
# 生成的接口文档(`docs/api/`)。在 JupyterLab 中打开：`make lab`。本笔记本不是报告，`hrpark report` 不生成它。

# %% tags=["parameters"]
year: int = 2025  # 评估年度
seed: int = 2025  # 蒙特卡洛随机种子
draws: int = 500  # 蒙特卡洛抽样次数(示例保持较小)
park: str = "P07"  # 第五节查看的园区

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

import hrpark_analysis as hp
from hrpark_analysis import labels
from hrpark_analysis.reports import charts, explore

charts.setup_matplotlib()
pd.set_option("display.precision", 2)
pd.set_option("display.max_rows", 100)

# %% [markdown]
# ## 一、载入政策与数据
#
# `hp.load_policy()` 载入内置的渝人社发〔2021〕57号基准政策：原文的每个数字和每处默认读法都是一个参数
# (docs/readings.md 逐条说明)。`hp.sample_dataset(year)` 载入软件包自带的合成示例数据并为该年度评分；
# 换成您自己的数据文件夹时用 `hp.load_dataset(文件夹, 年度, 政策)`。

# %%
policy = hp.load_policy()
data = hp.sample_dataset(year)
names = dict(zip(data.parks["park_id"], data.parks["name"], strict=True))
if data.is_sample:
    display(Markdown("> **示例数据**：以下结果来自软件包自带的合成示例数据，园区名称与数字均为虚构，仅用于演示。"))
print(f"园区 {len(data.parks)} 个；{year} 年参加绩效评估 {len(data.scores)} 个")
table = policy.table()
table[table["key"].str.startswith("grading.")][["key", "value", "description", "reference"]]

# %% [markdown]
# ## 二、评定等次
#
# `hp.evaluate(parks, evaluations, policy)` 逐年评定等次(第二十四条)并建立补助台账(第十一条、第二十五条)，
# 返回的 `grades`、`ledger`、`years` 都是 DataFrame，与 `hrpark evaluate` 写出的表相同。

# %%
result = hp.evaluate(data.parks, data.evaluations, policy)
result.years[["year", "n_participants", "cap", "n_excellent", "n_unqualified", "n_veto"]].rename(
    columns=labels.COLUMN
)

# %%
explore.grades_table(result, year, names)

# %% [markdown]
# ## 三、换一种读法：60分算不算“60分以下”
#
# 第二十四条规定“得分在60分以下的直接确定为不合格”。默认读法下恰好60分为合格；按《民法典》第一千二百五十九条
# “以下”包括本数的读法，60分为不合格(docs/readings.md §4)。换读法只需覆盖一个参数：

# %%
inclusive = hp.load_policy(overrides=["grading.pass_mark_inclusive=true"])
policy.diff(inclusive)[["key", "baseline", "reform", "reference"]]

# %% [markdown]
# `hp.compare(甲, 乙, parks, evaluations)` 在同一数据上分别按两套政策重建台账，列出等次、状态或当年资金
# 有变化的每一个园区年度(甲为第一套政策，乙为第二套)：

# %%
explore.compare_table(hp.compare(policy, inclusive, data.parks, data.evaluations), names)

# %% [markdown]
# ## 四、比较两套政策
#
# 把优秀比例上限从30%降到20%：每年优秀名额减少，被挤出优秀的园区少拿优秀奖励(第二十五条(一))。

# %%
share_20 = hp.load_policy(overrides=["grading.excellent_share=0.2"])
changes = hp.compare(policy, share_20, data.parks, data.evaluations)
explore.compare_table(changes, names)

# %%
by_year = changes.groupby("year")[["paid_diff", "bonus_diff"]].sum().rename(
    columns={"paid_diff": "拨付差额(乙−甲,万元)", "bonus_diff": "优秀奖励差额(乙−甲,万元)"}
)
by_year

# %% [markdown]
# 再问一个问题：“如果优秀比例为25%、同分按作用发挥比较，会怎样？”没有变化的园区年度不会列出；
# 表格为空说明这一组合在示例数据上不改变任何等次或资金。

# %%
role_first = hp.load_policy(
    overrides=["grading.excellent_share=0.25", "grading.tie_policy=dimension", "grading.tie_break_order=[score_role]"]
)
answer = hp.compare(policy, role_first, data.parks, data.evaluations)
print(f"变化的园区年度: {len(answer)} 个")
explore.compare_table(answer, names)

# %% [markdown]
# ## 五、查看一个园区
#
# `hp.explain(...)` 回答园区的问题“为什么我被评为这个等次？”：得分与名次、优秀名额怎么算、最低优秀分、同分
# 园区、距优秀还差多少分、不同读法下的等次、当年资金及其原因，以及所依据条款的原文。返回的字典与
# `hrpark explain --format json` 相同；`text=True` 给出命令行打印的中文说明。

# %%
print(hp.explain(data.parks, data.evaluations, policy, park, year, text=True))

# %% [markdown]
# 该园区的每一年：得分、名次、等次与当年资金(台账)。

# %%
rows = result.ledger[result.ledger["park_id"] == park]
rows = rows[["year", "status", "grade", "score", "base_due", "base_paid", "pending", "cancelled", "bonus", "cumulative_paid"]]
print(f"{park} {names[park]}")
rows.assign(
    status=rows["status"].map(labels.STATUS), grade=rows["grade"].map(labels.GRADE)
).rename(columns=labels.COLUMN).reset_index(drop=True)

# %% [markdown]
# ## 六、小型敏感性分析
#
# `hp.sweep` 在(优秀比例上限, 合格线)网格上重新评定该年度的等次；`hp.monte_carlo` 假设专家评分有误差
# (总分标准差 σ 分)，估计每个园区评为优秀或不合格的概率，找出等次“摇摆”的园区。

# %%
grid = hp.sweep(data.parks, data.evaluations, policy, shares=[0.2, 0.25, 0.3, 0.35, 0.4], pass_marks=[55, 60, 65])
grid.pivot(index="pass_mark", columns="share", values="n_unqualified").rename_axis(
    index="合格线(分)", columns="优秀比例上限"
)

# %%
grid.pivot(index="pass_mark", columns="share", values="n_excellent").rename_axis(
    index="合格线(分)", columns="优秀比例上限"
)

# %%
mc = hp.monte_carlo(data.parks, data.evaluations, policy, sigma=2.0, draws=draws, seed=seed)
swing = mc.coin_tosses()[["park_id", "score", "grade", "p_excellent", "p_unqualified"]].copy()
print(f"σ = 2 分，{draws} 次抽样(随机种子 {seed})：等次摇摆的园区 {len(swing)} 个")
swing.insert(1, "name", swing["park_id"].map(names))
swing.assign(grade=swing["grade"].map(labels.GRADE)).rename(
    columns={**labels.COLUMN, "p_excellent": "P(优秀)", "p_unqualified": "P(不合格)"}
)

# %% [markdown]
# ## 七、实时控件
#
# 拖动滑块或选择读法，下方立即按新的参数重新评定本年度等次、重画图表，并列出与基准政策相比有变化的园区年度。
# 下面先给出基准参数下的静态结果(随笔记本保存)；在 JupyterLab 中运行再下一个单元格即出现控件。


# %%
def regrade(excellent_share: float, pass_mark: float, tie_policy: str, cap_rounding: str) -> None:
    """Re-grade with the four settings (hp.evaluate, hp.compare) and redraw."""
    reform = policy.with_overrides({
        "grading.excellent_share": round(float(excellent_share), 2),
        "grading.pass_mark": round(float(pass_mark), 1),
        "grading.tie_policy": tie_policy,
        "grading.cap_rounding": cap_rounding,
    })  # fmt: skip
    graded = hp.evaluate(data.parks, data.evaluations, reform)
    summary = graded.years.set_index("year").loc[year]
    print(f"{year} 年: 参评 {summary['n_participants']} 个，优秀名额 {summary['cap']} 个；"
          f"优秀 {summary['n_excellent']} 个，不合格 {summary['n_unqualified']} 个")  # fmt: skip
    explore.grade_chart(graded, year, reform, sample=data.is_sample)
    plt.show()
    changed = hp.compare(policy, reform, data.parks, data.evaluations)
    print(f"与基准政策相比有变化的园区年度: {len(changed)} 个")
    if len(changed):
        display(explore.compare_table(changed, names))


start = {
    "excellent_share": policy["grading.excellent_share"],
    "pass_mark": policy["grading.pass_mark"],
    "tie_policy": policy["grading.tie_policy"],
    "cap_rounding": policy["grading.cap_rounding"],
}
regrade(**start)

# %%
# NBVAL_IGNORE_OUTPUT
# (the widgets' model ids change on every run; their first output is the static one above)
import ipywidgets as widgets

controls = {
    "excellent_share": widgets.FloatSlider(
        value=start["excellent_share"], min=0.05, max=0.5, step=0.01, description="优秀比例上限",
        readout_format=".0%", continuous_update=False,
    ),
    "pass_mark": widgets.FloatSlider(
        value=start["pass_mark"], min=50, max=80, step=1, description="合格线(分)", continuous_update=False
    ),
    "tie_policy": widgets.Dropdown(
        options=[(text, key) for key, text in labels.TIE_POLICY.items()], value=start["tie_policy"],
        description="同分处理",
    ),
    "cap_rounding": widgets.Dropdown(
        options=[(text, key) for key, text in labels.CAP_ROUNDING.items()], value=start["cap_rounding"],
        description="名额取整",
    ),
}  # fmt: skip
for control in controls.values():
    control.style.description_width = "7em"
    control.layout.width = "28em"
panel = widgets.VBox(list(controls.values()))
display(panel, widgets.interactive_output(regrade, controls))
