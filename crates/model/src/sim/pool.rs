//! Pools of threads or processes on a limited number of cores: Threads, Processes and Gil
//! share this one event loop.
//!
//! Each lane is a pool thread (or process). It starts (a Starting segment, CPU), then
//! repeatedly takes the next task in id order until none are left: for Processes a
//! Handoff (CPU), then the task's Loading (I/O: no core needed, overlaps freely), then its
//! Rendering (CPU). The three CPU phases need a core:
//!
//! - **Cores, round-robin.** A thread that needs CPU takes a free core or joins the back
//!   of one FIFO ready queue, showing Blocked. A running thread whose quantum expires
//!   while others are queued goes to the back of the queue and the head takes its core;
//!   with nobody queued it simply keeps running (no new segment). A thread finishing one
//!   CPU phase and starting another re-queues like everyone else.
//! - **The global lock (Gil).** Rendering also needs the one lock, taken before a core.
//!   Threads waiting for it queue FIFO and show Blocked (they hold no core). The holder
//!   gives it up when its render ends or, if others are waiting, when its quantum expires
//!   (CPython's switch interval); it then rejoins the back of the lock queue. Each time
//!   the lock passes to a waiting thread it is in transit for `switch_cost_ms`, during which
//!   nobody renders: the new holder's Blocked segment covers the switch. A free lock is
//!   taken at no cost. Starting needs a core but not the lock.
//!
//! When nothing can ever wait (unlimited cores, or no more threads than cores, and no
//! lock shared by several threads) the run is plain list scheduling, done by
//! [`uncontended`](super::uncontended) without any of this machinery.
//!
//! Time slicing can cut a huge workload into millions of slices; see
//! [`SLICE_BUDGET`](super::SLICE_BUDGET) for how that is bounded.

use super::events::Events;
use super::lanes::{new_lanes, new_records, push};
use super::{lane_count, ms, uncontended, SimConfig, SLICE_BUDGET};
use crate::trace::{LaneKind, Phase, Segment, Strategy, TaskRecord, Trace};
use crate::workload::Task;
use std::collections::VecDeque;

/// Event ranks: at one instant, arrivals (a load done, the lock arriving) are handled
/// before slice ends, so a quantum expiring then sees the newcomer waiting.
const ARRIVAL: u8 = 0;
const SLICE_END: u8 = 1;

/// Which part of its life a pool thread is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Starting,
    Handoff,
    Loading,
    Rendering,
    Done,
}

/// What a pool thread is doing right now. A thread Loading, Running or LockInTransit has
/// exactly one pending event, which these states tell apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Between stages, or done.
    Idle,
    /// Waiting for its task's I/O.
    Loading,
    /// Running on a core.
    Running,
    /// The lock is on its way to this thread (a switch).
    LockInTransit,
    /// Queued for the lock.
    WaitingLock,
    /// Queued for a core.
    WaitingCore,
}

impl State {
    fn is_waiting(self) -> bool {
        matches!(self, State::LockInTransit | State::WaitingLock | State::WaitingCore)
    }
}

/// A pool thread's state. It carries its own segments and its task's durations, so that
/// handling an event touches one place in memory: with 100,000 threads, cache misses
/// are what a run costs.
#[derive(Debug)]
struct Thread {
    stage: Stage,
    state: State,
    /// The current task (meaningless while Starting or Done).
    task: u32,
    /// The current task's load and render (ms, sanitised).
    load: f64,
    render: f64,
    /// CPU time left in the current CPU phase.
    remaining: f64,
    /// Length of the slice now running.
    slice: f64,
    /// Start of the open segment: the current wait while waiting, the current run while
    /// running.
    since: f64,
    /// The lane's segments so far; moved into the trace at the end.
    segments: Vec<Segment>,
}

impl Thread {
    /// The task the thread's segments serve: none while it is starting.
    fn segment_task(&self) -> Option<u32> {
        (self.stage != Stage::Starting).then_some(self.task)
    }
}

pub(super) fn run(tasks: &[Task], cfg: &SimConfig) -> Trace {
    let strategy = cfg.strategy;
    let lanes = lane_count(cfg.workers, tasks.len());
    let gil = strategy == Strategy::Gil;
    let startup = ms(cfg.startup_ms);
    let handoff = if strategy == Strategy::Processes { ms(cfg.handoff_ms) } else { 0.0 };
    let cores = cfg.cores.map(|c| c.max(1) as usize);

    let (kind, name) = match strategy {
        Strategy::Processes => (LaneKind::Process, "process"),
        _ => (LaneKind::Thread, "thread"),
    };
    // Unlimited cores: a core per lane, the ideal world's machine.
    let mut trace = Trace::new(strategy, cores.unwrap_or(lanes) as u32);
    trace.lanes = new_lanes(kind, name, lanes);
    trace.tasks = new_records(tasks.len());

    // Something can wait only with more threads than cores, or several threads sharing
    // the lock. Otherwise every CPU phase runs as soon as it is ready, and the much
    // simpler list scheduling of `uncontended` gives the same trace, faster.
    let contended = cores.is_some_and(|c| c < lanes) || (gil && lanes > 1);
    if contended {
        let machine =
            Machine { cores, gil, startup, handoff, switch: ms(cfg.switch_cost_ms), quantum: cfg.quantum_ms };
        run_events(tasks, &machine, &mut trace);
    } else {
        uncontended::run(tasks, startup, handoff, &mut trace);
    }
    trace
}

/// What the event loop needs to know of the configuration, sanitised.
struct Machine {
    cores: Option<usize>,
    gil: bool,
    startup: f64,
    handoff: f64,
    switch: f64,
    /// The configured quantum (not yet checked or stretched).
    quantum: f64,
}

/// Fills `trace` (with its lanes and records already created) by simulating the pool's
/// threads event by event.
fn run_events(tasks: &[Task], machine: &Machine, trace: &mut Trace) {
    let lanes = trace.lanes.len();
    let renders: f64 = tasks.iter().map(|t| ms(t.render)).sum();
    let cpu = lanes as f64 * machine.startup + tasks.len() as f64 * machine.handoff + renders;
    let quantum = if machine.quantum.is_finite() && machine.quantum > 0.0 {
        machine.quantum.max(cpu / SLICE_BUDGET)
    } else {
        f64::INFINITY
    };
    // Room for each lane's likely segments (its tasks' phases, plus a wait and a slice per
    // quantum of CPU), so that lanes rarely grow.
    let slices = (cpu / quantum).min(SLICE_BUDGET) as usize;
    let per_lane = 2 + (3 * tasks.len() + 2 * slices).div_ceil(lanes.max(1));
    let threads = (0..lanes)
        .map(|_| Thread {
            stage: Stage::Starting,
            state: State::Idle,
            task: 0,
            load: 0.0,
            render: 0.0,
            remaining: 0.0,
            slice: 0.0,
            since: 0.0,
            segments: Vec::with_capacity(per_lane),
        })
        .collect();
    let mut pool = Pool {
        tasks,
        gil: machine.gil,
        handoff: machine.handoff,
        switch: machine.switch,
        quantum,
        records: std::mem::take(&mut trace.tasks),
        th: threads,
        events: Events::default(),
        next: 0,
        free_cores: machine.cores.unwrap_or(usize::MAX),
        ready: VecDeque::new(),
        lock: None,
        lock_queue: VecDeque::new(),
    };

    // Every thread is created at time 0; lower lanes get the cores and the tasks first.
    for t in 0..lanes {
        if machine.startup > 0.0 {
            pool.want_cpu(t, machine.startup, 0.0);
        } else {
            pool.step(t, 0.0);
        }
    }
    while let Some(ev) = pool.events.pop() {
        let t = ev.id() as usize;
        match pool.th[t].state {
            State::Loading => {
                pool.th[t].state = State::Idle;
                pool.step(t, ev.time);
            }
            State::LockInTransit => pool.want_core(t, ev.time),
            State::Running => pool.slice_end(t, ev.time),
            s => unreachable!("event for a thread in state {s:?}"),
        }
    }

    trace.tasks = pool.records;
    for (lane, th) in trace.lanes.iter_mut().zip(pool.th) {
        lane.segments = th.segments;
    }
}

struct Pool<'a> {
    tasks: &'a [Task],
    gil: bool,
    handoff: f64,
    switch: f64,
    /// The effective time slice; infinite when nothing is ever preempted.
    quantum: f64,
    records: Vec<TaskRecord>,
    th: Vec<Thread>,
    events: Events,
    /// The next task to hand out.
    next: usize,
    /// Idle cores (`usize::MAX` when unlimited: never runs out).
    free_cores: usize,
    /// Threads waiting for a core, round-robin.
    ready: VecDeque<u32>,
    /// The global lock's holder (or the thread it is in transit to).
    lock: Option<u32>,
    /// Threads waiting for the lock, FIFO.
    lock_queue: VecDeque<u32>,
}

impl Pool<'_> {
    /// Moves thread `t`, whose current stage just ended at `now`, on to the next stage
    /// that has something to do, and starts it.
    fn step(&mut self, t: usize, now: f64) {
        loop {
            let th = &mut self.th[t];
            let next = match th.stage {
                Stage::Starting | Stage::Rendering => {
                    if th.stage == Stage::Rendering {
                        self.records[th.task as usize].end = now;
                    }
                    if self.take_task(t, now) {
                        Stage::Handoff
                    } else {
                        Stage::Done
                    }
                }
                Stage::Handoff => Stage::Loading,
                Stage::Loading => Stage::Rendering,
                Stage::Done => return,
            };
            let th = &mut self.th[t];
            th.stage = next;
            match next {
                Stage::Handoff if self.handoff > 0.0 => return self.want_cpu(t, self.handoff, now),
                Stage::Loading if th.load > 0.0 => {
                    let end = now + th.load;
                    push(&mut th.segments, Some(th.task), Phase::Loading, now, end);
                    th.state = State::Loading;
                    return self.events.push(end, ARRIVAL, t as u32);
                }
                Stage::Rendering if th.render > 0.0 => {
                    let render = th.render;
                    return self.want_cpu(t, render, now);
                }
                Stage::Done => return,
                _ => {}
            }
        }
    }

    /// Gives thread `t` the next task, if any is left.
    fn take_task(&mut self, t: usize, now: f64) -> bool {
        let Some(task) = self.tasks.get(self.next) else { return false };
        let id = self.next as u32;
        self.next += 1;
        let th = &mut self.th[t];
        th.task = id;
        th.load = ms(task.load);
        th.render = ms(task.render);
        let record = &mut self.records[id as usize];
        record.lane = t as u32;
        record.start = now;
        true
    }

    /// Thread `t` needs `burst` ms of CPU for its current stage.
    fn want_cpu(&mut self, t: usize, burst: f64, now: f64) {
        self.th[t].remaining = burst;
        if self.gil && self.th[t].stage == Stage::Rendering {
            self.want_lock(t, now);
        } else {
            self.want_core(t, now);
        }
    }

    fn want_lock(&mut self, t: usize, now: f64) {
        if self.lock.is_none() {
            self.lock = Some(t as u32);
            self.want_core(t, now);
        } else {
            self.lock_queue.push_back(t as u32);
            self.wait(t, State::WaitingLock, now);
        }
    }

    fn want_core(&mut self, t: usize, now: f64) {
        if self.free_cores > 0 {
            self.free_cores -= 1;
            self.start_run(t, now);
        } else {
            self.ready.push_back(t as u32);
            self.wait(t, State::WaitingCore, now);
        }
    }

    /// Marks `t` as waiting; a wait that follows another (lock, then core) continues it.
    fn wait(&mut self, t: usize, state: State, now: f64) {
        let th = &mut self.th[t];
        if !th.state.is_waiting() {
            th.since = now;
        }
        th.state = state;
    }

    /// Thread `t` has a core (and the lock, if it needs it) from `now`.
    fn start_run(&mut self, t: usize, now: f64) {
        let th = &mut self.th[t];
        if th.state.is_waiting() && now > th.since {
            // Pushed without `push`'s look at the previous segment, which is never a wait
            // to extend (`wait` extends waits itself): with 100,000 threads that look is
            // a cache miss the processor must wait for, the plain write is not.
            let task = th.segment_task();
            th.segments.push(Segment { task, phase: Phase::Blocked, start: th.since, end: now });
        }
        th.since = now;
        th.state = State::Running;
        self.schedule_slice(t, now);
    }

    fn schedule_slice(&mut self, t: usize, now: f64) {
        let th = &mut self.th[t];
        th.slice = th.remaining.min(self.quantum);
        self.events.push(now + th.slice, SLICE_END, t as u32);
    }

    /// Thread `t`'s slice ends at `now`: its phase is done, or its quantum expired.
    fn slice_end(&mut self, t: usize, now: f64) {
        let th = &mut self.th[t];
        let holds_lock = self.gil && th.stage == Stage::Rendering;
        if th.slice >= th.remaining {
            self.stop_run(t, now);
            if holds_lock {
                self.release_lock(now);
            }
            return self.step(t, now);
        }
        th.remaining -= th.slice;
        let yield_lock = holds_lock && !self.lock_queue.is_empty();
        if yield_lock {
            self.stop_run(t, now);
            self.release_lock(now);
            self.lock_queue.push_back(t as u32);
            self.wait(t, State::WaitingLock, now);
        } else if !self.ready.is_empty() {
            self.stop_run(t, now);
            self.ready.push_back(t as u32);
            self.wait(t, State::WaitingCore, now);
        } else {
            // Nobody is waiting: keep the core, and the segment stays open.
            self.schedule_slice(t, now);
        }
    }

    /// Closes thread `t`'s CPU segment at `now` and gives its core to the next in line.
    fn stop_run(&mut self, t: usize, now: f64) {
        let th = &mut self.th[t];
        let phase = match th.stage {
            Stage::Starting => Phase::Starting,
            Stage::Handoff => Phase::Handoff,
            _ => Phase::Rendering,
        };
        let task = th.segment_task();
        push(&mut th.segments, task, phase, th.since, now);
        th.state = State::Idle;
        match self.ready.pop_front() {
            Some(next) => self.start_run(next as usize, now),
            None => self.free_cores += 1,
        }
    }

    /// The lock's holder lets go at `now`; it goes to the longest waiter, if any.
    fn release_lock(&mut self, now: f64) {
        self.lock = self.lock_queue.pop_front();
        if let Some(next) = self.lock {
            let next = next as usize;
            if self.switch > 0.0 {
                self.wait(next, State::LockInTransit, now);
                self.events.push(now + self.switch, ARRIVAL, next as u32);
            } else {
                self.want_core(next, now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The shortcut for pools that never wait must give the event loop's trace. Durations
    /// are drawn from continuous ranges, so no two threads are ever freed at the same
    /// instant (where the two may legitimately break the tie differently).
    #[test]
    fn uncontended_shortcut_matches_the_event_loop() {
        let mut rng = Rng::new(7);
        for case in 0..200 {
            let n = 1 + case % 23;
            let tasks: Vec<Task> =
                (0..n).map(|_| Task { load: rng.range(0.1, 50.0), render: rng.range(0.1, 30.0) }).collect();
            let lanes = 1 + case % 7;
            let (startup, handoff) = (rng.range(0.0, 20.0), rng.range(0.0, 3.0));
            let fresh = || {
                let mut t = Trace::new(Strategy::Processes, 1);
                t.lanes = new_lanes(LaneKind::Process, "process", lanes.min(n));
                t.tasks = new_records(n);
                t
            };
            let mut shortcut = fresh();
            uncontended::run(&tasks, startup, handoff, &mut shortcut);
            let mut events = fresh();
            // An infinite quantum: no quantum events, which would add the render's slices
            // up in a different order and differ in the last bit.
            let machine =
                Machine { cores: None, gil: false, startup, handoff, switch: 0.0, quantum: f64::INFINITY };
            run_events(&tasks, &machine, &mut events);
            assert_eq!(shortcut, events, "case {case}");
        }
    }
}
