//! Coroutines (async/await) on one thread.
//!
//! Up to `workers` coroutines are in flight (a semaphore; `None`: every task at once),
//! admitted in task order as slots free up, each slot being a lane. Their loads overlap
//! freely, since waiting for I/O needs no thread. Rendering needs the one thread, so
//! renders run one at a time, each to its end (coroutines are never preempted), in the
//! order their loads finished (ties by task id); a coroutine waiting for its turn shows a
//! Blocked segment. With CPU-only work nothing overlaps and the makespan is Sync's.
//!
//! The thread passing from a finished render to a waiting coroutine costs `switch_cost_ms`,
//! drawn as the end of that coroutine's wait; an idle thread picks up a coroutine free.
//!
//! A limit is never faster than no limit nor slower than Sync, but it is not monotone:
//! because tasks are admitted in order as renders finish, one more slot can admit a
//! short render early that delays admitting a long load, and finish later (the test
//! `a_wider_coroutine_semaphore_can_be_slower` has an example).

use super::events::Events;
use super::lanes::{new_lanes, new_records, push};
use super::{lane_count, ms, SimConfig};
use crate::trace::{LaneKind, Phase, Strategy, Trace};
use crate::workload::Task;
use std::collections::VecDeque;

/// Event ranks: loads finishing at an instant join the queue before the thread picks the
/// next coroutine at that instant.
const LOADED: u8 = 0;
const RENDERED: u8 = 1;

pub(super) fn run(tasks: &[Task], cfg: &SimConfig) -> Trace {
    let slots = lane_count(cfg.workers, tasks.len());
    let mut sim = Loop {
        tasks,
        switch: ms(cfg.switch_cost_ms),
        trace: Trace::new(Strategy::Async, 1),
        events: Events::default(),
        ready: VecDeque::new(),
        busy: false,
        next: 0,
    };
    sim.trace.lanes = new_lanes(LaneKind::Coroutine, "coroutine", slots);
    sim.trace.tasks = new_records(tasks.len());
    for slot in 0..slots {
        sim.admit(slot as u32, 0.0);
    }
    while let Some(ev) = sim.events.pop() {
        match ev.rank() {
            LOADED => sim.loaded(ev.id(), ev.time),
            _ => sim.rendered(ev.id(), ev.time),
        }
    }
    sim.trace
}

struct Loop<'a> {
    tasks: &'a [Task],
    switch: f64,
    trace: Trace,
    events: Events,
    /// Coroutines whose load is done, waiting for the thread: (task, waiting since).
    ready: VecDeque<(u32, f64)>,
    /// Whether the thread is rendering (or switching to) a coroutine.
    busy: bool,
    /// The next task to admit.
    next: usize,
}

impl Loop<'_> {
    /// Starts the next task, if any, in `slot` at `now`.
    fn admit(&mut self, slot: u32, now: f64) {
        let Some(task) = self.tasks.get(self.next) else { return };
        let id = self.next as u32;
        self.next += 1;
        let record = &mut self.trace.tasks[id as usize];
        record.lane = slot;
        record.start = now;
        let loaded = now + ms(task.load);
        push(&mut self.trace.lanes[slot as usize].segments, Some(id), Phase::Loading, now, loaded);
        self.events.push(loaded, LOADED, id);
    }

    fn loaded(&mut self, id: u32, now: f64) {
        if ms(self.tasks[id as usize].render) == 0.0 {
            self.finish(id, now);
        } else if self.busy {
            self.ready.push_back((id, now));
        } else {
            // The thread is idle: nothing to switch away from, so no switch cost.
            self.render(id, now);
        }
    }

    fn render(&mut self, id: u32, at: f64) {
        self.busy = true;
        let end = at + ms(self.tasks[id as usize].render);
        let lane = self.trace.tasks[id as usize].lane as usize;
        push(&mut self.trace.lanes[lane].segments, Some(id), Phase::Rendering, at, end);
        self.events.push(end, RENDERED, id);
    }

    fn rendered(&mut self, id: u32, now: f64) {
        self.busy = false;
        self.finish(id, now);
        if let Some((next, since)) = self.ready.pop_front() {
            // The thread passes to a waiting coroutine: the switch shows as its wait.
            let at = now + self.switch;
            let lane = self.trace.tasks[next as usize].lane as usize;
            push(&mut self.trace.lanes[lane].segments, Some(next), Phase::Blocked, since, at);
            self.render(next, at);
        }
    }

    /// Records the task's end and gives its slot to the next task.
    fn finish(&mut self, id: u32, now: f64) {
        let record = &mut self.trace.tasks[id as usize];
        record.end = now;
        let slot = record.lane;
        self.admit(slot, now);
    }
}
