//! Real-run jobs: what the visitor (or an embedding page's URL) asks to run, checked and
//! bounded before anything runs, so that no URL can hang a visitor's tab.
//!
//! One parameter table drives URL parsing, clamping, the notices shown to the reader and
//! the README's documentation of the embedding API.

use crate::fib::fib_calls;
use crate::trace::Strategy;
use serde::{Deserialize, Serialize};

/// The two real workloads.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Workload {
    /// `tasks` calls of naive recursive fib(n): CPU-bound.
    Fib {
        /// Number of tasks.
        tasks: u32,
        /// Argument of each fib call.
        n: u32,
    },
    /// `tasks` simulated page fetches: a timer of `latency_ms` stands in for the network
    /// (there is none), then `parse_ms` of CPU work per page makes it mixed.
    Fetch {
        /// Number of pages.
        tasks: u32,
        /// Latency of each page (ms).
        latency_ms: f64,
        /// CPU "parse" cost of each page (ms); 0 for pure I/O.
        parse_ms: f64,
    },
}

impl Workload {
    /// Number of tasks.
    pub fn tasks(&self) -> u32 {
        match *self {
            Workload::Fib { tasks, .. } | Workload::Fetch { tasks, .. } => tasks,
        }
    }
}

/// A checked request to run a workload with a strategy.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// What to run.
    pub workload: Workload,
    /// How to run it.
    pub strategy: Strategy,
    /// Threads or processes to use (1 ..= the machine's hardware threads).
    pub threads: u32,
    /// Most coroutines in flight at once (fetch only); `None` means all at once.
    pub limit: Option<u32>,
}

/// One tunable number: its URL key, bounds and default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Param {
    /// URL key.
    pub key: &'static str,
    /// Smallest accepted value.
    pub min: f64,
    /// Largest accepted value.
    pub max: f64,
    /// Used when the URL has none (or nonsense).
    pub default: f64,
    /// One line for people: what it means.
    pub doc: &'static str,
}

/// Parameters of the fib widget. `threads` is bounded at run time by the machine.
pub const FIB_PARAMS: [Param; 3] = [
    Param { key: "tasks", min: 1.0, max: 64.0, default: 16.0, doc: "number of fib calls" },
    // fib(39) takes about 0.1 s in wasm on a 2020s laptop core: 16 of them, 1 to 3 s.
    Param { key: "n", min: 1.0, max: 42.0, default: 39.0, doc: "argument of each naive fib(n)" },
    Param {
        key: "threads",
        min: 1.0,
        max: 256.0,
        default: 0.0,
        doc: "threads or processes (0: all hardware threads)",
    },
];

/// Parameters of the fetch widget.
pub const FETCH_PARAMS: [Param; 5] = [
    Param { key: "tasks", min: 1.0, max: 1000.0, default: 50.0, doc: "number of simulated pages" },
    Param { key: "latency", min: 1.0, max: 5000.0, default: 500.0, doc: "latency of each page (ms)" },
    Param { key: "parse", min: 0.0, max: 200.0, default: 0.0, doc: "CPU cost to parse each page (ms)" },
    Param {
        key: "threads",
        min: 1.0,
        max: 256.0,
        default: 0.0,
        doc: "threads or processes (0: all hardware threads)",
    },
    Param {
        key: "limit",
        min: 0.0,
        max: 1000.0,
        default: 0.0,
        doc: "most pages in flight for async (0: no limit)",
    },
];

/// Total fib calls one job may make: 64 tasks of fib(40), about 20 s of work on one
/// laptop core, so that even the slowest strategy ends in reasonable time.
pub const MAX_FIB_CALLS: u64 = 64 * (2 * 165_580_141 - 1);

/// Something a URL asked for that was changed, in words for the reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice(pub String);

impl Param {
    /// Reads this parameter from a raw URL value: the default when missing, the default
    /// with a notice when not a number, clamped with a notice when out of range.
    pub fn read(&self, raw: Option<&str>, notices: &mut Vec<Notice>) -> f64 {
        let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
            return self.default;
        };
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                let c = v.clamp(self.min, self.max);
                if c != v {
                    notices.push(Notice(format!(
                        "{}={raw} is out of range {}..{}: using {c}",
                        self.key, self.min, self.max
                    )));
                }
                c
            }
            _ => {
                notices.push(Notice(format!("{}={raw:?} is not a number: using {}", self.key, self.default)));
                self.default
            }
        }
    }
}

/// The value for `key` in URL query pairs (the last one wins, as in `URLSearchParams`).
pub fn find<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

impl Job {
    /// Builds a job for `widget` (`fib` or `fetch`) from URL query pairs, on a machine
    /// with `hardware_threads`. Returns the job and what had to be changed.
    pub fn from_query(widget: &str, query: &[(String, String)], hardware_threads: u32) -> (Job, Vec<Notice>) {
        let mut notices = Vec::new();
        let hw = hardware_threads.max(1);
        let strategy = match find(query, "strategy") {
            None | Some("") => Strategy::Threads,
            Some(key) => Strategy::from_key(key).unwrap_or_else(|| {
                notices.push(Notice(format!(
                    "strategy={key:?} is unknown (sync, async, threads, processes, gil): using threads"
                )));
                Strategy::Threads
            }),
        };
        let params: &[Param] = if widget == "fetch" { &FETCH_PARAMS } else { &FIB_PARAMS };
        let get = |key: &str, notices: &mut Vec<Notice>| {
            let p = params.iter().find(|p| p.key == key).expect("key is in the table");
            p.read(find(query, key), notices)
        };
        let threads_asked = get("threads", &mut notices) as u32;
        let threads = if threads_asked == 0 { hw } else { threads_asked.min(hw) };
        if threads_asked > hw {
            notices.push(Notice(format!(
                "threads={threads_asked}: this machine has {hw} hardware threads, using {hw}"
            )));
        }
        let workload = if widget == "fetch" {
            Workload::Fetch {
                tasks: get("tasks", &mut notices) as u32,
                latency_ms: get("latency", &mut notices),
                parse_ms: get("parse", &mut notices),
            }
        } else {
            let n = get("n", &mut notices) as u32;
            let mut tasks = get("tasks", &mut notices) as u32;
            let most = (MAX_FIB_CALLS / fib_calls(n)).max(1) as u32;
            if tasks > most {
                notices.push(Notice(format!(
                    "{tasks} × fib({n}) is too much work for one run: using {most} tasks"
                )));
                tasks = most;
            }
            Workload::Fib { tasks, n }
        };
        let limit = match get_limit(query, widget, &mut notices) {
            0 => None,
            k => Some(k),
        };
        (Job { workload, strategy, threads, limit }, notices)
    }
}

fn get_limit(query: &[(String, String)], widget: &str, notices: &mut Vec<Notice>) -> u32 {
    if widget != "fetch" {
        return 0;
    }
    let p = FETCH_PARAMS.iter().find(|p| p.key == "limit").expect("limit is in the table");
    p.read(find(query, "limit"), notices) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_when_the_url_says_nothing() {
        let (job, notices) = Job::from_query("fib", &[], 4);
        assert!(notices.is_empty());
        assert_eq!(
            job,
            Job {
                workload: Workload::Fib { tasks: 16, n: 39 },
                strategy: Strategy::Threads,
                threads: 4,
                limit: None
            }
        );
        let (job, _) = Job::from_query("fetch", &[], 2);
        assert_eq!(job.workload, Workload::Fetch { tasks: 50, latency_ms: 500.0, parse_ms: 0.0 });
    }

    #[test]
    fn reads_every_parameter() {
        let (job, notices) = Job::from_query(
            "fetch",
            &q(&[
                ("strategy", "async"),
                ("tasks", "1000"),
                ("latency", "250"),
                ("parse", "2"),
                ("limit", "8"),
                ("threads", "2"),
            ]),
            8,
        );
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(job.strategy, Strategy::Async);
        assert_eq!(job.workload, Workload::Fetch { tasks: 1000, latency_ms: 250.0, parse_ms: 2.0 });
        assert_eq!((job.threads, job.limit), (2, Some(8)));
    }

    #[test]
    fn bad_values_are_defaulted_or_clamped_and_reported() {
        let (job, notices) = Job::from_query(
            "fib",
            &q(&[("strategy", "fork"), ("tasks", "abc"), ("n", "99"), ("threads", "64")]),
            2,
        );
        assert_eq!(job.strategy, Strategy::Threads);
        assert_eq!(job.workload, Workload::Fib { tasks: 16, n: 42 }, "16 × fib(42) is within the bound");
        assert_eq!(job.threads, 2);
        let text: Vec<&str> = notices.iter().map(|n| n.0.as_str()).collect();
        assert!(text.iter().any(|t| t.contains("strategy=\"fork\" is unknown")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("tasks=\"abc\" is not a number")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("n=99 is out of range")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("threads=64")), "{text:?}");
    }

    #[test]
    fn work_is_bounded() {
        let (job, notices) = Job::from_query("fib", &q(&[("tasks", "64"), ("n", "42")]), 2);
        let Workload::Fib { tasks, n } = job.workload else { panic!() };
        assert!(tasks as u64 * fib_calls(n) <= MAX_FIB_CALLS);
        assert!(tasks < 64 && !notices.is_empty());
        let (job, _) =
            Job::from_query("fetch", &q(&[("tasks", "1e9"), ("latency", "-5"), ("limit", "NaN")]), 2);
        assert_eq!(job.workload, Workload::Fetch { tasks: 1000, latency_ms: 1.0, parse_ms: 0.0 });
        assert_eq!(job.limit, None);
    }
}
