#!/usr/bin/env python3
"""Turn SigmaHQ's regression `info.yml` files into an rsigma backtest expectations file.

Why: rsigma has no reader for SigmaHQ's regression layout; its nearest equivalent is
`rsigma rule backtest`, which replays a corpus against a rule set and checks per-rule fire
counts per corpus file. Each `regression_tests_info` entry of type evtx becomes one
expectation: that rule, scoped to that .evtx file (relative to the regression_data folder),
firing exactly `match_count` times when given, else at least once.

Usage: regression_expectations.py REGRESSION_DIR OUT.yml
Writes JSON (a YAML subset). Prints the number of expectations to stderr.
"""

import json
import sys
from pathlib import Path

import yaml


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    root, out = Path(sys.argv[1]), Path(sys.argv[2])

    expectations = []
    for info in sorted(root.rglob("info.yml")):
        doc = yaml.safe_load(info.read_text(encoding="utf-8")) or {}
        rules = doc.get("rule_metadata") or []
        if not rules:
            continue
        rule_id = str(rules[0].get("id"))
        for test in doc.get("regression_tests_info") or []:
            path = str(test.get("path", ""))
            if test.get("type") != "evtx" or not path.endswith(".evtx"):
                continue
            scoped = path.split("regression_data/", 1)[-1]
            entry = {"rule": rule_id, "corpus": scoped}
            if "match_count" in test:
                entry["exactly"] = int(test["match_count"])
            else:
                entry["at_least"] = 1
            expectations.append(entry)

    document = {"defaults": {"unexpected_detections": "ignore"}, "expectations": expectations}
    out.write_text(json.dumps(document, indent=1), encoding="utf-8")
    print(f"{len(expectations)} expectations written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
