"""Exact summaries of counted draws: quantiles from histograms, value counts per column, Kendall's tau.

The Monte Carlo keeps integer counts, never the draws, so that its results do not depend on the chunk size;
these helpers turn counts into the quantiles ``numpy.quantile(..., method="inverted_cdf")`` would give.
"""

from __future__ import annotations

import math

import numpy as np


def hist_quantile(counts: np.ndarray, q: float) -> np.ndarray:
    """The ``inverted_cdf`` quantile (as ``numpy.quantile``) of integer values 0… from histograms on the last axis."""
    total = counts.sum(axis=-1, keepdims=True)
    target = np.ceil(total * q - 1).clip(0, None)  # the same float arithmetic as numpy's inverted_cdf index
    cum = np.cumsum(counts, axis=-1)
    return (cum <= target).sum(axis=-1)


def values_quantile(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    """The ``inverted_cdf`` quantile of ``values`` each seen ``counts`` times."""
    order = np.argsort(values, kind="stable")
    total = counts.sum()
    target = max(math.ceil(total * q - 1), 0)
    return float(values[order][int((np.cumsum(counts[order]) <= target).sum())])


def column_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(column, value, count) of every distinct value in each column of a (rows, columns) array."""
    rows = values.shape[0]
    srt = np.sort(values, axis=0).T
    new = np.ones(srt.shape, dtype=bool)
    new[:, 1:] = srt[:, 1:] != srt[:, :-1]
    col, pos = np.nonzero(new)
    nxt = np.full(len(pos), rows)
    same_col = col[1:] == col[:-1]
    nxt[:-1][same_col] = pos[1:][same_col]
    return col, srt[col, pos], nxt - pos


def merge_value_counts(keys: np.ndarray, values: np.ndarray, counts: np.ndarray) -> tuple:
    """(key, value, count) triples with equal (key, value) summed, sorted by key then value."""
    order = np.lexsort((values, keys))
    keys, values, counts = keys[order], values[order], counts[order]
    new = np.ones(len(keys), dtype=bool)
    new[1:] = (keys[1:] != keys[:-1]) | (values[1:] != values[:-1])
    starts = np.flatnonzero(new)
    return keys[starts], values[starts], np.add.reduceat(counts, starts) if len(starts) else counts


def kendall_tau(drawn: np.ndarray, recorded: np.ndarray, pairs: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Kendall's tau-b of each row of ``drawn`` against ``recorded``, vectorized over pairs of parks.

    The same arithmetic as ``scipy.stats.kendalltau`` (tau-b: (C − D) / √(pairs − x ties) / √(pairs − y
    ties), NaN when one side is all tied), checked equal to it in the tests.
    """
    iu, ju = pairs
    tot = len(iu)
    sx = np.sign(recorded[iu] - recorded[ju])
    x_untied = tot - int((sx == 0).sum())
    sy = np.sign(drawn[:, iu] - drawn[:, ju])
    con_minus_dis = sy @ sx
    y_untied = tot - (sy == 0).sum(axis=-1)
    ok = (x_untied > 0) & (y_untied > 0)
    tau = np.full(len(drawn), np.nan)
    tau[ok] = con_minus_dis[ok] / np.sqrt(x_untied) / np.sqrt(y_untied[ok])
    return np.clip(tau, -1.0, 1.0, out=tau, where=ok)


def qname(q: float) -> str:
    """A quantile's column suffix: 0.05 → ``p5``."""
    return f"p{q * 100:g}"
