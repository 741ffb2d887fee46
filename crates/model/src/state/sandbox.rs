//! The state of the sandbox: every knob of the simulator.

use super::field::{self, param, Choice, Field, State, SEED};
use crate::presets::Sandbox;
use crate::query::{number, Notice, Pairs, Param};
use crate::sim::SimConfig;
use crate::trace::Strategy;
use crate::workload::{Mix, Range, WorkloadSpec};

/// What the sandbox's global lock costs at each hand-off (ms): its tasks last seconds, so a
/// realistic microsecond would not show; 5 ms does, and stays small beside them.
const SANDBOX_SWITCH_COST_MS: f64 = 5.0;

/// The sandbox's numbers. `workers` and `cores` of 0 mean unlimited.
pub const SANDBOX_PARAMS: [Param; 9] = [
    Param::whole("side", 1.0, 64.0, 8.0, "grid side (side × side pixels)"),
    Param::real("load_min", 0.0, 60_000.0, 1500.0, "shortest load (ms)"),
    Param::real("load_max", 0.0, 60_000.0, 7000.0, "longest load (ms)"),
    Param::real("render_min", 0.0, 60_000.0, 800.0, "shortest render (ms)"),
    Param::real("render_max", 0.0, 60_000.0, 1500.0, "longest render (ms)"),
    Param::whole("workers", 0.0, 4096.0, 8.0, "threads, processes or coroutines at once (0: unlimited)"),
    Param::whole("cores", 0.0, 256.0, 4.0, "CPU cores (0: unlimited)"),
    Param::real("startup", 0.0, 5000.0, 0.0, "start-up cost per thread or process (ms)"),
    SEED,
];

/// The state of the sandbox.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SandboxState {
    /// Grid side: `side × side` pixels.
    pub side: u32,
    /// Load durations (ms), `min <= max`.
    pub load: Range,
    /// Render durations (ms), `min <= max`.
    pub render: Range,
    /// Most threads, processes or coroutines at once; 0 = unlimited.
    pub workers: u32,
    /// CPU cores; 0 = unlimited.
    pub cores: u32,
    /// Start-up cost of each thread or process (ms).
    pub startup_ms: f64,
    /// The workload's seed.
    pub seed: u64,
    /// One strategy, or `None` to compare all.
    pub strategy: Option<Strategy>,
    /// The time to show, paused; `None` plays from the start.
    pub t: Option<f64>,
}

/// The word for comparing every strategy, then each strategy, labelled as the form shows them.
fn strategies() -> Vec<(&'static str, &'static str)> {
    [("all", "compare all")].into_iter().chain(Strategy::ALL.iter().map(|s| (s.key(), s.label()))).collect()
}

const fn knob(
    key: &str,
    get: fn(&SandboxState) -> f64,
    set: fn(&mut SandboxState, f64),
) -> Field<SandboxState> {
    Field::number(param(&SANDBOX_PARAMS, key), get, set)
}

const FIELDS: [Field<SandboxState>; 11] = [
    knob("side", |s| s.side as f64, |s, v| s.side = v as u32),
    knob("load_min", |s| s.load.min, |s, v| s.load.min = v),
    knob("load_max", |s| s.load.max, |s, v| s.load.max = v),
    knob("render_min", |s| s.render.min, |s, v| s.render.min = v),
    knob("render_max", |s| s.render.max, |s, v| s.render.max = v),
    knob("workers", |s| s.workers as f64, |s, v| s.workers = v as u32),
    knob("cores", |s| s.cores as f64, |s, v| s.cores = v as u32),
    knob("startup", |s| s.startup_ms, |s, v| s.startup_ms = v),
    knob("seed", |s| s.seed as f64, |s, v| s.seed = v as u64),
    Field::choice(
        "strategy",
        Choice {
            options: strategies,
            default: "all",
            doc: "one strategy, or compare all",
            instead: |_| ": comparing all".into(),
        },
        |s| s.strategy.map_or("all", Strategy::key),
        |s, word| s.strategy = Strategy::from_key(word),
    ),
    Field::time(|s| s.t, |s, t| s.t = t),
];

impl State for SandboxState {
    fn fields(&self) -> &'static [Field<SandboxState>] {
        &FIELDS
    }

    /// A range given backwards is turned round.
    fn settle(&mut self, notices: &mut Vec<Notice>) {
        for (what, range) in [("load", &mut self.load), ("render", &mut self.render)] {
            if range.min > range.max {
                notices.push(Notice(format!(
                    "{what}_min={} is above {what}_max={}: swapped",
                    number(range.min),
                    number(range.max)
                )));
                *range = Range::new(range.min, range.max);
            }
        }
    }

    fn check(&self) -> Result<(), String> {
        for (what, range) in [("load", self.load), ("render", self.render)] {
            if range.min > range.max {
                return Err(format!("{what}_min > {what}_max"));
            }
        }
        Ok(())
    }
}

impl SandboxState {
    /// Reads the state, changing what must change and saying so.
    pub fn from_query(query: &[(String, String)]) -> (SandboxState, Vec<Notice>) {
        // Every field is set from the table.
        let none = Range::fixed(0.0);
        let blank = SandboxState {
            side: 0,
            load: none,
            render: none,
            workers: 0,
            cores: 0,
            startup_ms: 0.0,
            seed: 0,
            strategy: None,
            t: None,
        };
        field::read(field::defaults(blank), query)
    }

    /// The query that [`SandboxState::from_query`] reads back as this state.
    pub fn to_query(&self) -> Pairs {
        field::write(self)
    }

    /// Whether every value is one `from_query` could have produced.
    pub fn validate(&self) -> Result<(), String> {
        field::validate(self)
    }

    /// The simulation this state describes: one panel per strategy compared.
    pub fn sandbox(&self) -> Sandbox {
        let limit = |x: u32| (x >= 1).then_some(x);
        let strategies = self.strategy.map_or(Strategy::ALL.to_vec(), |s| vec![s]);
        let panels = strategies
            .into_iter()
            .map(|s| {
                let mut cfg = SimConfig::ideal(s)
                    .with_workers(limit(self.workers))
                    .with_cores(limit(self.cores))
                    .with_startup_ms(self.startup_ms);
                if s == Strategy::Processes {
                    // Processes pay a hand-off per task; make it visible but small.
                    cfg = cfg.with_handoff_ms(20.0);
                }
                if s == Strategy::Gil {
                    cfg = cfg.with_switch_cost_ms(SANDBOX_SWITCH_COST_MS);
                }
                (s.label().to_string(), cfg)
            })
            .collect();
        let spec = WorkloadSpec {
            tasks: self.side * self.side,
            load: self.load,
            render: self.render,
            mix: Mix::Mixed,
            seed: self.seed,
        };
        Sandbox { spec, side: self.side, panels }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::pairs;

    #[test]
    fn sandbox_clamps_and_tells() {
        let q = pairs(&[("side", "500"), ("workers", "x"), ("strategy", "fork")]);
        let (state, notices) = SandboxState::from_query(&q);
        let sb = state.sandbox();
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
        let (state, notices) = SandboxState::from_query(&pairs(&[("side", "1"), ("strategy", "threads")]));
        let sb = state.sandbox();
        assert!(notices.is_empty());
        assert_eq!(sb.simulate()[0].1.tasks.len(), 1);
    }
}
