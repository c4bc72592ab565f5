"""hrpark_analysis: 渝人社发〔2021〕57号 as code."""

__version__ = "0.1.0"
