//! What the reader's browser can run: found by the runner worker when it starts, and the one
//! value every rule about refusals and fallbacks reads ([`Capabilities::unavailable`]).
//!
//! Threads need three things, each of which a browser can lack on its own: a page that is
//! cross-origin isolated (two response headers), an engine that lets that page send shared
//! memory to a worker (WebKitGTK on Linux does not, unless told to; every current Chrome,
//! Firefox and Safari does), and a pool whose workers all started. Processes need none of
//! them: each has its own memory.

use crate::trace::Strategy;
use serde::{Deserialize, Serialize};

/// What the runner found when it started.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Capabilities {
    /// `crossOriginIsolated` in the runner: the browser would give it shared memory.
    pub isolated: bool,
    /// Whether shared memory can actually be sent to a worker (`postMessage` of a shared
    /// `WebAssembly.Memory` did not throw). False wherever `isolated` is false.
    #[serde(default = "yes")]
    pub shared_memory: bool,
    /// `navigator.hardwareConcurrency`.
    pub hardware_threads: u32,
    /// Threads in the rayon pool; 0 when there is none.
    pub pool_threads: u32,
    /// How long that pool took to start, before the first run (ms), outside every run's time.
    #[serde(default)]
    pub pool_startup_ms: f64,
    /// What the browser said when the pool failed to start, if it did.
    #[serde(default)]
    pub pool_error: Option<String>,
    /// How many times the pool was started afresh because its workers had not all reported
    /// ready in time.
    #[serde(default)]
    pub pool_restarts: u32,
    /// The runner's calibration (`crate::forecast`), measured as it started: what every
    /// forecast on the page rests on. `None` if it could not be measured.
    #[serde(default)]
    pub calibration: Option<crate::forecast::Calibration>,
}

fn yes() -> bool {
    true
}

/// Why threads are missing, most basic cause first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoThreads {
    /// The page is not cross-origin isolated: the fix is the host's headers.
    NotIsolated,
    /// Isolated, but this browser cannot share memory with its workers.
    NoSharedMemory,
    /// Shared memory works, but the pool did not start (with the browser's words).
    PoolFailed(Option<String>),
}

impl Capabilities {
    /// A runner that could not start at all: nothing but what needs no worker.
    pub fn none() -> Capabilities {
        Capabilities {
            isolated: false,
            shared_memory: false,
            hardware_threads: 1,
            pool_threads: 0,
            pool_startup_ms: 0.0,
            pool_error: None,
            pool_restarts: 0,
            calibration: None,
        }
    }

    /// Why the thread strategies cannot run here; `None` if they can.
    pub fn no_threads(&self) -> Option<NoThreads> {
        if self.pool_threads > 0 {
            None
        } else if !self.isolated {
            Some(NoThreads::NotIsolated)
        } else if !self.shared_memory {
            Some(NoThreads::NoSharedMemory)
        } else {
            Some(NoThreads::PoolFailed(self.pool_error.clone()))
        }
    }

    /// Why `strategy` cannot run here, in words for the reader; `None` if it can.
    pub fn unavailable(&self, strategy: Strategy) -> Option<String> {
        if !matches!(strategy, Strategy::Threads | Strategy::Gil) {
            return None;
        }
        self.no_threads().map(|why| match why {
            NoThreads::NotIsolated => "threads share memory, and this page is not cross-origin isolated, so the \
                                       browser withholds shared memory (SharedArrayBuffer); processes still run \
                                       in parallel"
                .to_string(),
            NoThreads::NoSharedMemory => "threads share memory, and this browser cannot share memory with its \
                                          workers (it refuses to send them a SharedArrayBuffer), although the page \
                                          is cross-origin isolated; processes still run in parallel"
                .to_string(),
            NoThreads::PoolFailed(Some(said)) => format!("the thread pool failed to start (the browser said: {said})"),
            NoThreads::PoolFailed(None) => "the thread pool failed to start".to_string(),
        })
    }

    /// What a run widget says once the runner is ready: the hardware threads and the pool.
    pub fn ready(&self) -> String {
        let pool = match self.pool_threads {
            0 => "no thread pool".to_string(),
            n => format!("a pool of {n} threads"),
        };
        let restarted = if self.pool_restarts > 0 {
            " The first pool's workers did not all start in time, so a fresh pool replaced it."
        } else {
            ""
        };
        format!("Ready: {} hardware threads, {pool}.{restarted}", self.hardware_threads)
    }

    /// What the reader can do about it, for the notice under the widget; empty when nothing.
    /// `framed`: the widget is in a frame of another page (a course page), whose own
    /// isolation it cannot have unless that page has it too.
    pub fn fix(&self, framed: bool) -> &'static str {
        match self.no_threads() {
            Some(NoThreads::NotIsolated) if framed => {
                "This widget is in a frame of a page that is not cross-origin isolated. Chrome and Edge (137 \
                 and later) isolate the widget anyway when its own site sends Document-Isolation-Policy: \
                 isolate-and-require-corp; in other browsers the embedding page must itself be isolated and \
                 allow the frame (allow=\"cross-origin-isolated\"), or open the widget on its own site."
            }
            Some(NoThreads::NotIsolated) => {
                "To run them, open this page on its own site (which sends the two headers), or ask whoever hosts \
                 it to serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: \
                 require-corp."
            }
            Some(NoThreads::NoSharedMemory) => {
                "Safari, Chrome, Edge and Firefox share memory with workers on such a page; this browser does not."
            }
            Some(NoThreads::PoolFailed(_)) => "Reloading the page starts a new pool.",
            None => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(isolated: bool, shared_memory: bool, pool_threads: u32) -> Capabilities {
        Capabilities { isolated, shared_memory, pool_threads, hardware_threads: 4, ..Capabilities::none() }
    }

    #[test]
    fn every_strategy_runs_with_a_pool() {
        let c = caps(true, true, 4);
        assert!(Strategy::ALL.iter().all(|&s| c.unavailable(s).is_none()));
        assert_eq!(c.fix(false), "");
        assert_eq!(c.fix(true), "");
    }

    #[test]
    fn only_the_thread_strategies_need_shared_memory() {
        for c in [caps(false, false, 0), caps(true, false, 0), caps(true, true, 0)] {
            for s in Strategy::ALL {
                let needs = matches!(s, Strategy::Threads | Strategy::Gil);
                assert_eq!(c.unavailable(s).is_some(), needs, "{s:?} with {c:?}");
            }
        }
    }

    #[test]
    fn each_cause_is_named_for_what_it_is() {
        let not_isolated = caps(false, false, 0).unavailable(Strategy::Threads).unwrap();
        assert!(not_isolated.contains("not cross-origin isolated"), "{not_isolated}");
        let no_sharing = caps(true, false, 0).unavailable(Strategy::Gil).unwrap();
        assert!(no_sharing.contains("cannot share memory with its workers"), "{no_sharing}");
        assert!(!no_sharing.contains("not cross-origin isolated"), "{no_sharing}");
        let failed =
            Capabilities { pool_error: Some("Out of bounds memory access".into()), ..caps(true, true, 0) };
        let said = failed.unavailable(Strategy::Threads).unwrap();
        assert!(said.contains("Out of bounds memory access"), "the browser's words are kept: {said}");
        assert!(!said.ends_with(": ") && !said.contains(":)"), "{said}");
        let quiet = caps(true, true, 0).unavailable(Strategy::Threads).unwrap();
        assert_eq!(quiet, "the thread pool failed to start");
    }

    #[test]
    fn ready_names_the_pool_and_a_restart() {
        assert_eq!(caps(true, true, 4).ready(), "Ready: 4 hardware threads, a pool of 4 threads.");
        assert_eq!(caps(false, false, 0).ready(), "Ready: 4 hardware threads, no thread pool.");
        let restarted = Capabilities { pool_restarts: 1, ..caps(true, true, 4) };
        assert!(restarted.ready().ends_with("so a fresh pool replaced it."));
    }

    #[test]
    fn the_most_basic_cause_wins() {
        // Not isolated: shared memory is withheld whatever the engine could do.
        assert_eq!(caps(false, true, 0).no_threads(), Some(NoThreads::NotIsolated));
        assert_eq!(caps(true, false, 0).no_threads(), Some(NoThreads::NoSharedMemory));
        assert!(caps(false, false, 0).fix(false).contains("Cross-Origin-Opener-Policy"));
        assert!(caps(true, false, 0).fix(false).contains("this browser does not"));
        assert!(caps(true, false, 0).fix(true).contains("this browser does not"));
    }

    #[test]
    fn a_framed_widget_is_told_of_the_header_that_isolates_it_alone() {
        let framed = caps(false, false, 0).fix(true);
        assert!(framed.contains("Document-Isolation-Policy: isolate-and-require-corp"), "{framed}");
        assert!(framed.contains("allow=\"cross-origin-isolated\""), "{framed}");
        assert!(!caps(false, false, 0).fix(false).contains("Document-Isolation-Policy"));
    }

    #[test]
    fn older_runners_messages_still_read() {
        let c: Capabilities =
            serde_json::from_str(r#"{"isolated":true,"hardware_threads":2,"pool_threads":2}"#).unwrap();
        assert!(c.shared_memory && c.pool_error.is_none() && c.pool_startup_ms == 0.0);
    }
}
