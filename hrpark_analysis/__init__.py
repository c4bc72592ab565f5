"""hrpark_analysis: 渝人社发〔2021〕57号 as code.

The public API (``import hrpark_analysis as hp``) is documented in :mod:`hrpark_analysis.api`:
``hp.load_policy``, ``hp.load_dataset``, ``hp.sample_dataset``, ``hp.evaluate``, ``hp.explain``, ``hp.compare``,
``hp.sweep``, ``hp.monte_carlo``, ``hp.forecast``. The names load on first use, so ``hrpark --version`` and
the modules that only need ``__version__`` stay light.
"""

__version__ = "0.1.0"

_API = (
    "Dataset", "Evaluation", "Forecast", "MonteCarlo", "Policy", "compare", "evaluate", "explain", "forecast",
    "load_dataset", "load_policy", "monte_carlo", "sample_dataset", "sweep",
)  # fmt: skip  # hrpark_analysis.api.__all__
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        from hrpark_analysis import api

        return getattr(api, name)
    raise AttributeError(f"module 'hrpark_analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
