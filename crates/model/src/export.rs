//! Traces written out for other tools: CSV for a spreadsheet, the project's own versioned
//! JSON, and Chrome's Trace Event Format, which Perfetto (ui.perfetto.dev) and
//! chrome://tracing open.
//!
//! A widget shows one or more panels, each a titled trace on one time axis; an export holds
//! every panel. Times in the trace are milliseconds from the start of the run.

use crate::trace::{Phase, Trace};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The name of the project's JSON schema for traces.
pub const SCHEMA: &str = "cvp-trace";
/// Its version: raised whenever a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// One panel of a widget: its title and its trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    /// What the panel is called on the page ("Threads", "Coroutines", ...).
    pub title: String,
    /// What it shows.
    pub trace: Trace,
}

/// The project's JSON file: the schema's name and version, then the panels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceFile {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// [`SCHEMA_VERSION`] when written.
    pub version: u32,
    /// The panels, in page order.
    pub panels: Vec<Panel>,
}

/// The key a phase has in exports (the same as in the trace's own JSON).
pub fn phase_key(phase: Phase) -> &'static str {
    match phase {
        Phase::Loading => "loading",
        Phase::Rendering => "rendering",
        Phase::Starting => "starting",
        Phase::Blocked => "blocked",
        Phase::Handoff => "handoff",
    }
}

/// Quotes a CSV field when it holds a comma, a quote or a line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One row per segment: `panel,lane,lane_name,task,phase,start_ms,end_ms` (task is empty for
/// a lane's own overhead, such as start-up). Times keep every digit they have.
pub fn to_csv(panels: &[Panel]) -> String {
    let mut out = String::from("panel,lane,lane_name,task,phase,start_ms,end_ms\n");
    for p in panels {
        let title = csv_field(&p.title);
        for (li, lane) in p.trace.lanes.iter().enumerate() {
            let name = csv_field(&lane.label);
            for s in &lane.segments {
                let task = s.task.map(|t| t.to_string()).unwrap_or_default();
                out.push_str(&format!(
                    "{title},{li},{name},{task},{},{},{}\n",
                    phase_key(s.phase),
                    s.start,
                    s.end
                ));
            }
        }
    }
    out
}

/// The project's JSON: `{"schema": "cvp-trace", "version": 1, "panels": [...]}`.
pub fn to_json(panels: &[Panel]) -> String {
    let file = TraceFile { schema: SCHEMA.into(), version: SCHEMA_VERSION, panels: panels.to_vec() };
    serde_json::to_string(&file).expect("a trace always serialises")
}

/// Reads the project's JSON back, refusing another schema or a newer version.
pub fn from_json(text: &str) -> Result<Vec<Panel>, String> {
    let file: TraceFile = serde_json::from_str(text).map_err(|e| format!("not a trace file: {e}"))?;
    if file.schema != SCHEMA {
        return Err(format!("schema {:?} is not {SCHEMA:?}", file.schema));
    }
    if file.version > SCHEMA_VERSION {
        return Err(format!(
            "version {} is newer than {SCHEMA_VERSION}, the newest this reads",
            file.version
        ));
    }
    Ok(file.panels)
}

/// Chrome's Trace Event Format (the JSON object form): each panel is a process, each lane a
/// thread named after it, each segment a complete event ("ph": "X") named after its phase
/// and task. Timestamps and durations are in microseconds, as the format requires.
pub fn to_chrome_trace(panels: &[Panel]) -> String {
    let mut events = Vec::new();
    for (pi, p) in panels.iter().enumerate() {
        let pid = pi + 1;
        events.push(json!({"name": "process_name", "ph": "M", "pid": pid, "tid": 0, "args": {
            "name": p.title,
            // Not part of Chrome's format (viewers ignore them): what crate::import reads
            // back, so that a file this site wrote draws as it did here.
            "strategy": p.trace.strategy.key(),
            "cores": p.trace.cores,
        }}));
        events.push(json!({"name": "process_sort_index", "ph": "M", "pid": pid, "tid": 0, "args": {"sort_index": pi}}));
        for (li, lane) in p.trace.lanes.iter().enumerate() {
            let tid = li + 1;
            events.push(json!({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": {
                "name": lane.label,
                "lane_kind": lane.kind.key(),
            }}));
            events.push(json!({"name": "thread_sort_index", "ph": "M", "pid": pid, "tid": tid, "args": {"sort_index": li}}));
            for s in &lane.segments {
                let name = match s.task {
                    Some(t) => format!("task {t} {}", phase_key(s.phase)),
                    None => phase_key(s.phase).to_string(),
                };
                let mut args = serde_json::Map::new();
                if let Some(t) = s.task {
                    args.insert("task".into(), Value::from(t));
                }
                args.insert("uses_cpu".into(), Value::from(s.phase.uses_cpu()));
                events.push(json!({
                    "name": name,
                    "cat": phase_key(s.phase),
                    "ph": "X",
                    "ts": s.start * 1000.0,
                    "dur": s.duration() * 1000.0,
                    "pid": pid,
                    "tid": tid,
                    "args": args,
                }));
            }
        }
    }
    json!({"traceEvents": events, "displayTimeUnit": "ms"}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{simulate, SimConfig};
    use crate::trace::Strategy;
    use crate::workload::WorkloadSpec;

    fn panels() -> Vec<Panel> {
        let tasks = WorkloadSpec::pixels(9, 4).draw();
        [Strategy::Sync, Strategy::Processes, Strategy::Gil]
            .into_iter()
            .map(|s| {
                let cfg = SimConfig::limited(s, 2).with_cores(Some(2)).with_startup_ms(30.0);
                Panel { title: s.label().to_string(), trace: simulate(&tasks, &cfg) }
            })
            .collect()
    }

    fn segments(panels: &[Panel]) -> usize {
        panels.iter().map(|p| p.trace.segments().count()).sum()
    }

    #[test]
    fn csv_has_one_row_per_segment_that_reads_back() {
        let panels = panels();
        let csv = to_csv(&panels);
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("panel,lane,lane_name,task,phase,start_ms,end_ms"));
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert_eq!(rows.len(), segments(&panels));
        let mut i = 0;
        for p in &panels {
            for (li, lane) in p.trace.lanes.iter().enumerate() {
                for s in &lane.segments {
                    let r = &rows[i];
                    assert_eq!(r.len(), 7, "{r:?}");
                    assert_eq!(
                        (r[0], r[1].parse::<usize>().unwrap(), r[2]),
                        (p.title.as_str(), li, lane.label.as_str())
                    );
                    assert_eq!(r[3], s.task.map(|t| t.to_string()).unwrap_or_default());
                    assert_eq!(r[4], phase_key(s.phase));
                    assert_eq!(
                        (r[5].parse::<f64>().unwrap(), r[6].parse::<f64>().unwrap()),
                        (s.start, s.end)
                    );
                    i += 1;
                }
            }
        }
        assert!(csv.contains(",starting,"), "processes pay their start-up: {csv}");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("worker 2"), "worker 2");
        assert_eq!(csv_field("a, \"b\""), "\"a, \"\"b\"\"\"");
    }

    #[test]
    fn json_round_trips_and_checks_its_schema() {
        let panels = panels();
        let text = to_json(&panels);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (v["schema"].as_str(), v["version"].as_u64()),
            (Some(SCHEMA), Some(SCHEMA_VERSION as u64))
        );
        assert_eq!(from_json(&text).unwrap(), panels);
        let other = text.replace(SCHEMA, "something-else");
        assert!(from_json(&other).unwrap_err().contains("schema"));
        let newer = text.replace("\"version\":1", "\"version\":2");
        assert!(from_json(&newer).unwrap_err().contains("newer"));
        assert!(from_json("{}").is_err());
    }

    #[test]
    fn chrome_trace_matches_the_trace_lane_by_lane() {
        let panels = panels();
        let v: Value = serde_json::from_str(&to_chrome_trace(&panels)).unwrap();
        let events = v["traceEvents"].as_array().unwrap();
        let complete: Vec<&Value> = events.iter().filter(|e| e["ph"] == "X").collect();
        assert_eq!(complete.len(), segments(&panels));
        for (pi, p) in panels.iter().enumerate() {
            let pid = pi as u64 + 1;
            let named = events
                .iter()
                .find(|e| e["ph"] == "M" && e["name"] == "process_name" && e["pid"] == pid)
                .expect("each panel names its process");
            assert_eq!(named["args"]["name"], p.title.as_str());
            for (li, lane) in p.trace.lanes.iter().enumerate() {
                let tid = li as u64 + 1;
                let thread = events
                    .iter()
                    .find(|e| e["name"] == "thread_name" && e["pid"] == pid && e["tid"] == tid)
                    .expect("each lane names its thread");
                assert_eq!(thread["args"]["name"], lane.label.as_str());
                let mine: Vec<&&Value> =
                    complete.iter().filter(|e| e["pid"] == pid && e["tid"] == tid).collect();
                assert_eq!(mine.len(), lane.segments.len(), "{} lane {li}", p.title);
                for (e, s) in mine.iter().zip(&lane.segments) {
                    let (ts, dur) = (e["ts"].as_f64().unwrap(), e["dur"].as_f64().unwrap());
                    assert!(
                        (ts - s.start * 1000.0).abs() < 1e-6 && (dur - s.duration() * 1000.0).abs() < 1e-6
                    );
                    assert!(dur >= 0.0);
                    assert_eq!(e["cat"], phase_key(s.phase));
                }
            }
        }
    }

    #[test]
    fn exports_of_nothing_are_well_formed() {
        assert_eq!(to_csv(&[]).lines().count(), 1);
        assert_eq!(from_json(&to_json(&[])).unwrap(), Vec::<Panel>::new());
        let v: Value = serde_json::from_str(&to_chrome_trace(&[])).unwrap();
        assert_eq!(v["traceEvents"].as_array().map(Vec::len), Some(0));
    }
}
