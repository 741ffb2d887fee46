//! What the simulator predicts for a measured run: the same job, each task with the I/O and
//! CPU times it was measured to take, on the machine's hardware threads, with the run's
//! measured start-up and hand-off costs. Where the measured run differs from this by more
//! than [`NOTEWORTHY`], something the model leaves out mattered, and the page says what.

use crate::job::Job;
use crate::sim::{simulate, SimConfig};
use crate::trace::{Phase, Strategy, Trace};
use crate::workload::Task;

/// A difference between measured and predicted beyond this fraction is worth explaining.
pub const NOTEWORTHY: f64 = 0.10;

/// The simulator's trace for `job` as measured in `measured`, on `hardware_threads`.
pub fn prediction(job: &Job, measured: &Trace, hardware_threads: u32) -> Trace {
    let mut tasks = vec![Task { load: 0.0, render: 0.0 }; measured.tasks.len()];
    let (mut starts, mut handoffs) = (Vec::new(), Vec::new());
    for (_, s) in measured.segments() {
        match (s.phase, s.task) {
            (Phase::Loading, Some(t)) => tasks[t as usize].load += s.duration(),
            (Phase::Rendering, Some(t)) => tasks[t as usize].render += s.duration(),
            (Phase::Starting, _) => starts.push(s.duration()),
            (Phase::Handoff, _) => handoffs.push(s.duration()),
            _ => {}
        }
    }
    let mean = |v: &[f64]| if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
    let workers = match job.strategy {
        Strategy::Sync => None,
        Strategy::Async => job.limit,
        Strategy::Threads | Strategy::Gil | Strategy::Processes => Some(job.threads.max(1)),
    };
    let config = SimConfig::ideal(job.strategy)
        .with_workers(workers)
        .with_cores(hardware_threads.max(1))
        .with_startup_ms(mean(&starts))
        .with_handoff_ms(mean(&handoffs));
    // The lock's switch interval is the simulator's time slice (its `switch_cost_ms` is what a
    // switch costs, which the measured segments already hold).
    let config =
        if job.strategy == Strategy::Gil { config.with_quantum_ms(job.switch_interval_ms) } else { config };
    simulate(&tasks, &config)
}

/// Measured over predicted, minus one: +0.2 means the run took 20 % longer than predicted.
pub fn difference(measured: &Trace, predicted: &Trace) -> f64 {
    measured.makespan / predicted.makespan.max(1e-9) - 1.0
}

/// A measured run that differs from its prediction by more than [`NOTEWORTHY`].
#[derive(Clone, Debug, PartialEq)]
pub struct Gap {
    /// The strategy's name, as the page shows it.
    pub label: &'static str,
    /// Measured over predicted, minus one ([`difference`]).
    pub difference: f64,
    /// What the model leaves out that explains it, in a sentence.
    pub why: String,
}

/// The gap between a measured run and its prediction, when it is worth explaining.
pub fn gap(job: &Job, measured: &Trace, predicted: &Trace, hardware_threads: u32) -> Option<Gap> {
    let d = difference(measured, predicted);
    if d.abs() <= NOTEWORTHY {
        return None;
    }
    let why = if d < 0.0 {
        "The tasks ran faster together than their own times add up to: a task's measured time \
         includes waits for a busy core, which the model counts once more on top."
            .to_string()
    } else if job.strategy == Strategy::Processes {
        "The model counts each process's start-up and its messages, but not the browser's own \
         work to start workers and pass messages between them, which competes for the same cores."
            .to_string()
    } else if let Some((idle, waits)) = (job.strategy == Strategy::Gil).then(|| lock_idle(measured)) {
        format!(
            "Under the lock, threads waited for it {waits} {}, and it stood free for {} ms in all \
             while they did, {:.0} % of the run: a thread that lets it go must wake the next, \
             which finds the core's caches cold, and the simulator counts no time for that.",
            if waits == 1 { "time" } else { "times" },
            round_ms(idle),
            100.0 * idle / measured.makespan.max(1e-9),
        )
    } else if job.threads > hardware_threads && matches!(job.strategy, Strategy::Threads | Strategy::Gil) {
        format!(
            "{} threads took turns on {hardware_threads} hardware threads: the operating system's \
             switches between them, and the caches each switch cools, are not in the model.",
            job.threads
        )
    } else {
        "The model knows each task's own times, not what slows tasks down when they run beside \
         each other or beside the page: the browser's own threads, other programs, shared \
         caches and memory, a core waking up."
            .to_string()
    };
    Some(Gap { label: job.strategy.label(), difference: d, why })
}

/// Under the global lock, computing is holding it: the time (ms) during which some thread
/// waited for it and none held it, the hand-offs' own cost, and how many waits there were.
pub fn lock_idle(trace: &Trace) -> (f64, usize) {
    let mut events: Vec<(f64, i32, i32)> = Vec::new();
    let mut waits = 0;
    for (_, s) in trace.segments().filter(|(_, s)| s.end > s.start) {
        match s.phase {
            Phase::Rendering => events.extend([(s.start, 1, 0), (s.end, -1, 0)]),
            Phase::Blocked => {
                waits += 1;
                events.extend([(s.start, 0, 1), (s.end, 0, -1)]);
            }
            _ => {}
        }
    }
    events.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut holding, mut waiting, mut idle, mut last) = (0, 0, 0.0, 0.0);
    for (t, h, w) in events {
        if holding == 0 && waiting > 0 {
            idle += t - last;
        }
        (holding, waiting, last) = (holding + h, waiting + w, t);
    }
    (idle, waits)
}

fn round_ms(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    }
}

/// The gaps in words: the runs that share a reason in one sentence, then the reason once.
pub fn explain(gaps: &[Gap]) -> String {
    let mut reasons: Vec<(&str, Vec<&Gap>)> = Vec::new();
    for g in gaps {
        match reasons.iter_mut().find(|(why, _)| *why == g.why) {
            Some((_, runs)) => runs.push(g),
            None => reasons.push((&g.why, vec![g])),
        }
    }
    let pct = |g: &Gap| (g.difference.abs() * 100.0).round();
    let way = |g: &Gap| if g.difference > 0.0 { "longer" } else { "shorter" };
    let sentences = reasons.into_iter().map(|(why, runs)| match runs.as_slice() {
        [one] => {
            format!("{} took {:.0} % {} than the simulator predicted. {why}", one.label, pct(one), way(one))
        }
        many => {
            let names: Vec<String> = many.iter().map(|g| format!("{} ({:.0} %)", g.label, pct(g))).collect();
            let (last, rest) = names.split_last().expect("a reason has runs");
            // One reason, one direction: the reasons for a shorter run and a longer differ.
            format!(
                "{} and {last} took {} than the simulator predicted. {why}",
                rest.join(", "),
                way(many[0])
            )
        }
    });
    sentences.collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{from_lanes, lane, seg};
    use crate::LaneKind;

    #[test]
    fn the_lock_is_idle_while_a_thread_waits_and_none_computes() {
        // a computes 0–5 and 7–9; b waits 0–6, computes 6–7, waits 7–9.5 and computes to 12.
        let t = from_lanes(
            Strategy::Gil,
            2,
            vec![
                lane(
                    LaneKind::Thread,
                    "a",
                    vec![seg(0, Phase::Rendering, 0.0, 5.0), seg(0, Phase::Rendering, 7.0, 9.0)],
                ),
                lane(
                    LaneKind::Thread,
                    "b",
                    vec![
                        seg(1, Phase::Blocked, 0.0, 6.0),
                        seg(1, Phase::Rendering, 6.0, 7.0),
                        seg(1, Phase::Blocked, 7.0, 9.5),
                        seg(1, Phase::Rendering, 9.5, 12.0),
                    ],
                ),
            ],
        );
        let (idle, waits) = lock_idle(&t);
        assert!((idle - 1.5).abs() < 1e-9, "5–6 and 9–9.5 had a waiter and no holder: {idle}");
        assert_eq!(waits, 2);
    }

    #[test]
    fn a_slow_run_under_the_lock_is_blamed_on_its_measured_hand_offs() {
        let measured = from_lanes(
            Strategy::Gil,
            2,
            vec![
                lane(LaneKind::Thread, "a", vec![seg(0, Phase::Rendering, 0.0, 5.0)]),
                lane(
                    LaneKind::Thread,
                    "b",
                    vec![seg(1, Phase::Blocked, 0.0, 7.0), seg(1, Phase::Rendering, 7.0, 12.0)],
                ),
            ],
        );
        let mut predicted = measured.clone();
        predicted.makespan = 10.0;
        let g = gap(&job(Strategy::Gil, 2), &measured, &predicted, 2).expect("20 % is worth a word");
        assert!(
            g.why.contains(
                "waited for it 1 time, and it stood free for 2.0 ms in all while they did, 17 % of the run"
            ),
            "{}",
            g.why
        );
    }
    use crate::job::Workload;
    use crate::sim::{SimConfig, DEFAULT_QUANTUM_MS};

    fn job(strategy: Strategy, threads: u32) -> Job {
        Job {
            workload: Workload::Fib { tasks: 8, n: 20 },
            strategy,
            threads,
            limit: None,
            switch_interval_ms: crate::job::SWITCH_INTERVAL_MS,
        }
    }

    fn cpu_tasks(n: usize, ms: f64) -> Vec<Task> {
        vec![Task { load: 0.0, render: ms }; n]
    }

    #[test]
    fn a_run_like_the_model_is_predicted_exactly() {
        // A "measured" trace that is itself a simulation is its own prediction.
        let tasks = cpu_tasks(8, 10.0);
        for strategy in Strategy::ALL {
            let j = job(strategy, 2);
            let cfg = SimConfig::ideal(strategy)
                .with_workers(if strategy == Strategy::Async || strategy == Strategy::Sync {
                    None
                } else {
                    Some(2)
                })
                .with_cores(2)
                .with_quantum_ms(if strategy == Strategy::Gil { 5.0 } else { DEFAULT_QUANTUM_MS });
            let measured = simulate(&tasks, &cfg);
            let predicted = prediction(&j, &measured, 2);
            assert!((predicted.makespan - measured.makespan).abs() < 1e-6, "{strategy:?}");
            // The same turns: the lock's threads hand it over at the same switch interval.
            let computing = |t: &Trace| t.segments().filter(|(_, s)| s.phase == Phase::Rendering).count();
            assert_eq!(computing(&predicted), computing(&measured), "{strategy:?}");
            assert_eq!(gap(&j, &measured, &predicted, 2), None);
        }
    }

    #[test]
    fn threads_are_predicted_on_the_hardware_threads() {
        // 8 tasks of 10 ms on 4 threads but 2 cores: 40 ms, not 20.
        let measured = simulate(&cpu_tasks(8, 10.0), &SimConfig::ideal(Strategy::Sync));
        let predicted = prediction(&job(Strategy::Threads, 4), &measured, 2);
        assert!((predicted.makespan - 40.0).abs() < 1.0, "{}", predicted.makespan);
        assert!(predicted.max_cpu_overlap() <= 2);
    }

    #[test]
    fn a_slow_run_is_explained_and_a_close_one_is_not() {
        let j = job(Strategy::Threads, 8);
        let predicted =
            simulate(&cpu_tasks(8, 10.0), &SimConfig::limited(Strategy::Threads, 8).with_cores(2));
        let mut measured = predicted.clone();
        measured.makespan = predicted.makespan * 1.05;
        assert_eq!(gap(&j, &measured, &predicted, 2), None);
        measured.makespan = predicted.makespan * 1.3;
        let text = explain(&[gap(&j, &measured, &predicted, 2).unwrap()]);
        assert!(
            text.starts_with("Threads took 30 % longer") && text.contains("8 threads took turns"),
            "{text}"
        );
        assert!((difference(&measured, &predicted) - 0.3).abs() < 1e-9);
    }

    #[test]
    fn runs_with_one_reason_share_one_sentence_and_the_reason_is_said_once() {
        let gap = |label, difference: f64, why: &str| Gap { label, difference, why: why.into() };
        let text = explain(&[
            gap("Synchronous", 0.17, "Noise."),
            gap("Processes", 0.4, "Start-up."),
            gap("Coroutines", 0.114, "Noise."),
            gap("Threads", 0.2, "Noise."),
        ]);
        assert_eq!(
            text,
            "Synchronous (17 %), Coroutines (11 %) and Threads (20 %) took longer than the simulator \
             predicted. Noise. Processes took 40 % longer than the simulator predicted. Start-up."
        );
        assert_eq!(explain(&[]), "");
    }
}
