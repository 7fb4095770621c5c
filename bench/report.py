#!/usr/bin/env python3
"""Turns the raw results of bench/run.sh into latest.md and PNG charts.

    report.py --raw target/bench/raw --out bench/results     the report
    report.py --profile samples.json                         summary of `jfr print --json` samples (JSON on stdout)

Standard library plus Debian's python3-matplotlib; no network.
"""
import argparse
import collections
import json
import math
import os
import statistics
import sys

GOAL_ADDED_P99_MS = 1.0
GOAL_THROUGHPUT_RATIO = 0.9
GOAL_LARGE_ADDED_MS = 5.0
GOAL_STREAM_P99_MS = 5.0
GOAL_RSS_MB = 300
GOAL_IMAGE_READY_MS = 3000
TARGETS = ("direct", "nginx", "netty", "keepwarm")
COLORS = {"direct": "#555555", "nginx": "#2a7ab9", "netty": "#7a9e3b", "keepwarm": "#d9541e"}
FLEET_TARGETS = (("nginx-rr", "nginx round-robin"), ("nginx-lc", "nginx least_conn"), ("keepwarm", "keepwarm (fleet)"))
FLEET_COLORS = {"nginx-rr": "#2a7ab9", "nginx-lc": "#6fa8d6", "keepwarm": "#d9541e"}


# ----------------------------------------------------------------------------------------------------- helpers
def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a list; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[rank - 1]


def fmt(value, digits=2, unit=""):
    if value is None:
        return "n/a"
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "n/a"
    return f"{value:,.{digits}f}{unit}"


def verdict(ok):
    return "**met**" if ok else "**missed**"


def load_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def load_jsonl(path):
    rows = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        rows.append(json.loads(line))
                    except ValueError:
                        rows.append({"status": 0, "unparsable": line[:200]})
    except OSError:
        pass
    return rows


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------------- profile
CATEGORIES = [
    ("JSON (Jackson)", ("tools.jackson.", "com.fasterxml.jackson.")),
    ("keepwarm", ("dev.keepwarm.",)),
    ("Micrometer", ("io.micrometer.",)),
    ("Resilience4j", ("io.github.resilience4j.",)),
    ("Spring", ("org.springframework.",)),
    ("Reactor", ("reactor.core.", "reactor.util.")),
    ("Reactor Netty", ("reactor.netty.",)),
    ("Netty", ("io.netty.",)),
    ("JDK", ("java.", "javax.", "jdk.", "sun.")),
]


def category(name):
    for label, prefixes in CATEGORIES:
        if name.startswith(prefixes):
            return label
    return "other"


# Parts of the request path, counted when any frame on a sample's stack matches (inclusive).
COMPONENTS = [
    ("keepwarm, all of its code", lambda n: n.startswith("dev.keepwarm.")),
    ("keepwarm body rewrite (RequestRewriter)", lambda n: n.startswith("dev.keepwarm.proxy.RequestRewriter.")),
    ("keepwarm body read (ProxyHandler$Body)", lambda n: n.startswith("dev.keepwarm.proxy.ProxyHandler$Body.")),
    ("keepwarm header copy (ForwardedHeaders)", lambda n: n.startswith("dev.keepwarm.proxy.ForwardedHeaders")),
    ("keepwarm metrics (dev.keepwarm.metrics)", lambda n: n.startswith("dev.keepwarm.metrics.")),
    ("keepwarm access gate (dev.keepwarm.access)", lambda n: n.startswith("dev.keepwarm.access.")),
    ("Micrometer, all", lambda n: n.startswith("io.micrometer.")),
    ("Reactor Netty HTTP client (upstream call)", lambda n: n.startswith("reactor.netty.http.client.")),
    ("Reactor Netty HTTP server", lambda n: n.startswith("reactor.netty.http.server.")),
    ("Spring (anything on the request path)", lambda n: n.startswith("org.springframework.")),
    ("Jackson", lambda n: n.startswith(("tools.jackson.", "com.fasterxml.jackson."))),
    ("java.net.URI parsing", lambda n: n.startswith("java.net.URI")),
]


def read_samples(path, since=None):
    """The samples of `jfr print --events jdk.ExecutionSample --stack-depth N`: (thread, [frames, top first], truncated).

    since: HH:MM:SS.mmm (as jfr prints startTime); earlier samples are skipped."""
    samples, thread, frames, in_stack, truncated, skip = [], "?", [], False, False, False
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if line.startswith("jdk.ExecutionSample"):
                thread, frames, in_stack, truncated, skip = "?", [], False, False, False
            elif line.startswith("startTime = ") and since:
                skip = line.split("= ", 1)[1].split(" ")[0] < since
            elif line.startswith("sampledThread = "):
                thread = line.split('"')[1] if '"' in line else line
            elif line.startswith("stackTrace = ["):
                in_stack = True
            elif in_stack and line == "]":
                in_stack = False
                if not skip:
                    samples.append((thread, frames, truncated))
            elif in_stack and line == "...":
                truncated = True
            elif in_stack and line:
                frames.append(line.split("(", 1)[0])
    return samples


def summarize_profile(path, since=None):
    components = collections.Counter()
    self_counts = collections.Counter()
    self_categories = collections.Counter()
    inclusive_categories = collections.Counter()
    inclusive_methods = collections.Counter()
    threads = collections.Counter()
    total = truncated = 0
    for thread, names, cut in read_samples(path, since):
        if not names:
            continue
        threads[thread.rstrip("0123456789-")] += 1
        total += 1
        truncated += cut
        self_counts[names[0]] += 1
        self_categories[category(names[0])] += 1
        for label in {category(n) for n in names}:
            inclusive_categories[label] += 1
        for name in set(n for n in names if n.startswith("dev.keepwarm.")):
            inclusive_methods[name] += 1
        for label, matches in COMPONENTS:
            if any(matches(n) for n in names):
                components[label] += 1
    return {
        "since": since,
        "components": [(label, components[label]) for label, _ in COMPONENTS],
        "samples": total,
        "truncated": truncated,
        "threads": threads.most_common(8),
        "top_self": self_counts.most_common(15),
        "self_by_category": self_categories.most_common(),
        "inclusive_by_category": inclusive_categories.most_common(),
        "keepwarm_inclusive": inclusive_methods.most_common(12),
    }


# ----------------------------------------------------------------------------------------------------- report
class Report:
    # the helpers, for the sections in modules of their own (replay_report)
    percentile = staticmethod(percentile)
    fmt = staticmethod(fmt)
    table = staticmethod(table)

    def __init__(self, raw, out):
        self.raw = raw
        self.out = out
        self.env = {}
        with open(os.path.join(raw, "machine.env")) as f:
            for line in f:
                if "=" in line:
                    key, value = line.rstrip("\n").split("=", 1)
                    self.env[key] = value
        self.goals = []
        self.sections = []
        self.charts = []

    def path(self, name):
        return os.path.join(self.raw, name)

    def goal(self, name, target, measured, ok):
        self.goals.append((name, target, measured, verdict(ok)))

    # ------------------------------------------------------------------------------------------ 1. cold start
    def cold_start(self):
        load_ms = float(self.env.get("cold_load_ms", "2000"))
        before = load_json(self.path("cold-loads-before.json"), {})
        after = load_json(self.path("cold-loads-after.json"), {})
        models = {"direct": "coldstart-direct:1b", "keepwarm": "coldstart-pinned:1b"}
        rows, series = [], {}
        kw_cold = None
        for label in ("direct", "keepwarm"):
            runs = load_jsonl(self.path(f"cold-{label}.jsonl"))
            ok = [r for r in runs if r.get("status") == 200]
            times = [r["time_s"] for r in ok]
            observed = sum(1 for r in ok if (r.get("body") or {}).get("load_duration", 0) / 1e6 >= load_ms / 2)
            loads = after.get(models[label], 0) - before.get(models[label], 0)
            later = times[1:]
            rows.append([
                label, models[label], f"{len(ok)}/{len(runs)}",
                fmt(times[0] * 1000 if times else None, 0, " ms"),
                fmt(statistics.median(later) * 1000 if later else None, 1, " ms"),
                fmt(max(later) * 1000 if later else None, 1, " ms"),
                loads, observed,
            ])
            series[label] = [(r["start_ms"] / 1000.0, r["time_s"]) for r in ok]
            if label == "keepwarm":
                kw_cold = (loads, observed, len(ok) == len(runs) and len(runs) > 0)
        text = [
            "## 1. Cold start",
            "",
            f"The fake loads a model in {load_ms / 1000:g} s and unloads it after {float(self.env.get('cold_keepalive_ms', 0)) / 1000:g} s "
            f"idle (its default keep-alive); each client sends a `stream:false` generate without `keep_alive`, then waits "
            f"{self.env.get('cold_gap_s')} s (time-scaled from a published 8.4 s cold / 0.7 s warm Llama-3.2-1B measurement). "
            "`direct` talks to the fake; `keepwarm` goes through keepwarm, whose rule pins its model "
            "(`warm: true`, `keep-alive: forever`, warmer interval 2 s). The keepwarm client starts after the warmer's "
            "preload completed. Cold loads: loads the fake completed during the run (its counter), and responses whose "
            "`load_duration` is at least half the load time.",
            "",
            table(["column", "model", "ok", "first call", "later calls (median)", "later calls (max)",
                   "cold loads (fake counter)", "cold loads (load_duration)"], rows),
            "",
            "![cold-start timeline](coldstart.png)",
        ]
        self.sections.append("\n".join(text))
        if kw_cold:
            loads, observed, all_ok = kw_cold
            self.goal("0 cold loads through keepwarm after the preload", "0",
                      f"{loads} (counter), {observed} (load_duration)", loads == 0 and observed == 0 and all_ok)
        self.chart_cold(series, load_ms)

    def chart_cold(self, series, load_ms):
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(8, 3.6))
        for label, points in series.items():
            if points:
                xs, ys = zip(*points)
                ax.plot(xs, [y * 1000 for y in ys], marker="o", color=COLORS[label], label=label)
        ax.axhline(load_ms, color="#999999", linestyle=":", linewidth=1, label=f"load time ({load_ms:g} ms)")
        ax.set_yscale("log")
        ax.set_xlabel("request start (s since the scenario began)")
        ax.set_ylabel("latency (ms, log)")
        ax.set_title("Cold start: direct (model unloads between requests) vs keepwarm (pinned)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(loc="center right")
        fig.tight_layout()
        fig.savefig(os.path.join(self.out, "coldstart.png"), dpi=110)
        plt.close(fig)

    # ------------------------------------------------------------------------------------------ 2. overhead
    def overhead(self):
        cells = {}
        for endpoint in ("tags", "generate"):
            for c in (1, 16, 64):
                for target in TARGETS:
                    data = load_json(self.path(f"ovh-{endpoint}-c{c}-{target}.json"))
                    if data:
                        cells[(endpoint, c, target)] = data
        text = [
            "## 2. Overhead, small requests",
            "",
            "wrk, one thread, keep-alive connections, closed loop, fixed duration per cell: `GET /api/tags` (forwarded "
            "unchanged) and `POST /api/generate` with `stream:false` (keepwarm's `bench` rule overrides keep_alive, so the "
            "body is parsed and written again). The load generator, the fake, and the proxy share the same 2 cores, so "
            "the req/s figures measure the whole setup, not a proxy on its own. Added latency = proxy minus direct, at "
            "the same percentile. `netty` is `dev.keepwarm.bench.BareProxy`: the least a proxy on keepwarm's own stack "
            "(Reactor Netty server and client, same JVM) can do, with no policy, metrics, header rules or error "
            "handling; keepwarm/netty is the share of that ceiling keepwarm keeps. CPU µs/request: the user + system "
            "time of the target's own processes during the cell (nginx: master and workers; direct: the fake) over the "
            "requests completed (clock ticks of /proc/PID/stat, 10 ms each).",
            "",
        ]
        ratios, added_c16 = [], []
        cpu = {}
        try:
            with open(self.path("ovh-cpu.tsv")) as f:
                next(f)
                for line in f:
                    endpoint, c, target, ms = line.split()
                    cpu[(endpoint, int(c), target)] = int(ms)
        except (OSError, StopIteration):
            pass
        for endpoint, title in (("tags", "GET /api/tags"), ("generate", "POST /api/generate (rewritten)")):
            rows = []
            for c in (1, 16, 64):
                direct = cells.get((endpoint, c, "direct"))
                nginx = cells.get((endpoint, c, "nginx"))
                netty = cells.get((endpoint, c, "netty"))
                for target in TARGETS:
                    data = cells.get((endpoint, c, target))
                    if not data:
                        continue
                    rps = data["requests"] / (data["duration_us"] / 1e6)
                    lat = data["latency_us"]
                    errors = sum(data["errors"].values())
                    added50 = added99 = ratio = ceiling = None
                    if direct and target != "direct":
                        added50 = (lat["p50"] - direct["latency_us"]["p50"]) / 1000
                        added99 = (lat["p99"] - direct["latency_us"]["p99"]) / 1000
                    if nginx and target == "keepwarm":
                        nginx_rps = nginx["requests"] / (nginx["duration_us"] / 1e6)
                        ratio = rps / nginx_rps if nginx_rps else None
                        ratios.append((endpoint, c, ratio))
                        if c == 16:
                            added_c16.append((endpoint, added99))
                    if netty and target == "keepwarm":
                        netty_rps = netty["requests"] / (netty["duration_us"] / 1e6)
                        ceiling = rps / netty_rps if netty_rps else None
                    cpu_ms = cpu.get((endpoint, c, target))
                    cpu_us = cpu_ms * 1000 / data["requests"] if cpu_ms is not None and data["requests"] else None
                    rows.append([c, target, fmt(rps, 0), fmt(lat["p50"] / 1000, 3), fmt(lat["p99"] / 1000, 3),
                                 fmt(lat["max"] / 1000, 1), errors, fmt(cpu_us, 1) if cpu_us is not None else "",
                                 fmt(added50, 3) if added50 is not None else "",
                                 fmt(added99, 3) if added99 is not None else "",
                                 fmt(ratio, 2) if ratio is not None else "",
                                 fmt(ceiling, 2) if ceiling is not None else ""])
            text += [f"### {title}", "",
                     table(["concurrency", "target", "req/s", "p50 ms", "p99 ms", "max ms", "errors",
                            "CPU µs/request", "added p50 ms", "added p99 ms", "keepwarm/nginx req/s", "keepwarm/netty req/s"], rows), ""]
        warmup = collections.defaultdict(list)
        try:
            with open(self.path("warmup.tsv")) as f:
                for line in f:
                    target, endpoint, _, rps = line.split()
                    warmup[(target, endpoint)].append(int(rps))
        except OSError:
            pass
        if warmup:
            seconds = self.env.get("ovh_warmup_seconds", "?")
            parts = []
            for (target, endpoint), values in sorted(warmup.items()):
                parts.append(f"{target} {endpoint}: " + " -> ".join(f"{v:,}" for v in values))
            text += ["Warm-up before the cells, req/s of consecutive runs of " + seconds + " s at concurrency 16 "
                     "(keepwarm's runs repeat until two in a row are within 5%, at most "
                     + self.env.get("ovh_warmup_max_runs", "?") + "): " + "; ".join(parts) + ".", ""]
        text.append("![latency percentiles per proxy](latency.png)")
        self.sections.append("\n".join(text))
        for endpoint, added in added_c16:
            self.goal(f"p99 added latency at concurrency 16 ({endpoint})", f"<= {GOAL_ADDED_P99_MS:g} ms",
                      fmt(added, 3, " ms"), added is not None and added <= GOAL_ADDED_P99_MS)
        if ratios:
            worst = min(ratios, key=lambda r: r[2] if r[2] is not None else 0)
            all_ok = all(r[2] is not None and r[2] >= GOAL_THROUGHPUT_RATIO for r in ratios)
            listing = ", ".join(f"{e} c{c}: {fmt(r, 2)}" for e, c, r in ratios)
            self.goal("throughput keepwarm/nginx, every cell", f">= {GOAL_THROUGHPUT_RATIO:g}x",
                      f"worst {fmt(worst[2], 2)}x ({worst[0]} c{worst[1]}); {listing}", all_ok)
        self.chart_latency(cells)

    def chart_latency(self, cells):
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
        for ax, endpoint, title in ((axes[0], "tags", "GET /api/tags"), (axes[1], "generate", "POST /api/generate")):
            for target in TARGETS:
                xs, p50, p99 = [], [], []
                for i, c in enumerate((1, 16, 64)):
                    data = cells.get((endpoint, c, target))
                    if data:
                        xs.append(i)
                        p50.append(data["latency_us"]["p50"] / 1000)
                        p99.append(data["latency_us"]["p99"] / 1000)
                ax.plot(xs, p50, marker="o", color=COLORS[target], label=f"{target} p50")
                ax.plot(xs, p99, marker="^", linestyle="--", color=COLORS[target], label=f"{target} p99")
            ax.set_xticks(range(3))
            ax.set_xticklabels(["c=1", "c=16", "c=64"])
            ax.set_yscale("log")
            ax.set_title(title)
            ax.grid(True, which="both", alpha=0.3)
        axes[0].set_ylabel("latency (ms, log)")
        axes[1].legend(fontsize=8, loc="upper left")
        fig.suptitle("Latency percentiles per proxy (wrk, closed loop)")
        fig.tight_layout()
        fig.savefig(os.path.join(self.out, "latency.png"), dpi=110)
        plt.close(fig)

    # ------------------------------------------------------------------------------------------ 3. large bodies
    def large(self):
        runs = collections.defaultdict(list)
        statuses = collections.defaultdict(collections.Counter)
        try:
            with open(self.path("large.tsv")) as f:
                for line in f:
                    size, target, _, status, seconds = line.rstrip("\n").split("\t")
                    statuses[(size, target)][status] += 1
                    if status == "200":
                        runs[(size, target)].append(float(seconds) * 1000)
        except OSError:
            return
        rows = []
        medians = {}
        for size in ("1MiB", "16MiB"):
            for target in TARGETS:
                values = runs.get((size, target), [])
                med = statistics.median(values) if values else None
                medians[(size, target)] = med
                added = None
                if target != "direct" and med is not None and medians.get((size, "direct")) is not None:
                    added = med - medians[(size, "direct")]
                rows.append([size, target, len(values), fmt(med, 2), fmt(percentile(values, 90), 2),
                             fmt(min(values) if values else None, 2),
                             ", ".join(f"{k} x{v}" for k, v in sorted(statuses[(size, target)].items())),
                             fmt(added, 2) if added is not None else ""])
        self.sections.append("\n".join([
            "## 3. Large bodies",
            "",
            "`POST /api/generate`, `stream:false`, one base64 image in `images` (the shape of a multimodal request); curl "
            "with `Expect:` disabled, alternating direct / nginx / netty / keepwarm, two warm-up rounds not counted. "
            "keepwarm reads the whole body, reads its top-level fields in one streaming pass, overrides keep_alive and "
            "copies every other byte as it came; nginx and the bare proxy stream it.",
            "",
            table(["body", "target", "runs", "median ms", "p90 ms", "min ms", "statuses", "added median ms"], rows),
        ]))
        kw1 = medians.get(("1MiB", "keepwarm"))
        d1 = medians.get(("1MiB", "direct"))
        if kw1 is not None and d1 is not None:
            self.goal("added latency of the rewrite, 1 MiB body (median)", f"<= {GOAL_LARGE_ADDED_MS:g} ms",
                      fmt(kw1 - d1, 2, " ms"), kw1 - d1 <= GOAL_LARGE_ADDED_MS)
        st16 = statuses.get(("16MiB", "keepwarm"), collections.Counter())
        ok16 = sum(st16.values()) > 0 and set(st16) == {"200"}
        self.goal("16 MiB body accepted (no 413 below max-request-size 64MB)", "all 200",
                  ", ".join(f"{k} x{v}" for k, v in sorted(st16.items())) or "none", ok16)

    # ------------------------------------------------------------------------------------------ 4. streaming
    def streaming(self):
        rows, delays = [], {}
        for target in TARGETS:
            data = load_json(self.path(f"stream-{target}.json"))
            if not data:
                continue
            d = [v / 1000 for v in data["delay_us"]]
            ia = [v / 1000 for v in data["inter_arrival_us"]]
            delays[target] = d
            rows.append([target, data["streams"], data["lines"], fmt(percentile(d, 50), 3), fmt(percentile(d, 99), 3),
                         fmt(max(d) if d else None, 3), fmt(percentile(ia, 50), 2), fmt(percentile(ia, 99), 2),
                         fmt(min(ia) if ia else None, 2), data["batched"], len(data["failures"])])
            if target == "keepwarm":
                p99 = percentile(d, 99)
                self.goal("streaming: per-chunk delay p99, no batching", f"<= {GOAL_STREAM_P99_MS:g} ms, 0 batched",
                          f"p99 {fmt(p99, 3)} ms, {data['batched']} batched, {len(data['failures'])} failed streams",
                          p99 is not None and p99 <= GOAL_STREAM_P99_MS and data["batched"] == 0
                          and not data["failures"])
        self.sections.append("\n".join([
            "## 4. Streaming fidelity",
            "",
            f"{self.env.get('params', '').split('stream: ')[-1].split(';')[0]}: the fake stamps each chunk's `created_at` "
            "(nanoseconds) when it builds the chunk, right before Netty writes and flushes it; the client (a plain "
            "socket, `StreamProbe`) stamps the socket read that delivered the line. Delay = arrival - created_at, same "
            "system clock. A line is batched when it arrived in the same read as the line before it.",
            "",
            table(["target", "streams", "lines", "delay p50 ms", "delay p99 ms", "delay max ms", "inter-arrival p50 ms",
                   "inter-arrival p99 ms", "inter-arrival min ms", "batched", "failed streams"], rows),
            "",
            "![per-chunk delay](streaming.png)",
        ]))
        self.chart_streaming(delays)

    def chart_streaming(self, delays):
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(7, 3.6))
        for target, values in delays.items():
            if values:
                ordered = sorted(values)
                ys = [(i + 1) / len(ordered) for i in range(len(ordered))]
                ax.step(ordered, ys, where="post", color=COLORS[target], label=target)
        ax.set_xscale("log")
        ax.set_xlabel("delay from the fake's write to the client's read (ms, log)")
        ax.set_ylabel("fraction of chunks")
        ax.set_title("Streaming: per-chunk delay (CDF)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(self.out, "streaming.png"), dpi=110)
        plt.close(fig)

    # ------------------------------------------------------------------------------------------ 5. many streams
    def many(self):
        rows = []
        bounded_opts = self.env.get("keepwarm_bounded_java_opts", "")
        for name, label in (("keepwarm", "keepwarm, " + self.env.get("keepwarm_java_opts", "")),
                            ("keepwarm-bounded", f"keepwarm, {bounded_opts}"), ("nginx", "nginx")):
            data = load_json(self.path(f"many-{name}.json"))
            if not data:
                continue
            target = "nginx" if name == "nginx" else "keepwarm"
            peak = data["peak_rss_kb"].get(target)
            samples = [s.get(f"{target}_rss_kb") for s in data["samples"] if s.get(f"{target}_rss_kb")]
            rows.append([label, data["clients"], data["seconds"], data["completed"], data["errors"], data["peak_open"],
                         data["lines"], fmt(peak / 1024 if peak else None, 1),
                         fmt(samples[0] / 1024 if samples else None, 1), fmt(samples[-1] / 1024 if samples else None, 1),
                         "; ".join(data["error_samples"][:3])])
            if target == "keepwarm":
                self.goal(f"many streams: RSS and errors ({label})", f"< {GOAL_RSS_MB} MB, 0 errors",
                          f"peak {fmt(peak / 1024 if peak else None, 1)} MB, {data['errors']} errors",
                          peak is not None and peak / 1024 < GOAL_RSS_MB and data["errors"] == 0 and data["finished"])
        self.sections.append("\n".join([
            "## 5. Many concurrent streams",
            "",
            f"{self.env.get('params', '').split('many: ')[-1]}: each client reads a slow NDJSON generation to its end and "
            "opens the next one (connects spread over the first second; no stream starts after the time is up). RSS "
            "(VmRSS, nginx: master + workers) sampled every 0.5 s. The keepwarm of the other scenarios runs with "
            f"{self.env.get('keepwarm_java_opts')} (max heap {self.env.get('keepwarm_default_heap')} on this machine, "
            f"{self.env.get('keepwarm_gc')}), and has served every earlier scenario; a second keepwarm, started just "
            f"before its run with `{bounded_opts}`, shows what a bounded heap does to the same load.",
            "",
            table(["proxy", "clients", "seconds", "streams completed", "errors", "peak open", "lines", "peak RSS MB",
                   "first sample MB", "last sample MB", "error samples"], rows),
        ]))

    # ------------------------------------------------------------------------------------------ 6. start-up
    def startup(self):
        main = load_json(self.path("startup-main.json"), {})
        runs = load_jsonl(self.path("startup-runs.jsonl"))
        ready = [main.get("ready_ms")] + [r.get("ready_ms") for r in runs]
        ready = [r for r in ready if r is not None]
        idle = [main.get("rss_idle_kb")] + [r.get("rss_idle_kb") for r in runs]
        idle = [r for r in idle if r]
        rows = [["launch to ready (ms)", ", ".join(str(r) for r in ready), fmt(statistics.median(ready), 0) if ready else "n/a"],
                ["RSS at readiness (MB)", ", ".join(fmt(v / 1024, 1) for v in
                                                     [main.get("rss_ready_kb")] + [r.get("rss_ready_kb") for r in runs] if v), ""],
                ["RSS idle, before any load (MB)", ", ".join(fmt(v / 1024, 1) for v in idle),
                 fmt(statistics.median(idle) / 1024, 1) if idle else "n/a"],
                ["RSS after all scenarios (MB)", fmt(main.get("rss_end_kb", 0) / 1024, 1), ""]]
        bounded = load_json(self.path("startup-bounded.json"))
        if bounded:
            rows.append([f"launch to ready, RSS at readiness ({bounded.get('opts')})",
                         f"{bounded.get('ready_ms')} ms, {fmt(bounded.get('rss_ready_kb', 0) / 1024, 1)} MB", ""])
        started = []
        try:
            with open(self.path("started-lines.txt")) as f:
                started = [line.strip() for line in f if line.strip()]
        except OSError:
            pass
        self.sections.append("\n".join([
            "## 6. Start-up",
            "",
            "From `java -jar` to `/actuator/health/readiness` answering 200 on the management port (polled every 25 ms), "
            "then resident memory. The first launch is the one the scenarios used (idle = after the warmer's preload, "
            "before any traffic); further launches (full run) idle 3 s beside it.",
            "",
            table(["measure", "launches", "median"], rows),
            "",
            "Spring Boot's own account: " + ("; ".join(f"`{s}`" for s in started) if started else "n/a"),
        ]))

    # ------------------------------------------------------------------------------------------ 7. fleet
    def fleet(self):
        runs = {label: load_json(self.path(f"fleet-{label}.json")) for label, _ in FLEET_TARGETS}
        runs = {label: data for label, data in runs.items() if data}
        if not runs:
            return
        params = dict(part.split("=", 1) for part in self.env.get("fleet", "").split() if "=" in part)
        preload_hosts = load_json(self.path("fleet-preload.json"), [])
        preload = sum(sum(h.get("loads", {}).values()) for h in preload_hosts)
        placed = {}
        for i, host in enumerate(preload_hosts):
            for model, count in host.get("loads", {}).items():
                if count:
                    placed.setdefault(model, []).append(f"h{i}")
        any_run = next(iter(runs.values()))
        floor = any_run.get("floor", {})
        requests = any_run["requests"]
        floor_loads = (preload or floor.get("pinned", 0)) + floor.get("belady_unpinned", 0)
        rows, chart = [], []
        for label, title in FLEET_TARGETS:
            data = runs.get(label)
            if not data:
                continue
            extra = preload if label == "keepwarm" else 0
            ttfc = data.get("ttfc_ms") or {}
            warm = data.get("ttfc_warm_ms") or {}
            hosts = ", ".join(f"{h} {n}" for h, n in data.get("loads_per_host", {}).items())
            total = data["loads"] + extra
            rows.append([title, f"{data['ok']}/{data['requests']}", data["errors"], data["loads"],
                         fmt(data["loads"] * 1000 / data["requests"], 1),
                         f"{extra} ({fmt(total * 1000 / data['requests'], 1)} per 1000 with it)" if label == "keepwarm" else "",
                         fmt(data["paid_load_per_1000"], 1), fmt(ttfc.get("p50"), 0), fmt(ttfc.get("p99"), 0),
                         fmt(warm.get("p99"), 0), hosts, fmt(data.get("elapsed_s"), 1)])
            chart.append((label, title, data["loads"] * 1000 / data["requests"], total * 1000 / data["requests"],
                          ttfc.get("p50"), ttfc.get("p99")))
        rows.append(["floor (see below)", "", "", floor_loads, fmt(floor_loads * 1000 / requests, 1), "", "", "", "",
                     "", "", ""])
        kw = runs.get("keepwarm")
        served = ", ".join(f"{h} {n}" for h, n in (kw or {}).get("served_by", {}).items())
        model_hosts = "; ".join(f"`{m}` {', '.join(hosts)}" for m, hosts in
                                (kw or {}).get("model_hosts", {}).items())
        text = [
            "## 7. A fleet: 3 hosts, 12 models, Zipf popularity",
            "",
            f"{params.get('hosts', '3')} fake Ollamas (one process, `FakeOllamaServer --hosts`), each with the same "
            f"{params.get('models', '12')} models (`zipf-01:1b`, the most popular, to `zipf-12:1b`), a load time of "
            f"{params.get('load_ms')} ms, loads one at a time, at most {params.get('max_loaded')} models loaded "
            f"(OLLAMA_MAX_LOADED_MODELS: the fleet holds {floor.get('slots', '?')} of 12; an idle model with the "
            f"shortest keep-alive is evicted first) and a default keep-alive of {float(params.get('keepalive_ms', 0)) / 1000:g} s. "
            f"`FleetWorkload`: {requests} streamed `POST /api/generate` ({params.get('tokens')} tokens "
            f"{params.get('token_interval_ms')} ms apart), models drawn from Zipf(s = {params.get('zipf_s')}) with seed "
            f"{params.get('seed')} (the same sequence for every target), {params.get('concurrency')} clients. "
            "Targets: nginx round-robin and nginx `least_conn` over the three fakes (the blind balancer), and keepwarm "
            f"in fleet mode with the three hosts (`max-loaded: {params.get('max_loaded')}`) and the "
            f"{params.get('pinned')} most popular models pinned (`warm: true`, `keep-alive: forever`, `replicas: 1`); "
            "the other models have no rule. Every target starts from empty hosts; keepwarm's placement preloads its "
            "pinned models before the clients start (those loads are counted apart).",
            "",
            "Cold loads: loads the fakes completed during the run (their counters). Requests that paid a load: the "
            f"final line's `load_duration` >= {any_run.get('cold_threshold_ms')} ms (half the load time, as keepwarm's "
            "cold-start metric counts): a request that waited for its own model's load, or queued behind another "
            "model's load on the same host. TTFC: time to the first NDJSON line, from before the connect.",
            "",
            table(["target", "ok", "errors", "cold loads", "cold loads per 1000", "preload (placement)",
                   "requests that paid a load, per 1000", "TTFC p50 ms", "TTFC p99 ms", "TTFC p99 ms, warm requests",
                   "loads per host", "run s"], rows),
            "",
            f"Floor: {preload or floor.get('pinned', 0)} loads for the pinned models (one per (model, host) placement "
            f"chose: {', '.join(f'`{m}` on {h[0]}' for m, h in placed.items()) or 'n/a'}) plus "
            f"{floor.get('belady_unpinned')} for the unpinned ones: Belady's optimal offline eviction over this request "
            f"sequence with the fleet's {floor.get('slots')} slots minus the pinned ones taken as one pool, ignoring "
            "keep-alive expiry and in-flight requests (both only add loads), so no router can do better with these "
            f"pins. Without pins the same bound is {floor.get('belady_all')} loads "
            f"({fmt(floor.get('belady_all', 0) * 1000 / requests, 1)} per 1000).",
        ]
        if kw:
            text += ["", f"keepwarm's routing (`X-Keepwarm-Upstream`): requests per host {served}; models per host: "
                     f"{model_hosts}."]
        text += ["", "![fleet: cold loads per 1000 and p99 TTFC](fleet.png)"]
        self.sections.append("\n".join(text))
        rr, lc = runs.get("nginx-rr"), runs.get("nginx-lc")
        if kw and rr and lc:
            kw_rate = kw["loads"] * 1000 / kw["requests"]
            kw_total = (kw["loads"] + preload) * 1000 / kw["requests"]
            rr_rate = rr["loads"] * 1000 / rr["requests"]
            lc_rate = lc["loads"] * 1000 / lc["requests"]
            self.goal("fleet: cold loads per 1000 requests, keepwarm below both nginx modes",
                      "< round-robin and < least_conn",
                      f"keepwarm {fmt(kw_rate, 1)} ({fmt(kw_total, 1)} with its preload); round-robin {fmt(rr_rate, 1)}; "
                      f"least_conn {fmt(lc_rate, 1)}; floor {fmt(floor_loads * 1000 / requests, 1)}",
                      kw_total < rr_rate and kw_total < lc_rate and kw["errors"] == 0)
        self.chart_fleet(chart, floor_loads * 1000 / requests)

    def chart_fleet(self, chart, floor_rate):
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
        labels = [c[1] for c in chart]
        colors = [FLEET_COLORS[c[0]] for c in chart]
        xs = range(len(chart))
        left.bar(xs, [c[3] for c in chart], color=colors)
        for x, c in zip(xs, chart):
            left.text(x, c[3], fmt(c[3], 0), ha="center", va="bottom", fontsize=9)
        left.axhline(floor_rate, color="#999999", linestyle=":", linewidth=1.2, label=f"floor ({floor_rate:.0f})")
        left.set_xticks(list(xs), labels, fontsize=8)
        left.set_ylabel("cold loads per 1000 requests")
        left.set_title("Cold loads (keepwarm: with its preload)")
        left.legend(loc="upper right", fontsize=8)
        left.grid(True, axis="y", alpha=0.3)
        width = 0.38
        right.bar([x - width / 2 for x in xs], [c[4] or 0 for c in chart], width, color=colors, alpha=0.45,
                  label="p50")
        right.bar([x + width / 2 for x in xs], [c[5] or 0 for c in chart], width, color=colors, label="p99")
        for x, c in zip(xs, chart):
            right.text(x + width / 2, c[5] or 0, fmt(c[5], 0), ha="center", va="bottom", fontsize=8)
            right.text(x - width / 2, c[4] or 0, fmt(c[4], 0), ha="center", va="bottom", fontsize=8)
        right.set_xticks(list(xs), labels, fontsize=8)
        right.set_ylabel("time to first chunk (ms)")
        right.set_title("Time to first chunk: p50 (light), p99")
        right.grid(True, axis="y", alpha=0.3)
        fig.tight_layout()
        fig.savefig(os.path.join(self.out, "fleet.png"), dpi=110)
        plt.close(fig)

    # ------------------------------------------------------------------------------------------ 8. trace replay
    # ------------------------------------------------------------------------------------------ 9. launches
    def launch(self):
        train = load_json(self.path("launch-train.json"))
        runs = load_jsonl(self.path("launch-runs.jsonl"))
        if not train or not runs:
            return
        labels = {"image-aot": "image: Java 25, its AOT cache", "image-plain": "image: Java 25, no cache",
                  "unit-cds": "systemd unit: its CDS archive", "unit-plain": "systemd unit: no archive"}
        medians, rows = {}, []
        for launch, label in labels.items():
            mine = [r for r in runs if r["launch"] == launch]
            ready = [r["ready_ms"] for r in mine]
            rss = [r["rss_ready_kb"] / 1024 for r in mine if r.get("rss_ready_kb")]
            medians[launch] = statistics.median(ready) if ready else None
            many = load_json(self.path(f"many-launch-{launch}.json"))
            peak = many["peak_rss_kb"].get("keepwarm") / 1024 if many and many["peak_rss_kb"].get("keepwarm") else None
            rows.append([label, ", ".join(str(r) for r in ready), fmt(medians[launch], 0),
                         fmt(statistics.median(rss), 1) if rss else "n/a",
                         f"{fmt(peak, 1)} ({many['clients']} streams, {many['errors']} errors)" if many else ""])
            if many:
                self.goal(f"RSS under {many['clients']} streams ({label})", f"< {GOAL_RSS_MB} MB, 0 errors",
                          f"peak {fmt(peak, 1)} MB, {many['errors']} errors",
                          peak is not None and peak < GOAL_RSS_MB and many["errors"] == 0 and many["finished"])
        if medians.get("image-aot") is not None:
            self.goal("image start-up with its AOT cache (median launch to ready)", f"<= {GOAL_IMAGE_READY_MS} ms",
                      f"{fmt(medians['image-aot'], 0)} ms ({fmt(medians['image-plain'], 0)} ms without)",
                      medians["image-aot"] <= GOAL_IMAGE_READY_MS)
        warnings = ""
        try:
            with open(self.path("launch-cache-warnings.txt")) as f:
                warnings = "; ".join(f"`{line.strip()}`" for line in f if line.strip())
        except OSError:
            pass
        self.sections.append("\n".join([
            "## 9. The shipped launch commands",
            "",
            "The Docker image's ENTRYPOINT and its AOT-cache training run, read from the Dockerfile and run on Boot's "
            f"layers extracted as the Dockerfile extracts them, with {train.get('java25')} (`{train.get('size')}` sizes "
            "the JVM as the chart's and Compose's 512m memory limit does); the systemd unit's ExecStart "
            f"(`{train.get('unit_opts')}`) on the extracted jar with {train.get('java')}. Launch to "
            "`/actuator/health/readiness` = 200, RSS at that moment; then the streams of scenario 5 through each, with "
            f"its cache. Training runs: image {train.get('image_train_ms')} ms "
            f"(keepwarm.aot {fmt(train.get('aot_bytes', 0) / 1048576, 1)} MB), unit {train.get('unit_train_ms')} ms "
            f"(keepwarm.jsa {fmt(train.get('jsa_bytes', 0) / 1048576, 1)} MB).",
            "",
            table(["launch", "ready (ms), each launch", "median ms", "RSS at ready MB (median)",
                   "peak RSS under streams MB"], rows),
            "",
            "Cache warnings in the logs: " + (warnings or "none"),
        ]))

    def replay(self):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import replay_report
        replay_report.section(self)

    # ------------------------------------------------------------------------------------------ JMH
    def jmh(self):
        data = load_json(self.path("jmh.json"), [])
        if not data:
            return
        rows, scores = [], {}
        for entry in data:
            name = entry["benchmark"].rsplit(".", 1)[-1]
            size = entry.get("params", {}).get("body", "")
            metric = entry["primaryMetric"]
            alloc = entry.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
            score = metric["score"]
            scores[(name, size)] = score
            err = metric.get("scoreError")
            rows.append([name, size, fmt(score, 2 if score < 1000 else 0),
                         fmt(err, 2 if score < 1000 else 0) if isinstance(err, (int, float)) and not math.isnan(err) else "n/a",
                         metric["scoreUnit"], fmt(alloc / 1024 if alloc else None, 1)])
        order = {"small": 0, "1MiB": 1, "16MiB": 2}
        rows.sort(key=lambda r: (order.get(r[1], 9), r[0]))
        text = [
            "## JMH: the body rewrite alone (RewriteBenchmark)",
            "",
            "`RequestRewriter` with a real `Policies`/`PolicySource` (rule `bench`, override 1h) and the proxy's own `JsonMapper` "
            "(`ProxyConfiguration.requestJson`). `rewrite`: keep_alive changes, so the top-level fields are "
            "read in one streaming pass and the body is copied with the new field; `rewriteUnchanged`: no rule matches, "
            "the pass alone and the client's bytes are kept; `tokenScan`: a bare pass over the tokens (the floor); "
            "`parseTree` and `writeTree`: reading a body into a Jackson tree and writing it again, the way keepwarm "
            f"rewrote bodies before (kept for comparison). `{' '.join(self.env.get('jmh_args', '').split())}`",
            "",
            table(["benchmark", "body", "score", "error (99.9%)", "unit", "allocated KiB/op"], rows),
        ]
        notes = []
        for size in ("1MiB", "16MiB"):
            r, p = scores.get(("rewrite", size)), scores.get(("parseTree", size))
            w, t = scores.get(("writeTree", size)), scores.get(("tokenScan", size))
            if r:
                part = f"{size}: rewrite {fmt(r / 1000, 2)} ms"
                if t:
                    part += f" (a bare token pass: {fmt(t / 1000, 2)} ms)"
                if p and w:
                    part += (f"; through a tree it would take {fmt((p + w) / 1000, 2)} ms (parse {fmt(p / 1000, 2)}, "
                             f"write {fmt(w / 1000, 2)}), {(p + w) / r:.1f}x as long")
                notes.append(part)
        if notes:
            text += ["", "Where the time goes: " + ". ".join(notes) + "."]
        self.sections.append("\n".join(text))

    # ------------------------------------------------------------------------------------------ profile
    def profile(self):
        data = load_json(self.path("profile.json"))
        if not data or not data.get("samples"):
            return
        total = data["samples"]
        wrk = load_json(self.path("profile-wrk.json"), {})
        rps = wrk["requests"] / (wrk["duration_us"] / 1e6) if wrk else None
        text = [
            "## Profile: keepwarm under generate, concurrency 16 (JFR)",
            "",
            f"JFR, the JDK's `profile` settings with Java execution samples every 1 ms, during an extra wrk run after "
            f"keepwarm warmed up again under the recording ({fmt(rps, 0)} req/s while recording, which costs about a "
            f"fifth of the throughput); {total} samples ({data.get('truncated', 0)} with stacks deeper than "
            "512 frames, cut). Self = the sampled frame itself; inclusive = anywhere on the stack. JFR samples only "
            "threads running Java code: time in the kernel (socket reads and writes, epoll) does not show here.",
            "",
            table(["category", "self", "inclusive"],
                  [[label, f"{count / total:.0%}", f"{dict(data['inclusive_by_category']).get(label, 0) / total:.0%}"]
                   for label, count in data["self_by_category"]]),
            "",
            table(["part of the request path (inclusive)", "samples", "share"],
                  [[label, count, f"{count / total:.1%}"] for label, count in data.get("components", [])]),
            "",
            table(["top self frames", "samples", "share"],
                  [[f"`{name}`", count, f"{count / total:.1%}"] for name, count in data["top_self"][:12]]),
            "",
            table(["keepwarm methods (inclusive)", "samples", "share"],
                  [[f"`{name}`", count, f"{count / total:.1%}"] for name, count in data["keepwarm_inclusive"][:10]]),
            "",
            "Threads sampled: " + ", ".join(f"{name} {count}" for name, count in data["threads"]),
        ]
        self.sections.append("\n".join(text))

    # ------------------------------------------------------------------------------------------ page
    def write(self):
        os.makedirs(self.out, exist_ok=True)
        steps = (self.cold_start, self.overhead, self.large, self.streaming, self.many, self.startup, self.fleet,
                 self.replay, self.launch, self.jmh, self.profile)
        if self.env.get("only") == "fleet":
            steps = (self.fleet,)
        if self.env.get("only") == "replay":
            steps = (self.replay,)
        if self.env.get("only") == "launch":
            steps = (self.launch,)
        for step in steps:
            step()
        e = self.env
        mem_gb = int(e.get("mem_kb", "0")) / 1024 / 1024
        head = [
            f"# keepwarm benchmark: latest run ({e.get('mode')})",
            "",
            f"Generated by `bench/run.sh{' --quick' if e.get('mode') == 'quick' else ''}"
            f"{' --only ' + e['only'] if e.get('only') else ''}` on {e.get('date')}. "
            "Everything runs on one machine over 127.0.0.1: the load generator, the fake Ollama "
            "(`dev.keepwarm.bench.FakeOllamaServer`, the tests' fake as a process), nginx and keepwarm share its cores.",
            "",
            table(["machine", ""], [
                ["cores (`nproc`)", e.get("nproc")],
                ["CPU", e.get("cpu")],
                ["memory", f"{mem_gb:.1f} GiB"],
                ["kernel", e.get("kernel")],
                ["JDK", e.get("jdk")],
                ["keepwarm JVM", f"{e.get('keepwarm_java_opts')}; max heap {e.get('keepwarm_default_heap')}; {e.get('keepwarm_gc')}"],
                ["nginx", f"{e.get('nginx')} (worker_processes = nproc, proxy_buffering off, proxy_request_buffering off, HTTP/1.1 keepalive upstream)"],
                ["wrk", e.get("wrk")],
                ["parameters", e.get("params")],
            ]),
            "",
            "## Goals",
            "",
            table(["goal", "target", "measured", "verdict"], self.goals),
            "",
            "A missed goal does not fail the run; `bench/run.sh` fails only when the harness itself breaks. "
            + ("Quick runs are short smoke tests: their numbers are noisy; read the full run's. " if e.get("mode") == "quick" else ""),
        ]
        notes_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "NOTES.md")
        tail = []
        if os.path.exists(notes_path):
            with open(notes_path) as f:
                tail = ["", f.read().strip()]
        with open(os.path.join(self.out, "latest.md"), "w") as f:
            f.write("\n".join(head) + "\n\n" + "\n\n".join(self.sections) + "\n" + "\n".join(tail) + "\n")
        with open(os.path.join(self.out, "goals.json"), "w") as f:
            json.dump([{"goal": g[0], "target": g[1], "measured": g[2], "met": "met" in g[3] and "missed" not in g[3]}
                       for g in self.goals], f, indent=1)
        for name, target, measured, result in self.goals:
            print(f"{result.strip('*'):7} {name}: {measured} (goal {target})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw")
    parser.add_argument("--out")
    parser.add_argument("--profile")
    parser.add_argument("--since")
    args = parser.parse_args()
    if args.profile:
        json.dump(summarize_profile(args.profile, args.since), sys.stdout, indent=1)
        return
    if not args.raw or not args.out:
        parser.error("--raw and --out are required")
    Report(args.raw, args.out).write()


if __name__ == "__main__":
    main()
