"""Text tables of bench results; ``python -m bench.report FILE...`` compares backends."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .measure import TARGET_MS


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def _flag(row: dict[str, Any]) -> str:
    if row.get("error"):
        return "ERROR"
    if row.get("over_target"):
        return f"OVER {TARGET_MS:.0f} ms"
    if row.get("p95_over_target"):
        return f"p95 over {TARGET_MS:.0f} ms"
    return ""


def table(result: dict[str, Any]) -> str:
    """One backend's results: absolute times, ratios to the baseline, flags."""
    seed = result["seed"]
    how = "reused" if seed["reused"] else f"seeded in {seed['seconds']:.0f} s"
    env = result["environment"]
    load = "/".join(f"{x:.1f}" for x in env["load_average_before"][:1]
                    + env["load_average_after"][:1])
    lines = [
        f"== {result['backend']} {result['database_version']}: {result['users']:,} users "
        f"({how}), {result['rounds']} rounds, {env['cpus']} CPUs, load {load} (before/after)",
        f"{'measurement':<44}{'median ms':>10}{'p95 ms':>9}{'x base':>8}{'n':>5}{'SQL':>5}  flag",
    ]
    for row in result["measurements"]:
        if row.get("error"):
            lines.append(f"{row['name']:<44}{'':>37}  ERROR {row['error']}")
            continue
        ratio = "-" if row.get("ratio") is None else f"{row['ratio']:.1f}"
        queries = "-" if row.get("queries") is None else str(row["queries"])
        lines.append(f"{row['name']:<44}{_ms(row['median_ms']):>10}{_ms(row['p95_ms']):>9}"
                     f"{ratio:>8}{row['n']:>5}{queries:>5}  {_flag(row)}".rstrip())
    lines.append(signup_line(result["signup"]))
    lines.append(verdict(result))
    return "\n".join(lines)


def signup_line(signup: dict[str, Any]) -> str:
    if signup.get("skipped"):
        return f"sign-up + confirm: not timed ({signup['skipped']})"
    if signup.get("error"):
        return f"sign-up + confirm: ERROR {signup['error']}"
    return (f"sign-up + confirm: {signup['per_second']:.2f}/s ({signup['rounds']} rounds, "
            f"median {signup['median_ms']:.0f} ms); {signup['hasher']} alone "
            f"{signup['hashes_per_second']:.2f} hashes/s; ratio {signup['ratio']:.2f}; "
            f"overhead beyond hashing {signup['overhead_ms']:.1f} ms/round")


def verdict(result: dict[str, Any]) -> str:
    """Whether every read stays under the target (the issue's bar is PostgreSQL at 1M)."""
    reads = [r for r in result["measurements"] if not r.get("baseline")]
    failed = [r["name"] for r in reads if r.get("error") or r.get("over_target")]
    slow_tail = [r["name"] for r in reads if r.get("p95_over_target") and
                 not r.get("over_target")]
    text = (f"target: every read median < {TARGET_MS:.0f} ms: "
            + ("met" if not failed else "NOT MET (" + "; ".join(failed) + ")"))
    if slow_tail:
        text += "; p95 over target: " + "; ".join(slow_tail)
    return text


def combined(results: list[dict[str, Any]]) -> str:
    """Median ms and ratio per measurement, one column pair per backend."""
    names: list[str] = []
    for result in results:
        names += [r["name"] for r in result["measurements"] if r["name"] not in names]
    head = f"{'measurement':<44}" + "".join(
        f"{result['backend'][:10] + ' ms':>16}{'x base':>8}" for result in results)
    lines = [f"== summary, {results[0]['users']:,} users (median ms, ratio to pk fetch)", head]
    for name in names:
        line = f"{name:<44}"
        for result in results:
            row = next((r for r in result["measurements"] if r["name"] == name), None)
            if row is None or row.get("error"):
                line += f"{'ERROR' if row else '-':>16}{'':>8}"
                continue
            mark = "!" if row.get("over_target") else " "
            ratio = "-" if row.get("ratio") is None else f"{row['ratio']:.1f}"
            line += f"{_ms(row['median_ms']) + mark:>16}{ratio:>8}"
        lines.append(line.rstrip())
    line = f"{'sign-up + confirm per s (ratio to hashes/s)':<44}"
    for result in results:
        signup = result["signup"]
        if signup.get("error") or signup.get("skipped"):
            line += f"{'ERROR' if signup.get('error') else '-':>16}{'':>8}"
        else:
            line += f"{signup['per_second']:>16.2f}{signup['ratio']:>8.2f}"
    lines.append(line)
    lines.append(f"! = median over {TARGET_MS:.0f} ms")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    results = [json.loads(Path(p).read_text()) for p in argv if Path(p).exists()]
    if not results:
        print("bench.report: no result files", file=sys.stderr)
        return 1
    print(combined(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
