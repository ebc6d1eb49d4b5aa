"""Timing in rounds, robust statistics and the query plans behind each measurement."""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

TARGET_MS = 50.0
MIN_SAMPLES = 10


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that was actually observed."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


@dataclass
class Measurement:
    """One timed operation; ``fn(i)`` runs it once for sample ``i``."""

    name: str
    fn: Callable[[int], object]
    samples: list[float] = field(default_factory=list)
    error: str | None = None
    spent: float = 0.0
    queries: int | None = None
    plans: list[dict[str, Any]] = field(default_factory=list)

    def call(self, i: int) -> float | None:
        """Run once and return the elapsed milliseconds; a failure ends the measurement."""
        started = time.perf_counter_ns()
        try:
            self.fn(i)
        except Exception as exc:  # recorded in the report instead of aborting the whole run
            self.error = f"{type(exc).__name__}: {exc}"
            return None
        elapsed = (time.perf_counter_ns() - started) / 1e6
        self.spent += elapsed / 1000
        return elapsed

    def summary(self, baseline_ms: float | None) -> dict[str, Any]:
        """Median, p95 and the ratio of the median to the baseline's median."""
        result: dict[str, Any] = {"name": self.name, "n": len(self.samples),
                                  "queries": self.queries, "error": self.error}
        if self.samples:
            median = statistics.median(self.samples)
            result.update(
                median_ms=round(median, 3), p95_ms=round(percentile(self.samples, 0.95), 3),
                mean_ms=round(statistics.fmean(self.samples), 3),
                min_ms=round(min(self.samples), 3), max_ms=round(max(self.samples), 3),
                ratio=round(median / baseline_ms, 2) if baseline_ms else None,
                over_target=median >= TARGET_MS,
                p95_over_target=percentile(self.samples, 0.95) >= TARGET_MS)
        result["plans"] = self.plans
        return result


def run_rounds(measurements: list[Measurement], rounds: int, *, warmup: int = 3,
               budget_s: float = 30.0, progress: Callable[[str], None] = print) -> None:
    """Time every measurement once per round, interleaved, so drift hits them all alike.

    Each round runs them in a fresh (seeded) order: no measurement always follows the
    heaviest one. A measurement that has used up ``budget_s`` keeps its samples (at least
    MIN_SAMPLES) and sits out the remaining rounds, so one slow page cannot stall the run.
    """
    shuffler = random.Random(len(measurements))  # noqa: S311  (an order, not a secret)
    for m in measurements:
        for i in range(warmup):
            if m.error is None:
                m.call(i)
        m.spent = 0.0
    for r in range(rounds):
        for m in shuffler.sample(measurements, len(measurements)):
            if m.error or (m.spent > budget_s and len(m.samples) >= MIN_SAMPLES):
                continue
            elapsed = m.call(r)
            if elapsed is not None:
                m.samples.append(elapsed)
        if (r + 1) % max(rounds // 4, 1) == 0:
            progress(f"timing: round {r + 1}/{rounds}")


def explain(sql: str) -> list[str]:
    """The plan of one SELECT: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite."""
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql":
            raw.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return [row[0] for row in raw.fetchall()]
        raw.execute("EXPLAIN QUERY PLAN " + sql)
        return [str(row[-1]) for row in raw.fetchall()]


def sql_ms(sql: str, repeat: int = 5) -> float:
    """Median time of the bare SQL with its rows fetched: the database's share of a call."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter_ns()
            cursor.cursor.execute(sql)
            cursor.cursor.fetchall()
            times.append((time.perf_counter_ns() - started) / 1e6)
    return round(statistics.median(times), 3)


def capture_plans(m: Measurement, i: int = 0) -> None:
    """Count the queries of one call; keep each SELECT's plan and bare execution time."""
    if m.error:
        return
    with CaptureQueriesContext(connection) as captured:
        try:
            m.fn(i)
        except Exception as exc:
            m.error = f"{type(exc).__name__}: {exc}"
            return
    m.queries = len(captured.captured_queries)
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        m.plans.append({"sql": sql, "sql_ms": sql_ms(sql), "plan": explain(sql)})
