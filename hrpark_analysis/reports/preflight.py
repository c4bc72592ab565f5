"""A report's inputs loaded and validated before any kernel starts (``hrpark report``'s step 1b).

The notebook would find a bad data folder, policy override or scenario choice only after its kernel had
started — seconds later, as a failed report (exit 1), with a lock file left in ``--out``. :func:`check_inputs`
calls the same library loaders the notebook's first cells call, with the same parameters, in the runner's
own process: a bad input is the same :class:`~hrpark_analysis.errors.HrparkError` (and so the same one-line
message and exit 2) as ``hrpark score`` / ``hrpark evaluate --set`` give, and nothing has been written.

Only the bundled report notebooks are checked this way (the runner skips it for a notebook folder of its
own, as the tests use); the checks belong to what those notebooks do with their parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from hrpark_analysis.engine.dataset import SAMPLE_DIR, Dataset, load_dataset
from hrpark_analysis.law.policy import Policy, load_policy
from hrpark_analysis.reports.dates import document_facts


def _policy(p: Mapping[str, Any]) -> Policy:
    return load_policy(p.get("policy_file") or None, p.get("policy_set") or None)


def _dataset(p: Mapping[str, Any], policy: Policy, year: int) -> Dataset:
    folder = Path(p["data_dir"]) if p.get("data_dir") else SAMPLE_DIR
    return load_dataset(folder, year, policy, sheet_path=p.get("sheet_file") or None)


def _annual(p: Mapping[str, Any]) -> None:
    policy = _policy(p)
    _dataset(p, policy, p["year"])


def _sensitivity(p: Mapping[str, Any]) -> None:
    from hrpark_analysis.reports import sensitivity as sr
    from hrpark_analysis.reports.sensitivity.tables import check_settings

    policy = _policy(p)
    sr.grid(p["share_min"], p["share_max"], p["share_step"], name="优秀比例上限", lower=0.0, upper=1.0)
    sr.grid(
        p["pass_mark_min"], p["pass_mark_max"], p["pass_mark_step"], name="合格线", lower=0.0, upper=100.0
    )
    check_settings(
        sigma=p["sigma"], draws=p["draws"], coin_toss_band=p["coin_toss_band"],
        sobol_n_base=p["sobol_n_base"], sobol_sigma_max=p["sobol_sigma_max"],
    )  # fmt: skip
    _dataset(p, policy, p["year"])


# The forecast notebook's ForecastConfig keys that are its parameters under the same name.
_FORECAST_KEYS = (
    "paths", "seed", "arrivals", "arrival_counts", "arrival_rate", "region_shares", "ceiling", "score_model",
    "phi", "sigma", "mu_mean", "mu_sd", "prior_scale", "veto_rate", "rectification_probability", "budget",
)  # fmt: skip


def _forecast(p: Mapping[str, Any]) -> None:
    from hrpark_analysis.engine.forecast import ForecastConfig
    from hrpark_analysis.reports import forecast as fr

    policy = _policy(p)
    ForecastConfig.from_mapping(
        {
            "horizon": fr.horizon_year(p["base_year"], p["horizon"]),
            **{k: p[k] for k in _FORECAST_KEYS if k in p},
        }
    )
    for reform in (p.get("reforms") or {}).values():
        policy.with_overrides(reform)  # a reform's overrides fail as `hrpark evaluate --set` would
    _dataset(p, policy, p["base_year"])


def _certification(p: Mapping[str, Any]) -> None:
    from hrpark_analysis.engine.forecast import ForecastConfig
    from hrpark_analysis.io.readers import find_table, read_applicants

    policy = _policy(p)
    if p.get("forecast_paths"):  # the forecast with and without the round (engine.certification)
        ForecastConfig(horizon=p["forecast_horizon"], paths=p["forecast_paths"], seed=p["seed"],
                       arrivals="fixed", arrival_counts=0)  # fmt: skip
    _dataset(p, policy, p["year"])
    folder = Path(p["data_dir"]) if p.get("data_dir") else SAMPLE_DIR
    applicants = p.get("applicants_file")
    read_applicants(
        Path(applicants) if applicants else find_table(folder, "applicants", required=True), policy
    )


CHECKS: dict[str, Callable[[Mapping[str, Any]], None]] = {
    "annual": _annual,
    "sensitivity": _sensitivity,
    "forecast": _forecast,
    "certification": _certification,
}


def check_inputs(kind: str, parameters: Mapping[str, Any]) -> None:
    """Load what report ``kind``'s notebook loads from ``parameters`` (its effective parameters); raise the
    loaders' own error if anything is wrong. Writes nothing."""
    # The title page's date (report_date, else SOURCE_DATE_EPOCH) is read as the documents will read it.
    document_facts(parameters)
    CHECKS[kind](parameters)
