"""The notebook's own check: a report notebook checks the parameters it was given, as ``hrpark report`` does.

Every report notebook calls :func:`check_kernel` in the cell after its parameters cell (imported as
``from hrpark_analysis.reports.kernel_check import check_kernel``), so papermill alone and
Airflow's PapermillOperator get the same refusal as ``hrpark report``: the same :func:`.params.check_values`,
shown in the notebook as one line.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from hrpark_analysis.reports.declared import notebook_parameters
from hrpark_analysis.reports.params import RUNNER_KEYS, check_values, notebook_path

PAPERMILL_LABEL = "papermill 参数"
INJECTED_HEADER = "# Parameters"  # papermill's first line of the cell it injects after the parameters cell


def _injected_names(history: list[str]) -> list[str]:
    """The names papermill assigned in the injected cells of this kernel's input history, in order."""
    names: list[str] = []
    for source in history:
        if not source.lstrip().startswith(INJECTED_HEADER):
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            names += [t.id for t in targets if isinstance(t, ast.Name) and t.id not in names]
    return names


def _one_line_errors(shell: Any) -> None:
    """In this kernel, an :class:`HrparkError` is shown as its one-line message, not a traceback."""
    from hrpark_analysis.errors import HrparkError

    def show(self: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> list[str]:
        # IPython hands a registered exception to this handler instead of showing it: show it as one line
        # (ipykernel publishes it as the cell's error output, which papermill reports).
        stb = [f"{etype.__name__}: {value}"]
        self._showtraceback(etype, value, stb)
        return stb

    shell.set_custom_exc((HrparkError,), show)


def check_kernel(kind: str, namespace: Mapping[str, Any]) -> None:
    """Check the parameters a running report notebook was given, exactly as ``hrpark report`` checks them.

    The notebooks call it in the cell after their parameters cell, so a direct papermill run
    (``papermill annual_evaluation.ipynb out.ipynb -p year 2024``, Airflow's PapermillOperator) is refused
    with the same message: an unknown name (``-p yaer 2024``) or a value of the wrong type (``-p year abc``)
    is a :class:`ParameterError`, shown in the notebook as one line. The names checked are those papermill
    injected (read back from the kernel's input history); without an injected cell (JupyterLab, nbval) the
    declared parameters' current values are checked.
    """
    declared = notebook_parameters(notebook_path(kind))
    history: list[str] = []
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        _one_line_errors(shell)
        history = [str(s) for s in shell.user_ns.get("In", [])]
    injected = _injected_names(history)
    names = injected or [n for n in declared if n in namespace]
    # A params file given to papermill (-f) may hold the runner's own keys (out_root): not the notebook's.
    values = {name: namespace[name] for name in names if name in namespace and name not in RUNNER_KEYS}
    check_values(declared, values, PAPERMILL_LABEL, notebook_path(kind).name)
