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
    /// The compared panels: (label, strategy, most workers at once; `None` = ideal).
    pub panels: &'static [(&'static str, Strategy, Option<u32>)],
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
        panels: &[("Load", Sync, None)],
    },
    Preset {
        key: "single-render",
        title: "Rendering one pixel: CPU work",
        side: 1,
        mix: Mix::CpuOnly,
        fixed_ms: Some(4000.0),
        panels: &[("Render", Sync, None)],
    },
    Preset {
        key: "sync-4x4",
        title: "Synchronous: one pixel after another",
        side: 4,
        mix: Mix::Mixed,
        fixed_ms: None,
        panels: &[("Synchronous", Sync, None)],
    },
    Preset {
        key: "threads-4x4",
        title: "Parallel: a thread per pixel (ideal world)",
        side: 4,
        mix: Mix::Mixed,
        fixed_ms: None,
        panels: &[("Threads", Threads, None)],
    },
    Preset {
        key: "async-4x4",
        title: "Concurrent: a coroutine per pixel (ideal world)",
        side: 4,
        mix: Mix::Mixed,
        fixed_ms: None,
        panels: &[("Coroutines", Async, None)],
    },
    Preset {
        key: "compare-4x4",
        title: "All three on the same 16 pixels",
        side: 4,
        mix: Mix::Mixed,
        fixed_ms: None,
        panels: &[("Synchronous", Sync, None), ("Threads", Threads, None), ("Coroutines", Async, None)],
    },
    Preset {
        key: "real-io",
        title: "Real world, I/O only: at most 8 at once",
        side: 4,
        mix: Mix::IoOnly,
        fixed_ms: None,
        panels: &[("Threads, 8", Threads, Some(8)), ("Coroutines, 8", Async, Some(8))],
    },
    Preset {
        key: "real-cpu",
        title: "Real world, CPU only: at most 8 at once",
        side: 4,
        mix: Mix::CpuOnly,
        fixed_ms: None,
        panels: &[("Threads, 8", Threads, Some(8)), ("Coroutines, 8", Async, Some(8))],
    },
    Preset {
        key: "real-mixed",
        title: "Real world, load and render: at most 8 at once",
        side: 4,
        mix: Mix::Mixed,
        fixed_ms: None,
        panels: &[("Threads, 8", Threads, Some(8)), ("Coroutines, 8", Async, Some(8))],
    },
    Preset {
        key: "big-16x16",
        title: "16×16 pixels, at most 32 at once",
        side: 16,
        mix: Mix::Mixed,
        fixed_ms: None,
        panels: &[("Threads, 32", Threads, Some(32)), ("Coroutines, 32", Async, Some(32))],
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
            .map(|&(label, strategy, workers)| {
                let cfg = SimConfig::ideal(strategy).with_workers(workers);
                (label.to_string(), simulate(&tasks, &cfg))
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
    fn single_pixel_demos_take_four_seconds() {
        for key in ["single-load", "single-render"] {
            let traces = Preset::find(key).unwrap().simulate(1);
            assert_eq!(traces[0].1.makespan, 4000.0, "{key}");
        }
    }
}
