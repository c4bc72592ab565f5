"""The executed notebook as one self-contained HTML page: no code, no prompts, nothing loaded from outside.

HTML export keeps nbconvert's escaping of text outputs and pandas' escaping of ``DataFrame.to_html``
(nbconvert's own ``sanitize_html`` is left off: it mangles pandas tables). Markdown and raw-HTML displays are
NOT escaped, so a notebook must never put data (park names, file contents) into ``Markdown(...)``/``HTML(...)``:
print it, or show it in a DataFrame. The template is the JupyterLab one with every external script
(require.js, MathJax, Mermaid, widget manager) removed, so a report reads offline.
"""

from __future__ import annotations

from pathlib import Path

# The lab template with every block that loads a script from a CDN emptied: require.js is only needed by
# widget/JS outputs, MathJax by LaTeX, Mermaid by diagrams; a report uses none of them and must read offline.
_TEMPLATE_NAME = "hrpark_report.html.j2"
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def _html_exporter():
    # nbconvert and jinja2 are imported here, not at module level: every report notebook imports this
    # module for publish_table, and nbconvert alone costs over a second of kernel start-up.
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file=_TEMPLATE_NAME,
        extra_loaders=[jinja2.DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,  # images referenced from Markdown cells become data URIs
        theme="light",
        language_code="zh",
    )


def to_html(notebook_path: str | Path) -> str:
    """The executed notebook as one self-contained HTML page: no code, no prompts, no external resources."""
    import nbformat

    notebook_path = Path(notebook_path)
    nb = nbformat.read(notebook_path, as_version=4)
    exporter = _html_exporter()
    resources = {"metadata": {"name": notebook_path.stem, "path": str(notebook_path.parent)}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body
