"""The one CJK font every report draws and typesets with: Noto Sans CJK SC, shipped inside ``mplfonts``.

The charts register it with matplotlib (:func:`hrpark_analysis.reports.charts.setup_matplotlib`), Typst embeds
it in the PDF (:mod:`.export.pdf`) and the manifest records its sha256. The file is found from the installed
package's location without importing ``mplfonts``, which imports matplotlib: the PDF and the manifest are made
in the runner's own process, where that import would cost a fifth of a second for a path.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
FONT_PACKAGE = "mplfonts"


def cjk_font_path() -> Path:
    """Path of the Noto Sans CJK SC font file shipped by ``mplfonts``; FileNotFoundError if it is missing."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    if not folders:
        raise FileNotFoundError(
            f"找不到 {FONT_PACKAGE} 软件包(中文字体 {CJK_FONT_FILE} 随它安装)；请重新安装它"
        )
    path = Path(folders[0]).resolve() / "fonts" / CJK_FONT_FILE
    if not path.exists():
        raise FileNotFoundError(f"找不到中文字体 {path}；请重新安装 {FONT_PACKAGE} 软件包")
    return path
