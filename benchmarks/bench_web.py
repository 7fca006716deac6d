"""Load-test the web observatory: 50 concurrent simulated users on loopback for a bounded time,
on a mix of area pages, indicator pages, comparisons and API requests, after warm-up.

Run: ``.venv/bin/python benchmarks/bench_web.py [--users 50] [--seconds 30]`` (uses the
warehouse at $PLACELENS_WAREHOUSE or var/placelens.duckdb; starts its own servers on free
loopback ports). Each user waits 1–3 s between requests, as a reader does (``--think 0 0``
for a closed-loop stress test). Baseline: the same uvicorn serving the offline profile HTML
of the same places as static files, under the same load; the ratio of the area pages' p95
latency to the static files' p95 is printed (issue 15 target: area pages p95 under 300 ms
after warm-up).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PLACES = ["E06000052", "E08000025", "E08000035", "E06000057", "W06000015", "S12000036",
          "E09000033", "E07000008", "E08000003", "E06000023", "E47000001", "E47000003",
          "TLC", "TLK3", "E92000001", "K02000001"]
INDICATORS = ["gva_per_hour_gbp?type=LAD", "gva_per_job_gbp?type=ITL3",
              "filled_jobs?type=CA", "gdhi_per_head_gbp?type=LAD"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(process.stderr.read().decode() if process.stderr else "no server")


def requests_mix(rng: random.Random) -> tuple[str, str]:
    kind = rng.choices(["area", "indicator", "compare", "api"], [0.5, 0.2, 0.1, 0.2])[0]
    if kind == "area":
        return kind, f"/areas/{rng.choice(PLACES)}"
    if kind == "indicator":
        return kind, f"/indicators/{rng.choice(INDICATORS)}"
    if kind == "compare":
        chosen = rng.sample(PLACES[:10], 3)
        return kind, "/compare?" + "&".join(f"place={code}" for code in chosen)
    return kind, rng.choice(["/api/v1/places?type=LAD", "/api/v1/places/E08000025",
                             "/api/v1/indicators/gva_per_hour_gbp/values?type=LAD",
                             f"/api/v1/places/{rng.choice(PLACES)}/indicators/"
                             "gva_per_hour_gbp"])


async def user(client: httpx.AsyncClient, base: str, seed: int, until: float,
               paths: list[str] | None, results: list, think: tuple[float, float]) -> None:
    """One simulated visitor: a request, then ``think`` seconds (uniform) reading it."""
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(*think))      # visitors do not all arrive at once
    while time.perf_counter() < until:
        kind, path = ("static", rng.choice(paths)) if paths else requests_mix(rng)
        started = time.perf_counter()
        try:
            response = await client.get(base + path)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        results.append((kind, time.perf_counter() - started, ok))
        await asyncio.sleep(rng.uniform(*think))


async def load(base: str, users: int, seconds: float, think: tuple[float, float],
               paths: list[str] | None = None) -> list:
    results: list = []
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        until = time.perf_counter() + seconds
        await asyncio.gather(*(user(client, base, seed, until, paths, results, think)
                               for seed in range(users)))
    return results


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share * 100) - 1] if len(values) > 1 \
        else values[0]


def report(results: list) -> dict[str, tuple[int, int, float, float]]:
    out = {}
    for kind in sorted({r[0] for r in results}):
        times = [r[1] for r in results if r[0] == kind]
        errors = sum(1 for r in results if r[0] == kind and not r[2])
        out[kind] = (len(times), errors, percentile(times, 0.5), percentile(times, 0.95))
        print(f"  {kind:10s} {len(times):6d} requests, {errors} errors, "
              f"p50 {out[kind][2] * 1000:7.1f} ms, p95 {out[kind][3] * 1000:7.1f} ms")
    return out


def write_static_profiles(folder: Path) -> list[str]:
    from placelens.api import Observatory
    from placelens.report.profile import ProfileBuilder

    builder = ProfileBuilder(Observatory())
    names = []
    for code in PLACES:
        html = builder.render_html(builder.build(builder.obs.places.get(code)))
        (folder / f"{code}.html").write_text(html, encoding="utf-8")
        names.append(f"/{code}.html")
    return names


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0),
                        help="seconds each user waits between requests (uniform); 0 0 "
                        "for a closed-loop stress test")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="placelens-web-bench-"))
    port, static_port = free_port(), free_port()
    env_app = [sys.executable, "-c", "import os, uvicorn; os.environ.setdefault("
               f"'PLACELENS_DATABASE_URL', 'sqlite:///{work}/app.sqlite'); os.environ."
               "setdefault('PLACELENS_SECRET_KEY', 'benchmark-only-key-0123456789'); "
               f"uvicorn.run('placelens.web.app:create_app', factory=True, port={port}, "
               "log_level='warning')"]
    server = start(env_app, port)
    static_paths = write_static_profiles(work)
    static = start([sys.executable, "-c", "import uvicorn; from starlette.applications import "
                    "Starlette; from starlette.staticfiles import StaticFiles; app = Starlette()"
                    f"; app.mount('/', StaticFiles(directory='{work}')); uvicorn.run(app, "
                    f"port={static_port}, log_level='warning')"], static_port)
    try:
        started = time.perf_counter()
        with httpx.Client(timeout=300) as client:     # warm-up: every page once
            for code in PLACES:
                client.get(f"http://127.0.0.1:{port}/areas/{code}").raise_for_status()
            for indicator in INDICATORS:
                client.get(f"http://127.0.0.1:{port}/indicators/{indicator}")
        print(f"warm-up (first build of {len(PLACES)} area pages and {len(INDICATORS)} "
              f"indicator pages): {time.perf_counter() - started:.1f} s")
        think = tuple(args.think)
        label = f"{args.users} users for {args.seconds:.0f} s, think time {think[0]:g}–" \
            f"{think[1]:g} s"
        print(f"web observatory, {label}:")
        app = report(asyncio.run(load(f"http://127.0.0.1:{port}", args.users, args.seconds,
                                      think)))
        print(f"static profile files, {label}:")
        files = report(asyncio.run(load(f"http://127.0.0.1:{static_port}", args.users,
                                        args.seconds, think, static_paths)))
        print(f"ratio of area-page p95 to static-file p95: "
              f"{app['area'][3] / files['static'][3]:.2f}")
    finally:
        server.terminate()
        static.terminate()


if __name__ == "__main__":
    main()
