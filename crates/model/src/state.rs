//! One typed state per widget: everything a reader can set, in a form that survives a URL.
//!
//! Each state has `from_query` (never panics, always returns a valid state, with a
//! [`Notice`] for each value it had to change) and `to_query` (its exact inverse on valid
//! states). Links, embed snippets and forms are all built on these two functions.

use crate::job::{most_fib_tasks, most_parse_ms, Job, RunKind, Workload, MAX_PARSE_TOTAL_MS};
use crate::presets::{Preset, Sandbox, PRESETS};
use crate::query::{find, number, shorten, Notice, Pairs, Param};
use crate::sim::SimConfig;
use crate::trace::Strategy;
use crate::workload::{Mix, Range, WorkloadSpec};

/// Every widget the site has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Widget {
    /// A real run of fib or fetch.
    Run(RunKind),
    /// One of the post's animations.
    Anim,
    /// The simulator with every knob.
    Sandbox,
    /// The start-up experiment: one thread against fresh workers against a pool.
    Startup,
    /// The pipeline: concurrency as structure.
    Pipeline,
}

impl Widget {
    /// Every widget, in the README's order.
    pub const ALL: [Widget; 6] = [
        Widget::Run(RunKind::Fib),
        Widget::Run(RunKind::Fetch),
        Widget::Anim,
        Widget::Sandbox,
        Widget::Startup,
        Widget::Pipeline,
    ];

    /// Its name in `widget=` and `data-widget`.
    pub fn key(self) -> &'static str {
        match self {
            Widget::Run(kind) => kind.key(),
            Widget::Anim => "anim",
            Widget::Sandbox => "sandbox",
            Widget::Startup => "startup",
            Widget::Pipeline => "pipeline",
        }
    }

    /// The widget named `key`.
    pub fn from_key(key: &str) -> Option<Widget> {
        Widget::ALL.into_iter().find(|w| w.key() == key)
    }
}

fn param(params: &'static [Param], key: &str) -> &'static Param {
    params.iter().find(|p| p.key == key).expect("key is in the table")
}

fn in_range(p: &Param, v: f64) -> Result<(), String> {
    let whole_ok = !p.whole || v.fract() == 0.0;
    if v.is_finite() && (p.min..=p.max).contains(&v) && whole_ok {
        Ok(())
    } else {
        Err(format!("{}={} is outside {}", p.key, number(v), p.range_text()))
    }
}

fn strategy_from(query: &[(String, String)], default: Strategy, notices: &mut Vec<Notice>) -> Strategy {
    match find(query, "strategy").map(str::trim) {
        None | Some("") => default,
        Some(key) => Strategy::from_key(key).unwrap_or_else(|| {
            notices.push(Notice(format!(
                "strategy={:?} is unknown (sync, async, threads, processes, gil): using {}",
                shorten(key),
                default.key()
            )));
            default
        }),
    }
}

fn flag_from(query: &[(String, String)], key: &str, notices: &mut Vec<Notice>) -> bool {
    match find(query, key).map(str::trim) {
        None | Some("" | "0" | "false") => false,
        Some("1" | "true") => true,
        Some(other) => {
            notices.push(Notice(format!("{key}={:?} is not 1 or 0: using 0", shorten(other))));
            false
        }
    }
}

/// The animation time a link brings back: `t`, in ms.
pub const TIME: Param = Param::real("t", 0.0, 1e9, 0.0, "animation time to show, paused (ms)");

/// The seed of an animation's workload.
pub const SEED: Param =
    Param::whole("seed", 0.0, 4_294_967_295.0, 1.0, "workload seed (the same seed draws the same pixels)");

fn time_from(query: &[(String, String)], notices: &mut Vec<Notice>) -> Option<f64> {
    find(query, TIME.key).filter(|v| !v.trim().is_empty()).map(|raw| TIME.read(Some(raw), notices))
}

fn push_time(out: &mut Pairs, t: Option<f64>) {
    if let Some(t) = t {
        out.push((TIME.key.into(), number(t)));
    }
}

fn check_time(t: Option<f64>) -> Result<(), String> {
    t.map_or(Ok(()), |t| in_range(&TIME, t))
}

/// The state of a real-run widget (fib or fetch).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunState {
    /// What to run, with its sizes.
    pub workload: Workload,
    /// The strategy chosen.
    pub strategy: Strategy,
    /// Threads or processes asked for; 0 means all hardware threads.
    pub threads: u32,
    /// Most pages in flight for coroutines (fetch only); 0 means no limit.
    pub limit: u32,
    /// The global lock's switch interval (ms).
    pub switch_ms: f64,
    /// Run once loaded.
    pub autorun: bool,
}

impl RunState {
    /// The state when the URL says nothing.
    pub fn default_for(kind: RunKind) -> RunState {
        RunState::from_query(kind, &[]).0
    }

    /// Reads the state from query pairs, changing what must change and saying so.
    pub fn from_query(kind: RunKind, query: &[(String, String)]) -> (RunState, Vec<Notice>) {
        let mut notices = Vec::new();
        let params = kind.params();
        let strategy = strategy_from(query, Strategy::Threads, &mut notices);
        let mut num = |key: &str| param(params, key).read(find(query, key), &mut notices);
        let threads = num("threads") as u32;
        let switch_ms = num("switch");
        let (workload, limit) = match kind {
            RunKind::Fib => {
                let (tasks, n) = (num("tasks") as u32, num("n") as u32);
                (Workload::Fib { tasks, n }, 0)
            }
            RunKind::Fetch => {
                let tasks = num("tasks") as u32;
                let (latency_ms, parse_ms, limit) = (num("latency"), num("parse"), num("limit") as u32);
                (Workload::Fetch { tasks, latency_ms, parse_ms }, limit)
            }
        };
        let workload = match workload {
            Workload::Fib { tasks, n } if tasks > most_fib_tasks(n) => {
                let most = most_fib_tasks(n);
                notices.push(Notice(format!(
                    "tasks={tasks} × fib({n}) is too much work for one run: using {most} tasks"
                )));
                Workload::Fib { tasks: most, n }
            }
            // With room for rounding: 261 × (20000 / 261) is a hair over 20000.
            Workload::Fetch { tasks, latency_ms, parse_ms }
                if tasks as f64 * parse_ms > MAX_PARSE_TOTAL_MS + 1e-6 =>
            {
                let most = most_parse_ms(tasks);
                notices.push(Notice(format!(
                    "parse={} × {tasks} pages is more CPU work than one run may use ({} s): using {}",
                    number(parse_ms),
                    MAX_PARSE_TOTAL_MS / 1000.0,
                    number(most)
                )));
                Workload::Fetch { tasks, latency_ms, parse_ms: most }
            }
            w => w,
        };
        let autorun = flag_from(query, "autorun", &mut notices);
        (RunState { workload, strategy, threads, limit, switch_ms, autorun }, notices)
    }

    /// The query that [`RunState::from_query`] reads back as this state.
    pub fn to_query(&self) -> Pairs {
        let mut out: Pairs = vec![("strategy".into(), self.strategy.key().into())];
        match self.workload {
            Workload::Fib { tasks, n } => {
                out.push(("tasks".into(), tasks.to_string()));
                out.push(("n".into(), n.to_string()));
            }
            Workload::Fetch { tasks, latency_ms, parse_ms } => {
                out.push(("tasks".into(), tasks.to_string()));
                out.push(("latency".into(), number(latency_ms)));
                out.push(("parse".into(), number(parse_ms)));
                out.push(("limit".into(), self.limit.to_string()));
            }
        }
        out.push(("threads".into(), self.threads.to_string()));
        out.push(("switch".into(), number(self.switch_ms)));
        if self.autorun {
            out.push(("autorun".into(), "1".into()));
        }
        out
    }

    /// Why a job may not run on `hardware_threads`, whoever asks for it (a widget sends only
    /// checked jobs; a script calling `run_job` may send anything): a value outside its
    /// parameter's range, more work or memory than the bounds allow, more threads than the
    /// machine may use, or longer than a run may take. `None` when it may run.
    pub fn refusal(job: &Job, hardware_threads: u32) -> Option<String> {
        let as_asked = RunState {
            workload: job.workload,
            strategy: job.strategy,
            threads: job.threads,
            limit: job.limit.unwrap_or(0),
            switch_ms: job.switch_ms,
            autorun: false,
        };
        if let Err(why) = as_asked.validate() {
            return Some(why);
        }
        let most = Job::most_threads(job.workload.kind(), hardware_threads);
        if job.threads > most {
            return Some(format!("threads={} is more than the {most} this machine may use", job.threads));
        }
        job.too_long(hardware_threads)
    }

    /// Whether every value is one `from_query` could have produced.
    pub fn validate(&self) -> Result<(), String> {
        let params = self.workload.kind().params();
        let p = |key| param(params, key);
        in_range(p("threads"), self.threads as f64)?;
        in_range(p("switch"), self.switch_ms)?;
        match self.workload {
            Workload::Fib { tasks, n } => {
                in_range(p("tasks"), tasks as f64)?;
                in_range(p("n"), n as f64)?;
                if tasks > most_fib_tasks(n) {
                    return Err(format!("{tasks} × fib({n}) is over the work bound"));
                }
                if self.limit != 0 {
                    return Err("fib has no limit".into());
                }
            }
            Workload::Fetch { tasks, latency_ms, parse_ms } => {
                in_range(p("tasks"), tasks as f64)?;
                in_range(p("latency"), latency_ms)?;
                in_range(p("parse"), parse_ms)?;
                if tasks as f64 * parse_ms > MAX_PARSE_TOTAL_MS + 1e-6 {
                    return Err(format!("{tasks} pages × {parse_ms} ms of parse is over the CPU bound"));
                }
                in_range(p("limit"), self.limit as f64)?;
            }
        }
        Ok(())
    }

    /// The job this state runs on a machine with `hardware_threads`, and what the machine
    /// made change.
    pub fn job(&self, hardware_threads: u32) -> (Job, Vec<Notice>) {
        let mut notices = Vec::new();
        let threads = Job::threads_for(self.workload.kind(), self.threads, hardware_threads, &mut notices);
        let limit = (self.limit > 0).then_some(self.limit);
        let job = Job {
            workload: self.workload,
            strategy: self.strategy,
            threads,
            limit,
            switch_ms: self.switch_ms,
        };
        (job, notices)
    }
}

/// The state of an animation of the post: which one, its workload's seed, and the time
/// shown (a link made while paused at 3.2 s opens paused at 3.2 s; without `t` it plays
/// when scrolled into view).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AnimState {
    /// Which animation.
    pub preset: &'static Preset,
    /// Its workload's seed.
    pub seed: u64,
    /// The time to show, paused; `None` plays from the start.
    pub t: Option<f64>,
}

impl AnimState {
    /// Reads the state; `preset` is the page's choice when the query names none (the main
    /// page fixes each animation's preset in its markup).
    pub fn from_query(
        query: &[(String, String)],
        preset: Option<&'static Preset>,
    ) -> (AnimState, Vec<Notice>) {
        let mut notices = Vec::new();
        let fallback = preset.unwrap_or(&PRESETS[5]);
        let preset = match find(query, "preset").map(str::trim) {
            None | Some("") => {
                if preset.is_none() {
                    notices.push(Notice(format!("preset= is missing: showing {}", fallback.key)));
                }
                fallback
            }
            Some(key) => Preset::find(key).unwrap_or_else(|| {
                notices.push(Notice(format!(
                    "preset={:?} is unknown: showing {}",
                    shorten(key),
                    fallback.key
                )));
                fallback
            }),
        };
        let seed = SEED.read(find(query, SEED.key), &mut notices) as u64;
        let t = time_from(query, &mut notices);
        (AnimState { preset, seed, t }, notices)
    }

    /// The query that [`AnimState::from_query`] reads back as this state.
    pub fn to_query(&self) -> Pairs {
        let mut out =
            vec![("preset".into(), self.preset.key.into()), (SEED.key.into(), self.seed.to_string())];
        push_time(&mut out, self.t);
        out
    }

    /// Whether every value is one `from_query` could have produced.
    pub fn validate(&self) -> Result<(), String> {
        if !PRESETS.contains(self.preset) {
            return Err(format!("preset {} is not one of PRESETS", self.preset.key));
        }
        in_range(&SEED, self.seed as f64)?;
        check_time(self.t)
    }
}

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

impl SandboxState {
    /// Reads the state, changing what must change and saying so.
    pub fn from_query(query: &[(String, String)]) -> (SandboxState, Vec<Notice>) {
        let mut notices = Vec::new();
        let mut num = |key: &str| param(&SANDBOX_PARAMS, key).read(find(query, key), &mut notices);
        let side = num("side") as u32;
        let (load_min, load_max, render_min, render_max) =
            (num("load_min"), num("load_max"), num("render_min"), num("render_max"));
        let (workers, cores, startup_ms, seed) =
            (num("workers") as u32, num("cores") as u32, num("startup"), num("seed") as u64);
        for (what, lo, hi) in [("load", load_min, load_max), ("render", render_min, render_max)] {
            if lo > hi {
                notices.push(Notice(format!(
                    "{what}_min={} is above {what}_max={}: swapped",
                    number(lo),
                    number(hi)
                )));
            }
        }
        let strategy = match find(query, "strategy").map(str::trim) {
            None | Some("" | "all") => None,
            Some(key) => Strategy::from_key(key).or_else(|| {
                notices.push(Notice(format!("strategy={:?} is unknown: comparing all", shorten(key))));
                None
            }),
        };
        let t = time_from(query, &mut notices);
        let state = SandboxState {
            side,
            load: Range::new(load_min, load_max),
            render: Range::new(render_min, render_max),
            workers,
            cores,
            startup_ms,
            seed,
            strategy,
            t,
        };
        (state, notices)
    }

    /// The query that [`SandboxState::from_query`] reads back as this state.
    pub fn to_query(&self) -> Pairs {
        let numbers = [
            ("side", self.side as f64),
            ("load_min", self.load.min),
            ("load_max", self.load.max),
            ("render_min", self.render.min),
            ("render_max", self.render.max),
            ("workers", self.workers as f64),
            ("cores", self.cores as f64),
            ("startup", self.startup_ms),
            ("seed", self.seed as f64),
        ];
        let mut out: Pairs = numbers.iter().map(|(k, v)| (k.to_string(), number(*v))).collect();
        out.push(("strategy".into(), self.strategy.map_or("all", Strategy::key).into()));
        push_time(&mut out, self.t);
        out
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
                    cfg = cfg.with_switch_ms(5.0);
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

    /// Whether every value is one `from_query` could have produced.
    pub fn validate(&self) -> Result<(), String> {
        let p = |key| param(&SANDBOX_PARAMS, key);
        in_range(p("side"), self.side as f64)?;
        for (lo, hi, range) in
            [("load_min", "load_max", self.load), ("render_min", "render_max", self.render)]
        {
            in_range(p(lo), range.min)?;
            in_range(p(hi), range.max)?;
            if range.min > range.max {
                return Err(format!("{lo} > {hi}"));
            }
        }
        in_range(p("workers"), self.workers as f64)?;
        in_range(p("cores"), self.cores as f64)?;
        in_range(p("startup"), self.startup_ms)?;
        in_range(p("seed"), self.seed as f64)?;
        check_time(self.t)
    }
}

/// Any widget's state: what `embed.html?widget=…` describes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WidgetState {
    /// A real run.
    Run(RunState),
    /// An animation.
    Anim(AnimState),
    /// The sandbox.
    Sandbox(SandboxState),
    /// The start-up experiment.
    Startup(StartupState),
    /// The pipeline.
    Pipeline(PipelineState),
}

/// The pipeline's numbers: items, each stage's time per item, workers, queue places.
pub const PIPELINE_PARAMS: [Param; 9] = [
    Param::whole("items", 1.0, 200.0, 40.0, "pages through the pipeline"),
    Param::real("request", 1.0, 2000.0, 200.0, "request: waiting for the server (ms)"),
    Param::real("poll", 1.0, 2000.0, 100.0, "poll: waiting for the result (ms)"),
    Param::real("collect", 0.1, 50.0, 2.0, "collect: light CPU work on one coroutine (ms)"),
    Param::real("transform", 1.0, 500.0, 40.0, "transform: CPU work on the threads (ms)"),
    Param::real("write", 1.0, 2000.0, 100.0, "write: waiting for the disk (ms)"),
    Param::whole("io", 1.0, 64.0, 4.0, "coroutines in each waiting stage"),
    Param::whole("threads", 1.0, 16.0, 2.0, "threads of the transform stage"),
    Param::whole("queue", 1.0, 64.0, 4.0, "places in each queue between stages"),
];

/// The state of the pipeline widget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PipelineState {
    /// What to run.
    pub spec: crate::pipeline::Spec,
    /// Run once loaded.
    pub autorun: bool,
}

impl PipelineState {
    /// Reads the state, changing what must change and saying so.
    pub fn from_query(query: &[(String, String)]) -> (PipelineState, Vec<Notice>) {
        let mut notices = Vec::new();
        let mut num = |key: &str| param(&PIPELINE_PARAMS, key).read(find(query, key), &mut notices);
        let ms = [num("request"), num("poll"), num("collect"), num("transform"), num("write")];
        let spec = crate::pipeline::Spec {
            items: num("items") as u32,
            ms,
            io_workers: num("io") as u32,
            threads: num("threads") as u32,
            queue: num("queue") as u32,
        };
        let autorun = flag_from(query, "autorun", &mut notices);
        (PipelineState { spec, autorun }, notices)
    }

    /// The query that [`PipelineState::from_query`] reads back as this state.
    pub fn to_query(&self) -> Pairs {
        let s = &self.spec;
        let values = [
            ("items", s.items as f64),
            ("request", s.ms[0]),
            ("poll", s.ms[1]),
            ("collect", s.ms[2]),
            ("transform", s.ms[3]),
            ("write", s.ms[4]),
            ("io", s.io_workers as f64),
            ("threads", s.threads as f64),
            ("queue", s.queue as f64),
        ];
        let mut out: Pairs = values.iter().map(|(k, v)| (k.to_string(), number(*v))).collect();
        if self.autorun {
            out.push(("autorun".into(), "1".into()));
        }
        out
    }

    /// Whether every value is one `from_query` could have produced.
    pub fn validate(&self) -> Result<(), String> {
        let s = &self.spec;
        let p = |key| param(&PIPELINE_PARAMS, key);
        in_range(p("items"), s.items as f64)?;
        for (key, v) in ["request", "poll", "collect", "transform", "write"].into_iter().zip(s.ms) {
            in_range(p(key), v)?;
        }
        in_range(p("io"), s.io_workers as f64)?;
        in_range(p("threads"), s.threads as f64)?;
        in_range(p("queue"), s.queue as f64)
    }
}

/// The start-up experiment's amount of work: ms of one idle core.
pub const WORK: Param = Param::real("work", 1.0, 2000.0, 200.0, "computation to split, in ms of one core");

/// The state of the start-up experiment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StartupState {
    /// The computation to split (ms of one idle core).
    pub work_ms: f64,
    /// Run once loaded.
    pub autorun: bool,
}

impl StartupState {
    /// Reads the state, changing what must change and saying so.
    pub fn from_query(query: &[(String, String)]) -> (StartupState, Vec<Notice>) {
        let mut notices = Vec::new();
        let work_ms = WORK.read(find(query, WORK.key), &mut notices);
        let autorun = flag_from(query, "autorun", &mut notices);
        (StartupState { work_ms, autorun }, notices)
    }

    /// The query that [`StartupState::from_query`] reads back as this state.
    pub fn to_query(&self) -> Pairs {
        let mut out = vec![(WORK.key.to_string(), number(self.work_ms))];
        if self.autorun {
            out.push(("autorun".into(), "1".into()));
        }
        out
    }

    /// Whether every value is one `from_query` could have produced.
    pub fn validate(&self) -> Result<(), String> {
        in_range(&WORK, self.work_ms)
    }
}

impl WidgetState {
    /// Which widget this is.
    pub fn widget(&self) -> Widget {
        match self {
            WidgetState::Run(s) => Widget::Run(s.workload.kind()),
            WidgetState::Anim(_) => Widget::Anim,
            WidgetState::Sandbox(_) => Widget::Sandbox,
            WidgetState::Startup(_) => Widget::Startup,
            WidgetState::Pipeline(_) => Widget::Pipeline,
        }
    }

    /// Reads `widget=` and then that widget's state. An unknown or missing widget shows
    /// the fib widget, with a notice.
    pub fn from_query(query: &[(String, String)]) -> (WidgetState, Vec<Notice>) {
        let (widget, mut notices) = match find(query, "widget").map(str::trim) {
            Some(key) if Widget::from_key(key).is_some() => {
                (Widget::from_key(key).expect("checked"), Vec::new())
            }
            Some(key) => {
                let names = Widget::ALL.map(Widget::key).join(", ");
                let text = format!("widget={:?} is unknown ({names}): showing fib", shorten(key));
                (Widget::Run(RunKind::Fib), vec![Notice(text)])
            }
            None => (Widget::Run(RunKind::Fib), vec![Notice("widget= is missing: showing fib".into())]),
        };
        let (state, mut more) = WidgetState::read(widget, query, None);
        notices.append(&mut more);
        (state, notices)
    }

    /// Reads the state of a known `widget` (an animation falls back to `preset`).
    pub fn read(
        widget: Widget,
        query: &[(String, String)],
        preset: Option<&'static Preset>,
    ) -> (WidgetState, Vec<Notice>) {
        match widget {
            Widget::Run(kind) => {
                let (s, n) = RunState::from_query(kind, query);
                (WidgetState::Run(s), n)
            }
            Widget::Anim => {
                let (s, n) = AnimState::from_query(query, preset);
                (WidgetState::Anim(s), n)
            }
            Widget::Sandbox => {
                let (s, n) = SandboxState::from_query(query);
                (WidgetState::Sandbox(s), n)
            }
            Widget::Startup => {
                let (s, n) = StartupState::from_query(query);
                (WidgetState::Startup(s), n)
            }
            Widget::Pipeline => {
                let (s, n) = PipelineState::from_query(query);
                (WidgetState::Pipeline(s), n)
            }
        }
    }

    /// This state's own keys (without `widget=`).
    pub fn to_query(&self) -> Pairs {
        match self {
            WidgetState::Run(s) => s.to_query(),
            WidgetState::Anim(s) => s.to_query(),
            WidgetState::Sandbox(s) => s.to_query(),
            WidgetState::Startup(s) => s.to_query(),
            WidgetState::Pipeline(s) => s.to_query(),
        }
    }

    /// The query of `embed.html` that shows this state: `widget=` first.
    pub fn to_embed_query(&self) -> Pairs {
        let mut out = vec![("widget".to_string(), self.widget().key().to_string())];
        out.extend(self.to_query());
        out
    }

    /// Whether every value is one `from_query` could have produced.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            WidgetState::Run(s) => s.validate(),
            WidgetState::Anim(s) => s.validate(),
            WidgetState::Sandbox(s) => s.validate(),
            WidgetState::Startup(s) => s.validate(),
            WidgetState::Pipeline(s) => s.validate(),
        }
    }
}

/// One documented URL key.
#[derive(Clone, Debug, PartialEq)]
struct KeyDoc {
    key: &'static str,
    widgets: Vec<&'static str>,
    values: String,
    default: String,
    doc: String,
}

type Doc = (&'static str, String, String, String);

fn param_docs(list: &[Param]) -> impl Iterator<Item = Doc> + '_ {
    list.iter().map(|p| {
        // Without `t`, an animation plays from the start when scrolled into view.
        let default = if p.key == TIME.key { "none (plays)".to_string() } else { p.default.to_string() };
        (p.key, p.range_text(), default, p.doc.to_string())
    })
}

/// The `autorun` key, shared by the widgets that run work.
fn autorun_doc() -> Doc {
    (
        "autorun",
        "`1`, `0`".into(),
        "`0`".into(),
        "`1` runs once loaded and in view (within a screen of it)".into(),
    )
}

/// What each of `widget`'s keys accepts: (key, values, default, meaning).
fn docs_of(widget: Widget) -> Vec<Doc> {
    let strategies = Strategy::ALL.map(|s| format!("`{}`", s.key())).join(", ");
    match widget {
        Widget::Run(kind) => {
            let strategy = ("strategy", strategies, "`threads`".into(), "how to run the tasks".into());
            [strategy].into_iter().chain(param_docs(kind.params())).chain([autorun_doc()]).collect()
        }
        Widget::Anim => {
            let presets = PRESETS.iter().map(|p| format!("`{}`", p.key)).collect::<Vec<_>>().join(", ");
            let default = format!("`{}`", PRESETS[5].key);
            let preset = ("preset", presets, default, "which animation of the post".into());
            [preset].into_iter().chain(param_docs(&[SEED, TIME])).collect()
        }
        Widget::Sandbox => {
            let strategy = (
                "strategy",
                format!("`all`, {strategies}"),
                "`all`".into(),
                "one strategy, or compare all".into(),
            );
            param_docs(&SANDBOX_PARAMS).chain([strategy]).chain(param_docs(&[TIME])).collect()
        }
        Widget::Startup => param_docs(&[WORK]).chain([autorun_doc()]).collect(),
        Widget::Pipeline => param_docs(&PIPELINE_PARAMS).chain([autorun_doc()]).collect(),
    }
}

/// The README's table of URL parameters, generated from the model's own tables (a test
/// keeps the README equal to it).
pub fn parameter_table() -> String {
    let mut rows: Vec<KeyDoc> = Vec::new();
    let all = Widget::ALL.map(Widget::key).map(|k| format!("`{k}`")).join(", ");
    rows.push(KeyDoc {
        key: "widget",
        widgets: vec!["all (embed.html)"],
        values: all,
        default: "".into(),
        doc: "which widget".into(),
    });
    for widget in Widget::ALL {
        for (key, values, default, doc) in docs_of(widget) {
            match rows
                .iter_mut()
                .find(|r| r.key == key && r.values == values && r.default == default && r.doc == doc)
            {
                Some(row) => row.widgets.push(widget.key()),
                None => rows.push(KeyDoc { key, widgets: vec![widget.key()], values, default, doc }),
            }
        }
    }
    rows.push(KeyDoc {
        key: "theme",
        widgets: vec!["all"],
        values: "`light`, `dark`, `auto`".into(),
        default: "`auto`".into(),
        doc: "colours (`auto`: the reader's system setting)".into(),
    });
    let mut out =
        String::from("| parameter | widgets | values | default | meaning |\n|---|---|---|---|---|\n");
    for r in rows {
        let default = if r.default.is_empty() { "–".to_string() } else { r.default };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.key,
            r.widgets.join(", "),
            r.values,
            default,
            r.doc
        ));
    }
    out
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

    #[test]
    fn the_runner_refuses_what_no_widget_would_send() {
        let ok = Job {
            workload: Workload::Fetch { tasks: 50, latency_ms: 500.0, parse_ms: 0.0 },
            strategy: Strategy::Async,
            threads: 2,
            limit: None,
            switch_ms: 5.0,
        };
        assert_eq!(RunState::refusal(&ok, 2), None);
        let huge =
            Job { workload: Workload::Fetch { tasks: 1_000_000_000, latency_ms: 1.0, parse_ms: 0.0 }, ..ok };
        assert!(
            RunState::refusal(&huge, 2).is_some_and(|w| w.starts_with("tasks=")),
            "{:?}",
            RunState::refusal(&huge, 2)
        );
        let fib = Job { workload: Workload::Fib { tasks: 64, n: 42 }, strategy: Strategy::Threads, ..ok };
        assert!(RunState::refusal(&fib, 2).is_some_and(|w| w.contains("work bound")));
        let crowd = Job {
            workload: Workload::Fib { tasks: 4, n: 20 },
            threads: 9,
            strategy: Strategy::Threads,
            ..ok
        };
        assert!(RunState::refusal(&crowd, 2).is_some_and(|w| w.contains("more than the 8")));
        let slow = Job {
            workload: Workload::Fetch { tasks: 1000, latency_ms: 5000.0, parse_ms: 0.0 },
            strategy: Strategy::Sync,
            ..ok
        };
        assert!(RunState::refusal(&slow, 2).is_some_and(|w| w.contains("would take at least")));
        let nan = Job { switch_ms: f64::NAN, ..ok };
        assert!(RunState::refusal(&nan, 2).is_some_and(|w| w.starts_with("switch=")));
    }
}
