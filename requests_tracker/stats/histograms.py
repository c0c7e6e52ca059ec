"""Duration histograms with logarithmic buckets: the percentiles of a district as a merge of its
buildings' histograms (#15).

Why not exact: an exact median needs every duration of the district sorted (63,000 at 1M demands,
~18 ms per percentile even inside PostgreSQL, on every first request after a change); the page shows
hours to one decimal and is read as "about how long". A histogram merge is a sum over a few thousand
maintained rows.

Bucket 0 holds durations under a minute; bucket b ≥ 1 holds [60 s × 1.05^(b-1), 60 s × 1.05^b). Each
duration is represented by its bucket's geometric middle (30 s for bucket 0), which is within 2.5 % of
it (√1.05 − 1 = 2.47 %); a percentile is then interpolated between ranks as PostgreSQL's
percentile_cont does, so it too is within 2.5 % of the exact one (or half a minute under a minute).
The live exact path (`compute.durations`) stays for filters that do not choose whole buildings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

#: Bucket b ≥ 1 ends at FIRST × GROWTH^b seconds.
GROWTH = 1.05
FIRST = 60.0
#: The tolerance the definitions promise (relative), and the absolute one under a minute (seconds).
TOLERANCE = 0.025
_LOG_GROWTH = math.log(GROWTH)


def bucket(seconds: float) -> int:
    """The bucket a duration falls in (negative durations, a clock skew, count as none)."""
    if seconds < FIRST:
        return 0
    return 1 + math.floor(math.log(seconds / FIRST) / _LOG_GROWTH)


#: The same, in SQL over a float8 expression of seconds `{s}` (PostgreSQL's ln is libm's, as Python's).
BUCKET_SQL = "CASE WHEN ({s}) < 60.0 THEN 0 ELSE 1 + floor(ln(({s}) / 60.0) / ln(1.05))::int END"


def middle(b: int) -> float:
    """The geometric middle of bucket b, in seconds: what every duration in it counts as."""
    if b <= 0:
        return FIRST / 2
    return FIRST * GROWTH ** (b - 0.5)


def percentiles(histogram: Mapping[int, int], fractions: tuple[float, ...] = (0.5, 0.9)) -> list[float | None]:
    """percentile_cont over the buckets' middles, in seconds (None when the histogram is empty)."""
    ordered = sorted((b, n) for b, n in histogram.items() if n > 0)
    total = sum(n for _, n in ordered)
    if not total:
        return [None for _ in fractions]

    def at(rank: int) -> float:
        seen = 0
        for b, n in ordered:
            seen += n
            if rank < seen:
                return middle(b)
        return middle(ordered[-1][0])

    out: list[float | None] = []
    for fraction in fractions:
        pos = fraction * (total - 1)
        low = int(pos)
        high = min(low + 1, total - 1)
        out.append(at(low) + (at(high) - at(low)) * (pos - low))
    return out
