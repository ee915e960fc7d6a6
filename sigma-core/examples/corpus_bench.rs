//! Compiles every SigmaHQ rule of `../shared/sigmahq`, checks the rules
//! against their regression events, and measures matching throughput over
//! the `.evtx` samples of `../shared/evtx`.
//!
//! Run with `cargo run --release -p sigma-core --example corpus_bench`.
//! `$SIGMA_SHARED` overrides where `shared` is. Numbers go to stdout,
//! compile errors (one line each) to stderr.
//!
//! Events are flattened the simple way SigmaHQ's rules expect for Windows
//! (the fields of `System` and `EventData` at the top level); routing by
//! log source is a rough stand-in for the real log-source module: Sysmon
//! events go to the category of their event id, other channels to their
//! service. It exists to give the matcher a realistic load, nothing more.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Map, Value};
use sigma_core::event::Event;
use sigma_core::matcher::{CompileOptions, CompiledRule};
use sigma_core::rule::{Rule, SigmaFile};

fn main() {
    let shared = std::env::var_os("SIGMA_SHARED").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
        PathBuf::from,
    );
    if !shared.is_dir() {
        eprintln!("skipped: ../shared not found");
        return;
    }
    let sigmahq = shared.join("sigmahq");

    // 1. Parse and compile every rule.
    let mut paths = Vec::new();
    for dir in [
        "rules",
        "rules-emerging-threats",
        "rules-threat-hunting",
        "rules-compliance",
        "rules-dfir",
        "rules-placeholder",
    ] {
        collect(&sigmahq.join(dir), "yml", &mut paths);
    }
    paths.sort();
    let started = Instant::now();
    let files: Vec<SigmaFile> = paths
        .iter()
        .filter_map(|p| SigmaFile::read(p).ok())
        .collect();
    let parse_time = started.elapsed();

    let options = CompileOptions::default();
    let rules: Vec<&Rule> = files.iter().flat_map(|f| f.rules()).collect();
    let started = Instant::now();
    let cpu = cpu_ns();
    let compiled: Vec<Result<CompiledRule, _>> = rules
        .iter()
        .map(|rule| CompiledRule::compile(rule, &options))
        .collect();
    let compile_time = started.elapsed();
    let compile_cpu = (cpu_ns() - cpu) as f64 / 1e6;

    let mut failed = 0;
    for ((rule, result), file) in rules.iter().zip(&compiled).zip(rule_files(&files)) {
        if let Err(errors) = result {
            failed += 1;
            for error in errors {
                eprintln!(
                    "{}:{}: {}",
                    file.display(),
                    error.span.location,
                    error.message
                );
            }
            let _ = rule;
        }
    }
    println!(
        "rules: {} files, {} rules parsed in {:.1} ms; compiled in {:.1} ms \
         ({:.1} ms CPU); {} do not compile",
        paths.len(),
        rules.len(),
        parse_time.as_secs_f64() * 1e3,
        compile_time.as_secs_f64() * 1e3,
        compile_cpu,
        failed
    );

    if std::env::var_os("BENCH_COMPILE_ONLY").is_some() {
        return;
    }

    // 2. Regression events: each must match its rule.
    let by_id: HashMap<&str, &CompiledRule> = rules
        .iter()
        .zip(&compiled)
        .filter_map(|(rule, c)| Some((rule.header.id.as_ref()?.value.as_str(), c.as_ref().ok()?)))
        .collect();
    let mut jsons = Vec::new();
    collect(&sigmahq.join("regression_data"), "json", &mut jsons);
    let (mut matched, mut missed) = (0, Vec::new());
    for json in &jsons {
        let Some(id) = json.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let Some(rule) = by_id.get(id) else { continue };
        let events = read_events(json);
        if events.iter().any(|e| rule.matches(e)) {
            matched += 1;
        } else {
            missed.push(json.display().to_string());
        }
    }
    println!(
        "regression: {} of {} event files match their rule",
        matched,
        matched + missed.len()
    );
    for path in &missed {
        println!("  no match: {path}");
    }

    // 3. Throughput over the .evtx samples.
    let mut evtx = Vec::new();
    collect(&shared.join("evtx"), "evtx", &mut evtx);
    let started = Instant::now();
    let mut events = Vec::new();
    for path in &evtx {
        read_evtx(path, &mut events);
    }
    let load_time = started.elapsed();
    let windows: Vec<(&Rule, &CompiledRule)> = rules
        .iter()
        .zip(&compiled)
        .filter(|(r, _)| {
            r.logsource
                .product
                .as_ref()
                .is_some_and(|p| p.value == "windows")
        })
        .filter_map(|(r, c)| Some((*r, c.as_ref().ok()?)))
        .collect();
    println!(
        "events: {} from {} .evtx files, read and flattened in {:.0} ms",
        events.len(),
        evtx.len(),
        load_time.as_secs_f64() * 1e3
    );

    let mut routes: HashMap<String, Vec<&CompiledRule>> = HashMap::new();
    for (rule, compiled) in &windows {
        let source = &rule.logsource;
        let key = source
            .category
            .as_ref()
            .or(source.service.as_ref())
            .map_or("", |s| s.value.as_str());
        routes.entry(key.to_owned()).or_default().push(compiled);
    }

    let started = Instant::now();
    let cpu = cpu_ns();
    let (mut evaluations, mut hits) = (0usize, 0usize);
    let skip_routed = std::env::var_os("BENCH_HOT_ONLY").is_some();
    for (event, key) in events.iter().filter(|_| !skip_routed) {
        let Some(candidates) = routes.get(key.as_str()) else {
            continue;
        };
        for rule in candidates {
            evaluations += 1;
            hits += usize::from(rule.matches(event));
        }
    }
    let routed_wall = started.elapsed().as_secs_f64();
    let routed = (cpu_ns() - cpu) as f64 / 1e9;
    eprintln!("routed: {routed_wall:.3} s wall");
    println!(
        "routed: {} events x {:.0} rules on average = {} evaluations, {} matches, {:.3} s CPU: \
         {:.0} events/s, {:.1} M rule evaluations/s",
        events.len(),
        evaluations as f64 / events.len().max(1) as f64,
        evaluations,
        hits,
        routed,
        events.len() as f64 / routed,
        evaluations as f64 / routed / 1e6
    );

    // The same events again and again: what matching costs when the rules
    // stay in cache, against the cold run above.
    let hot: Vec<&(Event, String)> = events
        .iter()
        .filter(|(_, key)| key == "process_creation")
        .take(50)
        .collect();
    if let Some(candidates) = routes.get("process_creation") {
        let cpu = cpu_ns();
        let mut evaluations = 0usize;
        let rounds: usize = std::env::var("BENCH_HOT_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(20);
        for _ in 0..rounds {
            for (event, _) in &hot {
                for rule in candidates {
                    evaluations += 1;
                    std::hint::black_box(rule.matches(event));
                }
            }
        }
        let seconds = (cpu_ns() - cpu) as f64 / 1e9;
        println!(
            "hot: {} process_creation rules x {} events x {} rounds = {} evaluations in {:.3} s CPU: \
             {:.0} ns per evaluation",
            candidates.len(),
            hot.len(),
            rounds,
            evaluations,
            seconds,
            seconds * 1e9 / evaluations.max(1) as f64
        );
    }

    if std::env::var_os("BENCH_ROUTED_ONLY").is_some() {
        return;
    }
    let sample: Vec<&Event> = events.iter().map(|(e, _)| e).take(5_000).collect();
    let cpu = cpu_ns();
    let mut hits = 0usize;
    for event in &sample {
        for (_, rule) in &windows {
            hits += usize::from(rule.matches(event));
        }
    }
    let all = (cpu_ns() - cpu) as f64 / 1e9;
    let evaluations = sample.len() * windows.len();
    println!(
        "unrouted: {} events x all {} Windows rules = {} evaluations, {} matches, {:.3} s CPU: \
         {:.0} events/s, {:.1} M rule evaluations/s",
        sample.len(),
        windows.len(),
        evaluations,
        hits,
        all,
        sample.len() as f64 / all,
        evaluations as f64 / all / 1e6
    );
}

/// Nanoseconds this thread has run on a CPU (Linux), so that timings are
/// not inflated by other processes sharing the machine; 0 elsewhere.
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn rule_files(files: &[SigmaFile]) -> impl Iterator<Item = &Path> {
    files
        .iter()
        .flat_map(|f| f.rules().map(move |_| f.path.as_path()))
}

fn collect(dir: &Path, extension: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, extension, out);
        } else if path.extension().is_some_and(|e| e == extension) {
            out.push(path);
        }
    }
}

fn read_events(path: &Path) -> Vec<Event> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    // The files hold one JSON document after another, not one array.
    let mut events = Vec::new();
    for value in serde_json::Deserializer::from_str(&text).into_iter::<Value>() {
        let Ok(value) = value else { break };
        let items = match value {
            Value::Array(items) => items,
            other => vec![other],
        };
        events.extend(items.into_iter().map(|v| Event::new(flatten(&v).0)));
    }
    events
}

fn read_evtx(path: &Path, out: &mut Vec<(Event, String)>) {
    let Ok(parser) = evtx::EvtxParser::from_path(path) else {
        return;
    };
    let settings = evtx::ParserSettings::new().separate_json_attributes(false);
    let mut parser = parser.with_configuration(settings);
    for record in parser.records_json_value().flatten() {
        let (flat, route) = flatten(&record.data);
        out.push((Event::new(flat), route));
    }
}

/// `Event.System` and `Event.EventData` (or the one object inside
/// `UserData`) at the top level, plus a rough log-source route.
fn flatten(record: &Value) -> (Value, String) {
    let event = record.get("Event").unwrap_or(record);
    let mut flat = Map::new();
    if let Some(Value::Object(system)) = event.get("System") {
        for (key, value) in system {
            let value = match value {
                Value::Object(inner) => inner.get("#text").cloned().unwrap_or(Value::Null),
                other => other.clone(),
            };
            if !value.is_null() {
                flat.insert(key.clone(), value);
            }
        }
        if let Some(name) = event.pointer("/System/Provider/#attributes/Name") {
            flat.insert("Provider_Name".into(), name.clone());
        }
    }
    let data = match event.get("EventData") {
        Some(Value::Object(map)) => Some(map.clone()),
        _ => match event.get("UserData") {
            Some(Value::Object(map)) => map.values().find_map(|v| v.as_object().cloned()),
            _ => None,
        },
    };
    for (key, value) in data.into_iter().flatten() {
        if key != "#attributes" {
            flat.insert(key, value);
        }
    }
    if event.get("System").is_none() {
        if let Value::Object(map) = record {
            flat.extend(map.clone());
        }
    }

    let channel = flat.get("Channel").and_then(Value::as_str).unwrap_or("");
    let id = flat.get("EventID").and_then(|v| match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    });
    let route = route(channel, id.unwrap_or(0));
    (Value::Object(flat), route.to_owned())
}

fn route(channel: &str, id: u64) -> &'static str {
    if channel == "Microsoft-Windows-Sysmon/Operational" {
        return match id {
            1 => "process_creation",
            3 => "network_connection",
            5 => "process_termination",
            6 => "driver_load",
            7 => "image_load",
            8 => "create_remote_thread",
            10 => "process_access",
            11 => "file_event",
            12 | 14 => "registry_add",
            13 => "registry_set",
            15 => "create_stream_hash",
            17 | 18 => "pipe_created",
            19..=21 => "wmi_event",
            22 => "dns_query",
            23 | 26 => "file_delete",
            25 => "process_tampering",
            _ => "sysmon",
        };
    }
    match channel {
        "Security" if id == 4688 => "process_creation",
        "Security" => "security",
        "System" => "system",
        "Application" => "application",
        "Microsoft-Windows-PowerShell/Operational" if id == 4104 => "ps_script",
        "Microsoft-Windows-PowerShell/Operational" if id == 4103 => "ps_module",
        "Windows PowerShell" => "ps_classic_start",
        "Microsoft-Windows-Windows Defender/Operational" => "windefend",
        "Microsoft-Windows-TaskScheduler/Operational" => "taskscheduler",
        "Microsoft-Windows-WMI-Activity/Operational" => "wmi",
        _ => "",
    }
}
