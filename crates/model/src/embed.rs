//! What a widget tells the page that embeds it: one enum for every message, serialised one
//! way (serde, as a plain object tagged by `type`), built here from the run it reports so
//! that its rules are tested natively. The README's "Embedding a widget" shows each one.
//!
//! - `{type: "cvp:resize", height}`: the widget's height in CSS pixels, whenever it changes.
//! - `{subject: "lti.frameResize", height}`: the same height, in the words Canvas (and
//!   other LTI platforms) listen for, posted beside `cvp:resize`.
//! - `{type: "cvp:result", widget, ...}`: one per finished run, its fields by widget
//!   ([`Measured`]).
//!
//! And the `<iframe>` that course material pastes to embed a widget ([`snippet`]): the site's
//! Embed button and its teacher's page write it, and `docs/EMBEDDING.md` quotes it.

use crate::job::{Job, RunKind};
use crate::pipeline::{simulate, Spec};
use crate::race::Counted;
use crate::startup::Point;
use crate::{Strategy, Trace};
use serde::{Deserialize, Serialize};

/// The `type` of [`ToEmbedder::Resize`], for a page that reads only heights (the teacher's
/// page, of its previews) without deserialising every message.
pub const RESIZE_TYPE: &str = "cvp:resize";

/// Every message a widget posts to its embedder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ToEmbedder {
    /// A finished run.
    #[serde(rename = "cvp:result")]
    Result(Measured),
    /// The widget's height changed.
    #[serde(rename = "cvp:resize")]
    Resize {
        /// CSS pixels, rounded up.
        height: u32,
    },
    /// The same, as Canvas's LTI resize message: tagged by `subject`, not `type`, so it
    /// is the one variant serde writes untagged (its field names it).
    #[serde(untagged)]
    Lti(Lti),
}

/// The messages of the LTI platforms' own protocol that a widget posts (Canvas documents
/// `lti.frameResize`, instructure/canvas-lms#541; it never lets a frame shrink below 450 px,
/// #2448).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "subject")]
pub enum Lti {
    /// Resize the frame to `height` CSS pixels.
    #[serde(rename = "lti.frameResize")]
    FrameResize {
        /// CSS pixels, rounded up.
        height: u32,
    },
}

/// What a run measured, by the widget that ran it (its `widget` field).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "widget", rename_all = "lowercase")]
pub enum Measured {
    /// A CPU-bound job (the fib widget).
    Fib(RunResult),
    /// An I/O-bound job (the fetch widget).
    Fetch(RunResult),
    /// The start-up experiment.
    Startup(StartupResult),
    /// The pipeline.
    Pipeline(PipelineResult),
    /// The race: one run of each method.
    Race(RaceResult),
}

/// `{strategy, tasks, threads, wallMs, taskMs}`: one strategy's run of a job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunResult {
    /// The strategy that ran it.
    pub strategy: Strategy,
    /// Tasks run.
    pub tasks: usize,
    /// Threads or processes the run used (1 for the one-thread strategies).
    pub threads: u32,
    /// Wall time (ms).
    pub wall_ms: f64,
    /// Each task's working time: its I/O and CPU phases (see [`Trace::work_times`]).
    pub task_ms: Vec<f64>,
}

/// `{workMs, wallMs, points, breakEvenN, breakEvenMs}`: the start-up experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartupResult {
    /// The computation split over the workers (ms of one core).
    pub work_ms: f64,
    /// The whole experiment's wall time (ms).
    pub wall_ms: f64,
    /// One per worker count tried.
    pub points: Vec<StartupPoint>,
    /// The fewest fresh workers that beat one thread, if any did.
    pub break_even_n: Option<u32>,
    /// And their time (ms).
    pub break_even_ms: Option<f64>,
}

/// `{n, oneMs, freshMs, freshStartupMs, pooledMs}`: one worker count of the experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartupPoint {
    /// Workers (or threads).
    pub n: u32,
    /// One thread doing all of it (ms).
    pub one_ms: f64,
    /// N fresh workers, start-up included (ms).
    pub fresh_ms: f64,
    /// Of which starting them (ms).
    pub fresh_startup_ms: f64,
    /// N threads of a running pool (ms); null where the page has no pool.
    pub pooled_ms: Option<f64>,
}

/// `{items, wallMs, idealMs, pagesPerSecond, bottleneck, loopMs, mapMs}`: a pipeline run
/// (the last two once compared, else null).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineResult {
    /// Items through the pipeline.
    pub items: u32,
    /// Wall time (ms).
    pub wall_ms: f64,
    /// The simulator's time for the same pipeline (ms).
    pub ideal_ms: f64,
    /// Items per second.
    pub pages_per_second: f64,
    /// The slowest stage's name.
    pub bottleneck: String,
    /// The same items in a plain loop (ms), once compared.
    pub loop_ms: Option<f64>,
    /// The same items through one parallel map (ms), once compared.
    pub map_ms: Option<f64>,
}

/// `{threads, increments, runs}`: the race, each run `{method, total, count, lost, nsPerIncrement,
/// wallMs}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RaceResult {
    /// Threads that added to the counter.
    pub threads: u32,
    /// Increments each thread made.
    pub increments: u64,
    /// One per method run, in the order run.
    pub runs: Vec<RaceRun>,
}

/// `{method, total, count, lost, nsPerIncrement, wallMs}`: one method's run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RaceRun {
    /// `racy`, `atomic` or `lock`.
    pub method: crate::race::Method,
    /// Increments made: threads × increments.
    pub total: u64,
    /// The counter at the end.
    pub count: u64,
    /// Increments lost: total − count.
    pub lost: u64,
    /// What one increment cost a thread, on average (ns).
    pub ns_per_increment: f64,
    /// From the first thread's start to the last one's end (ms).
    pub wall_ms: f64,
}

impl ToEmbedder {
    /// The race's result: `runs`, one per method, of the same threads and increments.
    pub fn race(runs: &[Counted]) -> ToEmbedder {
        let first = runs.first().map(|c| c.race);
        ToEmbedder::Result(Measured::Race(RaceResult {
            threads: first.map_or(0, |r| r.threads),
            increments: first.map_or(0, |r| r.per_thread),
            runs: runs
                .iter()
                .map(|c| RaceRun {
                    method: c.race.method,
                    total: c.race.total(),
                    count: c.count,
                    lost: c.lost(),
                    ns_per_increment: c.ns_per_increment(),
                    wall_ms: c.wall_ms(),
                })
                .collect(),
        }))
    }

    /// Every message that says the widget is now `height` CSS pixels tall: the site's own
    /// and the LTI platforms'.
    pub fn height(height: u32) -> [ToEmbedder; 2] {
        [ToEmbedder::Resize { height }, ToEmbedder::Lti(Lti::FrameResize { height })]
    }

    /// The result of `job`, run as `trace`, by the widget of kind `kind`.
    pub fn run(kind: RunKind, job: &Job, trace: &Trace) -> ToEmbedder {
        let threads = match job.strategy {
            Strategy::Sync | Strategy::Async => 1,
            _ => job.threads,
        };
        let result = RunResult {
            strategy: job.strategy,
            tasks: trace.tasks.len(),
            threads,
            wall_ms: trace.makespan,
            task_ms: trace.work_times(),
        };
        ToEmbedder::Result(match kind {
            RunKind::Fib => Measured::Fib(result),
            RunKind::Fetch => Measured::Fetch(result),
        })
    }

    /// The start-up experiment's result: `points` measured, `best` its break-even (workers,
    /// ms), in `wall_ms` in all.
    pub fn startup(work_ms: f64, points: &[Point], best: Option<(u32, f64)>, wall_ms: f64) -> ToEmbedder {
        let points = points
            .iter()
            .map(|p| StartupPoint {
                n: p.n,
                one_ms: p.one_ms,
                fresh_ms: p.fresh_ms,
                fresh_startup_ms: p.fresh_startup_ms,
                pooled_ms: p.pooled_ms.is_finite().then_some(p.pooled_ms),
            })
            .collect();
        ToEmbedder::Result(Measured::Startup(StartupResult {
            work_ms,
            wall_ms,
            points,
            break_even_n: best.map(|b| b.0),
            break_even_ms: best.map(|b| b.1),
        }))
    }

    /// The pipeline `spec`'s result, run in `wall_ms`.
    pub fn pipeline(spec: &Spec, wall_ms: f64, loop_ms: Option<f64>, map_ms: Option<f64>) -> ToEmbedder {
        ToEmbedder::Result(Measured::Pipeline(PipelineResult {
            items: spec.items,
            wall_ms,
            ideal_ms: simulate(spec).makespan,
            pages_per_second: spec.items as f64 * 1000.0 / wall_ms.max(1e-9),
            bottleneck: spec.stages()[spec.bottleneck()].name.to_string(),
            loop_ms,
            map_ms,
        }))
    }
}

/// The `<iframe>` that puts the widget at `url` (an `embed.html?…` address) into course
/// material, `height` CSS pixels tall until its resize messages say otherwise, with `title`
/// for screen readers. `allow="cross-origin-isolated"` lets the frame share the embedding
/// page's isolation where the page has it; where it does not, the widget's own
/// Document-Isolation-Policy header isolates it in browsers that honour that header.
pub fn snippet(url: &str, title: &str, height: u32) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    format!(
        "<iframe src=\"{}\"\n        width=\"100%\" height=\"{height}\" style=\"border:0\" loading=\"lazy\"\n        \
         title=\"{}\" allow=\"cross-origin-isolated\"></iframe>",
        escape(url),
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::Workload;
    use serde_json::{json, Value};

    fn as_json(msg: &ToEmbedder) -> Value {
        serde_json::to_value(msg).expect("serialises")
    }

    #[test]
    fn a_resize_is_its_type_and_height() {
        assert_eq!(
            as_json(&ToEmbedder::Resize { height: 412 }),
            json!({"type": "cvp:resize", "height": 412})
        );
    }

    #[test]
    fn a_height_is_said_in_the_site_s_words_and_in_canvas_s() {
        let [ours, lti] = ToEmbedder::height(530);
        assert_eq!(as_json(&ours)["type"], RESIZE_TYPE);
        assert_eq!(as_json(&ours), json!({"type": "cvp:resize", "height": 530}));
        // Canvas reads `subject` and `height`, and nothing else may be in the way.
        assert_eq!(as_json(&lti), json!({"subject": "lti.frameResize", "height": 530}));
        for msg in [ours, lti] {
            let text = serde_json::to_string(&msg).unwrap();
            assert_eq!(serde_json::from_str::<ToEmbedder>(&text).unwrap(), msg, "{text}");
        }
    }

    /// `name="…"`'s value in `tag`.
    fn attr<'a>(tag: &'a str, name: &str) -> &'a str {
        let at =
            tag.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("no {name} in {tag}")) + name.len() + 3;
        &tag[at..at + tag[at..].find('"').expect("a closing quote")]
    }

    #[test]
    fn every_iframe_in_embedding_md_is_the_one_the_site_writes_for_its_address() {
        use crate::query;
        use crate::state::WidgetState;
        let doc = include_str!("../../../docs/EMBEDDING.md");
        let readme = include_str!("../../../README.md");
        let mut seen = 0;
        let tags = doc.match_indices("<iframe src=\"").map(|(at, _)| (doc, at));
        for (doc, at) in tags.chain(readme.match_indices("<iframe src=\"").map(|(at, _)| (readme, at))) {
            let tag = &doc[at..at + doc[at..].find("</iframe>").expect("closed") + "</iframe>".len()];
            let url = attr(tag, "src").replace("&amp;", "&");
            let (title, height) = (attr(tag, "title"), attr(tag, "height").parse().expect("a height"));
            // The snippet's own text, its line breaks and indents included.
            assert_eq!(
                tag,
                snippet(&url, title, height),
                "EMBEDDING.md's iframe differs from what the site writes"
            );
            // Its address is the one the site writes for that state, every key in order.
            let text = &url[url.find('?').expect("a query") + 1..];
            let (state, notices) = WidgetState::from_query(&query::parse(text));
            assert!(notices.is_empty(), "{url}: {notices:?}");
            assert_eq!(query::encode(&state.to_embed_query()), text);
            seen += 1;
        }
        assert!(seen >= 7, "EMBEDDING.md and the README have {seen} iframes");
        // The Jupyter snippet's address, written in Python, is a state's too.
        let open = "IFrame(\n    \"";
        let python = &doc[doc.find(open).expect("the Jupyter snippet") + open.len()..];
        let url = &python[..python.find('"').unwrap()];
        let text = &url[url.find('?').unwrap() + 1..];
        let (state, notices) = WidgetState::from_query(&query::parse(text));
        assert!(notices.is_empty(), "{url}: {notices:?}");
        assert_eq!(query::encode(&state.to_embed_query()), text);
    }

    #[test]
    fn the_snippet_allows_isolation_has_a_title_and_escapes_what_it_quotes() {
        let code = snippet("https://h.example/embed.html?widget=fib&n=3", "fib \"run\" <here>", 700);
        assert!(
            code.starts_with("<iframe src=\"https://h.example/embed.html?widget=fib&amp;n=3\""),
            "{code}"
        );
        assert!(code.contains(" allow=\"cross-origin-isolated\""), "{code}");
        assert!(code.contains(" title=\"fib &quot;run&quot; &lt;here>\""), "{code}");
        assert!(code.contains(" height=\"700\""), "{code}");
        assert!(code.ends_with("></iframe>"), "{code}");
    }

    #[test]
    fn a_run_reports_its_widget_strategy_and_times_in_the_readme_s_words() {
        let job = Job {
            workload: Workload::Fib { tasks: 2, n: 20 },
            strategy: Strategy::Async,
            threads: 4,
            limit: None,
            switch_interval_ms: crate::job::SWITCH_INTERVAL_MS,
            pooled: false,
            semaphore: false,
        };
        let mut trace = Trace::new(Strategy::Async, 2);
        trace.makespan = 12.5;
        let v = as_json(&ToEmbedder::run(RunKind::Fib, &job, &trace));
        assert_eq!(v["type"], "cvp:result");
        assert_eq!(v["widget"], "fib");
        assert_eq!(v["strategy"], "async");
        assert_eq!(v["threads"], 1, "a one-thread strategy used one thread, whatever was asked");
        assert_eq!(v["wallMs"], 12.5);
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 7, "{keys:?}");
        for key in ["tasks", "taskMs"] {
            assert!(keys.contains(&key), "{key} in {keys:?}");
        }
    }

    #[test]
    fn a_startup_point_without_a_pool_says_null() {
        let p = Point { n: 2, one_ms: 10.0, fresh_ms: 8.0, fresh_startup_ms: 3.0, pooled_ms: f64::NAN };
        let v = as_json(&ToEmbedder::startup(100.0, &[p], None, 50.0));
        assert_eq!(v["widget"], "startup");
        assert_eq!(v["points"][0]["pooledMs"], Value::Null);
        assert_eq!(v["breakEvenN"], Value::Null);
        assert_eq!(v["points"][0]["freshStartupMs"], 3.0);
    }

    #[test]
    fn the_readme_names_every_field_of_every_message() {
        let readme = include_str!("../../../README.md");
        let section = &readme[readme.find("## Embedding a widget").expect("the section")..];
        let section = &section[..section.find("\n## ").expect("a next section")];
        let job = Job {
            workload: Workload::Fetch { tasks: 1, latency_ms: 1.0, parse_ms: 0.0 },
            strategy: Strategy::Sync,
            threads: 1,
            limit: None,
            switch_interval_ms: crate::job::SWITCH_INTERVAL_MS,
            pooled: false,
            semaphore: false,
        };
        let spec = Spec { items: 1, ms: [1.0; 5], io_workers: 1, threads: 1, queue: 1 };
        let point = Point { n: 1, one_ms: 1.0, fresh_ms: 1.0, fresh_startup_ms: 1.0, pooled_ms: 1.0 };
        let race = Counted {
            race: crate::race::Race { method: crate::race::Method::Racy, threads: 2, per_thread: 10 },
            count: 15,
            threads: vec![crate::race::ThreadTime { start: 0.0, end: 1.0 }; 2],
        };
        for msg in [
            ToEmbedder::Resize { height: 1 },
            ToEmbedder::Lti(Lti::FrameResize { height: 1 }),
            ToEmbedder::run(RunKind::Fetch, &job, &Trace::new(Strategy::Sync, 1)),
            ToEmbedder::startup(1.0, &[point], Some((1, 1.0)), 1.0),
            ToEmbedder::pipeline(&spec, 1.0, Some(1.0), Some(1.0)),
            ToEmbedder::race(&[race]),
        ] {
            let v = as_json(&msg);
            let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            for list in ["points", "runs"] {
                if let Some(items) = v.get(list) {
                    keys.extend(items[0].as_object().unwrap().keys().cloned());
                }
            }
            for key in keys {
                assert!(section.contains(key.as_str()), "README's embedding section does not name {key}");
            }
            let tag = v.get("type").or(v.get("subject")).and_then(Value::as_str).expect("a tag");
            assert!(section.contains(tag), "README's embedding section does not name {tag}");
        }
    }

    #[test]
    fn a_race_reports_each_method_s_count_and_loss() {
        use crate::race::{Method, Race, ThreadTime};
        let race = Race { method: Method::Racy, threads: 2, per_thread: 1000 };
        let spans = vec![ThreadTime { start: 1.0, end: 3.0 }, ThreadTime { start: 2.0, end: 4.0 }];
        let runs = [
            Counted { race, count: 1500, threads: spans.clone() },
            Counted { race: Race { method: Method::Atomic, ..race }, count: 2000, threads: spans },
        ];
        let v = as_json(&ToEmbedder::race(&runs));
        assert_eq!(
            (v["widget"].as_str(), v["threads"].as_u64(), v["increments"].as_u64()),
            (Some("race"), Some(2), Some(1000))
        );
        assert_eq!(
            v["runs"][0],
            json!({"method": "racy", "total": 2000, "count": 1500, "lost": 500, "nsPerIncrement": 2000.0, "wallMs": 3.0})
        );
        assert_eq!(v["runs"][1]["lost"], 0);
        let text = serde_json::to_string(&ToEmbedder::race(&runs)).unwrap();
        assert_eq!(serde_json::from_str::<ToEmbedder>(&text).unwrap(), ToEmbedder::race(&runs));
    }

    #[test]
    fn every_message_reads_back_as_itself() {
        let spec = Spec { items: 20, ms: [10.0, 1.0, 1.0, 20.0, 5.0], io_workers: 4, threads: 2, queue: 4 };
        for msg in [
            ToEmbedder::Resize { height: 1 },
            ToEmbedder::pipeline(&spec, 250.0, Some(900.0), None),
            ToEmbedder::startup(
                10.0,
                &[Point { n: 1, one_ms: 1.0, fresh_ms: 2.0, fresh_startup_ms: 1.0, pooled_ms: 1.5 }],
                Some((1, 2.0)),
                9.0,
            ),
        ] {
            let text = serde_json::to_string(&msg).unwrap();
            assert_eq!(serde_json::from_str::<ToEmbedder>(&text).unwrap(), msg, "{text}");
        }
    }
}
