#!/usr/bin/env python3
"""Writes sigma-lint/data/sigmahq-logsources.json from SigmaHQ's logsource.json.

Usage: scripts/gen_logsources.py [SHARED_DIR]   (default: ../shared)

SigmaHQ's `tests/logsource.json` lists, per product, the categories and
services its CI accepts and the field names each may use, with "addon"
fields kept apart. Our preset wants one lookup: product -> category or
service -> the full field list. This script merges `addon` into `legit`
and writes the product-less entries under the product "". The product's
`common` fields stay apart; the linter adds them at lookup time.
"""
import json
import os
import sys


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "shared")
    with open(os.path.join(shared, "sigmahq", "tests", "logsource.json"), encoding="utf-8") as f:
        data = json.load(f)

    products = {}
    for product, body in data["legit"].items():
        addon = data.get("addon", {}).get(product, {})
        entry = {"common": sorted(set(body.get("common", []))),
                 "empty": sorted(set(body.get("empty", []))),
                 "category": {}, "service": {}}
        for kind in ("category", "service"):
            for name, fields in body.get(kind, {}).items():
                fields = list(fields) + list(addon.get(kind, {}).get(name, []))
                entry[kind][name] = sorted(set(fields))
        products["" if product == "empty" else product] = entry

    out = {
        "source": "SigmaHQ/sigma tests/logsource.json version " + str(data.get("version")),
        "products": products,
    }
    path = os.path.join(os.path.dirname(__file__), "..", "sigma-lint", "data",
                        "sigmahq-logsources.json")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
