//! SARIF 2.1.0, the format code-scanning services read. Every check of the
//! registry is described once under `tool.driver.rules`, with its doc block
//! as `fullDescription`.

use std::io::{self, Write};

use serde_json::json;

use super::{end_location, sarif_level, Reporter};
use crate::checks;
use crate::finding::Finding;

/// The SARIF reporter.
pub struct Sarif;

impl Reporter for Sarif {
    fn report(&self, findings: &[Finding], _files: usize, out: &mut dyn Write) -> io::Result<()> {
        let rules: Vec<_> = checks::metas()
            .map(|m| {
                json!({
                    "id": m.code,
                    "name": m.name,
                    "shortDescription": {"text": m.summary()},
                    "fullDescription": {"text": m.markdown()},
                    "defaultConfiguration": {"level": sarif_level(m.severity)},
                    "properties": {"family": m.family, "group": m.group, "scope": m.scope},
                })
            })
            .collect();
        let index_of = |code: &str| checks::metas().position(|m| m.code == code);
        let results: Vec<_> = findings
            .iter()
            .map(|f| {
                let end = end_location(&f.source, f.span);
                let mut message = f.message.clone();
                if let Some(help) = &f.help {
                    message.push_str("\nhelp: ");
                    message.push_str(help);
                }
                let related: Vec<_> = f
                    .labels
                    .iter()
                    .map(|l| (f.path.display().to_string(), l.span, l.text.clone()))
                    .chain(
                        f.related
                            .iter()
                            .map(|r| (r.path.display().to_string(), r.span, r.text.clone())),
                    )
                    .enumerate()
                    .map(|(id, (path, span, text))| {
                        json!({
                            "id": id,
                            "message": {"text": text},
                            "physicalLocation": {
                                "artifactLocation": {"uri": uri(&path)},
                                "region": {
                                    "startLine": span.location.line,
                                    "startColumn": span.location.column,
                                },
                            },
                        })
                    })
                    .collect();
                json!({
                    "ruleId": f.code,
                    "ruleIndex": index_of(f.code),
                    "level": sarif_level(f.severity),
                    "message": {"text": message},
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri(&f.path.display().to_string())},
                            "region": {
                                "startLine": f.line(),
                                "startColumn": f.column(),
                                "endLine": end.line,
                                "endColumn": end.column,
                            },
                        },
                    }],
                    "relatedLocations": related,
                })
            })
            .collect();
        let log = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "sigma-lint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://example.invalid/sigma-tools",
                    "rules": rules,
                }},
                "results": results,
            }],
        });
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }
}

/// A relative URI for a path: forward slashes, no leading `./`.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    path.strip_prefix("./").unwrap_or(&path).replace(' ', "%20")
}
