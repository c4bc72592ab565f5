"""第十一条 / 第十三条 / 第二十四条 / 第二十五条: what the Measures will cost in the years ahead (issue 6).

The forecast starts where the ledger stands at the base year (``ledger.build`` over the data) and
simulates every later year up to the horizon on many Monte Carlo paths at once. Each simulated year applies
the same rule functions the annual report uses: ``grading.grade_scores`` (第二十四条: pass mark, veto, 30% cap,
ties) on an array shaped (paths, slots), then ``subsidy.step`` (第十一条 150/100/50 and the 300 cap,
第二十五条 bonus, cancellation and revocation); district matching (第十三条) is the municipal payment times
the park's ratio. The only Python loop is over years.

One module per step, each documenting its part:

- :mod:`.config`: :class:`ForecastConfig` (scenario and model parameters) and ``MEASURES``;
- :mod:`.scoremodel`: the score model (park effect + AR(1)), its closed-form likelihood and fit;
- :mod:`.start`: :func:`start_from_ledger`, each park's state after the base year, from the ledger;
- :mod:`.draws`: slots, arrivals, scores, vetoes, rectifications — common random numbers (:func:`draw`);
- :mod:`.projection`: :func:`project`, one policy applied to the draws year by year (:class:`Run`);
- :mod:`.summary`: :func:`summarize`, :func:`budget_risk`, :func:`compare`;
- :mod:`.pipeline`: :func:`forecast` / :func:`forecast_dataset`, all of the above (:class:`Forecast`).
"""

from hrpark_analysis.engine.forecast.config import MEASURES, ForecastConfig
from hrpark_analysis.engine.forecast.draws import Draws, draw
from hrpark_analysis.engine.forecast.pipeline import Forecast, forecast, forecast_dataset
from hrpark_analysis.engine.forecast.projection import Run, project
from hrpark_analysis.engine.forecast.scoremodel import (
    ScoreModel,
    fit_score_model,
    log_likelihood,
    park_effects,
)
from hrpark_analysis.engine.forecast.start import Start, start_from_ledger
from hrpark_analysis.engine.forecast.summary import budget_risk, compare, summarize

__all__ = [
    "MEASURES", "Draws", "Forecast", "ForecastConfig", "Run", "ScoreModel", "Start", "budget_risk", "compare",
    "draw", "fit_score_model", "forecast", "forecast_dataset", "log_likelihood", "park_effects", "project",
    "start_from_ledger", "summarize",
]  # fmt: skip
