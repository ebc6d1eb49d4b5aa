"""``make load``: four gunicorn workers on a private PostgreSQL and Redis under a mixed
workload at a fixed rate, and with ``--faults`` Redis, PostgreSQL and a worker killed
during it (issue 16, "Load" and "Faults during that load"). Loopback only.

Steps: start PostgreSQL and Redis (append-only file, ``appendfsync everysec``) in temporary
directories, migrate and seed (``bench.load_project.seed``), start gunicorn with 4 sync
workers; measure capacity (closed loop, the mix as fast as it goes); then run the mix at a
fixed rate (``--load`` of capacity, 70 % by default) for ``--seconds``, every operation timed
from when it was due (an open loop: a slow answer cannot slow the arrivals and hide itself).
Results: throughput, p50/p95/p99 per operation, errors by type, each fault's error window and
the audit (``bench.load_audit``), in ``bench/results/load.json`` and ``load.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load_audit import (
    audit,
    guess_during,
    lock_survives_restart,
    sign_out,
    watch_health,
)
from bench.load_client import Api, Failure, Workload
from bench.processes import answers_http, stop
from bench.servers import Postgres, Redis

ROOT = Path(__file__).resolve().parents[1]
LISTENING = re.compile(rb"Listening at: http://127\.0\.0\.1:(\d+)")
RESERVED = 20  # seeded users kept out of the mix: guessers, locked users, leavers


@dataclass
class Sample:
    op: str
    due: float  # seconds since the run began
    latency: float  # from when it was due
    error: str | None = None

    @property
    def finished(self) -> float:
        """When the answer came (seconds since the run began): what an outage is timed by,
        since an operation due before it may meet it later."""
        return self.due + self.latency


@dataclass
class Fault:
    name: str
    began: float
    ended: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Stack:
    postgres: Postgres
    redis: Redis
    gunicorn: subprocess.Popen[bytes]
    url: str
    seed: dict[str, Any]
    log: Path

    def workers(self) -> list[int]:
        """The gunicorn workers' process ids (the arbiter's children)."""
        pid = self.gunicorn.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]


def start_stack(workdir: Path, users: int, workers: int) -> Stack:
    postgres = Postgres()
    cache = Redis(workdir, persistent=True)
    database = postgres.create()
    cache.start()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.load_project.settings",
           "BENCH_LOAD_DATABASE": database, "BENCH_LOAD_REDIS": cache.url,
           "BENCH_LOAD_USERS": str(users)}
    env.pop("COGNITO_TEST_DATABASE_URL", None)
    print(f"load: seeding {users} users", file=sys.stderr)
    seeded = subprocess.run([sys.executable, "-m", "bench.load_project.seed"],  # noqa: S603
                            cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if seeded.returncode:
        raise RuntimeError(seeded.stderr[-3000:])
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    log = workdir / "gunicorn.log"
    with open(log, "wb") as output:
        gunicorn = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "django.core.wsgi:get_wsgi_application()",
             "--bind", "127.0.0.1:0", "--workers", str(workers), "--timeout", "30",
             "--graceful-timeout", "5", "--log-level", "info"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while not (found := LISTENING.search(log.read_bytes())):
        if gunicorn.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(log.read_text(errors="replace")[-3000:])
        time.sleep(0.1)
    url = f"http://127.0.0.1:{found.group(1).decode()}"
    while not answers_http(url):
        time.sleep(0.1)
    return Stack(postgres, cache, gunicorn, url, seed, log)


def timed(workload: Workload, op: str, rng: random.Random, due: float,
          began: float) -> Sample:
    try:
        workload.run(op, rng)
        error = None
    except Failure as failure:
        error = failure.kind
    return Sample(op, due - began, time.monotonic() - due, error)


def capacity(workload: Workload, seconds: float, threads: int) -> float:
    """Operations per second of the mix with ``threads`` callers that never wait."""
    done: list[Sample] = []
    stop_at = time.monotonic() + seconds

    def caller(index: int) -> None:
        rng = random.Random(index)  # noqa: S311 (a reproducible mix, not a secret)
        while (now := time.monotonic()) < stop_at:
            done.append(timed(workload, workload.pick(rng), rng, now, now))

    began = time.monotonic()
    pool = [threading.Thread(target=caller, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    errors = Counter(s.error for s in done if s.error)
    if errors:
        print(f"load: errors while measuring capacity: {dict(errors)}", file=sys.stderr)
    return len(done) / (time.monotonic() - began)


def fixed_rate(workload: Workload, rate: float, seconds: float,
               during: Any = None) -> tuple[list[Sample], float]:
    """The mix at ``rate`` operations per second for ``seconds``; ``during(began)`` runs
    beside it (the faults)."""
    samples: list[Sample] = []
    rng = random.Random(1)  # noqa: S311 (a reproducible mix, not a secret)
    began = time.monotonic()
    side = threading.Thread(target=during, args=(began,)) if during else None
    if side:
        side.start()
    with ThreadPoolExecutor(max_workers=64) as executor:
        futures = []
        index = 0
        while (due := began + index / rate) < began + seconds:
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            op = workload.pick(rng)
            rng_of_op = random.Random(index)  # noqa: S311 (reproducible, not a secret)
            futures.append(executor.submit(timed, workload, op, rng_of_op, due, began))
            index += 1
        samples = [future.result() for future in futures]
    if side:
        side.join()
    return samples, time.monotonic() - began


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def summary(samples: list[Sample], elapsed: float) -> dict[str, Any]:
    by_op: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_op[sample.op].append(sample)
    ops = {}
    for op, rows in sorted(by_op.items()):
        ok = [s.latency * 1000 for s in rows if not s.error]
        ops[op] = {"count": len(rows), "errors": sum(1 for s in rows if s.error),
                   "p50_ms": round(percentile(ok, 0.50), 1),
                   "p95_ms": round(percentile(ok, 0.95), 1),
                   "p99_ms": round(percentile(ok, 0.99), 1)}
    return {"operations": len(samples), "seconds": round(elapsed, 1),
            "throughput": round(len(samples) / elapsed, 1),
            "errors": dict(Counter(f"{s.op}: {s.error}" for s in samples if s.error)),
            "by_operation": ops}


def run_faults(stack: Stack, api: Api, seconds: float, outage: float, workers: int,
               faults: list[Fault]) -> Any:
    """The side thread of ``fixed_rate``: Redis killed, PostgreSQL restarted, Redis hung,
    then a worker killed, spread over the run; a guesser tries wrong passwords through each
    dependency's outage."""
    guessers = iter(f"user{index:05d}" for index in range(stack.seed["users"] - RESERVED,
                                                          stack.seed["users"]))

    def dependency(name: str, down: Any, up: Any, began: float) -> None:
        fault = Fault(name, time.monotonic() - began)
        faults.append(fault)
        guesser = next(guessers)
        halt = threading.Event()
        tally: Counter[str] = Counter()
        health: list[tuple[float, int]] = []
        threads = [threading.Thread(target=guess_during, args=(api, guesser, halt, tally)),
                   threading.Thread(target=watch_health, args=(api, halt, began, health))]
        for thread in threads:
            thread.start()
        time.sleep(0.3)  # the health endpoint's answer before the fault
        down()
        time.sleep(outage)
        up()
        fault.ended = time.monotonic() - began
        time.sleep(2)  # the guesser goes on a while after the dependency is back
        halt.set()
        for thread in threads:
            thread.join()
        fault.details = {"guesser": guesser, "answers": dict(tally),
                         "health_changes_s_status": health}

    def side(began: float) -> None:
        time.sleep(seconds * 0.2)
        dependency("redis restart", stack.redis.kill, stack.redis.start, began)
        time.sleep(max(0.0, began + seconds * 0.5 - time.monotonic()))
        dependency("postgresql restart", stack.postgres.stop, stack.postgres.start, began)
        time.sleep(max(0.0, began + seconds * 0.65 - time.monotonic()))
        # Redis hung, not dead: every call waits for the client's socket timeout.
        dependency("redis hang", stack.redis.pause, stack.redis.resume, began)
        time.sleep(max(0.0, began + seconds * 0.8 - time.monotonic()))
        victim = busiest(stack.workers())
        fault = Fault("worker SIGKILL", time.monotonic() - began, details={"pid": victim})
        os.kill(victim, signal.SIGKILL)
        while victim in (alive := stack.workers()) or len(alive) < workers:
            time.sleep(0.05)
        fault.ended = time.monotonic() - began
        faults.append(fault)

    return side


def busiest(pids: list[int]) -> int:
    """The worker that ran longest on a CPU in the next 50 ms: most likely mid-request, so
    its SIGKILL cuts an answer (``/proc/<pid>/schedstat``: nanoseconds on a CPU)."""
    def ran() -> dict[int, int]:
        return {pid: int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
                for pid in pids}
    before = ran()
    time.sleep(0.05)
    after = ran()
    return max(pids, key=lambda pid: after[pid] - before[pid])


def windows(samples: list[Sample], faults: list[Fault], seconds: float) -> list[dict[str, Any]]:
    """Per fault: the errors answered from its start to the next fault's (or the run's end);
    its error window runs from the first of them to the last."""
    rows = []
    for index, fault in enumerate(faults):
        until = faults[index + 1].began if index + 1 < len(faults) else seconds
        errors = [s for s in samples if s.error and fault.began <= s.finished < until]
        first = min((s.finished for s in errors), default=None)
        last = max((s.finished for s in errors), default=None)
        rows.append({
            "fault": fault.name, "at_s": round(fault.began, 1),
            "dependency_back_after_s": round(fault.ended - fault.began, 2),
            "errors": len(errors),
            "error_window_s": round(last - first, 2) if first is not None and last else 0.0,
            "last_error_after_back_s": (round(last - fault.ended, 2)
                                        if last is not None else None),
            "error_types": dict(Counter(f"{s.op}: {s.error}" for s in errors)),
            **fault.details})
    return rows


def markdown(report: dict[str, Any]) -> str:
    lines = [f"# Load: {report['workers']} gunicorn workers, PostgreSQL + Redis",
             "", f"- machine: {report['machine']}",
             f"- capacity (closed loop, {report['capacity_threads']} callers): "
             f"{report['capacity_ops_s']:.1f} operations/s",
             f"- offered: {report['rate_ops_s']:.1f} operations/s for {report['seconds']} s "
             f"({report['load']:.0%} of capacity)"]
    run = report["run"]
    lines += [f"- done: {run['operations']} operations, {run['throughput']} /s, "
              f"{sum(run['errors'].values())} errors", "",
              "| operation | count | errors | p50 ms | p95 ms | p99 ms |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for op, row in run["by_operation"].items():
        lines.append(f"| {op} | {row['count']} | {row['errors']} | {row['p50_ms']} | "
                     f"{row['p95_ms']} | {row['p99_ms']} |")
    if run["errors"]:
        lines += ["", "Errors: " + ", ".join(f"{k} × {v}" for k, v in run["errors"].items())]
    for row in report.get("faults", []):
        lines += ["", f"## {row['fault']} at {row['at_s']} s",
                  "", "```json", json.dumps(row, indent=1), "```"]
    if "audit" in report:
        lines += ["", "## Audit", "", "```json", json.dumps(report["audit"], indent=1), "```"]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--load", type=float, default=0.7, help="fraction of capacity")
    parser.add_argument("--rate", type=float, help="operations/s (skips the capacity run)")
    parser.add_argument("--capacity-seconds", type=float, default=30)
    parser.add_argument("--capacity-threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--outage", type=float, default=3.0,
                        help="seconds Redis and PostgreSQL stay down")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "load"))
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="django_cognito-load-"))
    stack = start_stack(workdir, args.users, args.workers)
    try:
        api = Api(stack.url, stack.seed)
        users = [f"user{i:05d}" for i in range(args.users - RESERVED)]
        sessions = [api.password_sign_in(u, stack.seed["password"]) for u in users[:40]]
        workload = Workload(api, users, sessions)
        leavers = [f"user{i:05d}" for i in range(args.users - 5, args.users)]
        signed_out = [sign_out(api, u) for u in leavers]
        report: dict[str, Any] = {
            "workers": args.workers, "seconds": args.seconds, "load": args.load,
            "capacity_threads": args.capacity_threads,
            "machine": f"{os.cpu_count()} vCPUs, load average {os.getloadavg()[0]:.2f} "
                       "at start"}
        if args.rate:
            report["capacity_ops_s"], rate = args.rate / args.load, args.rate
        else:
            print(f"load: capacity ({args.capacity_seconds:.0f} s)", file=sys.stderr)
            report["capacity_ops_s"] = capacity(workload, args.capacity_seconds,
                                                args.capacity_threads)
            rate = report["capacity_ops_s"] * args.load
        report["rate_ops_s"] = rate
        faults: list[Fault] = []
        side = run_faults(stack, api, args.seconds, args.outage,
                                                 args.workers, faults) if args.faults \
            else None
        print(f"load: {rate:.1f} operations/s for {args.seconds:.0f} s"
              f"{' with faults' if args.faults else ''}", file=sys.stderr)
        samples, elapsed = fixed_rate(workload, rate, args.seconds, side)
        report["machine"] += f", {os.getloadavg()[0]:.2f} at the end"
        report["run"] = summary(samples, elapsed)
        if args.faults:
            report["faults"] = windows(samples, faults, elapsed)
            report["audit"] = audit(api, workload.sign_ups, signed_out, report["faults"],
                                    stack.redis)
            reserved = iter(f"user{i:05d}" for i in range(args.users - RESERVED + 3,
                                                          args.users - 5))
            report["audit"]["locks_across_redis_restart"] = {
                "appendonly yes, appendfsync everysec": lock_survives_restart(
                    api, stack.redis, next(reserved), persistent=True),
                "no persistence": lock_survives_restart(
                    api, stack.redis, next(reserved), persistent=False)}
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.with_suffix(".json").write_text(json.dumps(report, indent=1))
        text = markdown(report)
        output.with_suffix(".md").write_text(text)
        print(text)
        return 0
    finally:
        stop(stack.gunicorn)
        stack.redis.stop()
        stack.postgres.destroy()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
