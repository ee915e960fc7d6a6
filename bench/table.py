#!/usr/bin/env python3
"""Print benchmark rows (TSV on stdin) as a Markdown table with ratios to our tool.

Rows: label, mean s, stddev s, min s, peak RSS KiB, exit code, note, events, stdout lines,
CPU s (the last three optional). CPU = user + system time, which a loaded machine disturbs far
less than wall time; its ratio to ours is printed too.
A label reads "GROUP | TOOL". In each group the first TOOL that starts with "ours" is the
reference: the ratio column gives the row's time divided by ours (2.0 = ours twice as fast).
When a row has an event count, events/s is events / mean; and when the same TOOL has a row
in a group whose name starts with "load", the net rate also subtracts that rule-load time.
"""

import sys


def num(text):
    try:
        return float(text)
    except ValueError:
        return None


def main() -> int:
    rows = []
    for line in sys.stdin:
        cells = line.rstrip("\n").split("\t")
        if len(cells) < 7:
            continue
        cells += [""] * (10 - len(cells))
        group, _, tool = cells[0].partition(" | ")
        rows.append(
            {
                "group": group,
                "tool": tool or group,
                "mean": num(cells[1]),
                "sd": cells[2],
                "min": cells[3],
                "rss": cells[4],
                "rc": cells[5],
                "note": cells[6],
                "events": num(cells[7]),
                "lines": cells[8] or "-",
                "cpu": num(cells[9]),
            }
        )

    load = {r["tool"]: r["mean"] for r in rows if r["group"].startswith("load")}
    ours, ours_cpu = {}, {}
    for r in rows:
        if r["tool"].startswith("ours") and r["mean"] is not None:
            ours.setdefault(r["group"], r["mean"])
            ours_cpu.setdefault(r["group"], r["cpu"])

    head = (
        "| group | tool | mean s | ± s | min s | CPU s | peak RSS MiB | exit | out lines "
        "| vs ours | CPU vs ours | events/s | net events/s | note |"
    )
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for r in rows:
        mean = r["mean"]
        rss = num(r["rss"])
        rss_text = f"{rss / 1024:.0f}" if rss is not None else r["rss"]
        ref = ours.get(r["group"])
        if mean is None:
            ratio = "-"
        elif ref is None:
            ratio = "n/a (ours missing)"
        else:
            ratio = f"{mean / ref:.2f}x"
        ref_cpu = ours_cpu.get(r["group"])
        cpu_ratio = "-"
        if r["cpu"] is not None and ref_cpu:
            cpu_ratio = f"{r['cpu'] / ref_cpu:.2f}x"
        rate = net = "-"
        if r["events"] and mean:
            rate = f"{r['events'] / mean:,.0f}"
            # "rsigma --jq" loads the same rules as "rsigma": fall back to the first word.
            base = load.get(r["tool"], load.get(r["tool"].split(" ")[0]))
            if base is not None and mean > base:
                net = f"{r['events'] / (mean - base):,.0f}"
        print(
            f"| {r['group']} | {r['tool']} | {mean if mean is not None else '-'} | {r['sd']} "
            f"| {r['min']} | {r['cpu'] if r['cpu'] is not None else '-'} | {rss_text} | {r['rc']} "
            f"| {r['lines']} | {ratio} | {cpu_ratio} | {rate} | {net} | {r['note']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
