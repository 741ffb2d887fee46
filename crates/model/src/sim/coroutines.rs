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
//! With [`SimConfig::semaphore`] the limit is a semaphore around each load instead: every
//! task is a coroutine with a lane of its own from the start, and `workers` permits. A
//! coroutine whose load has ended needs the thread to resume; as it resumes it gives its
//! permit back, which wakes the next coroutine waiting for one, and that coroutine too needs
//! the thread to send its request: it joins the back of the thread's queue, behind every
//! coroutine already waiting there to render. (Sending and giving back take no time.)
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
    if cfg.semaphore && slots < tasks.len() {
        return semaphore(tasks, cfg, slots);
    }
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

/// What a coroutine waits in the thread's queue for, under a semaphore.
#[derive(Clone, Copy, PartialEq)]
enum Turn {
    /// Its load has ended: resume, give the permit back, render.
    Resume,
    /// It has been given a permit: send its request.
    Send,
}

/// Coroutines, one per task, with a semaphore of `permits` around each load.
fn semaphore(tasks: &[Task], cfg: &SimConfig, permits: usize) -> Trace {
    let mut sim = Semaphore {
        tasks,
        switch: ms(cfg.switch_cost_ms),
        trace: Trace::new(Strategy::Async, 1),
        events: Events::default(),
        queue: VecDeque::new(),
        busy: false,
        next: permits,
    };
    sim.trace.lanes = new_lanes(LaneKind::Coroutine, "coroutine", tasks.len());
    sim.trace.tasks = new_records(tasks.len());
    for (id, record) in sim.trace.tasks.iter_mut().enumerate() {
        record.lane = id as u32;
    }
    for id in 0..permits {
        sim.send(id as u32, 0.0);
    }
    // Everything that happens at one instant (loads ending, a render ending) is queued
    // before the thread, if free, takes its next turn: timers that fire together are all
    // in the event loop's queue before any of their callbacks runs.
    let mut after_render = false;
    while let Some(ev) = sim.events.pop() {
        if ev.rank() == LOADED {
            sim.queue.push_back((ev.id(), ev.time, Turn::Resume));
        } else {
            sim.trace.tasks[ev.id() as usize].end = ev.time;
            sim.busy = false;
            after_render = true;
        }
        if !sim.busy && sim.events.next_time() != Some(ev.time) {
            sim.next_turn(ev.time, after_render);
            after_render = false;
        }
    }
    sim.trace
}

struct Semaphore<'a> {
    tasks: &'a [Task],
    switch: f64,
    trace: Trace,
    events: Events,
    /// Coroutines waiting for the thread: (task, waiting since, what for).
    queue: VecDeque<(u32, f64, Turn)>,
    /// Whether the thread is rendering.
    busy: bool,
    /// The next task to be given a permit.
    next: usize,
}

impl Semaphore<'_> {
    /// Task `id` sends its request at `at`, having waited for its permit since 0.
    fn send(&mut self, id: u32, at: f64) {
        let segments = &mut self.trace.lanes[id as usize].segments;
        push(segments, Some(id), Phase::Blocked, 0.0, at);
        let loaded = at + ms(self.tasks[id as usize].load);
        push(segments, Some(id), Phase::Loading, at, loaded);
        self.events.push(loaded, LOADED, id);
    }

    /// Gives the free thread to the coroutines waiting for it, in turn, until one renders;
    /// after a render the first pays the switch.
    fn next_turn(&mut self, mut now: f64, after_render: bool) {
        let mut switch = if after_render { self.switch } else { 0.0 };
        while let Some((id, since, turn)) = self.queue.pop_front() {
            let at = now + switch;
            switch = 0.0;
            now = at;
            if turn == Turn::Send {
                self.send(id, at);
                continue;
            }
            push(&mut self.trace.lanes[id as usize].segments, Some(id), Phase::Blocked, since, at);
            if self.next < self.tasks.len() {
                self.queue.push_back((self.next as u32, at, Turn::Send));
                self.next += 1;
            }
            let end = at + ms(self.tasks[id as usize].render);
            if end == at {
                self.trace.tasks[id as usize].end = at;
                continue;
            }
            self.busy = true;
            push(&mut self.trace.lanes[id as usize].segments, Some(id), Phase::Rendering, at, end);
            self.events.push(end, RENDERED, id);
            return;
        }
    }
}
