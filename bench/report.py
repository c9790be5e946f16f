"""Print the figures in bench/.peers/figures/*.json as Markdown, targets beside them.

.venv/bin/python bench/report.py > /tmp/figures.md     # then paste into bench/RESULTS.md
"""

from __future__ import annotations

import json
import sys

from benchlib import FIGURES


def load(name: str) -> dict | None:
    path = FIGURES / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def when(f: dict) -> str:
    m = f["machine"]
    load = m["loadavg_at_start"]
    return f"{m['date']}, {m['cores']} cores ({m['cpu']}), load average at start {load}"


def mark(ok: bool) -> str:
    return "met" if ok else "**not met**"


def speed(f: dict) -> list[str]:
    lines = [f"### Speed (`bench/run --rounds {f['rounds']}`) — {when(f)}", ""]
    loads = f.get("load_median", {})
    lines += [
        "| process | median | min | max | passed | load (median at start) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, s in f["stats_s"].items():
        lines.append(
            f"| {name} | {s['median']:.2f} s | {s['min']:.2f} s | {s['max']:.2f} s | "
            f"{s['n']}/{s['n'] + f['failed'][name]} | {loads.get(name, float('nan')):.1f} |"
        )
    lines.append("")
    if "before" in f:
        b = f["before"]
        lines.append(
            f"- before:prodsmoke / its fastest peer (before:{b['fastest_peer']}): "
            f"**{b['ratio_vs_fastest_peer']:.2f}** (target ≤ 0.8: "
            f"{mark(b['ratio_vs_fastest_peer'] <= 0.8)})"
        )
    if "ratio_vs_fastest_peer" in f:
        ratio = f["ratio_vs_fastest_peer"]
        lines.append(
            f"- prodsmoke / fastest peer ({f['fastest_peer']}): **{ratio:.2f}** "
            f"(target ≤ 0.8: {mark(ratio <= 0.8)}); below every peer: "
            f"{mark(f['below_every_peer'])} ("
            + ", ".join(f"{n} {r:.2f}" for n, r in f["ratios_vs_peers"].items())
            + ")"
        )
    if "ratio_vs_floor" in f:
        ratio = f["ratio_vs_floor"]
        lines.append(
            f"- floor (Chromium launch + {f['floor']['journey']}, the slowest journey): "
            f"{f['floor']['median_s']:.2f} s; prodsmoke / floor **{ratio:.2f}** "
            f"(target ≤ 1.5: {mark(ratio <= 1.5)})"
        )
    return lines


def phases(f: dict) -> list[str]:
    extra = " -- " + " ".join(f["argv_extra"]) if f["argv_extra"] else ""
    m = f["medians"]
    journeys = ", ".join(f"{k[:-3]} {v:.0f} ms" for k, v in m.items() if k.endswith("_ms"))
    return [
        f"### Phases of a run (`bench/phases.py --runs {f['runs']}{extra}`) — {when(f)}",
        "",
        f"- start-up (spawn to header) {m['startup_s']:.2f} s · engine {m['engine_s']:.2f} s · "
        f"wind-down {m['wind_down_s']:.2f} s · wall {m['wall_s']:.2f} s",
        f"- journey durations inside the engine: {journeys}",
    ]


def guard(f: dict) -> list[str]:
    lines = [
        f"### Guard overhead (`bench/guard_overhead.py --iterations {f['iterations']}"
        f"{' --decompose' if len(f['modes']) > 2 else ''}"
        f"{' --fault ' + f['fault'] if f.get('fault') else ''}`) — {when(f)}",
        "",
        f"{f['counted']} of {f['iterations']} iterations counted, {f['resources_per_load']} "
        "resources per load.",
        "",
        "| context | load (Navigation Timing) median | wall median | load ratio vs bare | "
        "wall ratio vs bare |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for mode, m in f["modes"].items():
        lines.append(
            f"| {mode} | {m['load_ms']['median']:.0f} ms | {m['wall_ms']['median']:.0f} ms | "
            f"{m['median_load_ratio']:.2f} | {m['median_wall_ratio']:.2f} |"
        )
    ratio = f["modes"]["guarded"]["median_load_ratio"]
    lines += ["", f"- guard overhead **{ratio - 1:+.0%}** (target ≤ 10%: {mark(ratio <= 1.10)})"]
    return lines


def fidelity(f: dict) -> list[str]:
    base = ", ".join(f"{m} {v['median']:.1f}" for m, v in f["baseline_ms"].items() if v["n"])
    flags = " --isolated" if f.get("isolated") else ""
    lines = [
        f"### Timing fidelity (`bench/fidelity.py --runs {f['runs']}{flags}`) — {when(f)}",
        "",
        f"Baseline medians (ms): {base}.",
        "",
        "| fault | metric | expected | reported median | error | error % | target |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in f["conditions"].values():
        lines.append(
            f"| `{row['fault']}` | {row['metric']} | {row['expected_ms']:.1f} | "
            f"{row['reported']['median']:.1f} | {row['error_ms']:+.1f} ms | "
            f"{row['error_percent']:+.1f}% | {mark(row['met'])} |"
        )
    return lines


def memory(f: dict) -> list[str]:
    pss = f["pss_mib"]
    return [
        f"### Memory (`bench/memory.py --runs {f['runs']}`) — {when(f)}",
        "",
        f"- peak PSS of the whole run: median **{pss['median']:.0f} MiB** (max {pss['max']:.0f} "
        f"MiB; RSS sum median {f['rss_sum_mib']['median']:.0f} MiB, an upper bound) — target "
        f"≤ 600 MB: {mark(pss['max'] * 1.048576 <= 600)}",
        "- at the peak, PSS by process (MiB): "
        + ", ".join(f"{k} {v}" for k, v in f["at_peak_mib"].items()),
    ]


def scale(f: dict) -> list[str]:
    sizes = " ".join(f"--n {n}" for n in f["sizes"])
    variants = "".join(f" --variant {v}" for v in f.get("variants", []))
    lines = [f"### Scale (`bench/scale --rounds {f['rounds']} {sizes}{variants}`) — {when(f)}", ""]
    if "speed" in f:
        lines += [
            "| N | checks | process | median | min | max | counted | CPU (user+sys) | load |",
            "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for n, entry in f["speed"].items():
            for name, s in entry["stats_s"].items():
                lines.append(
                    f"| {n} | {entry['checks']} | {name} | {s['median']:.2f} s | {s['min']:.2f} s "
                    f"| {s['max']:.2f} s | {s['n']}/{f['rounds']} | {s['cpu_median']:.2f} s | "
                    f"{s['load_median']:.1f} |"
                )
        lines.append("")
        for n, entry in f["speed"].items():
            if "ratio_vs_fastest_peer" in entry:
                ratio = entry["ratio_vs_fastest_peer"]
                extra = "".join(
                    f"; {name} {r:.2f}" for name, r in entry.get("variant_ratios", {}).items()
                )
                lines.append(
                    f"- N = {n}: prodsmoke / fastest peer ({entry['fastest_peer']}) "
                    f"**{ratio:.2f}** (target ≤ 0.8: {mark(ratio <= 0.8)}){extra}"
                )
        lines.append("")
    if "memory" in f:
        n = max(f["sizes"])
        lines.append(f"Peak memory at N = {n}, whole process tree, PSS (MB = 10^6 bytes):")
        lines.append("")
        for name, m in f["memory"].items():
            if isinstance(m, dict):
                lines.append(
                    f"- {name}: median {m['median_mb']:.0f} MB, max {m['max_mb']:.0f} MB "
                    f"({m['runs']} runs)"
                )
        if "met" in f["memory"]:
            lines.append(f"- prodsmoke ≤ 600 MB: {mark(f['memory']['met'])}")
        lines.append("")
    for key, b in f.get("budget", {}).items():
        traffic = b["target_traffic"]
        lines.append(
            f"- budget at N = {max(f['sizes'])} ({key.replace('_', ' ')}): checks "
            f"{b['statuses']}; budget {b['budget_per_minute']}/min, prodsmoke sent {b['sent']}, "
            f"the target saw at most {traffic['max_in_any_60s']} in any 60 s and answered "
            f"{traffic['status_429']} 429; holds: {mark(b['holds'])}"
        )
        lines += [f"  - skip reason: {r}" for r in b["skip_reasons"]]
    return lines


def signal(figures: list[dict]) -> list[str]:
    if not figures:
        return []
    lines = [
        "### Signal quality (`bench/signal_quality.py`)",
        "",
        "| condition | runs | fail: false alarm / caught (95% interval) | warn | pass | target | "
        "budget-refused "
        "retries | wall median | jobs |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for f in figures:
        s = f["status_share"]
        target = "100% caught" if f["kind"] == "persistent" else "< 1% false alarms"
        low, high = f.get("fail_share_ci95", (float("nan"), float("nan")))
        lines.append(
            f"| `{f['condition']}` ({f['kind']}) | {f['valid']} | **{f['fail_share']:.1%}** "
            f"({low:.1%}-{high:.1%}) | "
            f"{s.get('warn', 0):.1%} | {s.get('pass', 0):.1%} | {target}: "
            f"{mark(f['target_met'])} | {f['notes']['not retried: the rate budget']} | "
            f"{f['wall_s']['median']:.1f} s | {f['jobs']} |"
        )
    lines.append("")
    for f in figures:
        rows = [(c, r) for c, r in f["checks"].items() if r["fail"] or r["warn"] or r["flaky"]]
        if not rows:
            continue
        lines.append(f"`{f['condition']}` per check (fail / warn / flaky of {f['valid']} runs):")
        lines.append("")
        for check, r in rows:
            lines.append(f"- {check}: {r['fail']} / {r['warn']} / {r['flaky']}")
            lines += [f"  - {n}x {text}" for text, n in r["texts"][:3]]
        lines.append("")
    return lines


def main() -> int:
    out: list[str] = []
    for name, render in (
        ("speed", speed),
        ("phases", phases),
        ("phases-trace-off", phases),
        ("guard_overhead", guard),
        ("guard_overhead-slow-assets-20", guard),
        ("fidelity", fidelity),
        ("fidelity-isolated", fidelity),
        ("memory", memory),
        ("scale", scale),
    ):
        if (f := load(name)) is not None:
            out += [*render(f), ""]
    order = ("flaky-2", "jitter-2", "health-down", "login-broken", "hang")
    out += signal([f for c in order if (f := load(f"signal_{c}")) is not None])
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
