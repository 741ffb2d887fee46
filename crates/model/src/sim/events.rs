//! The event queue shared by the event-driven simulators: a min-heap on
//! (time, rank, id), so runs are deterministic and simultaneous events have a fixed order.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Something that happens to lane (or task) `id` at `time`.
///
/// At one instant, lower ranks go first. The simulators give arrivals (a load finished,
/// a lock arrived) rank 0 and CPU slice ends rank 1, so a thread whose load ends exactly
/// when a running thread's quantum expires is already queued for the core when the
/// quantum-expiry decision is made: round-robin stays fair even on the post's workloads,
/// whose durations are all whole hundreds of ms like the quantum.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Event {
    pub time: f64,
    /// `rank << 32 | id`: the tie-breaks, packed so comparing events is two integer
    /// comparisons (a run sorts or sifts millions of them).
    tie: u64,
}

impl Event {
    fn new(time: f64, rank: u8, id: u32) -> Self {
        // Simulated times are sums of durations that are never negative (`sim::ms`), so
        // their bits order like their values.
        debug_assert!(time >= 0.0 && time.is_sign_positive(), "negative time {time}");
        Event { time, tie: (rank as u64) << 32 | id as u64 }
    }

    pub fn rank(&self) -> u8 {
        (self.tie >> 32) as u8
    }

    pub fn id(&self) -> u32 {
        self.tie as u32
    }

    fn key(&self) -> (u64, u64) {
        (self.time.to_bits(), self.tie)
    }
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Event {}

impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Event {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest event first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

/// A min-heap of events, with a fast start.
///
/// Runs in the ideal world push one event per task before the first pop (100,000 loads
/// starting at time 0). Those are sorted once, which is several times faster than heap
/// operations on a heap that size, and popped from the sorted batch; only the events
/// pushed after the first pop go through the heap.
#[derive(Default)]
pub(crate) struct Events {
    /// Events pushed before the first pop, sorted on that pop so the earliest is last.
    batch: Vec<Event>,
    sealed: bool,
    heap: BinaryHeap<Event>,
}

impl Events {
    pub fn push(&mut self, time: f64, rank: u8, id: u32) {
        let ev = Event::new(time, rank, id);
        if self.sealed {
            self.heap.push(ev);
        } else {
            self.batch.push(ev);
        }
    }

    /// The time of the event `pop` would return next.
    pub fn next_time(&mut self) -> Option<f64> {
        self.seal();
        if self.earliest_in_heap() {
            self.heap.peek().map(|e| e.time)
        } else {
            self.batch.last().map(|e| e.time)
        }
    }

    pub fn pop(&mut self) -> Option<Event> {
        self.seal();
        if self.earliest_in_heap() {
            self.heap.pop()
        } else {
            self.batch.pop()
        }
    }

    fn seal(&mut self) {
        if !self.sealed {
            // Ascending in the reversed order: the earliest event ends up last.
            self.batch.sort_unstable();
            self.sealed = true;
        }
    }

    /// Whether the earliest event waits in the heap rather than in the sorted batch. The
    /// greater event (in the reversed order) is the earlier one.
    fn earliest_in_heap(&self) -> bool {
        match (self.batch.last(), self.heap.peek()) {
            (Some(b), Some(h)) => h > b,
            (Some(_), None) => false,
            (None, _) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_rank_then_id() {
        let mut q = Events::default();
        q.push(2.0, 0, 0);
        q.push(1.0, 1, 0);
        q.push(1.0, 0, 5);
        q.push(1.0, 0, 3);
        let mut order = vec![q.pop().unwrap()];
        // Pushed after the first pop: goes to the heap, still comes out in order.
        q.push(1.5, 0, 9);
        q.push(1.0, 0, 4);
        order.extend(std::iter::from_fn(|| q.pop()));
        let order: Vec<(f64, u8, u32)> = order.iter().map(|e| (e.time, e.rank(), e.id())).collect();
        assert_eq!(order, vec![(1.0, 0, 3), (1.0, 0, 4), (1.0, 0, 5), (1.0, 1, 0), (1.5, 0, 9), (2.0, 0, 0)]);
    }
}
