//! The real-run widgets' state (fib and fetch), and the refusal of jobs no widget would send.

use super::field::{self, param, Choice, Field, State};
use crate::job::{
    most_fib_tasks, most_parse_ms, Job, RunKind, Workload, FETCH_PARAMS, FIB_PARAMS, MAX_PARSE_TOTAL_MS,
};
use crate::query::{number, Notice, Pairs, Param};
use crate::trace::Strategy;

/// The state of a real-run widget (fib or fetch).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunState {
    /// What to run, with its sizes.
    pub workload: Workload,
    /// The strategy chosen.
    pub strategy: Strategy,
    /// Threads or processes asked for; 0 means all hardware threads.
    pub threads: u32,
    /// Most pages in flight for coroutines (fetch only); 0 means no limit.
    pub limit: u32,
    /// The global lock's switch interval (ms).
    pub switch_interval_ms: f64,
    /// Processes: started before the clock (a pool ready when the run starts), not inside
    /// the run.
    pub pooled: bool,
    /// Coroutines with a limit (fetch only): the limit is a semaphore around each request,
    /// not that many coroutines each keeping its place through the parse.
    pub semaphore: bool,
    /// Run once loaded.
    pub autorun: bool,
}

/// Every strategy, each labelled as the form shows it.
fn strategies() -> Vec<(&'static str, &'static str)> {
    Strategy::ALL.iter().map(|s| (s.key(), s.label())).collect()
}

const STRATEGY: Field<RunState> = Field::choice(
    "strategy",
    Choice {
        options: strategies,
        default: "threads",
        doc: "how to run the tasks",
        instead: |word| {
            let words = strategies().iter().map(|(w, _)| *w).collect::<Vec<_>>().join(", ");
            format!(" ({words}): using {word}")
        },
    },
    |s| s.strategy.key(),
    |s, word| s.strategy = Strategy::from_key(word).unwrap_or(s.strategy),
);

/// How processes start: fresh, inside the run, or pooled, before the clock.
const PROCESSES: Field<RunState> = Field::choice(
    "processes",
    Choice {
        options: || vec![("fresh", "fresh, started in the run"), ("pooled", "pooled, started before the clock")],
        default: "fresh",
        doc: "how the processes strategy starts its workers: inside the run, or before the clock as threads' pool is",
        instead: |word| format!(" (fresh, pooled): using {word}"),
    },
    |s| if s.pooled { "pooled" } else { "fresh" },
    |s, word| s.pooled = word == "pooled",
);

/// What the coroutines' limit holds: a whole page (that many coroutines) or a request.
const PERMIT: Field<RunState> = Field::choice(
    "permit",
    Choice {
        options: || {
            vec![("page", "a whole page"), ("request", "the request (semaphore)")]
        },
        default: "page",
        doc: "what the coroutines' limit holds: a whole page, fetch and parse (that many coroutines), or each request alone (a semaphore)",
        instead: |word| format!(" (page, request): using {word}"),
    },
    |s| if s.semaphore { "request" } else { "page" },
    |s, word| s.semaphore = word == "request",
);

const AUTORUN: Field<RunState> = Field::autorun(|s| s.autorun, |s, on| s.autorun = on);

/// `tasks` of either workload, in `params`' range.
const fn tasks(params: &[Param]) -> Field<RunState> {
    Field::number(
        param(params, "tasks"),
        |s| match s.workload {
            Workload::Fib { tasks, .. } | Workload::Fetch { tasks, .. } => tasks as f64,
        },
        |s, v| match &mut s.workload {
            Workload::Fib { tasks, .. } | Workload::Fetch { tasks, .. } => *tasks = v as u32,
        },
    )
}

/// `threads`, which both workloads have, in `params`' range.
const fn threads(params: &[Param]) -> Field<RunState> {
    Field::number(param(params, "threads"), |s| s.threads as f64, |s, v| s.threads = v as u32)
}

/// The lock's `switch` interval, which both workloads have, in `params`' range.
const fn switch(params: &[Param]) -> Field<RunState> {
    Field::number(param(params, "switch"), |s| s.switch_interval_ms, |s, v| s.switch_interval_ms = v)
}

/// Fib's fields. The accessors of fib's own sizes read a fib workload: [`RunState::fields`]
/// gives this table only to fib states (a fetch's `n` reads as 0 and is never set).
const FIB_FIELDS: [Field<RunState>; 7] = [
    STRATEGY,
    tasks(&FIB_PARAMS),
    Field::number(
        param(&FIB_PARAMS, "n"),
        |s| match s.workload {
            Workload::Fib { n, .. } => n as f64,
            Workload::Fetch { .. } => 0.0,
        },
        |s, v| {
            if let Workload::Fib { n, .. } = &mut s.workload {
                *n = v as u32;
            }
        },
    ),
    threads(&FIB_PARAMS),
    switch(&FIB_PARAMS),
    PROCESSES,
    AUTORUN,
];

/// Fetch's fields (its sizes' accessors read a fetch workload, as fib's read a fib one).
const FETCH_FIELDS: [Field<RunState>; 10] = [
    STRATEGY,
    tasks(&FETCH_PARAMS),
    Field::number(
        param(&FETCH_PARAMS, "latency"),
        |s| match s.workload {
            Workload::Fetch { latency_ms, .. } => latency_ms,
            Workload::Fib { .. } => 0.0,
        },
        |s, v| {
            if let Workload::Fetch { latency_ms, .. } = &mut s.workload {
                *latency_ms = v;
            }
        },
    ),
    Field::number(
        param(&FETCH_PARAMS, "parse"),
        |s| match s.workload {
            Workload::Fetch { parse_ms, .. } => parse_ms,
            Workload::Fib { .. } => 0.0,
        },
        |s, v| {
            if let Workload::Fetch { parse_ms, .. } = &mut s.workload {
                *parse_ms = v;
            }
        },
    ),
    threads(&FETCH_PARAMS),
    Field::number(param(&FETCH_PARAMS, "limit"), |s| s.limit as f64, |s, v| s.limit = v as u32),
    PERMIT,
    switch(&FETCH_PARAMS),
    PROCESSES,
    AUTORUN,
];

impl State for RunState {
    fn fields(&self) -> &'static [Field<RunState>] {
        match self.workload.kind() {
            RunKind::Fib => &FIB_FIELDS,
            RunKind::Fetch => &FETCH_FIELDS,
        }
    }

    fn settle(&mut self, notices: &mut Vec<Notice>) {
        match self.workload {
            Workload::Fib { tasks, n } if tasks > most_fib_tasks(n) => {
                let most = most_fib_tasks(n);
                notices.push(Notice(format!(
                    "tasks={tasks} × fib({n}) is too much work for one run: using {most} tasks"
                )));
                self.workload = Workload::Fib { tasks: most, n };
            }
            Workload::Fetch { tasks, latency_ms, parse_ms } if over_parse_bound(tasks, parse_ms) => {
                let most = most_parse_ms(tasks);
                notices.push(Notice(format!(
                    "parse={} × {tasks} pages is more CPU work than one run may use ({} s): using {}",
                    number(parse_ms),
                    MAX_PARSE_TOTAL_MS / 1000.0,
                    number(most)
                )));
                self.workload = Workload::Fetch { tasks, latency_ms, parse_ms: most };
            }
            _ => {}
        }
    }

    fn check(&self) -> Result<(), String> {
        match self.workload {
            Workload::Fib { tasks, n } if tasks > most_fib_tasks(n) => {
                Err(format!("{tasks} × fib({n}) is over the work bound"))
            }
            Workload::Fib { .. } if self.limit != 0 => Err("fib has no limit".into()),
            Workload::Fib { .. } if self.semaphore => Err("fib has no semaphore".into()),
            Workload::Fetch { tasks, parse_ms, .. } if over_parse_bound(tasks, parse_ms) => {
                Err(format!("{tasks} pages × {parse_ms} ms of parse is over the CPU bound"))
            }
            _ => Ok(()),
        }
    }
}

/// Whether `tasks` parses of `parse_ms` are more CPU than a run may use, with room for
/// rounding: 261 × (20000 / 261) is a hair over 20000.
fn over_parse_bound(tasks: u32, parse_ms: f64) -> bool {
    tasks as f64 * parse_ms > MAX_PARSE_TOTAL_MS + 1e-6
}

impl RunState {
    /// The state when the URL says nothing.
    pub fn default_for(kind: RunKind) -> RunState {
        let workload = match kind {
            RunKind::Fib => Workload::Fib { tasks: 0, n: 0 },
            RunKind::Fetch => Workload::Fetch { tasks: 0, latency_ms: 0.0, parse_ms: 0.0 },
        };
        // Every field but the workload's kind is set from the table.
        let blank = RunState {
            workload,
            strategy: Strategy::Sync,
            threads: 0,
            limit: 0,
            switch_interval_ms: 0.0,
            pooled: false,
            semaphore: false,
            autorun: false,
        };
        field::defaults(blank)
    }

    /// Reads the state from query pairs, changing what must change and saying so.
    pub fn from_query(kind: RunKind, query: &[(String, String)]) -> (RunState, Vec<Notice>) {
        field::read(RunState::default_for(kind), query)
    }

    /// The query that [`RunState::from_query`] reads back as this state.
    pub fn to_query(&self) -> Pairs {
        field::write(self)
    }

    /// Whether every value is one `from_query` could have produced.
    pub fn validate(&self) -> Result<(), String> {
        field::validate(self)
    }

    /// Why a job may not run on `hardware_threads`, whoever asks for it (a widget sends only
    /// checked jobs; a script calling `run_job` may send anything): a value outside its
    /// parameter's range, more work or memory than the bounds allow, more threads than the
    /// machine may use, or longer than a run may take. `None` when it may run.
    pub fn refusal(job: &Job, hardware_threads: u32) -> Option<String> {
        let as_asked = RunState {
            workload: job.workload,
            strategy: job.strategy,
            threads: job.threads,
            limit: job.limit.unwrap_or(0),
            switch_interval_ms: job.switch_interval_ms,
            pooled: job.pooled,
            semaphore: job.semaphore,
            autorun: false,
        };
        if let Err(why) = as_asked.validate() {
            return Some(why);
        }
        let most = Job::most_threads(job.workload.kind(), hardware_threads);
        if job.threads > most {
            return Some(format!("threads={} is more than the {most} this machine may use", job.threads));
        }
        job.too_long(hardware_threads)
    }

    /// The job this state runs on a machine with `hardware_threads`, and what the machine
    /// made change.
    pub fn job(&self, hardware_threads: u32) -> (Job, Vec<Notice>) {
        let mut notices = Vec::new();
        let threads = Job::threads_for(self.workload.kind(), self.threads, hardware_threads, &mut notices);
        let limit = (self.limit > 0).then_some(self.limit);
        let job = Job {
            workload: self.workload,
            strategy: self.strategy,
            threads,
            limit,
            switch_interval_ms: self.switch_interval_ms,
            pooled: self.pooled,
            semaphore: self.semaphore,
        };
        (job, notices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runner_refuses_what_no_widget_would_send() {
        let ok = Job {
            workload: Workload::Fetch { tasks: 50, latency_ms: 500.0, parse_ms: 0.0 },
            strategy: Strategy::Async,
            threads: 2,
            limit: None,
            switch_interval_ms: crate::job::SWITCH_INTERVAL_MS,
            pooled: false,
            semaphore: false,
        };
        assert_eq!(RunState::refusal(&ok, 2), None);
        let huge =
            Job { workload: Workload::Fetch { tasks: 1_000_000_000, latency_ms: 1.0, parse_ms: 0.0 }, ..ok };
        assert!(
            RunState::refusal(&huge, 2).is_some_and(|w| w.starts_with("tasks=")),
            "{:?}",
            RunState::refusal(&huge, 2)
        );
        let fib = Job { workload: Workload::Fib { tasks: 64, n: 42 }, strategy: Strategy::Threads, ..ok };
        assert!(RunState::refusal(&fib, 2).is_some_and(|w| w.contains("work bound")));
        let crowd = Job {
            workload: Workload::Fib { tasks: 4, n: 20 },
            threads: 9,
            strategy: Strategy::Threads,
            ..ok
        };
        assert!(RunState::refusal(&crowd, 2).is_some_and(|w| w.contains("more than the 8")));
        let slow = Job {
            workload: Workload::Fetch { tasks: 1000, latency_ms: 5000.0, parse_ms: 0.0 },
            strategy: Strategy::Sync,
            ..ok
        };
        assert!(RunState::refusal(&slow, 2).is_some_and(|w| w.contains("would take at least")));
        let nan = Job { switch_interval_ms: f64::NAN, ..ok };
        assert!(RunState::refusal(&nan, 2).is_some_and(|w| w.starts_with("switch=")));
    }
}
