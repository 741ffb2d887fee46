//! The state of the race widget: how many threads increment the shared counter, and how
//! many times each.

use super::field::{self, param, Field, State};
use crate::query::{Notice, Pairs, Param};
use crate::race::{grouped, Method, Race};

/// The race's numbers.
pub const RACE_PARAMS: [Param; 2] = [
    Param::whole("threads", 2.0, 8.0, 2.0, "threads adding to the one counter"),
    Param::whole("increments", 1000.0, 5_000_000.0, 1_000_000.0, "increments each thread makes"),
];

/// The most increments one run may make in all, threads × increments: under the lock, the
/// slowest way, an increment took a thread 39 to 154 ns with two threads on the 2-core test
/// machine (five runs, the essay's figures), so a run of this many takes about a second.
pub const MOST_INCREMENTS: u64 = 8_000_000;

/// The state of the race widget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RaceState {
    /// Threads running at once.
    pub threads: u32,
    /// Increments each thread makes.
    pub increments: u32,
    /// Run once loaded.
    pub autorun: bool,
}

const FIELDS: [Field<RaceState>; 3] = [
    Field::number(param(&RACE_PARAMS, "threads"), |s| s.threads as f64, |s, v| s.threads = v as u32),
    Field::number(param(&RACE_PARAMS, "increments"), |s| s.increments as f64, |s, v| s.increments = v as u32),
    Field::autorun(|s| s.autorun, |s, on| s.autorun = on),
];

/// The most increments each of `threads` threads may make.
pub fn most_increments(threads: u32) -> u32 {
    (MOST_INCREMENTS / threads.max(1) as u64) as u32
}

impl State for RaceState {
    fn fields(&self) -> &'static [Field<RaceState>] {
        &FIELDS
    }

    fn settle(&mut self, notices: &mut Vec<Notice>) {
        let most = most_increments(self.threads);
        if self.increments > most {
            notices.push(Notice(format!(
                "increments={} on {} threads is more than one run may make ({} in all): using {}",
                self.increments,
                self.threads,
                grouped(MOST_INCREMENTS),
                most
            )));
            self.increments = most;
        }
    }

    fn check(&self) -> Result<(), String> {
        match self.increments > most_increments(self.threads) {
            true => Err(format!("{} × {} increments is over the bound", self.threads, self.increments)),
            false => Ok(()),
        }
    }
}

impl RaceState {
    /// Reads the state, changing what must change and saying so.
    pub fn from_query(query: &[(String, String)]) -> (RaceState, Vec<Notice>) {
        field::read(field::defaults(RaceState { threads: 0, increments: 0, autorun: false }), query)
    }

    /// The query that [`RaceState::from_query`] reads back as this state.
    pub fn to_query(&self) -> Pairs {
        field::write(self)
    }

    /// Whether every value is one `from_query` could have produced.
    pub fn validate(&self) -> Result<(), String> {
        field::validate(self)
    }

    /// The race this state runs with `method`.
    pub fn race(&self, method: Method) -> Race {
        Race { method, threads: self.threads, per_thread: self.increments as u64 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::pairs;

    #[test]
    fn the_defaults_are_two_threads_of_a_million() {
        let (s, told) = RaceState::from_query(&[]);
        assert_eq!((s.threads, s.increments, s.autorun, told), (2, 1_000_000, false, vec![]));
        assert_eq!(s.race(Method::Racy).total(), 2_000_000);
    }

    #[test]
    fn too_many_increments_in_all_are_cut_and_said() {
        let (s, told) = RaceState::from_query(&pairs(&[("threads", "8"), ("increments", "5000000")]));
        assert_eq!((s.threads, s.increments), (8, 1_000_000));
        assert!(told[0].0.starts_with("increments=5000000 on 8 threads"), "{told:?}");
        assert_eq!(s.validate(), Ok(()));
        assert!(RaceState { increments: 1_000_001, ..s }.validate().is_err());
        let (one, told) = RaceState::from_query(&pairs(&[("threads", "1")]));
        assert_eq!(one.threads, 2, "a race needs two threads");
        assert!(told[0].0.starts_with("threads=1 is out of range 2..8"), "{told:?}");
    }

    #[test]
    fn the_query_reads_back_as_the_state() {
        let s = RaceState { threads: 3, increments: 12_345, autorun: true };
        assert_eq!(RaceState::from_query(&s.to_query()), (s, vec![]));
    }
}
