"""What every benchmark row is: a subject and a baseline timed in the same run, as medians."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    subject: str
    baseline: str
    subject_ms: float
    baseline_ms: float
    rows: int = 0  # rows each repetition handles, for a rows/second reading (0: not a bulk benchmark)

    @property
    def ratio(self) -> float:
        return self.subject_ms / self.baseline_ms

    @property
    def rows_per_second(self) -> float:
        return self.rows / (self.subject_ms / 1000)


async def median_ms(action: Callable[[], Awaitable[object]], repeat: int,
                    reset: Callable[[], Awaitable[object]] | None = None) -> float:
    """The median of `repeat` timed calls after one warm-up call; `reset` (untimed) runs after each."""
    await action()  # warm caches and pools
    if reset is not None:
        await reset()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await action()
        samples.append((time.perf_counter() - start) * 1000)
        if reset is not None:
            await reset()
    return statistics.median(samples)
