//! Widget states and their URL form: `from_query(to_query(s)) == s` for random valid
//! states, and `from_query` survives hostile URLs (never panics, always gives a valid
//! state, and tells the reader about every value it changed).

use cvp_model::job::{most_fib_tasks, most_parse_ms, RunKind, Workload, FETCH_PARAMS, FIB_PARAMS};
use cvp_model::pipeline::Spec;
use cvp_model::presets::PRESETS;
use cvp_model::query::{self, Param};
use cvp_model::state::{
    most_increments, parameter_table, AnimState, PipelineState, RaceState, RunState, SandboxState,
    StartupState, Widget, WidgetState, PIPELINE_PARAMS, RACE_PARAMS, SANDBOX_PARAMS, SEED, TIME, WORK,
};
use cvp_model::workload::Range;
use cvp_model::Strategy as How;
use proptest::prelude::*;

fn strategy() -> impl proptest::strategy::Strategy<Value = How> {
    proptest::sample::select(How::ALL.to_vec())
}

fn time() -> impl proptest::strategy::Strategy<Value = Option<f64>> {
    proptest::option::of(prop_oneof![Just(0.0), 0.0f64..=1e9, (0u32..100_000).prop_map(f64::from)])
}

fn range(max: f64) -> impl proptest::strategy::Strategy<Value = Range> {
    (0.0..=max, 0.0..=max).prop_map(|(a, b)| Range::new(a, b))
}

fn run_state() -> impl proptest::strategy::Strategy<Value = RunState> {
    let fib = (1u32..=42).prop_flat_map(|n| (1..=most_fib_tasks(n).min(64), Just(n)));
    let fib = fib.prop_map(|(tasks, n)| (Workload::Fib { tasks, n }, 0u32));
    let fetch = (1u32..=1000, 1.0f64..=5000.0, prop_oneof![Just(0.0), 0.0f64..=200.0], 0u32..=1000).prop_map(
        |(tasks, latency_ms, parse_ms, limit)| {
            let parse_ms = parse_ms.min(most_parse_ms(tasks));
            (Workload::Fetch { tasks, latency_ms, parse_ms }, limit)
        },
    );
    // Threads: fib may ask up to 256 (bounded per machine at run time), fetch up to 64.
    let fib = (fib, 0u32..=256).prop_map(|((w, l), t)| (w, l, t));
    let fetch = (fetch, 0u32..=64).prop_map(|((w, l), t)| (w, l, t));
    (prop_oneof![fib, fetch], strategy(), 1.0f64..=100.0, any::<bool>(), any::<bool>(), any::<bool>())
        .prop_map(|((workload, limit, threads), strategy, switch_interval_ms, pooled, semaphore, autorun)| {
            RunState {
                workload,
                strategy,
                threads,
                limit,
                switch_interval_ms,
                pooled,
                // Only fetch has a limit to hold.
                semaphore: semaphore && matches!(workload, Workload::Fetch { .. }),
                autorun,
            }
        })
}

fn anim_state() -> impl proptest::strategy::Strategy<Value = AnimState> {
    (proptest::sample::select(PRESETS.iter().collect::<Vec<_>>()), 0u64..=u32::MAX as u64, time())
        .prop_map(|(preset, seed, t)| AnimState { preset, seed, t })
}

fn sandbox_state() -> impl proptest::strategy::Strategy<Value = SandboxState> {
    (
        (1u32..=64, range(60_000.0), range(60_000.0), 0u32..=4096, 0u32..=256),
        (0.0f64..=5000.0, 0u64..=u32::MAX as u64, proptest::option::of(strategy()), time()),
    )
        .prop_map(|((side, load, render, workers, cores), (startup_ms, seed, strategy, t))| {
            SandboxState { side, load, render, workers, cores, startup_ms, seed, strategy, t }
        })
}

fn pipeline_state() -> impl proptest::strategy::Strategy<Value = PipelineState> {
    let ms = (1.0f64..=2000.0, 1.0f64..=2000.0, 0.1f64..=50.0, 1.0f64..=500.0, 1.0f64..=2000.0);
    (1u32..=200, ms, 1u32..=64, 1u32..=16, 1u32..=64, any::<bool>()).prop_map(
        |(items, (a, b, c, d, e), io_workers, threads, queue, autorun)| PipelineState {
            spec: Spec { items, ms: [a, b, c, d, e], io_workers, threads, queue },
            autorun,
        },
    )
}

fn widget_state() -> impl proptest::strategy::Strategy<Value = WidgetState> {
    prop_oneof![
        run_state().prop_map(WidgetState::Run),
        anim_state().prop_map(WidgetState::Anim),
        sandbox_state().prop_map(WidgetState::Sandbox),
        (1.0f64..=2000.0, any::<bool>())
            .prop_map(|(work_ms, autorun)| WidgetState::Startup(StartupState { work_ms, autorun })),
        pipeline_state().prop_map(WidgetState::Pipeline),
        (2u32..=8, any::<bool>())
            .prop_flat_map(|(threads, autorun)| (
                Just(threads),
                1000..=most_increments(threads).min(5_000_000),
                Just(autorun)
            ))
            .prop_map(|(threads, increments, autorun)| WidgetState::Race(RaceState {
                threads,
                increments,
                autorun
            })),
    ]
}

/// Every key some widget reads.
const KEYS: &[&str] = &[
    "widget",
    "strategy",
    "tasks",
    "n",
    "threads",
    "latency",
    "parse",
    "limit",
    "switch",
    "work",
    "items",
    "request",
    "poll",
    "collect",
    "transform",
    "write",
    "io",
    "queue",
    "increments",
    "autorun",
    "preset",
    "seed",
    "t",
    "side",
    "load_min",
    "load_max",
    "render_min",
    "render_max",
    "workers",
    "cores",
    "startup",
    "theme",
];

/// Values a careless or hostile link might carry.
fn hostile_value() -> impl proptest::strategy::Strategy<Value = String> {
    let fixed = proptest::sample::select(vec![
        "",
        " ",
        "0",
        "1",
        "-1",
        "-5",
        "2.5",
        "NaN",
        "nan",
        "inf",
        "-inf",
        "Infinity",
        "1e308",
        "-1e308",
        "1e-308",
        "0x10",
        "1_000",
        "%41",
        "%",
        "%zz",
        "%2",
        "+",
        "++",
        "a b",
        "=",
        "&",
        "１２",
        "1,5",
        "true",
        "all",
        "fib",
        "fetch",
        "anim",
        "sandbox",
        "race",
        "threads",
        "gil",
        "fork",
        "compare-4x4",
        "big-16x16",
        "4294967296",
        "18446744073709551616",
        "-0",
        "0.0000001",
        "999999999999",
        " 7 ",
        "\u{0}",
        "é",
        "🧵",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        4 => fixed,
        2 => any::<f64>().prop_map(|v| v.to_string()),
        2 => (-100_000i64..100_000).prop_map(|v| v.to_string()),
        1 => "[0-9]{50,400}",
        1 => "\\PC{0,30}",
        1 => (1usize..5).prop_map(|k| "9".repeat(k * 20_000)),
    ]
}

fn hostile_key() -> impl proptest::strategy::Strategy<Value = String> {
    prop_oneof![8 => proptest::sample::select(KEYS.to_vec()).prop_map(str::to_string), 1 => "\\PC{0,12}"]
}

/// A raw query: sometimes encoded properly, sometimes written by hand (so that `%zz`,
/// `+` and stray `&` reach the decoder as they are).
fn hostile_query() -> impl proptest::strategy::Strategy<Value = String> {
    (proptest::collection::vec((hostile_key(), hostile_value()), 0..16), any::<bool>()).prop_map(
        |(pairs, raw)| {
            if raw {
                pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
            } else {
                query::encode(&pairs)
            }
        },
    )
}

/// Whether `raw` is a value `param` would have to change.
fn bad_number(param: &Param, raw: &str) -> bool {
    let raw = raw.trim();
    if raw.is_empty() {
        return false;
    }
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() => v < param.min || v > param.max || (param.whole && v.fract() != 0.0),
        _ => true,
    }
}

/// The keys whose (last) value the widget must report as changed.
fn bad_keys(widget: Widget, pairs: &[(String, String)]) -> Vec<&'static str> {
    let value = |key: &str| query::find(pairs, key).map(str::trim);
    let params: Vec<Param> = match widget {
        Widget::Run(RunKind::Fib) => FIB_PARAMS.to_vec(),
        Widget::Run(RunKind::Fetch) => FETCH_PARAMS.to_vec(),
        Widget::Anim => vec![SEED, TIME],
        Widget::Sandbox => [&SANDBOX_PARAMS[..], &[TIME]].concat(),
        Widget::Startup => vec![WORK],
        Widget::Pipeline => PIPELINE_PARAMS.to_vec(),
        Widget::Race => RACE_PARAMS.to_vec(),
    };
    let mut bad: Vec<&'static str> =
        params.iter().filter(|p| value(p.key).is_some_and(|v| bad_number(p, v))).map(|p| p.key).collect();
    let strategy_ok =
        |v: &str| v.is_empty() || How::from_key(v).is_some() || (widget == Widget::Sandbox && v == "all");
    if matches!(widget, Widget::Run(_) | Widget::Sandbox)
        && value("strategy").is_some_and(|v| !strategy_ok(v))
    {
        bad.push("strategy");
    }
    if widget == Widget::Anim
        && value("preset").is_some_and(|v| !v.is_empty() && PRESETS.iter().all(|p| p.key != v))
    {
        bad.push("preset");
    }
    if matches!(widget, Widget::Run(_) | Widget::Startup | Widget::Pipeline | Widget::Race)
        && value("autorun").is_some_and(|v| !["", "0", "1", "true", "false"].contains(&v))
    {
        bad.push("autorun");
    }
    bad
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn to_query_and_from_query_are_inverses(state in widget_state()) {
        prop_assert_eq!(state.validate(), Ok(()));
        // Through the URL's text, as a copied link travels.
        let text = query::encode(&state.to_embed_query());
        let (back, notices) = WidgetState::from_query(&query::parse(&text));
        prop_assert!(notices.is_empty(), "{:?} from {}", notices, text);
        prop_assert_eq!(back, state);
    }

    #[test]
    fn any_url_gives_a_valid_state_and_names_each_bad_value(raw in hostile_query()) {
        let pairs = query::parse(&raw);
        let (state, notices) = WidgetState::from_query(&pairs);
        prop_assert_eq!(state.validate(), Ok(()), "from {:?}", raw);
        let known = query::find(&pairs, "widget").map(str::trim).and_then(Widget::from_key);
        if known.is_none() {
            prop_assert!(notices.iter().any(|n| n.0.starts_with("widget=")), "{:?}", notices);
        }
        for key in bad_keys(state.widget(), &pairs) {
            let told = notices.iter().any(|n| n.0.starts_with(&format!("{key}=")));
            prop_assert!(told, "{}= is bad in {:?} but no notice says so: {:?}", key, raw, notices);
        }
        for n in &notices {
            prop_assert!(n.0.len() < 300, "a notice stays short: {}", n.0);
        }
        // What it settled on is a fixed point: read again, nothing more to say.
        let again = WidgetState::from_query(&state.to_embed_query());
        prop_assert_eq!(again, (state, vec![]));
    }
}

#[test]
fn a_page_url_holds_several_widgets() {
    let fib = WidgetState::read(Widget::Run(RunKind::Fib), &query::pairs(&[("n", "30")]), None).0;
    let anim =
        WidgetState::read(Widget::Anim, &query::pairs(&[("seed", "9"), ("t", "3200")]), PRESETS.get(3)).0;
    let page = query::replace_scope(&[], "fib", &fib.to_query());
    let page = query::replace_scope(&page, "threads-4x4", &anim.to_query());
    let text = query::encode(&page);
    assert!(text.contains("fib.n=30") && text.contains("threads-4x4.t=3200"), "{text}");
    let page = query::parse(&text);
    let fib_back = WidgetState::read(Widget::Run(RunKind::Fib), &query::scope(&page, "fib"), None);
    let anim_back = WidgetState::read(Widget::Anim, &query::scope(&page, "threads-4x4"), PRESETS.get(3));
    assert_eq!(fib_back, (fib, vec![]));
    assert_eq!(anim_back, (anim, vec![]));
}

#[test]
fn every_widget_key_is_in_the_table() {
    let table = parameter_table();
    for key in KEYS {
        assert!(table.contains(&format!("| `{key}` |")), "{key} is not documented:\n{table}");
    }
}

#[test]
fn the_readme_documents_exactly_these_parameters() {
    let readme = include_str!("../../../README.md");
    let table = parameter_table();
    assert!(
        readme.contains(&table),
        "README.md's parameter table differs from the model's; paste this one in its place:\n\n{table}"
    );
}
