"""Trend of an event from its hourly volume: phase (发酵 / 高峰 / 回落 / 平息) and velocity.

Rules of :func:`phase`, applied in this order to the series up to ``now_index`` (hours as buckets):

1. **subsided** (平息) — nothing in the last :data:`QUIET_HOURS` (12) hours; or, once the peak is at least
   :data:`QUIET_HOURS` hours old, at most one item an hour in the last 6 hours and the 3-hour average at or
   below 10 % of its maximum (a trickle).
2. **emerging** (发酵) — rising: the last hour is the busiest of the last 13 and the 3-hour average went
   up (a new burst after a lull counts too); or the event is younger than 3 hours.
3. **peak** (高峰) — the 3-hour average is at least 70 % of its maximum.
4. **declining** (回落) — anything else: clearly below the maximum but not quiet yet.

A 3-hour moving average instead of raw counts keeps one odd hour from flipping the phase.
"""

from __future__ import annotations

from collections.abc import Sequence

from yuqing.vocab import PHASES

QUIET_HOURS = 12
SMOOTH_HOURS = 3
PEAK_SHARE = 0.7
TRICKLE_SHARE = 0.1
YOUNG_HOURS = 3

assert set(PHASES) == {"emerging", "peak", "declining", "subsided"}


def smooth(counts: Sequence[float], width: int = SMOOTH_HOURS) -> list[float]:
    """Trailing moving average (the first values average over what exists)."""
    out, acc = [], 0.0
    for i, c in enumerate(counts):
        acc += c
        if i >= width:
            acc -= counts[i - width]
        out.append(acc / min(i + 1, width))
    return out


def phase(hourly_counts: Sequence[int], now_index: int | None = None) -> str:
    """Phase of an event (a key of :data:`yuqing.vocab.PHASES`) at hour ``now_index`` (default: last).

    Hours after ``now_index`` are ignored; an index past the end counts the missing hours as zero.
    """
    counts = [max(0, int(c)) for c in hourly_counts]
    if now_index is None:
        now_index = len(counts) - 1
    if now_index < 0 or not counts:
        return "subsided"
    if now_index >= len(counts):
        counts = counts + [0] * (now_index + 1 - len(counts))
    counts = counts[: now_index + 1]
    start = next((i for i, c in enumerate(counts) if c), None)
    if start is None or sum(counts[-QUIET_HOURS:]) == 0:
        return "subsided"
    s = smooth(counts)
    top = max(s)
    peak_at = max(i for i, v in enumerate(s) if v == top)
    now = s[-1]
    age = len(counts) - start
    if len(counts) - 1 - peak_at >= QUIET_HOURS and max(counts[-6:]) <= 1 and now <= TRICKLE_SHARE * top:
        return "subsided"
    previous = counts[-1 - QUIET_HOURS : -1]
    rising = counts[-1] > 0 and counts[-1] >= max(previous, default=0) and (len(s) < 2 or now > s[-2])
    if rising or age < YOUNG_HOURS:
        return "emerging"
    if now >= PEAK_SHARE * top:
        return "peak"
    return "declining"


def velocity(series: Sequence[float]) -> float:
    """Last hour against the mean of the 12 hours before it: ``last / max(mean, 1)``.

    The floor of one item an hour keeps a first handful of posts after silence from reading as an
    infinite jump: 6 items after a quiet half day give 6.0, after a steady 3 an hour give 2.0.
    """
    if not series:
        return 0.0
    last = float(series[-1])
    previous = list(series[-1 - QUIET_HOURS : -1])
    mean = sum(previous) / len(previous) if previous else 0.0
    return last / max(mean, 1.0)
