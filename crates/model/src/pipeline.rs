//! Concurrency as structure (after seed 004): a pipeline. Each page passes through five
//! stages, request (I/O) → poll (I/O) → collect (CPU, light) → transform (CPU) → write
//! (I/O), each stage with its own workers, and bounded queues between stages: a stage whose
//! next queue is full holds its finished item (Blocked) until there is room.
//!
//! [`simulate`] is the rule the real run follows, with fixed stage times; it assumes the
//! CPU stages have a core each (transform threads ≤ cores), which the widget says.

use crate::guess::{Ask, Choice, Outcome, Unit};
use crate::job::{Job, Workload, MAX_RUN_MS};
use crate::machine::Capabilities;
use crate::trace::{Lane, LaneKind, Phase, Segment, Strategy, TaskRecord, Trace};
use serde::{Deserialize, Serialize};

/// What a stage's work is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// Waiting (a coroutine's timer stands in for the network or the disk).
    Io,
    /// Computing (fixed work).
    Cpu,
}

/// One stage: its name, its kind, how long it takes per item and how many workers it has.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stage {
    /// For people and lane labels.
    pub name: &'static str,
    /// Waiting or computing.
    pub kind: StageKind,
    /// Time per item (ms).
    pub ms: f64,
    /// Workers: coroutines for waiting and light stages, threads for transform.
    pub workers: u32,
}

/// A pipeline run: items through the five stages, `queue` places between two stages.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// Items (pages) to process.
    pub items: u32,
    /// Time per item of each stage (ms): request, poll, collect, transform, write.
    pub ms: [f64; 5],
    /// Coroutines per I/O stage (request, poll, write).
    pub io_workers: u32,
    /// Threads of the transform stage.
    pub threads: u32,
    /// Places in each queue between two stages.
    pub queue: u32,
}

impl Spec {
    /// The stages, in order, with their workers (collect has one: it is light).
    pub fn stages(&self) -> [Stage; 5] {
        let (io, cpu) = (StageKind::Io, StageKind::Cpu);
        let stage = |i: usize, name, kind, workers: u32| Stage {
            name,
            kind,
            ms: self.ms[i],
            workers: workers.max(1),
        };
        [
            stage(0, "request", io, self.io_workers),
            stage(1, "poll", io, self.io_workers),
            stage(2, "collect", cpu, 1),
            stage(3, "transform", cpu, self.threads),
            stage(4, "write", io, self.io_workers),
        ]
    }

    /// The stage that limits throughput: the largest time per item per worker.
    pub fn bottleneck(&self) -> usize {
        (0..5).max_by(|&a, &b| self.per_item(a).total_cmp(&self.per_item(b))).expect("five stages")
    }

    /// Stage `s`'s time per item once its workers share the load (ms).
    pub fn per_item(&self, s: usize) -> f64 {
        let st = self.stages()[s];
        st.ms / st.workers as f64
    }

    /// Total time of one item through every stage (ms).
    pub fn item_ms(&self) -> f64 {
        self.ms.iter().sum()
    }

    /// Why this pipeline may not run, if so: no URL may start minutes of work, and the
    /// simulator's ideal time is a lower bound on the real one.
    pub fn refusal(&self) -> Option<String> {
        let ideal = simulate(self).makespan;
        (ideal > MAX_RUN_MS).then(|| {
            format!(
                "This pipeline would take at least {:.0} s, and one run may take {:.0} s at most: fewer pages or shorter stages.",
                ideal / 1000.0,
                MAX_RUN_MS / 1000.0
            )
        })
    }

    /// The same pages as one flat job run by `strategy`: per page, every wait (request, poll,
    /// write) then every computation (collect, transform), with no stages and no queues.
    pub fn flat(&self, strategy: Strategy) -> Job {
        Job {
            workload: Workload::Fetch {
                tasks: self.items,
                latency_ms: self.ms[0] + self.ms[1] + self.ms[4],
                parse_ms: self.ms[2] + self.ms[3],
            },
            strategy,
            threads: self.threads,
            limit: None,
            switch_interval_ms: crate::job::SWITCH_INTERVAL_MS,
            pooled: false,
            semaphore: false,
        }
    }
}

/// The reader's guess before the pipeline runs: how long the pages will take, and why.
pub const ASK: Ask = Ask {
    key: "pipeline",
    question: "Before you run it: how long will these pages take through the pipeline, on your machine?",
    label: "The pipeline:",
    guessed: "the pipeline would take {}",
    unit: Unit::Ms,
    min: 1.0,
    max: MAX_RUN_MS,
    step: 1.0,
    reasons: &[
        Choice { key: "pace", words: "once the pipeline is full, its slowest stage sets the pace" },
        Choice { key: "serial", words: "each page goes through all five stages before the next one starts" },
        Choice { key: "together", words: "all the pages go through the stages together, in one page's time" },
    ],
    forecast_name: "the simulator's ideal",
    no_forecast: "",
    unsettled: "The run settles none of the reasons: its time is within a quarter of none of the three \
                rules, so something the simulator's ideal leaves out, such as the browser's timers or \
                the machine's other work, slowed it.",
};

/// What a measured run of `spec` gave to score [`ASK`]'s guess against: its time, the
/// simulator's ideal (drawn before the run), and the reason whose rule comes nearest the
/// measurement: the ideal run, where the bottleneck sets the pace; one page after another
/// (every page's stages added up); or every page at once (one page's stages). None when the
/// nearest is more than a quarter away.
pub fn outcome(spec: &Spec, measured_ms: f64) -> Outcome {
    let ideal = simulate(spec).makespan;
    let rules = [ideal, spec.items as f64 * spec.item_ms(), spec.item_ms()];
    let far = |rule: f64| (measured_ms.max(1e-9) / rule.max(1e-9)).ln().abs();
    let nearest = (0..rules.len()).min_by(|&a, &b| far(rules[a]).total_cmp(&far(rules[b])));
    let supported = nearest.filter(|&i| far(rules[i]) <= 1.25f64.ln());
    Outcome { measured: measured_ms, forecast: Some(ideal), supported }
}

/// What the widget says once the runner is ready: where the transform stage computes.
pub fn ready(machine: &Capabilities) -> &'static str {
    if machine.pool_threads == 0 {
        "Ready, without shared memory here: the transform stage computes on the coroutines' thread."
    } else {
        "Ready: transform runs on threads of a pool."
    }
}

/// Lane index of stage `s`'s worker `w` in a pipeline trace: stages in order, their
/// workers in order.
pub fn lane_of(spec: &Spec, s: usize, w: u32) -> usize {
    spec.stages()[..s].iter().map(|st| st.workers as usize).sum::<usize>() + w as usize
}

/// The pipeline's lanes, empty: "request 1", "request 2", … "write 4".
pub fn lanes(spec: &Spec) -> Vec<Lane> {
    spec.stages()
        .into_iter()
        .flat_map(|st| {
            let kind = if st.name == "transform" { LaneKind::Thread } else { LaneKind::Coroutine };
            (1..=st.workers.max(1)).map(move |w| Lane {
                kind,
                label: format!("{} {w}", st.name),
                segments: Vec::new(),
            })
        })
        .collect()
}

/// The phase a stage's work draws as.
pub fn phase(kind: StageKind) -> Phase {
    match kind {
        StageKind::Io => Phase::Loading,
        StageKind::Cpu => Phase::Rendering,
    }
}

/// Simulates `spec`: items enter in order; a stage starts an item once it has arrived and a
/// worker is free (a worker stays busy while it holds a finished item for a full queue);
/// items leave a stage in order. With fixed stage times every quantity follows from the
/// ones before:
///
/// - start `S[s][i] = max(arrival, S[s][i-1], leave[s][i - workers])`,
/// - finish `F = S + ms`,
/// - leave `D[s][i] = max(F, S[s+1][i - queue])` (the queue has room once the item `queue`
///   places ahead has been started by the next stage), and `D = F` at the last stage.
pub fn simulate(spec: &Spec) -> Trace {
    let n = spec.items as usize;
    let all = spec.stages();
    let stages = all.len();
    let cap = spec.queue.max(1) as usize;
    let mut start = vec![vec![0.0f64; n]; stages];
    let mut finish = vec![vec![0.0f64; n]; stages];
    let mut leave = vec![vec![0.0f64; n]; stages];
    // One pass: everything item i needs at stage s is about this item at the stage before,
    // or about earlier items.
    for i in 0..n {
        for s in 0..stages {
            let k = all[s].workers as usize;
            let arrival = if s == 0 { 0.0 } else { leave[s - 1][i] };
            let in_order = if i > 0 { start[s][i - 1] } else { 0.0 };
            let worker_free = if i >= k { leave[s][i - k] } else { 0.0 };
            start[s][i] = arrival.max(in_order).max(worker_free);
            finish[s][i] = start[s][i] + all[s].ms;
            leave[s][i] = if s + 1 == stages || i < cap {
                finish[s][i]
            } else {
                finish[s][i].max(start[s + 1][i - cap])
            };
        }
    }
    let mut trace =
        Trace::new(Strategy::Async, all.iter().filter(|s| s.kind == StageKind::Cpu).map(|s| s.workers).sum());
    trace.lanes = lanes(spec);
    for i in 0..n {
        for (s, st) in all.iter().enumerate() {
            let lane = lane_of(spec, s, (i % st.workers as usize) as u32);
            let task = Some(i as u32);
            let segs = &mut trace.lanes[lane].segments;
            segs.push(Segment { start: start[s][i], end: finish[s][i], phase: phase(st.kind), task });
            if leave[s][i] > finish[s][i] {
                segs.push(Segment { start: finish[s][i], end: leave[s][i], phase: Phase::Blocked, task });
            }
        }
        let last = stages - 1;
        let lane = lane_of(spec, last, (i % all[last].workers as usize) as u32) as u32;
        trace.tasks.push(TaskRecord {
            id: i as u32,
            lane,
            start: start[0][i],
            end: leave[last][i],
            value: None,
        });
    }
    for lane in &mut trace.lanes {
        lane.segments.retain(|s| s.end > s.start || s.phase != Phase::Blocked);
    }
    trace.close();
    trace
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn spec(items: u32, io: u32, threads: u32, queue: u32, transform: f64) -> Spec {
        Spec { items, ms: [200.0, 100.0, 2.0, transform, 100.0], io_workers: io, threads, queue }
    }

    #[test]
    fn the_flat_job_does_the_same_waits_and_computing_per_page() {
        let s = spec(12, 4, 3, 4, 40.0);
        for strategy in [Strategy::Sync, Strategy::Threads] {
            let job = s.flat(strategy);
            assert_eq!((job.strategy, job.threads, job.workload.tasks()), (strategy, 3, 12));
            let task = job.workload.task(5);
            assert_eq!(task.wait_ms, 400.0, "request + poll + write");
            assert_eq!(task.cpu, Some(crate::job::Cpu::Parse { ms: 42.0, seed: 5 }), "collect + transform");
        }
    }

    #[test]
    fn a_pipeline_longer_than_a_run_may_be_is_refused_before_it_starts() {
        assert_eq!(spec(12, 4, 2, 4, 40.0).refusal(), None);
        // 2,000 pages through a 1 s transform on one thread: over half an hour ideally.
        let long = spec(2000, 4, 1, 4, 1000.0);
        let why = long.refusal().expect("refused");
        assert!(why.contains("at least 2") && why.contains("fewer pages"), "{why}");
        // The bound is the simulator's: just under the limit runs.
        let ms = MAX_RUN_MS / 2.0;
        let near = Spec { items: 1, ms: [ms - 1.0, 0.0, 0.0, 0.0, 0.0], io_workers: 1, threads: 1, queue: 1 };
        assert_eq!(near.refusal(), None);
        let over = Spec { ms: [MAX_RUN_MS + 1.0, 0.0, 0.0, 0.0, 0.0], ..near };
        assert!(over.refusal().is_some());
    }

    #[test]
    fn one_item_takes_the_sum_of_its_stages() {
        let s = spec(1, 4, 2, 4, 40.0);
        let t = simulate(&s);
        t.validate().unwrap();
        assert_eq!(t.makespan, s.item_ms());
    }

    #[test]
    fn stages_never_use_more_workers_than_they_have_and_items_keep_order() {
        for (io, threads, queue) in [(1, 1, 1), (4, 2, 4), (8, 1, 2), (2, 4, 1)] {
            let s = spec(30, io, threads, queue, 40.0);
            let t = simulate(&s);
            t.validate().unwrap();
            for (si, st) in s.stages().iter().enumerate() {
                let first = lane_of(&s, si, 0);
                let lanes = &t.lanes[first..first + st.workers as usize];
                // Each worker does one thing at a time (validate checks overlaps per lane).
                assert!(lanes.iter().all(|l| l.segments.iter().all(|g| g.task.is_some())));
                let busy: usize = lanes
                    .iter()
                    .map(|l| l.segments.iter().filter(|g| g.phase != Phase::Blocked).count())
                    .sum();
                assert_eq!(busy, 30, "every item passes once through {}", st.name);
            }
            let ends: Vec<f64> = t.tasks.iter().map(|r| r.end).collect();
            assert!(ends.windows(2).all(|w| w[0] <= w[1] + 1e-9), "items leave in order");
        }
    }

    #[test]
    fn the_guess_names_the_rule_nearest_the_measured_time() {
        let s = spec(40, 4, 2, 4, 40.0);
        let ideal = simulate(&s).makespan;
        let key = |ms: f64| outcome(&s, ms).supported.map_or("none", |i| ASK.reasons[i].key);
        assert_eq!(outcome(&s, 1.1 * ideal).forecast, Some(ideal));
        assert_eq!(key(1.1 * ideal), "pace");
        assert_eq!(key(0.95 * 40.0 * s.item_ms()), "serial", "as slow as one page after another");
        assert_eq!(key(s.item_ms()), "together");
        // Halfway (in ratio) between the ideal and one page after another: neither rule.
        assert_eq!(key((ideal * 40.0 * s.item_ms()).sqrt()), "none");
        assert!(ideal > 2.0 * s.item_ms() && ideal < 0.5 * 40.0 * s.item_ms(), "the three rules differ here");
    }

    #[test]
    fn throughput_is_set_by_the_bottleneck() {
        // transform: 80 ms on one thread is the slowest stage per item (request: 200 / 4 = 50).
        let s = spec(40, 4, 1, 4, 80.0);
        assert_eq!(s.stages()[s.bottleneck()].name, "transform");
        let t = simulate(&s);
        let rate_ms = (t.makespan - s.item_ms()) / (s.items - 1) as f64;
        assert!((rate_ms - 80.0).abs() < 1e-6, "one item per 80 ms once full: {rate_ms}");
        // Two threads halve it; then request (200 ms on 4) sets the pace.
        let s2 = spec(40, 4, 2, 4, 80.0);
        assert_eq!(s2.stages()[s2.bottleneck()].name, "request");
        assert!(simulate(&s2).makespan < t.makespan);
    }

    #[test]
    fn a_full_queue_holds_the_stage_before_it() {
        // Fast I/O feeding a slow single transform through a one-place queue: collect
        // waits with a finished item (Blocked), and so does poll behind it.
        let s = spec(20, 8, 1, 1, 150.0);
        let t = simulate(&s);
        let blocked = |name: &str| {
            let si = s.stages().iter().position(|st| st.name == name).unwrap();
            let first = lane_of(&s, si, 0);
            t.lanes[first..first + s.stages()[si].workers as usize]
                .iter()
                .flat_map(|l| &l.segments)
                .filter(|g| g.phase == Phase::Blocked)
                .count()
        };
        assert!(blocked("collect") > 0, "collect holds items for the full queue");
        assert_eq!(blocked("write"), 0, "the last stage never waits for room");
        // A bigger queue lets the I/O stages run ahead, but the transform still sets the pace.
        let roomy = simulate(&spec(20, 8, 1, 64, 150.0));
        assert!((roomy.makespan - t.makespan).abs() < 1e-6);
    }
}
