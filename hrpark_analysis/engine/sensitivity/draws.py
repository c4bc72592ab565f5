"""第二十四条 (experts' totals are noisy): the noise model of the sensitivity analysis, shared by its draws.

Draw = recorded total + σ × Z, Z from any scipy.stats distribution in fixed seeded blocks (so a draw is the same
whatever chunk asks for it), rounded and clipped to the 100-point scale; the tie-break subtotals follow the
drawn total or stay as recorded. Also the progress hook of the two long computations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.stats

DEFAULT_SIGMA = 2.0  # points of the 100-point total
DEFAULT_SCORE_RANGE = (0.0, 100.0)  # 第二十四条: "总分为100分"; draws are clipped to it
DIMENSION_NOISE = ("fixed", "proportional")
# Noise is generated in blocks of this many draws, block b from SeedSequence(seed, spawn_key=(b,)), so a
# draw is the same whatever chunk size processes it. Changing this constant changes every seeded result.
NOISE_BLOCK = 1024

Progress = bool | Callable[[int, int], None] | None


def resolve_seed(seed: int | None) -> int:
    """The seed a run used: ``seed`` itself, or fresh OS entropy recorded so the run can be repeated."""
    return int(np.random.SeedSequence(seed).entropy)


def draw_scores(
    score: np.ndarray,
    sigma: float | np.ndarray,
    stop: int,
    *,
    seed: int,
    start: int = 0,
    noise: Any = scipy.stats.norm,
    score_range: tuple[float, float] = DEFAULT_SCORE_RANGE,
    resolution: float | None = None,
) -> np.ndarray:
    """第二十四条 (experts' totals are noisy): draws ``start`` … ``stop`` − 1 of every park's total score.

    Draw = recorded + σ × Z with Z from ``noise`` (any scipy.stats distribution, frozen or not; standard
    normal by default), rounded to ``resolution`` points if given, clipped to ``score_range``. Z comes in
    fixed blocks of ``NOISE_BLOCK`` draws from ``SeedSequence(seed, spawn_key=(block,))``, so draw i is the
    same whichever chunk asks for it.
    """
    score = np.asarray(score, dtype=float)
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), score.shape)
    first, last = start // NOISE_BLOCK, -(-stop // NOISE_BLOCK)
    blocks = []
    for b in range(first, last):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(b,))))
        blocks.append(np.asarray(noise.rvs(size=(NOISE_BLOCK, len(score)), random_state=rng), dtype=float))
    z = np.concatenate(blocks)[start - first * NOISE_BLOCK : stop - first * NOISE_BLOCK]
    drawn = score + sigma * z
    if resolution is not None:
        drawn = np.round(drawn / resolution) * resolution
    return np.clip(drawn, *score_range)


def drawn_dimensions(dims: Sequence[np.ndarray], recorded: np.ndarray, drawn: np.ndarray, how: str) -> list:
    """The tie-break subtotals of drawn totals: as recorded (``"fixed"``) or scaled (``"proportional"``)."""
    if how == "fixed" or not dims:
        return list(dims)
    # proportional: every subtotal scaled by drawn / recorded total (a recorded total of 0 keeps them)
    ratio = np.divide(drawn, recorded, out=np.ones_like(drawn), where=recorded != 0)
    return [k * ratio for k in dims]


def progress_callback(progress: Progress, total: int) -> tuple[Callable[[int], None], Callable[[], None]]:
    """``(update(done), close())`` for ``progress``: None/False silent, True a tqdm bar, or a callable."""
    if progress is None or progress is False:
        return (lambda done: None), (lambda: None)
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="draw", leave=False)
        state = {"done": 0}

        def update(done: int) -> None:
            bar.update(done - state["done"])
            state["done"] = done

        return update, bar.close
    return (lambda done: progress(done, total)), (lambda: None)
