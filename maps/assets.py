"""Vendored front-end files, read once: Leaflet (maps/vendor/leaflet) and the field app's own JS/CSS.

Nothing a user opens may load from a CDN: the field page inlines these files, the overview replaces
Folium's CDN links (Leaflet, jQuery, Bootstrap, Font Awesome, awesome-markers) by inline Leaflet,
the only library its layers use.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import folium
from branca.element import Element


@lru_cache(maxsize=4)
def vendor(name: str) -> str:
    """A vendored Leaflet file's text."""
    return (resources.files("maps") / "vendor" / "leaflet" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def leaflet_js() -> str:
    """Vendored leaflet.js without its source-map comment (the map file is not shipped)."""
    text = vendor("leaflet.js")
    return "\n".join(line for line in text.splitlines() if not line.startswith("//# sourceMappingURL="))


@lru_cache(maxsize=8)
def template_file(name: str) -> str:
    """A file of maps/templates (the field page's CSS, the field app's scripts)."""
    return (resources.files("maps") / "templates" / name).read_text(encoding="utf-8")


def _elements(element) -> list:  # noqa: ANN001 - any branca element
    """The element and all its descendants."""
    found = [element]
    for child in element._children.values():
        found.extend(_elements(child))
    return found


def inline_leaflet(m: folium.Map) -> folium.Map:
    """Drop every CDN script and stylesheet Folium would link and put vendored Leaflet inline instead."""
    for element in _elements(m):
        if hasattr(element, "default_js"):
            element.default_js = []
            element.default_css = []
    header = m.get_root().header
    header.add_child(Element(f"<style>{vendor('leaflet.css')}</style>"), name="leaflet_css_inline")
    header.add_child(Element(f"<script>{leaflet_js()}</script>"), name="leaflet_js_inline")
    return m
