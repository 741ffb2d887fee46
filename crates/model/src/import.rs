//! Reading a trace someone else made: Chrome's Trace Event Format, which this site's own
//! "Perfetto" export writes, and so do Perfetto, viztracer, `tools/pytrace.py` and many other
//! tracers. The result is a [`Trace`] the renderer draws like any other.
//!
//! What is read (the format is described in Google's "Trace Event Format" document):
//! - the file is a JSON array of events, or an object whose `traceEvents` holds that array;
//! - complete events (`"ph": "X"`, with `ts` and `dur`) and begin/end pairs (`"B"`, `"E"`,
//!   matched last-in first-out on their lane) become segments; times are microseconds;
//! - each process and thread (`pid`, `tid`) that has one becomes a lane, named by the
//!   `process_name` and `thread_name` metadata events (`"M"`) and ordered by their
//!   `*_sort_index`;
//! - a segment's kind (computing, waiting, starting, blocked on a lock, handing off) comes
//!   from its category when that is one of this site's or the tracer's words, else from
//!   words in its category or name (`sleep`, `lock`, `recv`...), else it is computing;
//! - nested or overlapping events on one lane show the innermost (the one that started
//!   last) at each moment: a lane shows one thing at a time.
//!
//! Everything else (instants, counters, flows, async events, samples) is left out, and
//! said. A file that cannot be a trace, or that would not fit the page (too large, too
//! many events or lanes, nesting too deep), or that holds impossible values (a time that
//! is not a number, a negative duration) is refused whole, with the reason: a partial
//! picture of a broken file would be read as the program's behaviour.
//!
//! Nothing here touches a browser: the page hands over the file's text, read locally.

use crate::trace::{Lane, LaneKind, Phase, Segment, Strategy, TaskRecord, Trace};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::fmt;

/// The largest file read, in bytes: its events are held in memory while they are read, in
/// the page's one wasm memory (256 MiB at most, shared with the renderer).
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// The most events read: each takes a few hundred bytes while the file is read.
pub const MAX_EVENTS: usize = 200_000;
/// The most lanes drawn: past a few hundred, rows are a pixel high and labels unreadable.
pub const MAX_LANES: usize = 512;
/// The deepest begin/end nesting on one lane (a recursion traced call by call is deeper
/// than any picture of it can show).
pub const MAX_DEPTH: usize = 1_000;
/// The largest magnitude of a time or duration, in microseconds: about 31 years.
const MAX_MICROS: f64 = 1e15;

/// A trace read from a file, and what the reader should know about the reading.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The trace, ready to draw.
    pub trace: Trace,
    /// Sentences about what was read, left out or guessed, in the order they matter.
    pub notes: Vec<String>,
}

/// Where traces.html's viewer is: the one value behind its `data-state` attribute, which
/// tests and styles read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// No trace yet.
    Empty,
    /// A file is being read.
    Reading,
    /// A trace is shown.
    Loaded,
    /// The last file was refused (the trace shown before, if any, stays).
    Refused,
}

impl Shown {
    /// Every state.
    pub const ALL: [Shown; 4] = [Shown::Empty, Shown::Reading, Shown::Loaded, Shown::Refused];

    /// The value of `data-state`.
    pub const fn key(self) -> &'static str {
        match self {
            Shown::Empty => "empty",
            Shown::Reading => "reading",
            Shown::Loaded => "loaded",
            Shown::Refused => "refused",
        }
    }
}

/// Why a file of `bytes` bytes is refused before it is even read, if it is.
pub fn refuse_size(bytes: f64) -> Option<String> {
    (bytes > MAX_BYTES as f64).then(|| {
        format!(
            "The file is {:.1} MiB; this page reads files of up to {} MiB (every event is held \
             in the page's memory while it is read).",
            bytes / MIB,
            MAX_BYTES as f64 / MIB
        )
    })
}

const MIB: f64 = 1024.0 * 1024.0;

/// One event as written: every field kept as JSON until checked, so that a wrong type is
/// refused with the event's number and the field's name.
#[derive(Deserialize, Default)]
struct RawEvent {
    ph: Option<Value>,
    name: Option<Value>,
    cat: Option<Value>,
    ts: Option<Value>,
    dur: Option<Value>,
    pid: Option<Value>,
    tid: Option<Value>,
    args: Option<Value>,
}

/// The events, refusing to read past [`MAX_EVENTS`] (a small file can hold millions of
/// empty events, each of which would take memory).
struct Events(Vec<RawEvent>);

impl<'de> Deserialize<'de> for Events {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Events;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of trace events")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Events, A::Error> {
                let mut out = Vec::new();
                while let Some(e) = seq.next_element::<EventOrJunk>()? {
                    if out.len() == MAX_EVENTS {
                        return Err(de::Error::custom(TOO_MANY));
                    }
                    out.push(e.0);
                }
                Ok(Events(out))
            }
        }
        d.deserialize_seq(V)
    }
}

const TOO_MANY: &str = "too many events";

/// An element of the events' array: an object is an event; anything else is an error
/// naming what it was.
struct EventOrJunk(RawEvent);

impl<'de> Deserialize<'de> for EventOrJunk {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EventOrJunk;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an event (a JSON object)")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<EventOrJunk, A::Error> {
                RawEvent::deserialize(de::value::MapAccessDeserializer::new(map)).map(EventOrJunk)
            }
        }
        d.deserialize_any(V)
    }
}

/// The object form: `{"traceEvents": [...], ...}`; other keys are skipped unread.
#[derive(Deserialize)]
struct ObjectForm {
    #[serde(rename = "traceEvents")]
    trace_events: Option<Events>,
}

/// A lane's identity: its process and thread ids as written (numbers or strings).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Id {
    Num(i64),
    Text(String),
}

impl Id {
    fn shown(&self) -> String {
        match self {
            Id::Num(n) => n.to_string(),
            Id::Text(s) => s.clone(),
        }
    }
}

/// How a segment's kind was decided, for the notes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum How {
    /// Its category is one of the kinds' own words.
    Category,
    /// A word of its category or name.
    Word,
    /// Nothing said: computing.
    Default,
}

/// The kind of a segment with category `cat` and name `name`, and how it was decided.
///
/// Categories this site writes (`loading`, `rendering`, ...) and `tools/pytrace.py` writes
/// (`waiting`, `computing`, ...) decide alone; else words of the category, then of the
/// name, are looked up (a lock before a wait: "wait for lock" is blocked on a lock).
pub fn phase_for(cat: &str, name: &str) -> Phase {
    kind_of(cat, name).0
}

fn kind_of(cat: &str, name: &str) -> (Phase, How) {
    let exact = |c: &str| match c {
        "loading" | "waiting" | "io" | "sleep" => Some(Phase::Loading),
        "rendering" | "computing" | "running" | "cpu" => Some(Phase::Rendering),
        "starting" | "startup" => Some(Phase::Starting),
        "blocked" | "lock" | "gil" => Some(Phase::Blocked),
        "handoff" => Some(Phase::Handoff),
        _ => None,
    };
    let c = cat.trim().to_ascii_lowercase();
    if let Some(p) = exact(&c) {
        return (p, How::Category);
    }
    for text in [c.as_str(), &name.to_ascii_lowercase()] {
        let words: Vec<&str> =
            text.split(|ch: char| !ch.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let any = |list: &[&str]| words.iter().any(|w| list.contains(w));
        if any(BLOCKED_WORDS) {
            return (Phase::Blocked, How::Word);
        }
        if any(STARTING_WORDS) {
            return (Phase::Starting, How::Word);
        }
        if any(HANDOFF_WORDS) {
            return (Phase::Handoff, How::Word);
        }
        if any(WAITING_WORDS) {
            return (Phase::Loading, How::Word);
        }
    }
    (Phase::Rendering, How::Default)
}

/// Words that say a thread is held back by a lock (or CPython's global lock).
const BLOCKED_WORDS: &[&str] =
    &["lock", "locked", "acquire", "mutex", "semaphore", "gil", "blocked", "contended", "futex", "rlock"];
/// Words that say a thread, worker or process is starting.
const STARTING_WORDS: &[&str] =
    &["starting", "startup", "spawn", "fork", "forkserver", "bootstrap", "launch"];
/// Words that say data is handed to another process.
const HANDOFF_WORDS: &[&str] =
    &["handoff", "pickle", "unpickle", "serialize", "serialise", "deserialize", "postmessage", "ipc"];
/// Words that say a lane waits without computing: sleeps, I/O, joins, queues.
const WAITING_WORDS: &[&str] = &[
    "wait", "waiting", "sleep", "sleeping", "io", "read", "write", "recv", "select", "poll", "epoll",
    "accept", "connect", "socket", "fetch", "download", "network", "http", "join", "idle", "loading",
    "await", "input",
];

/// Refuses with a sentence that names the event.
fn bad(i: usize, what: impl fmt::Display) -> String {
    format!("Event {i} (counting from 0) {what}; the file is not read.")
}

fn number(i: usize, field: &str, v: Option<&Value>) -> Result<Option<f64>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if x.is_finite() && x.abs() <= MAX_MICROS => Ok(Some(x)),
            _ => Err(bad(i, format!("has a {field} of {n}, beyond any time this page can draw"))),
        },
        Some(other) => Err(bad(i, format!("has a {field} that is {}, not a number", type_name(other)))),
    }
}

fn text<'a>(i: usize, field: &str, v: Option<&'a Value>) -> Result<&'a str, String> {
    match v {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(bad(i, format!("has a {field} that is {}, not a string", type_name(other)))),
    }
}

fn id(i: usize, field: &str, v: Option<&Value>) -> Result<Id, String> {
    match v {
        None | Some(Value::Null) => Ok(Id::Num(0)),
        Some(Value::String(s)) => Ok(Id::Text(s.clone())),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(x) => Ok(Id::Num(x)),
            None => Err(bad(i, format!("has a {field} of {n}, not a whole number"))),
        },
        Some(other) => {
            Err(bad(i, format!("has a {field} that is {}, not a number or a string", type_name(other))))
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A drawn event, once checked: its span in microseconds as written.
struct Span {
    start: f64,
    end: f64,
    phase: Phase,
    task: Option<u64>,
    /// Its order in the file, which breaks ties between events that start together: the
    /// later one is inside (a begin written after another at the same instant).
    seq: usize,
}

/// A begin event not yet ended: its time, its place in the file, its kind and task.
type Open = (f64, usize, Phase, Option<u64>);

/// What the metadata events say about a process or thread.
#[derive(Default)]
struct Names {
    name: Option<String>,
    sort_index: Option<i64>,
    kind: Option<LaneKind>,
    strategy: Option<Strategy>,
    cores: Option<u32>,
}

/// Reads a trace in Chrome's Trace Event Format (see the module's documentation).
pub fn from_chrome_trace(text_in: &str) -> Result<Imported, String> {
    if let Some(why) = refuse_size(text_in.len() as f64) {
        return Err(why);
    }
    let events = parse(text_in)?;
    build(&events)
}

fn parse(text_in: &str) -> Result<Vec<RawEvent>, String> {
    let explain = |e: serde_json::Error| {
        let s = e.to_string();
        if s.contains(TOO_MANY) {
            format!(
                "The file holds more than {MAX_EVENTS} events, more than this page reads; trace a \
                 shorter run, or fewer calls."
            )
        } else if s.contains("recursion limit") {
            format!(
                "The file nests JSON more deeply than this page reads ({s}); a trace's events are \
                 flat objects."
            )
        } else {
            format!("The file is not a trace in Chrome's format: {s}.")
        }
    };
    match text_in.trim_start_matches('\u{feff}').trim_start().chars().next() {
        Some('[') => serde_json::from_str::<Events>(text_in.trim_start_matches('\u{feff}'))
            .map(|e| e.0)
            .map_err(explain),
        Some('{') => {
            let o: ObjectForm =
                serde_json::from_str(text_in.trim_start_matches('\u{feff}')).map_err(explain)?;
            o.trace_events.map(|e| e.0).ok_or_else(|| {
                "The file is a JSON object without \"traceEvents\": not a trace in Chrome's format \
                 (this site's own JSON export is another format; export \"Perfetto\" instead)."
                    .to_string()
            })
        }
        None => Err("The file is empty.".into()),
        Some(c) => Err(format!(
            "The file starts with {c:?}: a trace in Chrome's format starts with '[' or '{{' (it is JSON)."
        )),
    }
}

fn build(events: &[RawEvent]) -> Result<Imported, String> {
    let mut processes: HashMap<Id, Names> = HashMap::new();
    let mut threads: HashMap<(Id, Id), Names> = HashMap::new();
    let mut spans: HashMap<(Id, Id), Vec<Span>> = HashMap::new();
    // First appearance of each lane, to order lanes that no sort index orders.
    let mut first_seen: HashMap<(Id, Id), usize> = HashMap::new();
    let mut open: HashMap<(Id, Id), Vec<Open>> = HashMap::new();
    let mut ignored: BTreeMap<String, usize> = BTreeMap::new();
    let (mut unmatched_ends, mut by_category, mut by_word, mut by_default) = (0usize, 0usize, 0usize, 0usize);
    let mut last_ts = f64::NEG_INFINITY;

    for (i, e) in events.iter().enumerate() {
        let ph = match e.ph.as_ref() {
            Some(Value::String(s)) => s.as_str(),
            None => return Err(bad(i, "has no \"ph\" (its kind)")),
            Some(other) => {
                return Err(bad(i, format!("has a ph that is {}, not a string", type_name(other))))
            }
        };
        let pid = id(i, "pid", e.pid.as_ref())?;
        let tid = id(i, "tid", e.tid.as_ref())?;
        let ts = number(i, "ts", e.ts.as_ref())?;
        if let Some(ts) = ts {
            last_ts = last_ts.max(ts);
        }
        match ph {
            "M" => {
                let name = text(i, "name", e.name.as_ref())?;
                let args = match e.args.as_ref() {
                    Some(Value::Object(m)) => m,
                    None | Some(Value::Null) => continue,
                    Some(other) => {
                        return Err(bad(i, format!("has args that are {}, not an object", type_name(other))))
                    }
                };
                let target = match name {
                    "process_name" | "process_sort_index" => processes.entry(pid).or_default(),
                    "thread_name" | "thread_sort_index" => threads.entry((pid, tid)).or_default(),
                    _ => continue,
                };
                if name.ends_with("_name") {
                    if let Some(Value::String(s)) = args.get("name") {
                        target.name = Some(s.chars().take(120).collect());
                    }
                    if let Some(Value::String(k)) = args.get("lane_kind") {
                        target.kind = LaneKind::from_key(k);
                    }
                    if let Some(Value::String(k)) = args.get("strategy") {
                        target.strategy = Strategy::from_key(k);
                    }
                    if let Some(c) = args.get("cores").and_then(Value::as_u64) {
                        target.cores = (1..=4096).contains(&c).then_some(c as u32);
                    }
                } else if let Some(s) = args.get("sort_index").and_then(Value::as_i64) {
                    target.sort_index = Some(s);
                }
            }
            "X" | "B" | "E" => {
                let Some(ts) = ts else { return Err(bad(i, format!("({ph}) has no ts (its time)"))) };
                let key = (pid, tid);
                let n = first_seen.len();
                first_seen.entry(key.clone()).or_insert(n);
                if first_seen.len() > MAX_LANES {
                    return Err(format!(
                        "The file has more than {MAX_LANES} threads and processes with events, more \
                         lanes than this page can draw readably."
                    ));
                }
                let task = match e.args.as_ref() {
                    Some(Value::Object(m)) => {
                        m.get("task").and_then(Value::as_u64).filter(|&t| t < MAX_EVENTS as u64)
                    }
                    _ => None,
                };
                let (phase, how) = if ph == "E" {
                    (Phase::Rendering, How::Default)
                } else {
                    kind_of(text(i, "cat", e.cat.as_ref())?, text(i, "name", e.name.as_ref())?)
                };
                match ph {
                    "X" => {
                        let Some(dur) = number(i, "dur", e.dur.as_ref())? else {
                            return Err(bad(i, "(X, a complete event) has no dur (its duration)"));
                        };
                        if dur < 0.0 {
                            return Err(bad(i, format!("lasts {dur} µs: a negative duration")));
                        }
                        last_ts = last_ts.max(ts + dur);
                        count(how, &mut by_category, &mut by_word, &mut by_default);
                        spans.entry(key).or_default().push(Span {
                            start: ts,
                            end: ts + dur,
                            phase,
                            task,
                            seq: i,
                        });
                    }
                    "B" => {
                        let stack = open.entry(key.clone()).or_default();
                        if stack.len() == MAX_DEPTH {
                            let lane = format!("{}/{}", key.0.shown(), key.1.shown());
                            return Err(format!(
                                "Begin events nest more than {MAX_DEPTH} deep on lane {lane} (event {i}); \
                                 this page draws what a lane does, not every call of a deep recursion."
                            ));
                        }
                        count(how, &mut by_category, &mut by_word, &mut by_default);
                        stack.push((ts, i, phase, task));
                    }
                    _ => match open.get_mut(&key).and_then(Vec::pop) {
                        Some((start, seq, phase, task)) => {
                            if ts < start {
                                return Err(bad(
                                    i,
                                    format!("ends at {ts} µs, before its begin (event {seq}) at {start} µs: a negative duration"),
                                ));
                            }
                            spans.entry(key).or_default().push(Span { start, end: ts, phase, task, seq });
                        }
                        None => unmatched_ends += 1,
                    },
                }
            }
            other => *ignored.entry(other.chars().take(8).collect()).or_default() += 1,
        }
    }

    let mut notes = Vec::new();
    // Begins never ended are drawn to the trace's last moment, as trace viewers do.
    let mut unended = 0;
    for (key, stack) in open {
        for (start, seq, phase, task) in stack {
            unended += 1;
            spans.entry(key.clone()).or_default().push(Span {
                start,
                end: last_ts.max(start),
                phase,
                task,
                seq,
            });
        }
    }

    let drawn: usize = spans.values().map(Vec::len).sum();
    if drawn == 0 {
        return Err(format!(
            "The file holds {} events but none this page draws: it draws complete events (\"ph\": \"X\") \
             and begin/end pairs (\"B\", \"E\").",
            events.len()
        ));
    }

    // Times: kept when the trace starts near zero (within its own length), as this site's and
    // tools/pytrace.py's files do; else shifted so that the first event starts at zero (a
    // tracer that writes its machine's clock).
    let first = spans.values().flatten().map(|s| s.start).fold(f64::INFINITY, f64::min);
    let last = spans.values().flatten().map(|s| s.end).fold(f64::NEG_INFINITY, f64::max);
    let origin = if first >= 0.0 && first <= last - first { 0.0 } else { first };
    if origin != 0.0 {
        notes.push(format!(
            "Times are shifted by {} so that the first event starts at zero.",
            cvp_duration(origin / 1000.0)
        ));
    }

    // Lanes in order: processes by sort index, then id; threads likewise within each.
    let proc_order = |p: &Id| (processes.get(p).and_then(|n| n.sort_index).unwrap_or(0), p.clone());
    let mut keys: Vec<(Id, Id)> = spans.keys().cloned().collect();
    keys.sort_by_cached_key(|k| {
        (proc_order(&k.0), threads.get(k).and_then(|n| n.sort_index).unwrap_or(0), k.1.clone(), first_seen[k])
    });
    let mut pids: Vec<&Id> = keys.iter().map(|k| &k.0).collect();
    pids.dedup();
    let many_processes = pids.len() > 1;
    let per_process = |p: &Id| keys.iter().filter(|k| &k.0 == p).count();

    let mut overlapped = 0;
    let mut lanes = Vec::with_capacity(keys.len());
    let mut task_ids = Vec::new();
    for key in &keys {
        let mut list = spans.remove(key).unwrap_or_default();
        let (segments, nested) = flatten(&mut list, origin);
        overlapped += usize::from(nested);
        task_ids.extend(segments.iter().filter_map(|s| s.0));
        let thread = threads.get(key);
        let process = processes.get(&key.0);
        let thread_label =
            thread.and_then(|n| n.name.clone()).unwrap_or_else(|| format!("thread {}", key.1.shown()));
        let label = if many_processes {
            let p =
                process.and_then(|n| n.name.clone()).unwrap_or_else(|| format!("process {}", key.0.shown()));
            format!("{p} · {thread_label}")
        } else {
            thread_label
        };
        let kind = thread.and_then(|n| n.kind).unwrap_or(if many_processes && per_process(&key.0) == 1 {
            LaneKind::Process
        } else {
            LaneKind::Thread
        });
        lanes.push((kind, label, segments));
    }

    // Task ids as written, renumbered densely in their order (this site's own are already
    // 0, 1, 2...): every record then has segments.
    task_ids.sort_unstable();
    task_ids.dedup();
    let renumber: HashMap<u64, u32> = task_ids.iter().enumerate().map(|(i, &t)| (t, i as u32)).collect();
    let lanes: Vec<Lane> = lanes
        .into_iter()
        .map(|(kind, label, segs)| Lane {
            kind,
            label,
            segments: segs
                .into_iter()
                .map(|(task, phase, start, end)| Segment {
                    task: task.map(|t| renumber[&t]),
                    phase,
                    start,
                    end,
                })
                .collect(),
        })
        .collect();

    let named_strategy = match pids.as_slice() {
        [one] => processes.get(*one).and_then(|n| n.strategy),
        _ => None,
    };
    let strategy = named_strategy.unwrap_or_else(|| {
        if many_processes {
            Strategy::Processes
        } else if lanes.iter().any(|l| l.kind == LaneKind::Coroutine) {
            Strategy::Async
        } else if lanes.len() > 1 {
            Strategy::Threads
        } else {
            Strategy::Sync
        }
    });
    let named_cores = pids.iter().filter_map(|p| processes.get(*p).and_then(|n| n.cores)).max();
    let mut trace = Trace::new(strategy, 1);
    trace.lanes = lanes;
    trace.tasks = vec![];
    for (li, lane) in trace.lanes.iter().enumerate() {
        for s in &lane.segments {
            let Some(t) = s.task else { continue };
            let t = t as usize;
            if trace.tasks.len() <= t {
                trace.tasks.resize(
                    t + 1,
                    TaskRecord { id: 0, lane: u32::MAX, start: f64::INFINITY, end: 0.0, value: None },
                );
            }
            let r = &mut trace.tasks[t];
            if r.lane == u32::MAX {
                r.lane = li as u32;
            }
            r.start = r.start.min(s.start);
            r.end = r.end.max(s.end);
        }
    }
    for (i, r) in trace.tasks.iter_mut().enumerate() {
        r.id = i as u32;
    }
    trace.close();
    trace.cores = match named_cores {
        Some(c) => c,
        None => {
            let most = trace.max_cpu_overlap().max(1) as u32;
            notes.push(format!(
                "The file does not say how many cores ran it: \"CPU busy\" counts against {most}, the most \
                 lanes computing at one moment."
            ));
            most
        }
    };
    trace.validate().map_err(|e| format!("The file gave an inconsistent trace ({e})."))?;

    let segments = trace.segments().count();
    notes.insert(
        0,
        format!(
            "Read {} events: {} lane{}, {} segment{}, {} long.",
            events.len(),
            trace.lanes.len(),
            plural(trace.lanes.len()),
            segments,
            plural(segments),
            cvp_duration(trace.makespan)
        ),
    );
    let mut kinds = Vec::new();
    if by_category > 0 {
        kinds.push(format!("{by_category} by their category"));
    }
    if by_word > 0 {
        kinds.push(format!("{by_word} by a word of their category or name (sleep, lock, recv...)"));
    }
    if by_default > 0 {
        kinds.push(format!("{by_default} with nothing to tell drawn as computing"));
    }
    notes.push(format!("Kinds of the events read: {}.", kinds.join(", ")));
    if overlapped > 0 {
        notes.push(format!(
            "Events nest or overlap on {overlapped} lane{}: each moment shows the innermost.",
            plural(overlapped)
        ));
    }
    if unmatched_ends > 0 {
        notes.push(format!(
            "{unmatched_ends} end event{} (\"E\") matched no begin and were left out.",
            plural(unmatched_ends)
        ));
    }
    if unended > 0 {
        notes.push(format!(
            "{unended} begin event{} (\"B\") never ended: drawn until the trace's last moment.",
            plural(unended)
        ));
    }
    if !ignored.is_empty() {
        let total: usize = ignored.values().sum();
        let kinds: Vec<String> = ignored.iter().map(|(k, n)| format!("{n} \"{k}\"")).collect();
        notes.push(format!(
            "Left out {total} event{} of kinds this page does not draw: {}.",
            plural(total),
            kinds.join(", ")
        ));
    }
    Ok(Imported { trace, notes })
}

fn count(how: How, category: &mut usize, word: &mut usize, default: &mut usize) {
    match how {
        How::Category => *category += 1,
        How::Word => *word += 1,
        How::Default => *default += 1,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A duration in words, as the page shows them (the renderer's rule, kept here so that the
/// model stays free of it).
fn cvp_duration(ms: f64) -> String {
    if ms.abs() < 10.0 {
        format!("{ms:.1} ms")
    } else if ms.abs() < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

type Piece = (Option<u64>, Phase, f64, f64);

/// A lane's spans (µs) as segments (ms from `origin`) one after another, and whether any
/// overlapped. Spans already in order pass as they are (zero-length ones too, so that this
/// site's exports read back exactly); overlapping ones show, at each moment, the one that
/// started last (the innermost of nested ones).
fn flatten(list: &mut [Span], origin: f64) -> (Vec<Piece>, bool) {
    list.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.seq.cmp(&b.seq)));
    let ms = |us: f64| (us - origin) / 1000.0;
    // A nanosecond's overlap is rounding (a start written as `ts` and an end as `ts + dur`).
    if list.windows(2).all(|w| w[1].start >= w[0].end - 1e-3) {
        let mut pieces: Vec<Piece> = Vec::with_capacity(list.len());
        for s in list.iter() {
            let start = pieces.last().map_or(ms(s.start), |p| ms(s.start).max(p.3));
            pieces.push((s.task, s.phase, start, ms(s.end).max(start)));
        }
        return (pieces, false);
    }
    // A sweep over every start and end: the span shown is the open one that started last.
    let mut bounds: Vec<f64> = list.iter().flat_map(|s| [s.start, s.end]).collect();
    bounds.sort_by(f64::total_cmp);
    bounds.dedup();
    let mut heap: BinaryHeap<(OrdF64, usize, usize)> = BinaryHeap::new();
    let mut next = 0;
    let mut out: Vec<Piece> = Vec::new();
    for w in bounds.windows(2) {
        let (a, b) = (w[0], w[1]);
        while next < list.len() && list[next].start <= a {
            heap.push((OrdF64(list[next].start), list[next].seq, next));
            next += 1;
        }
        while heap.peek().is_some_and(|&(_, _, k)| list[k].end <= a) {
            heap.pop();
        }
        // Spans that ended under the top are dropped when they surface.
        let Some(&(_, _, k)) = heap.peek() else { continue };
        let s = &list[k];
        match out.last_mut() {
            Some(last) if last.0 == s.task && last.1 == s.phase && last.3 == ms(a) => last.3 = ms(b),
            _ => out.push((s.task, s.phase, ms(a), ms(b))),
        }
    }
    (out, true)
}

/// An f64 ordered by `total_cmp`, for the sweep's heap.
#[derive(Clone, Copy, PartialEq)]
struct OrdF64(f64);
impl Eq for OrdF64 {}
impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for OrdF64 {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{to_chrome_trace, Panel};
    use crate::sim::{simulate, SimConfig};
    use crate::workload::WorkloadSpec;
    use serde_json::json;

    fn read(events: Value) -> Imported {
        from_chrome_trace(&events.to_string()).unwrap_or_else(|e| panic!("{e}\n{events}"))
    }

    fn refused(text: &str) -> String {
        from_chrome_trace(text).expect_err("should be refused")
    }

    fn x(pid: i64, tid: i64, name: &str, cat: &str, ts: f64, dur: f64) -> Value {
        json!({"ph": "X", "pid": pid, "tid": tid, "name": name, "cat": cat, "ts": ts, "dur": dur})
    }

    fn spans(lane: &Lane) -> Vec<(Phase, f64, f64)> {
        lane.segments.iter().map(|s| (s.phase, s.start, s.end)).collect()
    }

    #[test]
    fn complete_events_become_segments_in_milliseconds() {
        let got = read(json!([
            x(1, 7, "compute", "", 0.0, 2000.0),
            x(1, 7, "time.sleep", "", 2000.0, 3000.0),
            x(1, 7, "lock acquire", "", 5000.0, 500.0),
        ]));
        let t = &got.trace;
        assert_eq!(t.lanes.len(), 1);
        assert_eq!(t.lanes[0].label, "thread 7");
        assert_eq!(
            spans(&t.lanes[0]),
            [(Phase::Rendering, 0.0, 2.0), (Phase::Loading, 2.0, 5.0), (Phase::Blocked, 5.0, 5.5)]
        );
        assert_eq!((t.makespan, t.strategy), (5.5, Strategy::Sync));
        assert!(got.notes[0].starts_with("Read 3 events: 1 lane, 3 segments"), "{:?}", got.notes);
        // The object form reads the same.
        let object =
            read(json!({"traceEvents": [x(1, 7, "compute", "", 0.0, 2000.0)], "displayTimeUnit": "ms"}));
        assert_eq!(spans(&object.trace.lanes[0]), [(Phase::Rendering, 0.0, 2.0)]);
    }

    #[test]
    fn begin_end_pairs_match_last_in_first_out_and_the_innermost_shows() {
        let b = |name: &str, ts: f64| json!({"ph": "B", "pid": 1, "tid": 1, "name": name, "ts": ts});
        let e = |ts: f64| json!({"ph": "E", "pid": 1, "tid": 1, "ts": ts});
        let got = read(json!([
            b("main", 0.0),
            b("sleep", 1000.0),
            e(3000.0),
            b("acquire", 4000.0),
            e(4500.0),
            e(6000.0)
        ]));
        assert_eq!(
            spans(&got.trace.lanes[0]),
            [
                (Phase::Rendering, 0.0, 1.0),
                (Phase::Loading, 1.0, 3.0),
                (Phase::Rendering, 3.0, 4.0),
                (Phase::Blocked, 4.0, 4.5),
                (Phase::Rendering, 4.5, 6.0),
            ]
        );
        assert!(got.notes.iter().any(|n| n.contains("innermost")), "{:?}", got.notes);
        // Nested complete events too.
        let got = read(json!([x(1, 1, "outer", "", 0.0, 10_000.0), x(1, 1, "read", "", 2000.0, 1000.0)]));
        assert_eq!(
            spans(&got.trace.lanes[0]),
            [(Phase::Rendering, 0.0, 2.0), (Phase::Loading, 2.0, 3.0), (Phase::Rendering, 3.0, 10.0)]
        );
    }

    #[test]
    fn unmatched_ends_are_left_out_and_unended_begins_run_to_the_end() {
        let got = read(json!([
            {"ph": "E", "pid": 1, "tid": 1, "ts": 500.0},
            {"ph": "B", "pid": 1, "tid": 1, "name": "work", "ts": 1000.0},
            {"ph": "E", "pid": 1, "tid": 1, "ts": 2000.0},
            {"ph": "E", "pid": 1, "tid": 2, "ts": 2500.0},
            {"ph": "B", "pid": 1, "tid": 1, "name": "sleep", "ts": 3000.0},
            x(1, 3, "other", "", 0.0, 9000.0),
        ]));
        let t = &got.trace;
        assert_eq!(t.lanes.len(), 2, "an unmatched end alone makes no lane");
        assert_eq!(spans(&t.lanes[0]), [(Phase::Rendering, 1.0, 2.0), (Phase::Loading, 3.0, 9.0)]);
        assert!(
            got.notes.iter().any(|n| n.starts_with("2 end events (\"E\") matched no begin")),
            "{:?}",
            got.notes
        );
        assert!(
            got.notes.iter().any(|n| n.starts_with("1 begin event (\"B\") never ended")),
            "{:?}",
            got.notes
        );
    }

    #[test]
    fn threads_and_processes_are_lanes_named_by_their_metadata() {
        let got = read(json!([
            {"ph": "M", "name": "process_name", "pid": 20, "args": {"name": "worker"}},
            {"ph": "M", "name": "process_name", "pid": 10, "args": {"name": "main"}},
            {"ph": "M", "name": "thread_name", "pid": 10, "tid": 2, "args": {"name": "Thread-1"}},
            {"ph": "M", "name": "thread_sort_index", "pid": 10, "tid": 2, "args": {"sort_index": -1}},
            x(20, 1, "fib", "", 0.0, 1000.0),
            x(10, 1, "join", "", 0.0, 1000.0),
            x(10, 2, "fib", "", 0.0, 1000.0),
            {"ph": "i", "pid": 10, "tid": 1, "ts": 5.0, "name": "mark"},
            {"ph": "C", "pid": 10, "ts": 5.0, "name": "memory", "args": {"rss": 3}},
        ]));
        let t = &got.trace;
        let labels: Vec<(&str, LaneKind)> = t.lanes.iter().map(|l| (l.label.as_str(), l.kind)).collect();
        assert_eq!(
            labels,
            [
                ("main · Thread-1", LaneKind::Thread),
                ("main · thread 1", LaneKind::Thread),
                ("worker · thread 1", LaneKind::Process)
            ]
        );
        assert_eq!(t.strategy, Strategy::Processes);
        assert_eq!(t.lanes[1].segments[0].phase, Phase::Loading);
        assert!(
            got.notes.iter().any(|n| n.contains("Left out 2 events") && n.contains("1 \"C\", 1 \"i\"")),
            "{:?}",
            got.notes
        );
        assert!(got.notes.iter().any(|n| n.contains("counts against 2")), "{:?}", got.notes);
        assert_eq!(t.cores, 2, "two lanes compute at once; the third waits");
        // Threads of one process: no prefix, and the strategy says threads.
        let got = read(json!([x(1, 1, "a", "", 0.0, 1.0), x(1, 2, "b", "", 0.0, 1.0)]));
        assert_eq!(got.trace.strategy, Strategy::Threads);
        assert_eq!(got.trace.lanes[1].label, "thread 2");
        // String ids are lanes too.
        let got = read(json!([{"ph": "X", "pid": "p", "tid": "main", "ts": 0, "dur": 5}]));
        assert_eq!(got.trace.lanes[0].label, "thread main");
    }

    #[test]
    fn the_viewers_states_are_the_attributes_contract() {
        let keys: Vec<_> = Shown::ALL.iter().map(|s| s.key()).collect();
        assert_eq!(keys, ["empty", "reading", "loaded", "refused"]);
    }

    #[test]
    fn kinds_come_from_categories_then_words_else_computing() {
        assert_eq!(phase_for("waiting", "fib"), Phase::Loading);
        assert_eq!(
            phase_for("rendering", "sleep"),
            Phase::Rendering,
            "a category of the site's decides alone"
        );
        assert_eq!(phase_for("", "time.sleep"), Phase::Loading);
        assert_eq!(phase_for("", "socket.recv"), Phase::Loading);
        assert_eq!(phase_for("", "Thread.join"), Phase::Loading);
        assert_eq!(phase_for("", "wait for lock"), Phase::Blocked, "a lock before a wait");
        assert_eq!(phase_for("threading", "Lock.acquire"), Phase::Blocked);
        assert_eq!(phase_for("", "spawn worker"), Phase::Starting);
        assert_eq!(phase_for("", "pickle result"), Phase::Handoff);
        assert_eq!(phase_for("", "clock_tick"), Phase::Rendering, "words, not letters: clock is no lock");
        assert_eq!(phase_for("", "fib(30)"), Phase::Rendering);
        assert_eq!(phase_for("Blocked", ""), Phase::Blocked);
    }

    #[test]
    fn absolute_clocks_are_shifted_to_start_at_zero() {
        let got = read(json!([x(1, 1, "a", "", 1.7e12, 1000.0), x(1, 1, "b", "", 1.7e12 + 2000.0, 1000.0)]));
        assert_eq!(spans(&got.trace.lanes[0]), [(Phase::Rendering, 0.0, 1.0), (Phase::Rendering, 2.0, 3.0)]);
        assert!(got.notes.iter().any(|n| n.starts_with("Times are shifted")), "{:?}", got.notes);
        let got = read(json!([x(1, 1, "a", "", -500.0, 1000.0)]));
        assert_eq!(spans(&got.trace.lanes[0]), [(Phase::Rendering, 0.0, 1.0)]);
    }

    #[test]
    fn hostile_files_are_refused_with_their_reason() {
        let one = |e: Value| refused(&json!([e]).to_string());
        assert!(one(json!({"ph": "X", "ts": "12", "dur": 1})).contains("ts that is a string, not a number"));
        assert!(one(json!({"ph": 3, "ts": 1, "dur": 1})).contains("ph that is a number"));
        assert!(one(json!({"ts": 1, "dur": 1})).contains("no \"ph\""));
        assert!(one(json!({"ph": "X", "ts": 1, "dur": 1, "pid": {}})).contains("pid that is an object"));
        assert!(
            one(json!({"ph": "X", "ts": 1, "dur": 1, "tid": 1.5})).contains("tid of 1.5, not a whole number")
        );
        assert!(one(json!({"ph": "X", "ts": 1, "dur": -5})).contains("negative duration"));
        assert!(one(json!({"ph": "X", "ts": 1})).contains("no dur"));
        assert!(one(json!({"ph": "X", "ts": 1e300, "dur": 1})).contains("beyond any time"));
        assert!(one(json!({"ph": "X", "ts": 1, "dur": 1, "name": ["a"]})).contains("name that is an array"));
        assert!(
            one(json!({"ph": "M", "name": "thread_name", "args": [1]})).contains("args that are an array")
        );
        let ends_first = json!([{"ph": "B", "ts": 10, "name": "a"}, {"ph": "E", "ts": 5}]);
        assert!(refused(&ends_first.to_string()).contains("before its begin"));
        // What JSON cannot say, or says wrongly.
        assert!(refused(r#"[{"ph": "X", "ts": NaN, "dur": 1}]"#).contains("not a trace"));
        assert!(refused(r#"[{"ph": "X", "ts": 1e400, "dur": 1}]"#).contains("not a trace"));
        assert!(refused(r#"[1, 2]"#).contains("not a trace"));
        assert!(refused(r#"[{"ph": "X", "ts": 1, "dur": 1}"#).contains("not a trace"));
        assert!(refused("").contains("empty"));
        assert!(refused("hello").contains("starts with 'h'"));
        assert!(refused(r#"{"schema": "cvp-trace"}"#).contains("without \"traceEvents\""));
        assert!(refused(r#"[{"ph": "i", "ts": 1}]"#).contains("none this page draws"));
        // Deep nesting, of JSON and of begins.
        let deep =
            format!(r#"[{{"ph": "X", "ts": 1, "dur": 1, "args": {}1{}}}]"#, "[".repeat(500), "]".repeat(500));
        assert!(refused(&deep).contains("nests JSON more deeply"), "{}", refused(&deep));
        let begins: Vec<Value> = (0..=MAX_DEPTH).map(|i| json!({"ph": "B", "ts": i, "name": "f"})).collect();
        assert!(
            refused(&Value::from(begins).to_string()).contains(&format!("nest more than {MAX_DEPTH} deep"))
        );
        let fine: Vec<Value> = (0..MAX_DEPTH).map(|i| json!({"ph": "B", "ts": i, "name": "f"})).collect();
        assert!(from_chrome_trace(&Value::from(fine).to_string()).is_ok());
    }

    #[test]
    fn huge_files_are_refused_before_they_fill_the_memory() {
        let events = format!("[{}{{}}]", "{},".repeat(MAX_EVENTS));
        assert!(refused(&events).contains(&format!("more than {MAX_EVENTS} events")));
        let lanes: Vec<Value> = (0..=MAX_LANES as i64).map(|t| x(1, t, "a", "", 0.0, 1.0)).collect();
        assert!(refused(&Value::from(lanes).to_string()).contains(&format!("more than {MAX_LANES} threads")));
        let lanes: Vec<Value> = (0..MAX_LANES as i64).map(|t| x(1, t, "a", "", 0.0, 1.0)).collect();
        assert_eq!(read(Value::from(lanes)).trace.lanes.len(), MAX_LANES);
        let big = format!("[{}]", " ".repeat(MAX_BYTES));
        assert!(refused(&big).contains("reads files of up to 32 MiB"));
        assert!(refuse_size(MAX_BYTES as f64).is_none());
        assert!(refuse_size(MAX_BYTES as f64 + 1.0).is_some());
    }

    fn panel(strategy: Strategy) -> Panel {
        let tasks = WorkloadSpec::pixels(9, 4).draw();
        let cfg = SimConfig::limited(strategy, 3).with_cores(Some(2)).with_startup_ms(30.0);
        Panel { title: strategy.label().to_string(), trace: simulate(&tasks, &cfg) }
    }

    #[test]
    fn the_sites_own_export_reads_back_as_the_same_lanes_and_segments() {
        for s in Strategy::ALL {
            let p = panel(s);
            let got = from_chrome_trace(&to_chrome_trace(std::slice::from_ref(&p))).unwrap();
            let (a, b) = (&got.trace, &p.trace);
            assert_eq!(a.lanes.len(), b.lanes.len(), "{s:?}");
            for (la, lb) in a.lanes.iter().zip(&b.lanes) {
                assert_eq!((&la.label, la.kind), (&lb.label, lb.kind), "{s:?}");
                assert_eq!(la.segments.len(), lb.segments.len(), "{s:?} {}", lb.label);
                for (sa, sb) in la.segments.iter().zip(&lb.segments) {
                    assert_eq!((sa.task, sa.phase), (sb.task, sb.phase), "{s:?}");
                    assert!(
                        (sa.start - sb.start).abs() < 1e-9 && (sa.end - sb.end).abs() < 1e-9,
                        "{sa:?} {sb:?}"
                    );
                }
            }
            assert_eq!((a.strategy, a.cores), (b.strategy, b.cores), "{s:?}");
            assert_eq!(a.tasks.len(), b.tasks.len(), "{s:?}");
            for (ta, tb) in a.tasks.iter().zip(&b.tasks) {
                assert_eq!((ta.id, ta.lane), (tb.id, tb.lane), "{s:?}");
            }
            assert!((a.makespan - b.makespan).abs() < 1e-9, "{s:?}");
            assert!(
                got.notes.iter().all(|n| !n.contains("shifted") && !n.contains("cores ran")),
                "{:?}",
                got.notes
            );
        }
        // Several panels: every lane of every panel, named after its panel.
        let panels = [panel(Strategy::Sync), panel(Strategy::Threads)];
        let got = from_chrome_trace(&to_chrome_trace(&panels)).unwrap();
        let want: Vec<String> = panels
            .iter()
            .flat_map(|p| p.trace.lanes.iter().map(move |l| format!("{} · {}", p.title, l.label)))
            .collect();
        let labels: Vec<String> = got.trace.lanes.iter().map(|l| l.label.clone()).collect();
        assert_eq!(labels, want);
        let segs: Vec<Vec<(Phase, f64, f64)>> = got.trace.lanes.iter().map(spans).collect();
        let expected: Vec<Vec<(Phase, f64, f64)>> =
            panels.iter().flat_map(|p| p.trace.lanes.iter().map(spans)).collect();
        assert_eq!(segs, expected);
    }
}
