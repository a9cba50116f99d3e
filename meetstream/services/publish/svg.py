"""Charts as inline SVG for the HTML report: bars with their numbers written beside them, so they
read on screen, on paper and in greyscale. Each chart is an <svg role="img"> with a <title> and a
<desc>; the same figures are in the report's tables. Built with jinja2's escaping (markupsafe)."""

from __future__ import annotations

from markupsafe import Markup, escape

BAR = 18  # px per row
GAP = 6
LABEL_W = 260
CHART_W = 720
FILL = "var(--brand, #1d4f91)"
FILL2 = "#6f777b"  # the second series (minutes private): grey, with a hatch so it prints apart


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:,.1f}"


def hbars(title: str, desc: str, rows: list[tuple[str, float | None]], *, unit: str = "",
          second: list[float] | None = None, second_name: str = "") -> Markup:
    """Horizontal bars, one per row (label, value); None is drawn as 'not available'.
    `second`: a part of each bar drawn over it (minutes private within minutes on air)."""
    n = max(1, len(rows))
    legend = 22 if second is not None else 0
    height = legend + n * (BAR + GAP) + GAP
    top = max([v for _, v in rows if v is not None] + [1])
    span = CHART_W - LABEL_W - 90
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {CHART_W} {height}" '
           f'width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="{_id(title)}-t {_id(title)}-d">',
           f'<title id="{_id(title)}-t">{escape(title)}</title><desc id="{_id(title)}-d">{escape(desc)}</desc>']
    if second is not None:
        out.append(f'<defs><pattern id="{_id(title)}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
                   f'<rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="{FILL2}"/></pattern></defs>')
        out.append(f'<rect x="{LABEL_W}" y="4" width="14" height="12" fill="{FILL}"/>'
                   f'<text x="{LABEL_W + 20}" y="14" class="legend">{escape(unit or "total")}</text>'
                   f'<rect x="{LABEL_W + 140}" y="4" width="14" height="12" fill="url(#{_id(title)}-hatch)" stroke="{FILL2}"/>'
                   f'<text x="{LABEL_W + 160}" y="14" class="legend">{escape(second_name)}</text>')
    for i, (label, value) in enumerate(rows):
        y = legend + GAP + i * (BAR + GAP)
        out.append(f'<text x="{LABEL_W - 8}" y="{y + BAR - 5}" text-anchor="end" class="label">{escape(_clip(label))}</text>')
        if value is None:
            out.append(f'<text x="{LABEL_W + 4}" y="{y + BAR - 5}" class="value">not available</text>')
            continue
        w = span * value / top
        out.append(f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{FILL}"/>')
        if second is not None and second[i]:
            w2 = span * second[i] / top
            out.append(f'<rect x="{LABEL_W}" y="{y + 4}" width="{w2:.1f}" height="{BAR - 8}" fill="url(#{_id(title)}-hatch)" stroke="{FILL2}"/>')
        text = _num(value) + (f" ({_num(second[i])} {second_name})" if second is not None and second[i] else "")
        out.append(f'<text x="{LABEL_W + w + 6:.1f}" y="{y + BAR - 5}" class="value">{escape(text)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def columns(title: str, desc: str, cols: list[tuple[str, int]]) -> Markup:
    """Vertical bars, one per column (label, count): incidents per month."""
    n = max(1, len(cols))
    height, base, top = 220, 180, max([v for _, v in cols] + [1])
    step = (CHART_W - 40) / n
    w = max(4.0, step * 0.6)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {CHART_W} {height}" '
           f'width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="{_id(title)}-t {_id(title)}-d">',
           f'<title id="{_id(title)}-t">{escape(title)}</title><desc id="{_id(title)}-d">{escape(desc)}</desc>',
           f'<line x1="20" y1="{base}" x2="{CHART_W - 20}" y2="{base}" stroke="#0b0c0c"/>']
    for i, (label, value) in enumerate(cols):
        x = 20 + i * step + (step - w) / 2
        h = (base - 30) * value / top
        if value:
            out.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{FILL}"/>')
        out.append(f'<text x="{x + w / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle" class="value">{value}</text>')
        out.append(f'<text x="{x + w / 2:.1f}" y="{base + 16}" text-anchor="middle" class="label">{escape(label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _id(title: str) -> str:
    return "c-" + "".join(ch if ch.isalnum() else "-" for ch in title.casefold())[:40]
