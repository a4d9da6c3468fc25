"""Charts rendered on the server as inline SVG (pygal), no JavaScript: each carries its text alternative
(an SVG <title> and <desc> named by aria-labelledby, role="img"); the page shows the same figures in a
table beside it."""

import re
from collections.abc import Sequence

import pygal
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

# Dark text on white, bars dark enough for a 3:1 contrast with the background.
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222222",
    foreground_strong="#000000",
    foreground_subtle="#555555",
    font_family="sans-serif",
    colors=("#1f4e79", "#8a3b12", "#2e6b30"),
)


def _accessible(svg: str, *, name: str, title: str, description: str) -> SafeString:
    """pygal's SVG with role="img", and a <title> and <desc> that name it and say its figures."""
    heading = (
        f'<title id="{name}-title">{escape(title)}</title><desc id="{name}-desc">{escape(description)}</desc>'
    )
    # pygal always writes its tooltips' config as an inline <script>: no script on these pages (CSP).
    svg = re.sub(r"<script\b[^>]*>.*?</script>|<script\b[^>]*/>", "", svg, flags=re.DOTALL)
    opening = re.match(r"<svg[^>]*>", svg)
    assert opening is not None
    tag = opening.group(0)[:-1] + f' role="img" aria-labelledby="{name}-title {name}-desc">'
    return mark_safe(tag + heading + svg[opening.end() :])  # noqa: S308 - pygal's markup, texts escaped


def bar_chart(
    *,
    name: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    unit: str = "",
) -> SafeString:
    """A bar chart of one or more series over `labels`; its description lists every value."""
    chart = pygal.Bar(
        js=[],
        disable_xml_declaration=True,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        width=720,
        height=320,
        style=STYLE,
        x_label_rotation=30 if len(labels) > 6 else 0,
        print_values=False,
    )
    chart.x_labels = list(labels)
    for label, values in series:
        chart.add(label, list(values))
    parts = []
    for label, values in series:
        listed = ", ".join(
            f"{x} : {'—' if value is None else f'{value:g}'}{unit}"
            for x, value in zip(labels, values, strict=True)
        )
        parts.append(f"{label} — {listed}" if len(series) > 1 else listed)
    description = " ; ".join(parts) or "—"
    return _accessible(chart.render(is_unicode=True), name=name, title=title, description=description)
