"""Declared turnover by quarter against the estimate, as an inline SVG drawn on the server
(no script, no CDN: the page works offline and prints as it shows)."""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 12, 34
STEPS = 4


@dataclass(frozen=True)
class Bar:
    label: str
    x: float
    width: float
    y: float
    height: float
    estimate_y: float
    declared: Decimal | None
    estimate: Decimal
    tone: str
    label_x: float


def _nice_ceiling(value: Decimal) -> Decimal:
    """The next round number above `value` (1, 2, 2.5, 5 × a power of ten)."""
    if value <= 0:
        return Decimal(1)
    exponent = len(str(int(value))) - 1
    base = Decimal(10) ** exponent
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= base * step:
            return base * step
    return base * 10


def turnover_chart(rows) -> dict:
    """Geometry for `premiums/_turnover_chart.html` from the policy's QuarterRows."""
    values = [row.current.turnover for row in rows if row.current is not None]
    top = _nice_ceiling(max([*values, *(row.estimate for row in rows)], default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(rows), 1)

    def y_of(value: Decimal) -> float:
        return TOP + plot_h - float(value / top) * plot_h

    bars = []
    for i, row in enumerate(rows):
        declared = row.current.turnover if row.current is not None else None
        y = y_of(declared) if declared is not None else TOP + plot_h
        x = LEFT + i * slot + slot * 0.25
        bars.append(
            Bar(
                label=row.quarter.label,
                x=round(x, 1),
                width=round(slot * 0.5, 1),
                y=round(y, 1),
                height=round(TOP + plot_h - y, 1),
                estimate_y=round(y_of(row.estimate), 1),
                declared=declared,
                estimate=row.estimate,
                tone=row.badge,
                label_x=round(LEFT + i * slot + slot / 2, 1),
            )
        )
    ticks = [
        {"y": round(y_of(top * k / STEPS), 1), "label": f"{top * k / STEPS / 10_000:,.0f}"}
        for k in range(STEPS + 1)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "base_y": TOP + plot_h,
        "label_y": HEIGHT - BOTTOM + 16,
        "bars": bars,
        "ticks": ticks,
        "slot_half": round(slot * 0.35, 1),
    }
