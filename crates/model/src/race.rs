//! Races: threads that add one to a shared counter, three ways, counted.
//!
//! - [`Method::Racy`] reads the counter and then writes the value plus one, as two steps.
//!   Each step is an atomic load or store (`Relaxed`), so every step is defined behaviour in
//!   Rust and the counter never holds a torn value; what is not atomic is the pair. When
//!   another thread's store lands between a thread's load and its store, the later store
//!   writes over it and one increment is lost. That is `x += 1` in any language whose
//!   increment is a load, an add and a store: CPython's included, GIL or not (the essay's
//!   section on races cites where).
//! - [`Method::Atomic`] asks the hardware for one indivisible read-modify-write
//!   (`fetch_add`): none is ever lost.
//! - [`Method::Lock`] holds a `Mutex` around a plain `+= 1`: none is ever lost either.
//!
//! The loops themselves are here ([`Counter::add`]) so that native tests run the same code
//! the browser's thread pool runs; the web crate only starts the threads and times them.
//! What a run may lose, what it must not, and the sentence written from it are rules too
//! ([`Counted::check`], [`Counted::sentence`], [`costs`]).

use crate::guess::{Ask, Choice, Outcome, Unit};
use crate::machine::{Capabilities, NoThreads};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// How each thread adds one to the shared counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// An atomic load, then an atomic store of that value plus one: two steps.
    Racy,
    /// One atomic read-modify-write (`fetch_add`).
    Atomic,
    /// A plain `+= 1` inside a `Mutex`.
    Lock,
}

impl Method {
    /// The three, in the order the widget runs them.
    pub const ALL: [Method; 3] = [Method::Racy, Method::Atomic, Method::Lock];

    /// Its key in messages and in the page's `data-method`.
    pub fn key(self) -> &'static str {
        match self {
            Method::Racy => "racy",
            Method::Atomic => "atomic",
            Method::Lock => "lock",
        }
    }

    /// Its name for people.
    pub fn label(self) -> &'static str {
        match self {
            Method::Racy => "Load, then store",
            Method::Atomic => "Atomic add",
            Method::Lock => "Lock",
        }
    }

    /// The Rust each thread runs, for the table.
    pub fn code(self) -> &'static str {
        match self {
            Method::Racy => "let v = n.load(Relaxed); n.store(v + 1, Relaxed);",
            Method::Atomic => "n.fetch_add(1, Relaxed);",
            Method::Lock => "*n.lock().unwrap() += 1;",
        }
    }

    /// Whether the method may lose increments.
    pub fn may_lose(self) -> bool {
        self == Method::Racy
    }
}

/// One race: `threads` threads, each adding one `per_thread` times, by `method`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Race {
    /// How each increment is done.
    pub method: Method,
    /// Threads running at once.
    pub threads: u32,
    /// Increments each thread does.
    pub per_thread: u64,
}

impl Race {
    /// The count every increment would give: threads × increments each.
    pub fn total(&self) -> u64 {
        self.threads as u64 * self.per_thread
    }
}

/// How many increments a thread does between looks at its stop flag: often enough to
/// stop within a millisecond, rarely enough that the look costs nothing measurable.
pub const STOP_EVERY: u64 = 1 << 14;

/// The shared counter of one race: an atomic for the racy and atomic methods, a number
/// behind a lock for the lock.
#[derive(Debug, Default)]
pub struct Counter {
    atomic: AtomicU64,
    locked: Mutex<u64>,
}

impl Counter {
    /// A counter at zero.
    pub fn new() -> Counter {
        Counter::default()
    }

    /// Adds one `times` times by `method`, from the calling thread; returns false when
    /// `stop` said to stop first (looked at every [`STOP_EVERY`] increments).
    pub fn add(&self, method: Method, times: u64, stop: &dyn Fn() -> bool) -> bool {
        let mut left = times;
        while left > 0 {
            if stop() {
                return false;
            }
            let n = left.min(STOP_EVERY);
            match method {
                Method::Racy => {
                    for _ in 0..n {
                        // Two atomic steps: another thread may store between them.
                        let v = self.atomic.load(Ordering::Relaxed);
                        self.atomic.store(v + 1, Ordering::Relaxed);
                    }
                }
                Method::Atomic => {
                    for _ in 0..n {
                        self.atomic.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Method::Lock => {
                    for _ in 0..n {
                        // Nothing panics while holding it; a poisoned lock still counts.
                        *self.locked.lock().unwrap_or_else(|e| e.into_inner()) += 1;
                    }
                }
            }
            left -= n;
        }
        true
    }

    /// Its value, once every thread has finished.
    pub fn value(&self, method: Method) -> u64 {
        match method {
            Method::Racy | Method::Atomic => self.atomic.load(Ordering::Relaxed),
            Method::Lock => *self.locked.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }
}

/// What one thread of a race measured, on the clock every thread shares (ms).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThreadTime {
    /// When it started adding (after every thread had arrived).
    pub start: f64,
    /// When it finished.
    pub end: f64,
}

/// A race that ran: its final count and each thread's time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Counted {
    /// What ran.
    pub race: Race,
    /// The counter at the end.
    pub count: u64,
    /// Each thread's start and end.
    pub threads: Vec<ThreadTime>,
}

impl Counted {
    /// Increments lost: the total minus the count.
    pub fn lost(&self) -> u64 {
        self.race.total().saturating_sub(self.count)
    }

    /// The share of increments lost (0 to 1).
    pub fn lost_share(&self) -> f64 {
        self.lost() as f64 / self.race.total().max(1) as f64
    }

    /// From the first thread's start to the last one's end (ms).
    pub fn wall_ms(&self) -> f64 {
        let start = self.threads.iter().map(|t| t.start).fold(f64::INFINITY, f64::min);
        let end = self.threads.iter().map(|t| t.end).fold(f64::NEG_INFINITY, f64::max);
        if self.threads.is_empty() {
            0.0
        } else {
            (end - start).max(0.0)
        }
    }

    /// How long every thread was adding at once (ms): from the last start to the first end,
    /// zero when some thread finished before another began.
    pub fn overlap_ms(&self) -> f64 {
        let start = self.threads.iter().map(|t| t.start).fold(f64::NEG_INFINITY, f64::max);
        let end = self.threads.iter().map(|t| t.end).fold(f64::INFINITY, f64::min);
        if self.threads.is_empty() {
            0.0
        } else {
            (end - start).max(0.0)
        }
    }

    /// What one increment cost a thread: its own time over its increments, averaged over
    /// the threads (ns).
    pub fn ns_per_increment(&self) -> f64 {
        let n = self.threads.len().max(1) as f64;
        let per = self.race.per_thread.max(1) as f64;
        self.threads.iter().map(|t| (t.end - t.start).max(0.0) * 1e6 / per).sum::<f64>() / n
    }

    /// Whether the run obeys what its method promises: never more than the total, and
    /// exactly the total for the atomic add and the lock. A failure is a bug, never bad luck.
    pub fn check(&self) -> Result<(), String> {
        let total = self.race.total();
        if self.threads.len() != self.race.threads as usize {
            return Err(format!("{} threads timed, {} asked for", self.threads.len(), self.race.threads));
        }
        if self.count > total {
            // Each store writes one more than a value some earlier store wrote, so the
            // counter can never pass the number of stores.
            return Err(format!(
                "the counter ended at {}, above the {} increments made",
                grouped(self.count),
                grouped(total)
            ));
        }
        if !self.race.method.may_lose() && self.count != total {
            return Err(format!(
                "{} lost {} of {}: it must lose none",
                self.race.method.label(),
                grouped(self.lost()),
                grouped(total)
            ));
        }
        Ok(())
    }

    /// The sentence written from this run, saying what was measured.
    pub fn sentence(&self) -> String {
        let total = grouped(self.race.total());
        let count = grouped(self.count);
        let cost = format!("Each increment took a thread {} on average.", ns(self.ns_per_increment()));
        if let Err(e) = self.check() {
            return format!("{}: {e}. This is a bug in this page, not a race.", self.race.method.label());
        }
        match self.race.method {
            Method::Racy if self.lost() > 0 => format!(
                "Load, then store: the counter ended at {count} of {total}, so {} increments were lost ({}): \
                 each time, a thread stored its value over a store it had not seen. {cost}",
                grouped(self.lost()),
                percent(self.lost_share()),
            ),
            Method::Racy if self.overlap_ms() <= 0.0 => format!(
                "Load, then store: the counter ended at {count} of {total}, none lost this time, because the \
                 threads never ran at once here: one finished before another started. Run it again, or give \
                 each thread more increments. {cost}"
            ),
            Method::Racy => format!(
                "Load, then store: the counter ended at {count} of {total}, none lost this time. The threads \
                 ran at once for {}, yet no store fell between another thread's load and store. That can \
                 happen, mostly when the threads take turns on one core, since a switch must then come \
                 between the two steps; it is luck, not a guarantee. {cost}",
                duration(self.overlap_ms())
            ),
            Method::Atomic => format!(
                "Atomic add: the counter ended at {count} of {total}, none lost, as every run must: each \
                 increment is one indivisible step. {cost}"
            ),
            Method::Lock => format!(
                "Lock: the counter ended at {count} of {total}, none lost, as every run must: only the thread \
                 holding the lock reads and writes the counter. {cost}"
            ),
        }
    }
}

/// The reader's guess before the race: the share of increments the separate load and store
/// will lose, and why.
pub const ASK: Ask = Ask {
    key: "race",
    question: "Before you run it: what share of the increments will the separate load and store lose?",
    label: "Lost:",
    guessed: "the separate load and store would lose {} of the increments",
    unit: Unit::Percent,
    min: 0.0,
    max: 100.0,
    step: 0.1,
    reasons: &[
        Choice {
            key: "interleave",
            words: "another thread's store can land between a thread's load and its store",
        },
        Choice { key: "atomic", words: "each load and each store is atomic, so nothing is lost" },
        Choice { key: "turns", words: "the threads take turns, so one rarely stops between the two steps" },
    ],
    forecast_name: "the forecast",
    no_forecast: "Nothing forecasts this one: how often a store lands between another thread's load and \
                  store depends on how the threads' steps interleave, which nothing before the run can know.",
    unsettled: "",
};

/// What the racy run gave to score [`ASK`]'s guess against: the share lost, in percent, and
/// the reason it supports: stores landing between the steps when some were lost, turns
/// when none were (the threads never ran at once, or the switches never fell between the
/// steps). "Each step is atomic" is never what a run shows: the steps are, the pair is not.
pub fn outcome(racy: &Counted) -> Outcome {
    let supported = if racy.lost() > 0 { ASK.reason("interleave") } else { ASK.reason("turns") };
    Outcome { measured: 100.0 * racy.lost_share(), forecast: None, supported }
}

/// Why no race can run here, in words for the reader, with what would fix it (`framed`: the
/// widget is in another page's frame, see [`Capabilities::fix`]); `None` when threads can. Nothing else stands in for threads: processes each count in their own
/// memory, so they cannot race on one counter, and one thread taking turns with itself
/// would show nothing.
pub fn unavailable(caps: &Capabilities, framed: bool) -> Option<String> {
    let why = match caps.no_threads()? {
        NoThreads::NotIsolated => "this page is not cross-origin isolated, so the browser withholds the \
                                   shared memory (SharedArrayBuffer) the threads would count in"
            .to_string(),
        NoThreads::NoSharedMemory => {
            "this browser cannot share memory with its workers, although the page is \
                                      cross-origin isolated"
                .to_string()
        }
        NoThreads::PoolFailed(Some(said)) => {
            format!("the thread pool failed to start (the browser said: {said})")
        }
        NoThreads::PoolFailed(None) => "the thread pool failed to start".to_string(),
    };
    Some(format!(
        "No race can run here: it needs threads that share one counter, and {why}. {} Processes would not \
         race, since each counts in memory of its own.",
        caps.fix(framed)
    ))
}

/// What correctness cost, from runs of the racy method and the others: the sentence, or
/// `None` until the racy run and at least one other are there. Each correct method's time
/// per increment is given against the racy one's, and the verdict says which were slower;
/// differences within 5 % count as none.
pub fn costs(runs: &[Counted]) -> Option<String> {
    let of = |m: Method| runs.iter().find(|c| c.race.method == m).map(Counted::ns_per_increment);
    let racy = of(Method::Racy)?;
    let named = [(Method::Atomic, "the atomic add"), (Method::Lock, "the lock")];
    let others: Vec<(&str, f64)> = named.into_iter().filter_map(|(m, what)| Some((what, of(m)?))).collect();
    if others.is_empty() || racy <= 0.0 {
        return None;
    }
    let parts: Vec<String> =
        others.iter().map(|(what, v)| format!("{what} {}, {} as long", ns(*v), ratio(v / racy))).collect();
    let slower: Vec<&str> = others.iter().filter(|(_, v)| *v > 1.05 * racy).map(|(w, _)| *w).collect();
    let verdict = match slower.as_slice() {
        [] => "Being right made no increment slower here.".to_string(),
        [one] if others.len() > 1 => format!("Here {one} made each increment slower; the other did not."),
        _ => format!(
            "Here being right made each increment slower, by up to {}.",
            ratio(others.iter().map(|(_, v)| v / racy).fold(0.0, f64::max))
        ),
    };
    Some(format!(
        "Per increment, the separate load and store took {}; {}. {verdict}",
        ns(racy),
        parts.join("; ")
    ))
}

/// A ratio for people: "0.22 times", "2.4 times", "31 times".
fn ratio(r: f64) -> String {
    if r < 1.0 {
        format!("{r:.2} times")
    } else if r < 10.0 {
        format!("{r:.1} times")
    } else {
        format!("{r:.0} times")
    }
}

/// Nanoseconds for people: "4.1 ns", "73 ns", "1.2 µs".
pub fn ns(v: f64) -> String {
    if !v.is_finite() || v <= 0.0 {
        "under a nanosecond".to_string()
    } else if v < 9.95 {
        format!("{v:.1} ns")
    } else if v < 999.5 {
        format!("{v:.0} ns")
    } else {
        format!("{:.1} µs", v / 1000.0)
    }
}

fn duration(ms: f64) -> String {
    if ms < 9.95 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// A share as a percentage: "38.3 %", "0.02 %" for small ones.
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p >= 9.95 {
        format!("{p:.0} %")
    } else if p >= 0.1 {
        format!("{p:.1} %")
    } else {
        format!("{p:.2} %")
    }
}

/// A count with thousands separated: 2,000,000.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn run(race: Race, count: u64, spans: &[(f64, f64)]) -> Counted {
        Counted {
            race,
            count,
            threads: spans.iter().map(|&(start, end)| ThreadTime { start, end }).collect(),
        }
    }

    const RACY: Race = Race { method: Method::Racy, threads: 2, per_thread: 1_000_000 };
    const ATOMIC: Race = Race { method: Method::Atomic, ..RACY };
    const LOCK: Race = Race { method: Method::Lock, ..RACY };

    /// Runs `race` on real threads, each starting when all have arrived.
    fn race_on_threads(race: Race) -> u64 {
        let counter = Arc::new(Counter::new());
        let barrier = Arc::new(std::sync::Barrier::new(race.threads as usize));
        let handles: Vec<_> = (0..race.threads)
            .map(|_| {
                let (counter, barrier) = (counter.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    assert!(counter.add(race.method, race.per_thread, &|| false));
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        counter.value(race.method)
    }

    #[test]
    fn the_guess_is_scored_in_points_of_the_share_lost() {
        let lost = outcome(&run(RACY, 1_500_000, &[(0.0, 5.0), (1.0, 6.0)]));
        assert_eq!((lost.measured, lost.forecast), (25.0, None));
        assert_eq!(ASK.reasons[lost.supported.unwrap()].key, "interleave");
        let none = outcome(&run(RACY, 2_000_000, &[(0.0, 5.0), (6.0, 9.0)]));
        assert_eq!((none.measured, ASK.reasons[none.supported.unwrap()].key), (0.0, "turns"));
        let s = ASK.score(&ASK.number(30.0, "atomic"), &lost).unwrap();
        assert_eq!((s.guess_off, s.close), (5.0, true));
    }

    #[test]
    fn the_atomic_add_and_the_lock_never_lose_an_increment() {
        for race in [ATOMIC, LOCK, Race { threads: 4, per_thread: 200_000, ..ATOMIC }] {
            for _ in 0..3 {
                assert_eq!(race_on_threads(race), race.total(), "{race:?}");
            }
        }
    }

    #[test]
    fn separate_loads_and_stores_lose_increments_on_two_cores_and_never_gain() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let counts: Vec<u64> = (0..10).map(|_| race_on_threads(RACY)).collect();
        assert!(counts.iter().all(|&c| c <= RACY.total()), "never above the total: {counts:?}");
        if cores >= 2 {
            assert!(
                counts.iter().any(|&c| c < RACY.total()),
                "two threads on {cores} cores lost none in 10 tries: {counts:?}"
            );
        } else {
            eprintln!("one core: not asserting that a race loses increments ({counts:?})");
        }
    }

    #[test]
    fn one_thread_alone_loses_nothing_whatever_the_method() {
        for method in Method::ALL {
            let c = Counter::new();
            assert!(c.add(method, 100_000, &|| false));
            assert_eq!(c.value(method), 100_000, "{method:?}");
        }
    }

    #[test]
    fn a_stop_is_heard_within_a_chunk() {
        let c = Counter::new();
        let looks = std::cell::Cell::new(0);
        let stop = || {
            looks.set(looks.get() + 1);
            looks.get() > 2
        };
        assert!(!c.add(Method::Atomic, 10 * STOP_EVERY, &stop));
        assert_eq!(c.value(Method::Atomic), 2 * STOP_EVERY);
    }

    #[test]
    fn lost_updates_are_the_total_minus_the_count() {
        let c = run(RACY, 1_234_567, &[(0.0, 4.0), (1.0, 5.0)]);
        assert_eq!(c.lost(), 765_433);
        assert!((c.lost_share() - 0.3827165).abs() < 1e-9);
        assert_eq!(c.check(), Ok(()));
        assert_eq!((c.wall_ms(), c.overlap_ms()), (5.0, 3.0));
        assert!((c.ns_per_increment() - 4.0).abs() < 1e-9, "4 ms over a million each: 4 ns");
    }

    #[test]
    fn the_check_refuses_what_no_correct_run_can_give() {
        let spans = [(0.0, 1.0), (0.0, 1.0)];
        assert!(run(RACY, 2_000_001, &spans).check().unwrap_err().contains("above"));
        assert!(run(ATOMIC, 1_999_999, &spans).check().unwrap_err().contains("must lose none"));
        assert!(run(LOCK, 1_000_000, &spans).check().unwrap_err().contains("lost 1,000,000 of 2,000,000"));
        assert_eq!(run(ATOMIC, 2_000_000, &spans).check(), Ok(()));
        assert_eq!(run(RACY, 2, &spans).check(), Ok(()), "two is possible: stale stores can undo nearly all");
        assert!(run(ATOMIC, 2_000_000, &spans[..1]).check().is_err(), "one thread timed of two");
    }

    #[test]
    fn the_sentence_says_what_was_measured() {
        let lost = run(RACY, 1_987_655, &[(0.0, 4.1), (0.2, 4.3)]).sentence();
        assert!(lost.contains("ended at 1,987,655 of 2,000,000"), "{lost}");
        assert!(lost.contains("12,345 increments were lost (0.6 %)"), "{lost}");
        assert!(lost.contains("4.1 ns"), "{lost}");
        let apart = run(RACY, 2_000_000, &[(0.0, 1.0), (2.0, 3.0)]).sentence();
        assert!(apart.contains("none lost this time") && apart.contains("never ran at once"), "{apart}");
        let lucky = run(RACY, 2_000_000, &[(0.0, 10.0), (2.0, 12.0)]).sentence();
        assert!(lucky.contains("none lost this time") && lucky.contains("ran at once for 8.0 ms"), "{lucky}");
        assert!(lucky.contains("luck, not a guarantee"), "{lucky}");
        let atomic = run(ATOMIC, 2_000_000, &[(0.0, 20.0), (0.0, 20.0)]).sentence();
        assert!(atomic.contains("2,000,000 of 2,000,000, none lost") && atomic.contains("20 ns"), "{atomic}");
        let broken = run(LOCK, 1_999_000, &[(0.0, 1.0), (0.0, 1.0)]).sentence();
        assert!(broken.contains("bug"), "{broken}");
    }

    #[test]
    fn the_costs_compare_each_correct_method_with_the_racy_one() {
        let racy = run(RACY, 1_500_000, &[(0.0, 4.0), (0.0, 4.0)]);
        let atomic = run(ATOMIC, 2_000_000, &[(0.0, 20.0), (0.0, 20.0)]);
        let lock = run(LOCK, 2_000_000, &[(0.0, 200.0), (0.0, 200.0)]);
        assert_eq!(costs(std::slice::from_ref(&atomic)), None, "nothing to compare with yet");
        let said = costs(&[racy.clone(), atomic, lock.clone()]).unwrap();
        assert!(said.starts_with("Per increment, the separate load and store took 4.0 ns;"), "{said}");
        assert!(
            said.contains("the atomic add 20 ns, 5.0 times as long; the lock 200 ns, 50 times as long"),
            "{said}"
        );
        assert!(said.ends_with("slower, by up to 50 times."), "{said}");
        // In WebAssembly the racy pair is two ordered accesses: the atomic add may be faster.
        let quick = run(ATOMIC, 2_000_000, &[(0.0, 1.0), (0.0, 1.0)]);
        let said = costs(&[racy.clone(), quick.clone()]).unwrap();
        assert!(said.contains("the atomic add 1.0 ns, 0.25 times as long"), "{said}");
        assert!(said.ends_with("Being right made no increment slower here."), "{said}");
        let said = costs(&[racy, quick, lock]).unwrap();
        assert!(said.ends_with("Here the lock made each increment slower; the other did not."), "{said}");
    }

    #[test]
    fn without_threads_the_widget_says_why_and_runs_nothing_in_their_place() {
        let caps = |isolated, shared_memory, pool_threads| Capabilities {
            isolated,
            shared_memory,
            pool_threads,
            hardware_threads: 2,
            ..Capabilities::none()
        };
        assert_eq!(unavailable(&caps(true, true, 2), false), None);
        let plain = unavailable(&caps(false, false, 0), false).unwrap();
        assert!(
            plain.contains("not cross-origin isolated") && plain.contains("Cross-Origin-Opener-Policy"),
            "{plain}"
        );
        assert!(plain.contains("Processes would not race"), "{plain}");
        let framed = unavailable(&caps(false, false, 0), true).unwrap();
        assert!(
            framed.contains("Document-Isolation-Policy"),
            "in another page's frame, the frame's fix: {framed}"
        );
        let webkit = unavailable(&caps(true, false, 0), false).unwrap();
        assert!(
            webkit.contains("cannot share memory with its workers") && !webkit.contains("not cross-origin"),
            "{webkit}"
        );
        let failed = Capabilities { pool_error: Some("out of memory".into()), ..caps(true, true, 0) };
        let failed = unavailable(&failed, false).unwrap();
        assert!(
            failed.contains("the browser said: out of memory") && failed.contains("Reloading"),
            "{failed}"
        );
    }

    #[test]
    fn counts_read_with_their_thousands_apart() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(2_000_000), "2,000,000");
        assert_eq!(ns(4.12), "4.1 ns");
        assert_eq!(ns(73.4), "73 ns");
        assert_eq!(ns(1234.0), "1.2 µs");
    }
}
