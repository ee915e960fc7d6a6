#!/usr/bin/env python3
"""Fill pySigma's on-disk data caches from ../shared, so `sigma check` runs offline.

Why: pySigma 1.5 and pySigma-validators-sigmahq 0.21 download four data sets on first use
(MITRE ATT&CK STIX, MITRE D3FEND, SigmaHQ taxonomy / filename / Windows tables) and raise
"Failed to load data" without a network. The benchmark machines reach only package
registries, so this script stores the same dictionaries the loaders would have built, under
the same cache keys, in a cache rooted at the HOME given on the command line. `sigma check`
itself is then run unmodified with that HOME.

Where the data comes from, and how it differs from what a network run would load:
- SigmaHQ tables: ../shared/anchors/pysigma-validators-sigmahq/*.json, parsed by the
  validators' own `_parse` methods (the Windows event-id and provider tables both read
  `sigmahq_windows_validator.json`, which holds both keys).
- ATT&CK: ../shared/attack/enterprise-attack-<version>.tsv, active rows only (pySigma skips
  revoked and deprecated objects). Tactics map id -> short name, techniques and
  sub-techniques id -> name, groups and software id -> name. Data sources and mitigations
  are empty: the table has no mitigations and MITRE deprecated data sources in v18.
- D3FEND: not available offline; stored with pySigma's fallback tactics only. The SigmaHQ
  corpus has no `d3fend.` tag, so no finding changes, and the validator's cost (a set
  lookup per tag) is the same.

Usage: pysigma_offline_data.py HOME SHARED_DIR [ATTACK_VERSION]
"""

import csv
import json
import os
import sys
from pathlib import Path


def attack_tables(tsv_path: Path) -> dict:
    tactics, techniques, mapping, groups, software = {}, {}, {}, {}, {}
    with tsv_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["state"] != "active":
                continue
            kind, ident, name = row["kind"], row["id"], row["name"]
            if kind == "tactic":
                tactics[ident] = row["tactics"]
            elif kind in ("technique", "subtechnique"):
                techniques[ident] = name
                mapping[ident] = [t for t in row["tactics"].split(",") if t]
            elif kind == "group":
                groups[ident] = name
            elif kind == "software":
                software[ident] = name
    return {
        "mitre_attack_version": tsv_path.stem.replace("enterprise-attack-v", ""),
        "mitre_attack_tactics": tactics,
        "mitre_attack_techniques": techniques,
        "mitre_attack_techniques_tactics_mapping": mapping,
        "mitre_attack_intrusion_sets": groups,
        "mitre_attack_software": software,
        "mitre_attack_datasources": {},
        "mitre_attack_mitigations": {},
    }


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    home, shared = Path(sys.argv[1]), Path(sys.argv[2])
    attack_version = sys.argv[3] if len(sys.argv) > 3 else "19"

    # Path.home() reads HOME, so the loaders below resolve their cache dirs under it.
    os.environ["HOME"] = str(home)
    import diskcache
    from sigma.validators.sigmahq.data import (
        data_filename,
        data_taxonomy,
        data_windows_eventid,
        data_windows_provider,
    )

    anchors = shared / "anchors" / "pysigma-validators-sigmahq"
    windows = anchors / "sigmahq_windows_validator.json"
    sources = [
        (data_taxonomy._TaxonomyLoader, anchors / "sigmahq_taxonomy.json"),
        (data_filename._FilenameLoader, anchors / "sigmahq_filename.json"),
        (data_windows_eventid._EventIdLoader, windows),
        (data_windows_provider._ProviderLoader, windows),
    ]
    for loader_cls, path in sources:
        loader = loader_cls()
        parsed = loader._parse(json.loads(path.read_text(encoding="utf-8")))
        loader._get_cache().set(f"{loader._cache_prefix}_default", parsed)
        print(f"seeded {loader._cache_prefix} from {path}", file=sys.stderr)

    tsv = shared / "attack" / f"enterprise-attack-v{attack_version}.tsv"
    cache_root = home / ".cache" / "pysigma"
    attack = attack_tables(tsv)
    with diskcache.Cache(str(cache_root / "mitre_attack")) as cache:
        cache.set("mitre_attack_data", attack)
    print(
        f"seeded mitre_attack from {tsv}: {len(attack['mitre_attack_tactics'])} tactics, "
        f"{len(attack['mitre_attack_techniques'])} techniques",
        file=sys.stderr,
    )

    d3fend = {
        "mitre_d3fend_version": "unavailable-offline",
        # pySigma's own fallback when the ontology names no tactic.
        "mitre_d3fend_tactics": {
            name: name
            for name in ("Deceive", "Isolate", "Detect", "Restore", "Evict", "Harden", "Model")
        },
        "mitre_d3fend_techniques": {},
        "mitre_d3fend_artifacts": {},
    }
    with diskcache.Cache(str(cache_root / "mitre_d3fend")) as cache:
        cache.set("mitre_d3fend_data", d3fend)
    print("seeded mitre_d3fend with fallback tactics only (no offline source)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
