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
from typing import Optional  # Optional[...] rather than "| None": papermill --help-notebook reads it

data_dir: str = ""  # 数据文件夹(与示例数据同样的结构)；空表示内置的示例数据
year: int = 2025  # 评估年度
policy_file: str = ""  # 政策参数文件；空表示内置的渝人社发〔2021〕57号基准
policy_set: list = []  # 政策参数覆盖列表(写法见 hrpark policy show 与 README)；基准点随之改变
sheet_file: str = ""  # 得分表；空表示内置的示意得分表
share_min: float = 0.05  # 优秀比例上限网格：起点
share_max: float = 0.50  # 优秀比例上限网格：终点
share_step: float = 0.01  # 优秀比例上限网格：步长
pass_mark_min: float = 50.0  # 合格线网格：起点(分)
pass_mark_max: float = 80.0  # 合格线网格：终点(分)
pass_mark_step: float = 1.0  # 合格线网格：步长(分)
sigma: float = 2.0  # 评分误差：总分的标准差(分)
draws: int = 2000  # 蒙特卡洛抽样次数；提交的基线保持较小，参数文件可加大
seed: int = 2025  # 随机种子(蒙特卡洛与 Sobol)
resolution: Optional[float] = None  # 抽样得分取整的精度(如 0.01)；None 表示不取整
coin_toss_band: list = [0.2, 0.8]  # P(优秀)或P(不合格)落在此区间即视为等次摇摆
sobol_n_base: int = 128  # Sobol 基础样本数(2 的幂)；样本行数为基础样本数 × (因素数 + 2)
sobol_noise_draws: int = 64  # Sobol 每个样本点平均的评分误差抽样数
sobol_sigma_max: float = 4.0  # Sobol 中评分误差 σ 的变化范围 [0, sobol_sigma_max]
issuer: str = "重庆市人力资源和社会保障局"  # 发布单位(封面)
report_date: str = ""  # 报告日期 YYYY-MM-DD(封面)；空表示 SOURCE_DATE_EPOCH，或评估年度的12月31日

# %%
from hrpark_analysis.reports.kernel_check import check_kernel  # every route (hrpark report, papermill alone) checks

check_kernel("sensitivity", globals())  # the parameters above as hrpark report does: names, types, paths

# %%
from pathlib import Path

import pandas as pd

from hrpark_analysis.reports import charts
from hrpark_analysis.reports import sensitivity as sr
from hrpark_analysis.engine.dataset import SAMPLE_DIR, load_dataset
from hrpark_analysis.reports.export import publish_table
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.reports.runner import progress_reporter

charts.setup_matplotlib()
pd.set_option("display.precision", 4)
policy = load_policy(policy_file or None, policy_set)
data = load_dataset(Path(data_dir) if data_dir else SAMPLE_DIR, year, policy, sheet_path=sheet_file or None)
is_sample = data.is_sample
report = sr.build(
    data,
    policy,
    shares=sr.grid(share_min, share_max, share_step, name="优秀比例上限", lower=0.0, upper=1.0),
    pass_marks=sr.grid(pass_mark_min, pass_mark_max, pass_mark_step, name="合格线", lower=0.0, upper=100.0),
    sigma=sigma,
    draws=draws,
    seed=seed,
    resolution=resolution,
    coin_toss_band=coin_toss_band,
    sobol_n_base=sobol_n_base,
    sobol_noise_draws=sobol_noise_draws,
    sobol_sigma_max=sobol_sigma_max,
    parameters={"data_dir": data_dir or "(内置示例数据)", "year": year, "policy_file": policy_file or "(内置)",
                "policy_set": policy_set, "sheet_file": sheet_file or "(内置示意得分表)",
                "share_min": share_min, "share_max": share_max, "share_step": share_step,
                "pass_mark_min": pass_mark_min, "pass_mark_max": pass_mark_max, "pass_mark_step": pass_mark_step,
                "sigma": sigma, "draws": draws, "seed": seed, "resolution": resolution,
                "coin_toss_band": coin_toss_band, "sobol_n_base": sobol_n_base,
                "sobol_noise_draws": sobol_noise_draws, "sobol_sigma_max": sobol_sigma_max},
    progress=progress_reporter,
)  # fmt: skip
s = report.summary


def show(name: str):
    """Hand a report table to the XLSX and display it (empty cells shown as —)."""
    table = publish_table(report.tables[name], name)
    return table.apply(lambda col: col.astype(object).where(col.notna(), "—") if col.isna().any() else col)


# %%
from hrpark_analysis.reports.document import Document
from hrpark_analysis.reports.formatting import percent

doc = Document(f"{year}年度绩效评估等次的敏感性分析", year=year, issuer=issuer, report_date=report_date,
               sample=is_sample, subtitle="30%优秀比例、60分合格线与条文的不同读法(渝人社发〔2021〕57号第二十四条)")  # fmt: skip
doc.title_page()
doc.cover([("数据来源", data_dir or "软件包内置的示例数据")], report.tables)


def show(name: str, **kwargs):
    """Show a report table, numbered and captioned, and hand it to the XLSX (one sheet per table)."""
    doc.table(report.tables[name], name, **kwargs)


# %% [markdown]
# ## 摘要
#
# 《重庆市市级人力资源服务产业园管理办法(试行)》(渝人社发〔2021〕57号)第二十四条规定，年度绩效评估
# “优秀等次园区数不超过参加绩效评估园区总数的30%”，“得分在60分以下的直接确定为不合格”。
# 本报告用一个年度的评估得分回答四个问题：
#
# 1. 如果30%和60分这两个数字取别的值，优秀、不合格园区数和相应资金会怎样变化(网格扫描)；
# 2. 条文没有写明的地方有几种读法，每种读法改变哪些园区的等次(读法对比)；
# 3. 专家评分有误差时，哪些园区的等次是脆弱的(蒙特卡洛模拟)；
# 4. 上述因素同时变化时，各自对优秀奖励、不合格园区数和风险补助的贡献(Sobol 全局敏感性指数)。

# %%
share0, mark0 = s["excellent_share"], s["pass_mark"]
lo_s, hi_s = s["share_range"]
lo_m, hi_m = s["pass_mark_range"]
n_mean, n_lo, n_hi = s["mc_n_excellent"]
u_mean, u_lo, u_hi = s["mc_n_unqualified"]
doc.paragraph(
    f"{year}年参加绩效评估的园区 {s['n_participants']} 个(其中一票否决 {s['n_veto']} 个)。按基准政策(优秀比例上限 "
    f"{percent(share0)}，合格线 {mark0:g} 分，优秀名额 {s['cap']} 个)：优秀 {s['n_excellent']} 个，合格 {s['n_qualified']} 个，"
    f"不合格 {s['n_unqualified']} 个；优秀奖励 {s['bonus']:,.0f} 万元，风险补助 {s['at_risk']:,.0f} 万元。"
)
doc.bullets([
    f"网格扫描：优秀比例上限 {percent(lo_s)}–{percent(hi_s)}、合格线 {lo_m:g}–{hi_m:g} 分内，优秀 {s['n_excellent_range'][0]}–"
    f"{s['n_excellent_range'][1]} 个，不合格 {s['n_unqualified_range'][0]}–{s['n_unqualified_range'][1]} 个，优秀奖励 "
    f"{s['bonus_range'][0]:,.0f}–{s['bonus_range'][1]:,.0f} 万元。",
    f"条文读法：四种读法的 {s['n_combinations']} 种组合下，优秀 {s['combo_n_excellent_range'][0]}–{s['combo_n_excellent_range'][1]} 个，"
    f"不合格 {s['combo_n_unqualified_range'][0]}–{s['combo_n_unqualified_range'][1]} 个。",
    f"评分误差 σ = {s['sigma']:g} 分时：优秀数均值 {n_mean:.2f}(5%–95% 区间 {n_lo}–{n_hi})，不合格数均值 {u_mean:.2f}"
    f"(5%–95% 区间 {u_lo}–{u_hi})；等次摇摆的园区 {len(s['coin_tosses'])} 个"
    + ("：" + "、".join(f"{name}({park_id})" for park_id, name in s["coin_tosses"]) if s["coin_tosses"] else "")
    + "。",
])  # fmt: skip

# %% [markdown]
# ## 一、概况
#
# 分析对象是该年度参加绩效评估的全部园区(被一票否决的园区也计入参评总数，第二十四条)。按基准政策
# (渝人社发〔2021〕57号及本报告的政策参数)评定的结果是后面各节比较的对象。

# %%
show("参评园区", title=f"{year}年参评园区及其基准等次", lead="各园区的得分与基准等次见{ref}。")

# %% [markdown]
# ## 二、优秀比例与合格线：网格扫描
#
# **优秀比例上限**决定优秀名额：名额 = 参评园区总数 × 比例，默认向下取整(“不超过30%”最严格的读法)。
# 只有未被判为不合格的园区才能按得分顺序占用名额；名额边界上如有同分园区、整组评优秀会突破名额时，
# 默认整组都不评优秀，所以优秀数可能少于名额。
#
# **合格线**决定不合格：得分低于合格线即不合格(默认恰好等于合格线为合格)，一票否决的园区不论得分都不合格。
# 合格线不改变名额，但合格线很高时，够格竞争优秀的园区可能少于名额。
#
# 资金口径：每个优秀园区增加补助资金(第二十五条(一)，原文为10万元)；不合格园区当年应拨的基础补助
# (第十一条分年基准)在整改结果确定前暂缓拨付、整改后仍不合格即取消(第二十五条(二))，本报告称为**风险补助**。

# %%
doc.figure(sr.sweep_chart(report, sample=is_sample), "网格扫描", title="每个(优秀比例上限, 合格线)组合下的等次与资金(★ 为基准)",
           lead=f"网格：优秀比例上限 {percent(lo_s)}–{percent(hi_s)}({s['n_shares']} 档) × 合格线 {lo_m:g}–{hi_m:g} 分"
                f"({s['n_pass_marks']} 档) = {s['n_shares'] * s['n_pass_marks']} 种组合，每个组合重新评定等次，见{{ref}}。")  # fmt: skip

# %% [markdown]
# ### 优秀比例上限的各个区间(合格线保持基准)
#
# 比例在一个区间内变化时名额和优秀园区都不变；表中列出每个区间的名额、优秀数、优秀奖励，以及与基准相比
# 新增或不再评为优秀的园区。

# %%
show("优秀比例分段", title="优秀比例上限的各个区间", lead="各区间的名额与优秀园区见{ref}。")

# %% [markdown]
# ### 合格线的各个区间(优秀比例上限保持基准)

# %%
show("合格线分段", title="合格线的各个区间", lead="各区间的不合格园区见{ref}。")

# %% [markdown]
# ### 各园区等次的临界值
#
# “基准合格线下评为优秀所需比例”：合格线不变时，优秀比例上限至少为多少该园区才评为优秀(空表示网格内都不是优秀)；
# “基准比例下判为不合格的合格线”：比例不变时，合格线提高到多少该园区即不合格(空表示网格内都不会，
# 被一票否决的园区也为空)；“网格中等次改变的比例”：全部组合中该园区等次与基准不同的比例。

# %%
show("园区等次临界值", title="各园区等次的临界值", lead="各园区的临界值见{ref}。")

# %%
for name in ("网格扫描", "优秀数矩阵", "不合格数矩阵", "风险补助矩阵"):
    doc.publish(report.tables[name], name)
doc.paragraph(f"每个组合的完整结果见 XLSX 的“网格扫描”工作表({len(report.tables['网格扫描'])} 行)及三个矩阵工作表。")

# %% [markdown]
# ## 三、条文的不同读法
#
# 第二十四条有四处没有写明，本报告默认采用下列第一种读法(政策参数，均标注为“属假设”)：
#
# - **边界同分**(`tie_policy`)：名额边界上同分园区整组评优秀会突破名额时——整组都不评(exclude，名额不被突破)；
#   整组都评(include，名额被突破)；按作用发挥、经济发展、运营管理分项得分依次比较(dimension)。
# - **名额取整**(`cap_rounding`)：参评总数 × 30% 不是整数时——向下取整(floor)、四舍五入(round)、向上取整(ceil)。
# - **“60分以下”是否含60分**(`pass_mark_inclusive`)：日常理解60分为合格；《民法典》第一千二百五十九条规定
#   “民法所称的‘以上’、‘以下’、‘以内’、‘届满’，包括本数”，按此读法恰好60分即为不合格。
# - **一票否决**(`veto_enabled`)：“直接确定为不合格”表明分数之外另有不合格情形(如重大安全事故、材料造假)；
#   关闭时被否决的园区按得分评定，用来衡量否决项本身的影响。

# %%
show("读法对比", title="每次只改变一种读法时的结果", lead="每行只改变一种读法、其余保持基准的结果见{ref}。")
doc.bullets(sr.reading_lines(report.readings))

# %%
doc.publish(report.tables["读法组合"], "读法组合")
doc.paragraph(f"四种读法的全部 {s['n_combinations']} 种组合见 XLSX 的“读法组合”工作表：优秀 "
              f"{s['combo_n_excellent_range'][0]}–{s['combo_n_excellent_range'][1]} 个，不合格 "
              f"{s['combo_n_unqualified_range'][0]}–{s['combo_n_unqualified_range'][1]} 个。")  # fmt: skip

# %% [markdown]
# ## 四、评分误差下的等次稳定性
#
# 专家评分有误差。把每个园区的总分看作以记录得分为中心、标准差为 σ 的正态分布(σ 为参数)，重复抽样，
# 每次按第二十四条重新评定等次(一票否决保持不变)，得到：
#
# - 每个园区评为优秀、合格、不合格的概率，以及名次的 5%–95% 区间；
# - **等次摇摆**的园区：P(优秀)或P(不合格)落在参数 `coin_toss_band` 的区间内，等次近乎由评分误差决定；
# - 优秀数、不合格数、优秀奖励和风险补助的均值与 5%–95% 区间；
# - 每次抽样的排名与记录排名的一致程度(Kendall τ，1 表示完全一致)。
#
# 评分误差是连续的，抽样中几乎不会恰好同分或恰好等于合格线，所以边界同分和“60分以下”两种读法在模拟中
# 不起作用；记录得分中的同分在模拟中会随机分出先后，因此模拟的优秀数可能多于实际评定的优秀数。

# %%
r_mean, r_lo, r_hi = s["mc_at_risk"]
doc.bullets([
    f"评分误差 σ = {s['sigma']:g} 分；抽样 {s['draws']:,} 次；随机种子 {s['seed']}。",
    f"基准下优秀数：均值 {n_mean:.2f}，5%–95% 区间 {n_lo}–{n_hi}(按记录得分评定 {s['n_excellent']})。",
    f"基准下不合格数：均值 {u_mean:.2f}，5%–95% 区间 {u_lo}–{u_hi}(按记录得分评定 {s['n_unqualified']})。",
    f"基准下风险补助：均值 {r_mean:,.1f} 万元，5%–95% 区间 {r_lo:,.0f}–{r_hi:,.0f} 万元(按记录得分 {s['at_risk']:,.0f})。",
])  # fmt: skip

# %%
doc.figure(sr.probability_chart(report, sample=is_sample), "等次概率", title="各园区评为优秀、合格、不合格的概率",
           lead="各园区在评分误差下的等次概率见{ref}。")  # fmt: skip

# %%
show("等次概率", title="各园区的等次概率与名次区间", lead="逐园的概率与名次区间见{ref}。")

# %%
lo_b, hi_b = s["coin_toss_band"]
show("等次摇摆园区", title="等次摇摆的园区",
     lead=f"P(优秀)或P(不合格)在 {percent(lo_b)}–{percent(hi_b)} 之间的园区 {len(s['coin_tosses'])} 个，见{{ref}}。")  # fmt: skip

# %% [markdown]
# 下图左边是 P(优秀) 随优秀比例上限的变化(合格线保持基准)，右边是 P(不合格) 随合格线的变化，
# 只画基准下概率在 1%–99% 之间的园区(每边最多8个，取最接近50%的)。完整的概率表见 XLSX 的
# “优秀概率随比例”“不合格概率随合格线”工作表。

# %%
doc.figure(sr.curves_chart(report, sample=is_sample), "概率曲线", title="P(优秀)随优秀比例上限、P(不合格)随合格线的变化",
           lead="概率随两个数字的变化见{ref}。")  # fmt: skip
for name in ("优秀概率随比例", "不合格概率随合格线", "蒙特卡洛数量区间"):
    doc.publish(report.tables[name], name)

# %%
tau_draws, tau_mean, tau_lo, tau_hi = s["tau"]
show("排名稳定性", title="排名稳定性(Kendall τ)",
     lead=f"排名稳定性(Kendall τ，前 {tau_draws:,} 次抽样)：均值 {tau_mean:.3f}，5%–95% 区间 {tau_lo:.3f}–{tau_hi:.3f}，见{{ref}}。")  # fmt: skip

# %% [markdown]
# ## 五、全局敏感性(Sobol 指数)
#
# 让优秀比例上限和合格线在网格范围内、评分误差 σ 在 [0, `sobol_sigma_max`] 内均匀变化，四种读法等概率取值，
# 用 Saltelli 方法(SALib)抽样，计算三个输出——优秀奖励总额、不合格园区数、风险补助——的 Sobol 指数：
# **一阶指数 S1** 是该因素单独解释的输出方差比例，**总效应指数 ST** 还包括它与其他因素的交互作用；
# 置信半宽由自助法给出(95%)。每个样本点的输出是同一组评分误差抽样下的平均值。
# 小的负值或置信区间包含 0 的指数应读作“看不出影响”。

# %%
doc.figure(sr.sobol_chart(report, sample=is_sample), "Sobol指数", title="各因素的 Sobol 指数(S1 与 ST)",
           lead=f"Sobol 样本 {s['sobol_rows']:,} 个参数组合 × {sobol_noise_draws} 次评分误差抽样；各因素的指数见{{ref}}。")  # fmt: skip

# %%
doc.bullets(sr.sobol_lines(report.sobol))
show("Sobol指数", title="Sobol 指数及其置信半宽", lead="全部指数见{ref}。")

# %% [markdown]
# ## 附录
#
# **口径说明。** 风险补助按各园区当年应拨的基础补助计算(第十一条分年基准 × 不合格年份系数)，没有考虑
# 300万元累计上限和连续两年不合格取消授牌(这两项需要往年记录，见年度评估报告)。评分误差只作用于总分；
# 一票否决不受评分误差影响。概率与区间来自有限次抽样，抽样次数越多越精确(参数 `draws`)。

# %%
show("数据文件", title="数据文件及其 SHA-256 校验和", lead="本报告读取的数据文件见{ref}。")

# %%
show("版本与参数", title="软件版本与报告参数", lead="软件版本与本报告的参数见{ref}。")
