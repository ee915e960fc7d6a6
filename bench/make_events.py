#!/usr/bin/env python3
"""Build a large JSONL stream of Windows events from SigmaHQ's regression data.

Why: the regression set holds only ~166 events, far too few to time a matcher, and the
.json files are pretty-printed and sometimes concatenated (several objects in one file),
which no event reader should need to parse quickly. This writes one compact event per line,
cycling through the regression events and varying `EventRecordID` and the event time so that
no two lines are identical (a reader or cache cannot shortcut repeated bytes).

Two shapes:
- `nested` (default): SigmaHQ's own layout `{"Event": {"System": ..., "EventData": ...}}`,
  as the regression data and an evtx-to-JSON rendering give it.
- `flat`: the `EventData` fields at the top level plus `EventID`, `Channel`, `Provider_Name`
  and `Computer` from `System`, for engines that match field names literally and have no
  Windows-event unwrapping of their own.

Usage: make_events.py REGRESSION_DIR OUT.jsonl [--lines N] [--shape nested|flat]
"""

import argparse
import datetime as dt
import json
import sys
from pathlib import Path


def read_events(path: Path):
    """Every JSON object in a file that holds one or more concatenated objects."""
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        obj, pos = decoder.raw_decode(text, pos)
        yield obj


def flatten(event: dict) -> dict:
    inner = event.get("Event", event)
    system = inner.get("System") or {}
    flat = {}
    provider = (system.get("Provider") or {}).get("#attributes") or {}
    for key in ("EventID", "Channel", "Computer"):
        if key in system:
            flat[key] = system[key]
    if "Name" in provider:
        flat["Provider_Name"] = provider["Name"]
    data = inner.get("EventData") or inner.get("UserData") or {}
    if isinstance(data, dict):
        flat.update(data)
    return flat


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("regression_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--shape", choices=("nested", "flat"), default="nested")
    args = parser.parse_args()

    base = []
    for path in sorted(args.regression_dir.rglob("*.json")):
        try:
            base.extend(e for e in read_events(path) if isinstance(e, dict) and "Event" in e)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            print(f"skipped {path}: {err}", file=sys.stderr)
    if not base:
        print(f"no events under {args.regression_dir}", file=sys.stderr)
        return 2

    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for n in range(args.lines):
            # Mutated in place: every field varied below is rewritten on each use.
            event = base[n % len(base)]
            system = event["Event"].setdefault("System", {})
            system["EventRecordID"] = 1_000_000 + n
            when = start + dt.timedelta(milliseconds=37 * n)
            stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            system["TimeCreated"] = {"#attributes": {"SystemTime": stamp}}
            data = event["Event"].get("EventData")
            if isinstance(data, dict) and "UtcTime" in data:
                data["UtcTime"] = when.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
            if args.shape == "flat":
                event = flatten(event)
            out.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")

    print(
        f"wrote {args.lines} events ({args.shape}) to {args.out} "
        f"from {len(base)} regression events",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
