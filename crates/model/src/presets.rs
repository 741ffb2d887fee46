//! The animations of the explainer, as data: each preset is a workload recipe and the
//! strategies its panels compare, all simulated on the *same* seeded workload. The
//! sandbox reads the same shape from a URL or a form, through one parameter table.

use crate::sim::{simulate, SimConfig};
use crate::trace::{Strategy, Trace};
use crate::workload::{Mix, Range, WorkloadSpec};

/// A ready-made animation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preset {
    /// Name used in `data-preset` and URLs.
    pub key: &'static str,
    /// Heading shown above it.
    pub title: &'static str,
    /// Grid side: `side × side` pixels.
    pub side: u32,
    /// What each pixel costs.
    pub mix: Mix,
    /// Fixed durations (the post's single-pixel demos) instead of the usual ranges.
    pub fixed_ms: Option<f64>,
    /// The compared panels.
    pub panels: &'static [Compared],
}

/// One panel of a preset: its label and how its strategy is configured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Compared {
    /// Its label.
    pub label: &'static str,
    /// The strategy.
    pub strategy: Strategy,
    /// Most workers (or coroutines) at once; `None` is the ideal world.
    pub workers: Option<u32>,
    /// Coroutines only: the limit is a semaphore around each load, not coroutines that each
    /// keep a place through a whole pixel ([`SimConfig::semaphore`]).
    pub semaphore: bool,
}

/// A panel of `strategy` with as many workers as it likes.
const fn ideal(label: &'static str, strategy: Strategy) -> Compared {
    Compared { label, strategy, workers: None, semaphore: false }
}

/// A panel of `strategy` with at most `n` workers at once.
const fn at_most(label: &'static str, strategy: Strategy, n: u32) -> Compared {
    Compared { label, strategy, workers: Some(n), semaphore: false }
}

use Strategy::{Async, Sync, Threads};

/// Every preset, in the order the post shows them.
pub const PRESETS: &[Preset] = &[
    Preset {
        key: "single-load",
        title: "Loading one pixel: waiting on I/O",
        side: 1,
        mix: Mix::IoOnly,
        fixed_ms: Some(4000.0),
        panels: &[ideal("Load", Sync)],
    },
    Preset {
        key: "single-render",
        title: "Rendering one pixel: CPU work",
        side: 1,
        mix: Mix::CpuOnly,
        fixed_ms: Some(4000.0),
        panels: &[ideal("Render", Sync)],
    },
    Preset {
        key: "sync-4x4",
        title: "Synchronous: one pixel after another",
        side: 4,
        mix: Mix::Mixed,
        fixed_ms: None,
        panels: &[ideal("Synchronous", Sync)],
    },
    Preset {
        key: "threads-4x4",
        title: "Parallel: a thread per pixel (ideal world)",
        side: 4,
        mix: Mix::Mixed,
        fixed_ms: None,
        panels: &[ideal("Threads", Threads)],
    },
    Preset {
        key: "async-4x4",
        title: "Concurrent: a coroutine per pixel (ideal world)",
        side: 4,
        mix: Mix::Mixed,
        fixed_ms: None,
        panels: &[ideal("Coroutines", Async)],
    },
    Preset {
        key: "compare-4x4",
        title: "All three on the same 16 pixels",
        side: 4,
        mix: Mix::Mixed,
        fixed_ms: None,
        panels: &[ideal("Synchronous", Sync), ideal("Threads", Threads), ideal("Coroutines", Async)],
    },
    Preset {
        key: "permits",
        title: "Four at a time, every load and render 1 s: places kept, or permits around the load",
        side: 4,
        mix: Mix::Mixed,
        fixed_ms: Some(1000.0),
        panels: &[
            at_most("4 coroutines, a pixel each", Async, 4),
            Compared {
                label: "4 permits, around each load",
                strategy: Async,
                workers: Some(4),
                semaphore: true,
            },
        ],
    },
    Preset {
        key: "real-io",
        title: "Real world, I/O only: at most 8 at once",
        side: 4,
        mix: Mix::IoOnly,
        fixed_ms: None,
        panels: &[at_most("Threads, 8", Threads, 8), at_most("Coroutines, 8", Async, 8)],
    },
    Preset {
        key: "real-cpu",
        title: "Real world, CPU only: at most 8 at once",
        side: 4,
        mix: Mix::CpuOnly,
        fixed_ms: None,
        panels: &[at_most("Threads, 8", Threads, 8), at_most("Coroutines, 8", Async, 8)],
    },
    Preset {
        key: "real-mixed",
        title: "Real world, load and render: at most 8 at once",
        side: 4,
        mix: Mix::Mixed,
        fixed_ms: None,
        panels: &[at_most("Threads, 8", Threads, 8), at_most("Coroutines, 8", Async, 8)],
    },
    Preset {
        key: "big-16x16",
        title: "16×16 pixels, at most 32 at once",
        side: 16,
        mix: Mix::Mixed,
        fixed_ms: None,
        panels: &[at_most("Threads, 32", Threads, 32), at_most("Coroutines, 32", Async, 32)],
    },
];

impl Preset {
    /// The preset named `key`.
    pub fn find(key: &str) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.key == key)
    }

    /// The workload all panels share for `seed`.
    pub fn workload(&self, seed: u64) -> WorkloadSpec {
        let spec = WorkloadSpec::pixels(self.side * self.side, seed).with_mix(self.mix);
        match self.fixed_ms {
            Some(ms) => WorkloadSpec { load: Range::fixed(ms), render: Range::fixed(ms), ..spec },
            None => spec,
        }
    }

    /// One simulated trace per panel, all of the same workload.
    pub fn simulate(&self, seed: u64) -> Vec<(String, Trace)> {
        let tasks = self.workload(seed).draw();
        self.panels
            .iter()
            .map(|c| {
                let cfg = SimConfig::ideal(c.strategy).with_workers(c.workers).with_semaphore(c.semaphore);
                (c.label.to_string(), simulate(&tasks, &cfg))
            })
            .collect()
    }
}

/// What the sandbox will simulate.
#[derive(Clone, Debug, PartialEq)]
pub struct Sandbox {
    /// The workload.
    pub spec: WorkloadSpec,
    /// Grid side.
    pub side: u32,
    /// The strategies to compare and how each is configured.
    pub panels: Vec<(String, SimConfig)>,
}

impl Sandbox {
    /// One trace per panel, on one shared workload.
    pub fn simulate(&self) -> Vec<(String, Trace)> {
        let tasks = self.spec.draw();
        self.panels.iter().map(|(label, cfg)| (label.clone(), simulate(&tasks, cfg))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_simulates_valid_traces_on_one_workload() {
        for p in PRESETS {
            let traces = p.simulate(7);
            assert_eq!(traces.len(), p.panels.len(), "{}", p.key);
            for (_, t) in &traces {
                t.validate().unwrap_or_else(|e| panic!("{}: {e}", p.key));
                assert_eq!(t.tasks.len() as u32, p.side * p.side, "{}", p.key);
            }
        }
    }

    #[test]
    fn compared_panels_match_the_post() {
        let traces = Preset::find("compare-4x4").unwrap().simulate(3);
        let ms: Vec<f64> = traces.iter().map(|(_, t)| t.makespan).collect();
        let (sync, threads, coroutines) = (ms[0], ms[1], ms[2]);
        assert!(threads < coroutines && coroutines < sync, "{ms:?}");
        let tasks = Preset::find("compare-4x4").unwrap().workload(3).draw();
        assert_eq!(sync, tasks.iter().map(|t| t.load + t.render).sum::<f64>());
    }

    #[test]
    fn permits_around_the_load_leave_the_thread_idle_where_kept_places_do_not() {
        let permits = Preset::find("permits").unwrap();
        let traces = permits.simulate(0);
        let ms: Vec<f64> = traces.iter().map(|(_, t)| t.makespan).collect();
        // Kept places: one load, then the thread renders all sixteen back to back. Permits:
        // each round of four renders ends with the thread idle through a whole load.
        assert_eq!(ms, [17_000.0, 20_000.0]);
        assert_eq!(
            traces.iter().map(|(_, t)| t.lanes.len()).collect::<Vec<_>>(),
            [4, 16],
            "a coroutine per pixel"
        );
        // The post's uneven pixels: the essay's count of seeds where each came first.
        let uneven = Preset { fixed_ms: None, ..*permits };
        let (mut ahead, mut tied) = (0, 0);
        for seed in 0..500 {
            let t = uneven.simulate(seed);
            let (kept, semaphore) = (t[0].1.makespan, t[1].1.makespan);
            ahead += (semaphore < kept) as u32;
            tied += (semaphore == kept) as u32;
        }
        assert_eq!((ahead, tied), (6, 139));
        assert_eq!(
            uneven.simulate(0).iter().map(|(_, t)| t.makespan).collect::<Vec<_>>(),
            [28_900.0, 29_200.0]
        );
    }

    #[test]
    fn single_pixel_demos_take_four_seconds() {
        for key in ["single-load", "single-render"] {
            let traces = Preset::find(key).unwrap().simulate(1);
            assert_eq!(traces[0].1.makespan, 4000.0, "{key}");
        }
    }
}
