//! The reader's own numbers, in sentences: what the essay says under a real-run widget once
//! strategies have run, and how a prediction compares with what ran. Every time and
//! speedup is written exactly as the results table writes it, so the two always agree.

use crate::words::format_duration;
use cvp_model::compare::{Results, Row, Startup};
use cvp_model::forecast::Calibration;
use cvp_model::guess::{Ask, Guess, Number, Outcome, Scale, Unit};
use cvp_model::job::RunKind;
use cvp_model::pipeline::Spec;
use cvp_model::Strategy;

/// Within this fraction of the fastest, a strategy counts as a tie for first.
const TIE: f64 = 0.10;

/// A speedup as the table writes it.
fn times(s: f64) -> String {
    format!("{s:.2}×")
}

/// The runs, in words; `None` before any run.
pub fn yours(kind: RunKind, results: &Results) -> Option<String> {
    let rows = results.rows();
    if rows.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    let sync = rows.iter().find(|r| r.strategy == Strategy::Sync);
    match sync {
        Some(s) => out
            .push(format!("On your machine, synchronous code took {}.", format_duration(s.outcome.makespan))),
        None => out.push("On your machine (run synchronous code too, to see the speedups):".into()),
    }
    for row in rows.iter().filter(|r| r.strategy != Strategy::Sync) {
        out.push(compared(row));
    }
    if let Some(lesson) = lesson(kind, &rows) {
        out.push(lesson);
    }
    out.extend(lock_lesson(kind, &rows));
    out.extend(processes_lesson(&rows));
    Some(out.join(" "))
}

/// What the lock's row shows, once it and what it is compared with have run.
fn lock_lesson(kind: RunKind, rows: &[Row]) -> Option<String> {
    let gil = rows.iter().find(|r| r.strategy == Strategy::Gil)?;
    let t = format_duration(gil.outcome.makespan);
    match kind {
        RunKind::Fib => {
            let s = gil.speedup?;
            Some(if s < 1.0 + TIE {
                format!(
                    "Under the global lock ({t}), the threads took turns computing, one at a time, as CPython's \
                     threads do under its GIL: no faster than one thread, whatever the cores."
                )
            } else {
                format!(
                    "The threads under the global lock ({t}) came out faster than synchronous code, which threads \
                     taking turns cannot be: that is noise, or a first run still warming up."
                )
            })
        }
        RunKind::Fetch => {
            let threads = rows.iter().find(|r| r.strategy == Strategy::Threads)?;
            let (g, th) = (gil.outcome.makespan, threads.outcome.makespan);
            Some(if g <= th * (1.0 + TIE) {
                format!(
                    "The lock cost these pages little ({t}, against {} for threads without it): a thread lets \
                     the lock go while it waits, so the waits still overlap.",
                    format_duration(th)
                )
            } else {
                format!(
                    "The lock cost these pages time ({t}, against {} for threads without it): they parse \
                     (compute) as well as wait, and under the lock one thread parses at a time.",
                    format_duration(th)
                )
            })
        }
    }
}

/// What the processes' row shows: the start-up inside its time, and how much of the gap to
/// threads it accounts for.
fn processes_lesson(rows: &[Row]) -> Option<String> {
    let p = rows.iter().find(|r| r.strategy == Strategy::Processes)?;
    let Startup::InRun(start) = p.outcome.startup else { return None };
    let total = p.outcome.makespan;
    let mut text = format!(
        "Processes started their workers inside the run: {} of their {}.",
        format_duration(start),
        format_duration(total)
    );
    if let Some(threads) = rows.iter().find(|r| r.strategy == Strategy::Threads) {
        let gap = total - threads.outcome.makespan;
        if gap > 0.0 {
            text.push_str(&if start >= 0.8 * gap {
                format!(
                    " That start-up is most of their gap to threads ({}), whose pool was started before the run.",
                    format_duration(threads.outcome.makespan)
                )
            } else {
                format!(
                    " That start-up is {} of their {} gap to threads; the rest is not start-up.",
                    format_duration(start),
                    format_duration(gap)
                )
            });
        }
    }
    Some(text)
}

/// One strategy against synchronous code.
fn compared(row: &Row) -> String {
    let (label, t) = (row.strategy.label(), format_duration(row.outcome.makespan));
    match row.speedup {
        Some(s) if s >= 1.0 + TIE => format!("{label} finished in {t}, {} sooner.", times(s)),
        Some(s) if s <= 1.0 - TIE => format!("{label} took {t}: {}, slower than synchronous code.", times(s)),
        Some(s) => format!("{label} took {t}: {}, about the same.", times(s)),
        None => format!("{label} took {t}."),
    }
}

/// What the numbers show, once the strategies that tell it have run.
fn lesson(kind: RunKind, rows: &[Row]) -> Option<String> {
    let speedup = |s: Strategy| rows.iter().find(|r| r.strategy == s).and_then(|r| r.speedup);
    match kind {
        RunKind::Fib => {
            let (threads, coroutines) = (speedup(Strategy::Threads)?, speedup(Strategy::Async)?);
            Some(if threads >= 1.0 + TIE && coroutines < 1.0 + TIE {
                "This work is all computing: threads gained because your machine ran several at \
                 once, on several cores; coroutines take turns on one thread, so they could not."
                    .to_string()
            } else if threads < 1.0 + TIE {
                "Threads gained nothing here: with one core free (or one in all), computing \
                 cannot overlap, whatever the strategy."
                    .to_string()
            } else {
                "Coroutines came out faster than synchronous code, which one thread taking \
                 turns cannot be: that is noise, a busy machine, or a first run still warming up."
                    .to_string()
            })
        }
        RunKind::Fetch => {
            let coroutines = speedup(Strategy::Async)?;
            Some(if coroutines >= 1.0 + TIE {
                "These pages are mostly waiting: coroutines overlap the waits on one thread, \
                 which synchronous code, waiting for each page in turn, cannot."
                    .to_string()
            } else {
                "Coroutines gained little here: the pages spend more time parsing (computing) \
                 than waiting, and one thread computes one page at a time."
                    .to_string()
            })
        }
    }
}

/// How the reader's guess fared; `None` before any run. `runnable` counts the strategies
/// this browser can run (the threads need shared memory); `forecast` is the forecast's
/// speedup of the guessed strategy (from the forecasts made before the two runs), and
/// `cpu_overlap` how many of its lanes computed at once.
pub fn reveal(
    kind: RunKind,
    guess: &Guess,
    results: &Results,
    runnable: usize,
    forecast: Option<f64>,
    cpu_overlap: usize,
) -> Option<String> {
    let rows = results.rows();
    let fastest = rows.iter().min_by(|a, b| a.outcome.makespan.total_cmp(&b.outcome.makespan))?;
    let best = fastest.outcome.makespan;
    let first = format!("{} ({})", fastest.strategy.label(), format_duration(best));
    let so_far = if rows.len() == 1 && runnable > 1 {
        format!("So far only {first} has run.")
    } else if rows.len() < runnable {
        format!("Of the {} strategies you have run so far, the fastest is {first}.", rows.len())
    } else {
        format!("On your machine, {first} finished first.")
    };
    let mut out = vec![match guess.first {
        None => format!("{so_far} (Pick a prediction above to compare.)"),
        Some(predicted) => {
            let verdict = match rows.iter().find(|r| r.strategy == predicted) {
                None => format!("You predicted {}, which has not run yet.", predicted.label()),
                Some(r) if r.strategy == fastest.strategy => {
                    format!("You predicted {}: right.", predicted.label())
                }
                Some(r) if r.outcome.makespan <= best * (1.0 + TIE) => format!(
                    "You predicted {}, which took {}: within 10 % of the fastest, a tie.",
                    predicted.label(),
                    format_duration(r.outcome.makespan)
                ),
                Some(r) => format!(
                    "You predicted {}, which took {}.",
                    predicted.label(),
                    format_duration(r.outcome.makespan)
                ),
            };
            format!("{verdict} {so_far}")
        }
    }];
    out.extend(guessed_number(kind, guess, &rows, forecast, cpu_overlap));
    Some(out.join(" "))
}

/// The reader's number against the forecast and the measurement, once both runs it needs
/// have run.
fn guessed_number(
    kind: RunKind,
    guess: &Guess,
    rows: &[Row],
    forecast: Option<f64>,
    overlap: usize,
) -> Option<String> {
    let guessed = guess.number().value?;
    let subject = cvp_model::guess::subject(kind);
    let label = subject.label();
    let Some(measured) = rows.iter().find(|r| r.strategy == subject).and_then(|r| r.speedup) else {
        return Some(format!("To score your guess of {}, run Synchronous and {label}.", times(guessed)));
    };
    if guess.after_run {
        return Some(format!(
            "You set your guess of {} after both runs were on the page, so it is not scored: {label} measured {}.",
            times(guessed),
            times(measured)
        ));
    }
    let outcome = cvp_model::guess::outcome(kind, measured, forecast, overlap);
    number_reveal(cvp_model::guess::ask(kind), &guess.number(), &outcome, false)
}

/// A guessed or measured number of `unit`, as the reveal writes it.
pub fn number(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Times => times(v),
        Unit::Ms => format_duration(v),
        Unit::Percent if v < 9.95 => format!("{v:.1} %"),
        Unit::Percent => format!("{v:.0} %"),
    }
}

/// How far off, on `scale`: "38 % off", "4.5 percentage points off".
fn off(scale: Scale, v: f64) -> String {
    match scale {
        Scale::Ratio => format!("{:.0} % off", v * 100.0),
        Scale::Points if v < 9.95 => format!("{v:.1} percentage points off"),
        Scale::Points => format!("{v:.0} percentage points off"),
    }
}

/// How the reader's number for a widget's [`Ask`] fared against its run: `None` without a
/// number. A number changed after the run (`after_run`) is shown, not scored.
pub fn number_reveal(ask: &Ask, guess: &Number, outcome: &Outcome, after_run: bool) -> Option<String> {
    let guessed = guess.value?;
    let (unit, scale) = (ask.unit, ask.unit.scale());
    let measured = number(unit, outcome.measured);
    if after_run {
        return Some(format!(
            "You changed your guess to {} after the run, so it is not scored: your machine measured {measured}.",
            number(unit, guessed)
        ));
    }
    let score = ask.score(guess, outcome)?;
    let reason = guess.reason.and_then(|i| ask.reasons.get(i));
    let because = reason.map_or(String::new(), |r| format!(", because {}", r.words));
    let said = match outcome.forecast {
        Some(f) => format!("{} said {}, and ", ask.forecast_name, number(unit, f)),
        None => String::new(),
    };
    let mut text = format!(
        "You guessed {}{because}; {said}your machine measured {measured}. Your guess was {}{}",
        ask.guessed.replace("{}", &number(unit, guessed)),
        off(scale, score.guess_off),
        if score.close { ", close" } else { "" }
    );
    match score.forecast_off {
        Some(e) => text.push_str(&format!("; {} {}.", ask.forecast_name, off(scale, e))),
        None => text.push('.'),
    }
    if outcome.forecast.is_none() && !ask.no_forecast.is_empty() {
        text.push(' ');
        text.push_str(ask.no_forecast);
    }
    match (reason, outcome.supported.and_then(|i| ask.reasons.get(i))) {
        (Some(r), Some(s)) if r == s => {
            text.push_str(&format!(" And the run bears out your reason: {}.", s.words))
        }
        (Some(_), Some(s)) => text.push_str(&format!(" The run points to another reason: {}.", s.words)),
        (Some(_), None) => {
            text.push(' ');
            text.push_str(ask.unsettled);
        }
        (None, _) => {}
    }
    Some(text)
}

/// The start-up experiment's verdict from its best break-even (`cvp_model::startup`): the
/// work size above which fresh workers pay off here, and whether `work_ms` was above it.
pub fn startup_verdict(best: Option<(u32, f64)>, work_ms: f64) -> String {
    match best {
        Some((n, ms)) => format!(
            "With what starting them cost here, {n} fresh workers pay off once the work exceeds about {}: \
             below that, one thread is faster. At {} they {}.",
            format_duration(ms),
            format_duration(work_ms),
            if work_ms > ms { "did" } else { "did not" }
        ),
        None => {
            "With one hardware thread, splitting the work saves nothing: fresh workers never pay off.".into()
        }
    }
}

/// The start-up experiment's forecast, before it runs, from the calibration `cal` (what a
/// fresh worker took to start, the hardware threads) for `work_ms`.
pub fn startup_forecast(f: &cvp_model::startup::Forecast, cal: &Calibration, work_ms: f64) -> String {
    let pays = match f.break_even_ms {
        Some(ms) => format!("they pay off above about {} of work", format_duration(ms)),
        None => "on one hardware thread they never pay off".to_string(),
    };
    format!(
        "Forecast, from the calibration (a fresh worker started in {}; {} hardware threads): for {} of work, \
         one thread {}, two fresh workers {}, {} as fast; {pays}.",
        format_duration(cal.worker_start_ms),
        cal.hardware_threads,
        format_duration(work_ms),
        format_duration(f.one_ms),
        format_duration(f.two_ms),
        times(f.speedup()),
    )
}

/// What the simulator says of a pipeline before it runs: its bottleneck and the
/// throughput that allows.
pub fn pipeline_bottleneck(spec: &Spec) -> String {
    let b = spec.bottleneck();
    let stage = spec.stages()[b];
    format!(
        "Bottleneck: {} ({} per page on {} worker{}), so at best {:.1} pages per second once the pipeline is full.",
        stage.name,
        format_duration(stage.ms),
        stage.workers,
        if stage.workers == 1 { "" } else { "s" },
        1000.0 / spec.per_item(b)
    )
}

/// A measured pipeline run of `ms`, beside the simulator's ideal `ideal_ms`.
pub fn pipeline_measured(spec: &Spec, ms: f64, ideal_ms: f64) -> String {
    format!(
        "{} pages in {} ({:.1} per second); the simulator's ideal: {}.",
        spec.items,
        format_duration(ms),
        per_second(spec.items, ms),
        format_duration(ideal_ms)
    )
}

/// The pipeline against the same pages as one loop and as one parallel map.
pub fn pipeline_compared(pipeline_ms: f64, loop_ms: f64, map_ms: f64) -> String {
    format!(
        "The pipeline took {}; one loop {}; one parallel map {}.",
        format_duration(pipeline_ms),
        format_duration(loop_ms),
        format_duration(map_ms)
    )
}

/// Pages per second, as the pipeline's table writes it.
pub fn per_second(items: u32, ms: f64) -> f64 {
    items as f64 * 1000.0 / ms.max(1e-9)
}

/// The forecast before a run: each strategy's time for this job on this machine, and the
/// calibration it comes from, so the reader can see it rests on nothing the run measures.
pub fn forecast_line(cal: &Calibration, times: &[(Strategy, f64)], kind: RunKind) -> String {
    let each: Vec<String> =
        times.iter().map(|(s, ms)| format!("{} {}", s.label(), format_duration(*ms))).collect();
    let probe = match kind {
        RunKind::Fib => format!(
            "one fib({}) took {} alone, ",
            cvp_model::forecast::FIB_PROBE_N,
            format_duration(
                cal.fib_call_ms * cvp_model::fib::fib_calls(cvp_model::forecast::FIB_PROBE_N) as f64
            )
        ),
        RunKind::Fetch => String::new(),
    };
    let lock = if times.iter().any(|(s, _)| *s == Strategy::Gil) {
        // Hand-offs take a fraction of a millisecond: two decimals there.
        let ms = cal.lock_switch_ms;
        let each = if ms < 1.0 { format!("{ms:.2} ms") } else { format_duration(ms) };
        format!(", the lock stood free {each} per hand-off")
    } else {
        String::new()
    };
    format!(
        "Forecast for this job on your machine: {}. From a calibration run before it: {probe}a fresh worker took {} to start{lock}; {} hardware threads.",
        each.join(", "),
        format_duration(cal.worker_start_ms),
        cal.hardware_threads
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cvp_model::compare::{PagePool, Purpose};
    use cvp_model::job::{Job, Workload};
    use cvp_model::Trace;

    fn results(kind: RunKind, times: &[(Strategy, f64)]) -> Results {
        let workload = match kind {
            RunKind::Fib => Workload::Fib { tasks: 4, n: 20 },
            RunKind::Fetch => Workload::Fetch { tasks: 4, latency_ms: 100.0, parse_ms: 0.0 },
        };
        let mut r = Results::default();
        for &(strategy, ms) in times {
            let job = Job {
                workload,
                strategy,
                threads: 2,
                limit: None,
                switch_interval_ms: cvp_model::job::SWITCH_INTERVAL_MS,
                pooled: false,
                semaphore: false,
            };
            let trace = Trace { makespan: ms, ..Trace::new(strategy, 2) };
            r.record(job, Purpose::Compare, &trace, PagePool { threads: 2, startup_ms: 0.0 });
        }
        r
    }

    #[test]
    fn the_start_up_verdict_says_whether_this_work_was_above_the_break_even() {
        let above = startup_verdict(Some((2, 80.0)), 200.0);
        assert!(above.contains("2 fresh workers pay off once the work exceeds about 80 ms"), "{above}");
        assert!(above.ends_with("At 200 ms they did."), "{above}");
        assert!(startup_verdict(Some((2, 80.0)), 50.0).ends_with("At 50 ms they did not."));
        assert!(startup_verdict(None, 50.0).contains("never pay off"));
    }

    #[test]
    fn the_pipeline_sentences_name_the_bottleneck_and_quote_the_times() {
        let spec =
            Spec { items: 10, ms: [200.0, 100.0, 2.0, 80.0, 100.0], io_workers: 4, threads: 1, queue: 4 };
        let b = pipeline_bottleneck(&spec);
        assert_eq!(b, "Bottleneck: transform (80 ms per page on 1 worker), so at best 12.5 pages per second once the pipeline is full.");
        let two = Spec { threads: 2, ..spec };
        assert!(pipeline_bottleneck(&two).starts_with("Bottleneck: request (200 ms per page on 4 workers)"));
        assert_eq!(
            pipeline_measured(&spec, 2000.0, 1100.0),
            "10 pages in 2.0 s (5.0 per second); the simulator's ideal: 1.1 s."
        );
        assert_eq!(
            pipeline_compared(1100.0, 3800.0, 900.0),
            "The pipeline took 1.1 s; one loop 3.8 s; one parallel map 900 ms."
        );
    }

    #[test]
    fn the_forecast_line_gives_each_time_and_the_calibration_behind_it() {
        let cal = Calibration {
            fib_call_ms: 4.0 / cvp_model::fib::fib_calls(27) as f64,
            worker_start_ms: 38.0,
            handoff_ms: 0.3,
            lock_switch_ms: 0.12,
            hardware_threads: 2,
            pool_threads: 2,
        };
        let line = forecast_line(&cal, &[(Strategy::Sync, 1100.0), (Strategy::Threads, 560.0)], RunKind::Fib);
        assert_eq!(
            line,
            "Forecast for this job on your machine: Synchronous 1.1 s, Threads 560 ms. From a calibration run \
             before it: one fib(27) took 4.0 ms alone, a fresh worker took 38 ms to start; 2 hardware threads."
        );
        let fetch = forecast_line(&cal, &[(Strategy::Gil, 900.0)], RunKind::Fetch);
        assert!(
            !fetch.contains("fib") && fetch.contains("the lock stood free 0.12 ms per hand-off"),
            "{fetch}"
        );
    }

    #[test]
    fn the_lock_and_processes_rows_get_their_own_sentences() {
        let r = results(
            RunKind::Fib,
            &[(Strategy::Sync, 4000.0), (Strategy::Gil, 4300.0), (Strategy::Threads, 2100.0)],
        );
        let text = yours(RunKind::Fib, &r).unwrap();
        assert!(text.contains("Under the global lock (4.3 s), the threads took turns"), "{text}");
        let odd = results(RunKind::Fib, &[(Strategy::Sync, 4000.0), (Strategy::Gil, 2000.0)]);
        assert!(
            yours(RunKind::Fib, &odd).unwrap().contains("noise"),
            "a lock faster than one thread is noise"
        );
        let fetch = results(RunKind::Fetch, &[(Strategy::Threads, 500.0), (Strategy::Gil, 520.0)]);
        assert!(yours(RunKind::Fetch, &fetch).unwrap().contains("the waits still overlap"));
        let parsing = results(RunKind::Fetch, &[(Strategy::Threads, 500.0), (Strategy::Gil, 900.0)]);
        assert!(yours(RunKind::Fetch, &parsing).unwrap().contains("one thread parses at a time"));
    }

    #[test]
    fn processes_are_told_their_start_up_and_what_it_explains() {
        let mut r = results(RunKind::Fib, &[(Strategy::Threads, 1000.0)]);
        let job = Job {
            workload: Workload::Fib { tasks: 4, n: 20 },
            strategy: Strategy::Processes,
            threads: 2,
            limit: None,
            switch_interval_ms: cvp_model::job::SWITCH_INTERVAL_MS,
            pooled: false,
            semaphore: false,
        };
        let started = |ms: f64, start: f64| {
            let lanes = vec![cvp_model::Lane {
                kind: cvp_model::LaneKind::Process,
                label: "p".into(),
                segments: vec![cvp_model::Segment {
                    start: 0.0,
                    end: start,
                    phase: cvp_model::Phase::Starting,
                    task: None,
                }],
            }];
            Trace { makespan: ms, lanes, ..Trace::new(Strategy::Processes, 2) }
        };
        r.record(job, Purpose::Compare, &started(1200.0, 180.0), PagePool { threads: 2, startup_ms: 0.0 });
        let text = yours(RunKind::Fib, &r).unwrap();
        assert!(
            text.contains("Processes started their workers inside the run: 180 ms of their 1.2 s."),
            "{text}"
        );
        assert!(text.contains("most of their gap to threads (1.0 s)"), "{text}");
        r.record(job, Purpose::Compare, &started(1600.0, 180.0), PagePool { threads: 2, startup_ms: 0.0 });
        let text = yours(RunKind::Fib, &r).unwrap();
        assert!(text.contains("180 ms of their 600 ms gap to threads; the rest is not start-up"), "{text}");
    }

    fn pick(first: Strategy) -> Guess {
        Guess { first: Some(first), ..Guess::default() }
    }

    #[test]
    fn the_start_up_forecast_says_what_it_rests_on() {
        let cal = Calibration {
            fib_call_ms: 1e-5,
            worker_start_ms: 70.0,
            handoff_ms: 0.0,
            lock_switch_ms: 0.0,
            hardware_threads: 2,
            pool_threads: 2,
        };
        let f = cvp_model::startup::Forecast { one_ms: 300.0, two_ms: 220.0, break_even_ms: Some(140.0) };
        assert_eq!(
            startup_forecast(&f, &cal, 300.0),
            "Forecast, from the calibration (a fresh worker started in 70 ms; 2 hardware threads): for 300 ms of \
             work, one thread 300 ms, two fresh workers 220 ms, 1.36× as fast; they pay off above about 140 ms of work."
        );
        let one = cvp_model::startup::Forecast { break_even_ms: None, ..f };
        assert!(startup_forecast(&one, &cal, 300.0).ends_with("on one hardware thread they never pay off."));
    }

    #[test]
    fn a_widgets_number_is_scored_in_its_unit_beside_its_forecast_or_why_there_is_none() {
        use cvp_model::{pipeline, race, startup};
        let ask = &startup::ASK;
        let outcome = Outcome { measured: 1.32, forecast: Some(1.36), supported: Some(0) };
        assert_eq!(
            number_reveal(ask, &ask.number(2.0, "cores"), &outcome, false).unwrap(),
            "You guessed two fresh workers would be 2.00× as fast as one thread, because the two split the \
             work over two cores; the forecast said 1.36×, and your machine measured 1.32×. Your guess was \
             52 % off; the forecast 3 % off. And the run bears out your reason: the two split the work over \
             two cores."
        );
        assert_eq!(number_reveal(ask, &ask.number(f64::NAN, "cores"), &outcome, false), None, "no number");
        let late = number_reveal(ask, &ask.number(1.3, ""), &outcome, true).unwrap();
        assert!(
            late.starts_with("You changed your guess to 1.30× after the run, so it is not scored"),
            "{late}"
        );
        // A time, with the simulator's ideal as its forecast and another reason shown.
        let ask = &pipeline::ASK;
        let outcome = Outcome { measured: 2600.0, forecast: Some(2450.0), supported: Some(0) };
        let text = number_reveal(ask, &ask.number(2500.0, "serial"), &outcome, false).unwrap();
        assert!(text.contains("the pipeline would take 2.5 s"), "{text}");
        assert!(text.contains("the simulator's ideal said 2.5 s"), "{text}");
        assert!(text.contains("4 % off, close; the simulator's ideal 6 % off."), "{text}");
        assert!(text.ends_with(
            "The run points to another reason: once the pipeline is full, its slowest stage sets the pace."
        ));
        let unsettled = Outcome { supported: None, ..outcome };
        let text = number_reveal(ask, &ask.number(2500.0, "serial"), &unsettled, false).unwrap();
        assert!(text.ends_with(ask.unsettled) && text.contains("6 % off. The run settles none"), "{text}");
        // A share, in points, with no forecast and the reason why.
        let ask = &race::ASK;
        let outcome = Outcome { measured: 31.4, forecast: None, supported: Some(0) };
        let text = number_reveal(ask, &ask.number(0.0, "atomic"), &outcome, false).unwrap();
        assert!(text.contains("would lose 0.0 % of the increments"), "{text}");
        assert!(
            text.contains(
                "your machine measured 31 %. Your guess was 31 percentage points off. Nothing forecasts"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_guessed_number_is_scored_beside_the_forecast_with_its_reason() {
        let r = results(RunKind::Fib, &[(Strategy::Sync, 4000.0), (Strategy::Threads, 2000.0)]);
        let guess = Guess {
            speedup: Some(3.0),
            reason: Some(cvp_model::guess::Reason::Turns),
            ..pick(Strategy::Threads)
        };
        let text = reveal(RunKind::Fib, &guess, &r, 5, Some(1.9), 2).unwrap();
        assert!(
            text.contains(
                "You guessed Threads would be 3.00× as fast as synchronous code, because the tasks take turns on one \
                 core; the forecast said 1.90×, and your machine measured 2.00×. Your guess was 50 % off; the forecast 5 % off."
            ),
            "{text}"
        );
        assert!(text.ends_with("The run points to another reason: several cores compute at once."), "{text}");
        let close = Guess { speedup: Some(2.2), reason: Some(cvp_model::guess::Reason::Cores), ..guess };
        let text = reveal(RunKind::Fib, &close, &r, 5, None, 2).unwrap();
        assert!(
            text.contains("10 % off, close.")
                && text.ends_with("bears out your reason: several cores compute at once."),
            "{text}"
        );
        let late = Guess { after_run: true, ..close };
        assert!(reveal(RunKind::Fib, &late, &r, 5, None, 2).unwrap().contains("not scored"));
        let only_sync = results(RunKind::Fib, &[(Strategy::Sync, 4000.0)]);
        assert!(reveal(RunKind::Fib, &close, &only_sync, 5, None, 2)
            .unwrap()
            .contains("run Synchronous and Threads"));
    }

    #[test]
    fn nothing_is_said_before_a_run() {
        assert_eq!(yours(RunKind::Fib, &Results::default()), None);
        assert_eq!(reveal(RunKind::Fib, &pick(Strategy::Threads), &Results::default(), 5, None, 2), None);
    }

    #[test]
    fn the_sentences_quote_the_tables_numbers() {
        let r = results(
            RunKind::Fib,
            &[(Strategy::Sync, 4000.0), (Strategy::Threads, 1050.0), (Strategy::Async, 4100.0)],
        );
        let text = yours(RunKind::Fib, &r).unwrap();
        for row in r.rows() {
            assert!(text.contains(&format_duration(row.outcome.makespan)), "{text}");
            if row.strategy != Strategy::Sync {
                assert!(text.contains(&times(row.speedup.unwrap())), "{text}");
            }
        }
        assert!(text.contains("Threads finished in 1.1 s, 3.81× sooner."), "{text}");
        assert!(text.contains("Coroutines took 4.1 s: 0.98×, about the same."), "{text}");
        assert!(text.contains("several cores"), "the lesson of a multi-core machine: {text}");
    }

    #[test]
    fn one_core_and_waiting_pages_get_their_own_lessons() {
        let r = results(
            RunKind::Fib,
            &[(Strategy::Sync, 4000.0), (Strategy::Threads, 3900.0), (Strategy::Async, 4000.0)],
        );
        assert!(yours(RunKind::Fib, &r).unwrap().contains("Threads gained nothing"));
        let r = results(RunKind::Fetch, &[(Strategy::Sync, 5000.0), (Strategy::Async, 520.0)]);
        let text = yours(RunKind::Fetch, &r).unwrap();
        assert!(text.contains("9.62× sooner") && text.contains("overlap the waits"), "{text}");
    }

    #[test]
    fn without_sync_there_is_no_speedup_to_quote() {
        let r = results(RunKind::Fib, &[(Strategy::Threads, 1000.0)]);
        let text = yours(RunKind::Fib, &r).unwrap();
        assert!(text.contains("run synchronous code too") && !text.contains('×'), "{text}");
    }

    #[test]
    fn a_prediction_is_right_a_tie_or_wrong() {
        let r = results(
            RunKind::Fetch,
            &[
                (Strategy::Sync, 5000.0),
                (Strategy::Async, 520.0),
                (Strategy::Threads, 540.0),
                (Strategy::Gil, 560.0),
                (Strategy::Processes, 900.0),
            ],
        );
        let right = reveal(RunKind::Fetch, &pick(Strategy::Async), &r, 5, None, 1).unwrap();
        assert!(
            right.starts_with("You predicted Coroutines: right.")
                && right.contains("Coroutines (520 ms) finished first"),
            "{right}"
        );
        assert!(reveal(RunKind::Fetch, &pick(Strategy::Threads), &r, 5, None, 1).unwrap().contains("a tie"));
        let wrong = reveal(RunKind::Fetch, &pick(Strategy::Sync), &r, 5, None, 1).unwrap();
        assert!(wrong.contains("You predicted Synchronous, which took 5.0 s."), "{wrong}");
        assert!(reveal(RunKind::Fetch, &Guess::default(), &r, 5, None, 1)
            .unwrap()
            .contains("Pick a prediction"));
        let partial = results(RunKind::Fetch, &[(Strategy::Sync, 5000.0)]);
        let text = reveal(RunKind::Fetch, &pick(Strategy::Async), &partial, 5, None, 1).unwrap();
        assert!(
            text.contains("has not run yet") && text.contains("So far only Synchronous (5.0 s) has run."),
            "{text}"
        );
    }
}
