//! Workloads: tasks with an I/O part (a pixel's load, a page's latency) and a CPU part
//! (a pixel's render, a page's parse), drawn from ranges with a seeded generator.

use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// One task: first it waits `load` ms for I/O, then it computes for `render` ms.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// I/O wait, in ms (0 for CPU-only work).
    pub load: f64,
    /// CPU work, in ms (0 for I/O-only work).
    pub render: f64,
}

/// A closed range of durations in ms.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// Shortest.
    pub min: f64,
    /// Longest.
    pub max: f64,
}

impl Range {
    /// `min..=max`, reordered if given backwards.
    pub fn new(a: f64, b: f64) -> Self {
        Range { min: a.min(b), max: a.max(b) }
    }

    /// A range holding one value.
    pub fn fixed(ms: f64) -> Self {
        Range { min: ms, max: ms }
    }
}

/// What the tasks of a workload are made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mix {
    /// Load then render (the post's pixels).
    Mixed,
    /// Load only (downloading pages).
    IoOnly,
    /// Render only (fib).
    CpuOnly,
}

/// The recipe for a workload: drawing it twice with the same spec gives the same tasks.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkloadSpec {
    /// How many tasks.
    pub tasks: u32,
    /// I/O duration range (ms).
    pub load: Range,
    /// CPU duration range (ms).
    pub render: Range,
    /// Which parts the tasks have.
    pub mix: Mix,
    /// Seed of the generator.
    pub seed: u64,
}

impl WorkloadSpec {
    /// The post's pixels: load 1.5 to 7 s, render 0.8 to 1.5 s.
    pub fn pixels(tasks: u32, seed: u64) -> Self {
        WorkloadSpec {
            tasks,
            load: Range::new(1500.0, 7000.0),
            render: Range::new(800.0, 1500.0),
            mix: Mix::Mixed,
            seed,
        }
    }

    /// The same spec with another mix.
    pub fn with_mix(self, mix: Mix) -> Self {
        WorkloadSpec { mix, ..self }
    }

    /// Draws the tasks. Durations are rounded to whole hundreds of ms like the post's
    /// animations, except when a range is narrower than that.
    ///
    /// Both parts are always drawn, whatever the mix, so that the I/O-only, CPU-only and
    /// mixed variants of one seed share the same durations where they have them.
    pub fn draw(&self) -> Vec<Task> {
        let mut rng = Rng::new(self.seed);
        (0..self.tasks)
            .map(|_| {
                let load = round_like_post(rng.range(self.load.min, self.load.max), self.load);
                let render = round_like_post(rng.range(self.render.min, self.render.max), self.render);
                match self.mix {
                    Mix::Mixed => Task { load, render },
                    Mix::IoOnly => Task { load, render: 0.0 },
                    Mix::CpuOnly => Task { load: 0.0, render },
                }
            })
            .collect()
    }
}

fn round_like_post(ms: f64, range: Range) -> f64 {
    if range.max - range.min >= 100.0 {
        ((ms / 100.0).round() * 100.0).clamp(range.min, range.max)
    } else {
        ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_tasks_and_ranges_respected() {
        let spec = WorkloadSpec::pixels(16, 42);
        let a = spec.draw();
        assert_eq!(a, spec.draw());
        assert_eq!(a.len(), 16);
        for t in &a {
            assert!((1500.0..=7000.0).contains(&t.load));
            assert!((800.0..=1500.0).contains(&t.render));
            assert_eq!(t.load % 100.0, 0.0);
        }
        assert_ne!(a, WorkloadSpec::pixels(16, 43).draw());
    }

    #[test]
    fn mixes_share_durations() {
        let spec = WorkloadSpec::pixels(8, 1);
        let mixed = spec.draw();
        let io = spec.with_mix(Mix::IoOnly).draw();
        let cpu = spec.with_mix(Mix::CpuOnly).draw();
        for i in 0..8 {
            assert_eq!(io[i].load, mixed[i].load);
            assert_eq!(io[i].render, 0.0);
            assert_eq!(cpu[i].render, mixed[i].render);
            assert_eq!(cpu[i].load, 0.0);
        }
    }

    #[test]
    fn narrow_ranges_are_not_rounded() {
        let spec = WorkloadSpec { tasks: 3, load: Range::new(10.0, 20.0), ..WorkloadSpec::pixels(3, 5) };
        assert!(spec.draw().iter().any(|t| t.load % 100.0 != 0.0));
    }
}
