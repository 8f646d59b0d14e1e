"""Sphinx configuration: Markdown pages (MyST), API and hooks from the docstrings, the CLI from click."""

from __future__ import annotations

import kasify_orders

project = "kasify-orders"
author = "The kasify-orders developers"
copyright = "2026, The kasify-orders developers"  # noqa: A001 - Sphinx's name
release = kasify_orders.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx_click",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = "kasify-orders"
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False}
# attrs classes list their fields as class attributes; the docs show them once.
suppress_warnings = ["ref.python", "myst.xref_missing"]
