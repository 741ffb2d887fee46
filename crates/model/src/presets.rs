//! The animations of the explainer, as data: each preset is a workload recipe and the
//! strategies its panels compare, all simulated on the *same* seeded workload. The
//! sandbox reads the same shape from a URL or a form, through one parameter table.

use crate::job::{find, Notice, Param};
use crate::sim::{simulate, SimConfig};
use crate::trace::{Strategy, Trace};
use crate::workload::{Mix, Range, WorkloadSpec};

/// A ready-made animation.
#[derive(Clone, Copy, Debug)]
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

/// The sandbox's parameters. `workers` and `cores` of 0 mean unlimited.
pub const SANDBOX_PARAMS: [Param; 9] = [
    Param { key: "side", min: 1.0, max: 64.0, default: 8.0, doc: "grid side (side × side pixels)" },
    Param { key: "load_min", min: 0.0, max: 60_000.0, default: 1500.0, doc: "shortest load (ms)" },
    Param { key: "load_max", min: 0.0, max: 60_000.0, default: 7000.0, doc: "longest load (ms)" },
    Param { key: "render_min", min: 0.0, max: 60_000.0, default: 800.0, doc: "shortest render (ms)" },
    Param { key: "render_max", min: 0.0, max: 60_000.0, default: 1500.0, doc: "longest render (ms)" },
    Param {
        key: "workers",
        min: 0.0,
        max: 4096.0,
        default: 8.0,
        doc: "threads, processes or coroutines at once (0: unlimited)",
    },
    Param { key: "cores", min: 0.0, max: 256.0, default: 4.0, doc: "CPU cores (0: unlimited)" },
    Param {
        key: "startup",
        min: 0.0,
        max: 5000.0,
        default: 0.0,
        doc: "start-up cost per thread or process (ms)",
    },
    Param { key: "seed", min: 0.0, max: 4_294_967_295.0, default: 1.0, doc: "workload seed" },
];

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
    /// Reads the sandbox from query pairs (`strategy` = a key or `all`), clamping values.
    pub fn from_query(query: &[(String, String)]) -> (Sandbox, Vec<Notice>) {
        let mut notices = Vec::new();
        let mut v = |key: &str| {
            let p = SANDBOX_PARAMS.iter().find(|p| p.key == key).expect("key is in the table");
            p.read(find(query, key), &mut notices)
        };
        let side = v("side") as u32;
        let (load, render) =
            (Range::new(v("load_min"), v("load_max")), Range::new(v("render_min"), v("render_max")));
        let limit = |x: f64| (x >= 1.0).then_some(x as u32);
        let (workers, cores, startup, seed) =
            (limit(v("workers")), limit(v("cores")), v("startup"), v("seed") as u64);
        let strategies: Vec<Strategy> = match find(query, "strategy").unwrap_or("all") {
            "all" | "" => Strategy::ALL.to_vec(),
            key => match Strategy::from_key(key) {
                Some(s) => vec![s],
                None => {
                    notices.push(Notice(format!("strategy={key:?} is unknown: comparing all")));
                    Strategy::ALL.to_vec()
                }
            },
        };
        let panels = strategies
            .into_iter()
            .map(|s| {
                let mut cfg =
                    SimConfig::ideal(s).with_workers(workers).with_cores(cores).with_startup_ms(startup);
                if s == Strategy::Processes {
                    // Processes pay a hand-off per task; make it visible but small.
                    cfg = cfg.with_handoff_ms(20.0);
                }
                if s == Strategy::Gil {
                    cfg = cfg.with_switch_ms(5.0);
                }
                (s.label().to_string(), cfg)
            })
            .collect();
        let spec = WorkloadSpec { tasks: side * side, load, render, mix: Mix::Mixed, seed };
        (Sandbox { spec, side, panels }, notices)
    }

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

    #[test]
    fn sandbox_clamps_and_tells() {
        let q: Vec<(String, String)> = [("side", "500"), ("workers", "x"), ("strategy", "fork")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (sb, notices) = Sandbox::from_query(&q);
        assert_eq!(sb.side, 64);
        assert_eq!(sb.spec.tasks, 4096);
        assert_eq!(sb.panels.len(), 5);
        assert_eq!(notices.len(), 3, "{notices:?}");
        for (_, t) in sb.simulate() {
            t.validate().unwrap();
        }
    }

    #[test]
    fn sandbox_zero_and_one_task() {
        let q = vec![("side".to_string(), "1".to_string()), ("strategy".to_string(), "threads".to_string())];
        let (sb, notices) = Sandbox::from_query(&q);
        assert!(notices.is_empty());
        assert_eq!(sb.simulate()[0].1.tasks.len(), 1);
    }
}
