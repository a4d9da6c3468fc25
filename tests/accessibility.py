"""Accessibility checks for browser tests (RGAA 4.1 AA, as far as automated checks can tell).

`assert_accessible(page, context="...")` runs axe-core (shipped in the axe-playwright-python wheel: nothing
is downloaded) on the page as it stands and fails on any serious or critical violation, naming the rule
and the elements. `focus_ring(page)` is the computed outline and box-shadow of the focused element.
"""

from typing import Any

BLOCKING = ("serious", "critical")


def violations(page: Any) -> list[str]:
    """The page's serious or critical axe-core violations: rule, impact, the first elements' selectors."""
    from axe_playwright_python.sync_playwright import Axe  # only browser tests pay for the import

    result = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[node['target'] for node in v['nodes'][:5]]}"
        for v in result.response["violations"]
        if v["impact"] in BLOCKING
    ]


def assert_accessible(page: Any, *, context: str = "") -> None:
    found = violations(page)
    assert not found, f"{context or page.url}: {found}"


def focus_ring(page: Any) -> dict[str, str]:
    """What draws the focus of document.activeElement: its computed outline and box-shadow."""
    return dict(
        page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return {tag: document.activeElement.tagName, outlineStyle: s.outlineStyle,"
            " outlineWidth: s.outlineWidth, boxShadow: s.boxShadow}; }"
        )
    )


def has_visible_focus(page: Any) -> bool:
    ring = focus_ring(page)
    outlined = ring["outlineStyle"] not in ("none", "") and ring["outlineWidth"] not in ("0px", "")
    return outlined or ring["boxShadow"] not in ("none", "")
