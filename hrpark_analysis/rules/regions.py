"""第四条: the 一区两群 layout — which region a district belongs to."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from hrpark_analysis.law.policy import Policy

# Longest first, so 石柱土家族自治县 loses the whole suffix and not only 县.
_SUFFIXES = ("土家族苗族自治县", "苗族土家族自治县", "土家族自治县", "自治县", "县", "区")
_PREFIXES = ("重庆市", "重庆")


def normalize_district(name: object, region_map: dict[str, str]) -> str | None:
    """第四条: a district name as written by users (with or without 区/县/自治县) -> the short name, or None."""
    if not isinstance(name, str):
        return None
    text = name.strip().replace(" ", "")
    candidates = [text]
    for prefix in _PREFIXES:
        if text.startswith(prefix) and text[len(prefix) :]:
            candidates.append(text[len(prefix) :])
    for cand in list(candidates):
        if cand in region_map:
            return cand
        for suffix in _SUFFIXES:
            if cand.endswith(suffix) and cand[: -len(suffix)] in region_map:
                return cand[: -len(suffix)]
    # 重庆高新区 may be written 高新区; 两江新区 as 两江.
    for known in region_map:
        if text and (known == "重庆" + text or known == text + "新区"):
            return known
    return None


def regions_of(districts: Iterable[object], policy: Policy) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """第四条: region key per district, vectorized.

    Returns (short district names, region keys, unknown mask); unknown entries have region ``""``.
    The I/O layer turns the unknown mask into an error naming the row.
    """
    region_map = policy.region_map()
    names = [normalize_district(d, region_map) for d in districts]
    unknown = np.array([n is None for n in names], dtype=bool)
    short = np.array([n or "" for n in names], dtype=object)
    region = np.array([region_map.get(n, "") if n else "" for n in names], dtype=object)
    return short, region, unknown
