//! Questions for a lab session, per widget, with the answers a teacher can expect: the
//! teacher's page (`teach.html`) shows them beside each widget. Each question comes with the
//! widget's settings it is asked about (an `embed.html` query), and each answer's figures
//! are checked here against the simulator and the model's own rules, on those settings.

use crate::query;
use crate::state::{Widget, WidgetState};

/// One question about one widget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Question {
    /// The widget asked about.
    pub widget: Widget,
    /// Its settings for the question: an `embed.html` query, `widget=` first.
    pub setup: &'static str,
    /// What the student is asked to predict, then run and explain.
    pub ask: &'static str,
    /// What the teacher can expect, and why.
    pub answer: &'static str,
}

impl Question {
    /// The widget's state the question sets up.
    pub fn state(&self) -> WidgetState {
        WidgetState::from_query(&query::parse(self.setup)).0
    }
}

use crate::job::RunKind::{Fetch, Fib};

/// Every question, widgets in the README's order.
pub const QUESTIONS: &[Question] = &[
    Question {
        widget: Widget::Run(Fib),
        setup: "widget=fib&strategy=sync&tasks=8&n=30",
        ask: "Before you run it: on a machine with 4 hardware threads, how many times faster than \
              Synchronous will Threads finish these 8 × fib(30)? And Coroutines?",
        answer: "Threads: close to 4 times (8 equal tasks on 4 cores are two rounds instead of eight; \
                 starting the threads and the machine's other work take a little off). Coroutines: no \
                 faster at all. They take turns on one thread, and fib never waits, so there is nothing \
                 to overlap.",
    },
    Question {
        widget: Widget::Run(Fib),
        setup: "widget=fib&strategy=gil&tasks=8&n=30",
        ask: "Threads + global lock uses as many threads as Threads does. Why is it no faster than \
              Synchronous?",
        answer: "Only the thread holding the lock may compute, so the 8 tasks still run one piece at a \
                 time on one core, as CPU-bound Python threads do under CPython's GIL; handing the lock \
                 over only adds to the time.",
    },
    Question {
        widget: Widget::Run(Fetch),
        setup: "widget=fetch&strategy=sync&tasks=50&latency=500&parse=0",
        ask: "50 pages, each 500 ms of waiting for the server. How long will Synchronous take? And \
              Coroutines?",
        answer: "Synchronous: 50 × 0.5 s = 25 s, each wait starting when the one before ends. \
                 Coroutines: about 0.5 s, one latency: all 50 waits overlap on one thread, because \
                 waiting needs no CPU.",
    },
    Question {
        widget: Widget::Run(Fetch),
        setup: "widget=fetch&strategy=async&tasks=50&latency=500&parse=0&limit=10",
        ask: "Now at most 10 pages in flight (limit=10). How long?",
        answer: "About 2.5 s: the 50 waits go in 5 rounds of 10, each round one latency (0.5 s).",
    },
    Question {
        widget: Widget::Run(Fetch),
        setup: "widget=fetch&strategy=async&tasks=50&latency=500&parse=20&threads=50",
        ask: "Each page now costs 20 ms of CPU to parse (parse=20). What does that add to Coroutines, \
              and what would 50 threads on a 4-core machine take?",
        answer: "Coroutines: the waits still overlap (0.5 s), but the 50 parses, 1 s of CPU, run one \
                 after another on their one thread: about 1.5 s. 50 threads wait together too and \
                 share the parsing among the 4 cores: about 0.5 s + 1 s / 4 = 0.75 s.",
    },
    Question {
        widget: Widget::Anim,
        setup: "widget=anim&preset=compare-4x4&seed=1",
        ask: "The same 16 pixels, three ways. Which panel finishes first, which last, and why?",
        answer: "Threads first: in this ideal world each pixel has its own thread and core, so the \
                 panel ends with its slowest pixel. Coroutines next: their loads overlap, but the \
                 renders take turns on one thread. Synchronous last: it adds up every load and every \
                 render.",
    },
    Question {
        widget: Widget::Anim,
        setup: "widget=anim&preset=real-cpu&seed=1",
        ask: "Pixels that only need rendering (CPU work), at most 8 at once. What do coroutines gain \
              over doing one pixel after another?",
        answer: "Nothing: with no waiting to overlap, the coroutines render one pixel after another, \
                 exactly as long as Synchronous would. The 8 threads render 8 pixels at a time.",
    },
    Question {
        widget: Widget::Sandbox,
        setup: "widget=sandbox&workers=1",
        ask: "Set workers to 1 (one thread, process or coroutine at a time). What do the strategies \
              become?",
        answer: "All of them become Synchronous: each pixel waits for the one before, so every panel \
                 takes the sum of all loads and renders. Processes take a little longer still: they \
                 pay a hand-off for every pixel.",
    },
    Question {
        widget: Widget::Sandbox,
        setup: "widget=sandbox&load_min=0&load_max=0&cores=1",
        ask: "No waiting at all (loads of 0 ms) and one core. Which strategy wins?",
        answer: "None: one core has all the rendering to do, whoever schedules it, so Synchronous, \
                 Coroutines and Threads all take the sum of the renders. The lock adds its switches \
                 and processes their hand-offs on top.",
    },
    Question {
        widget: Widget::Startup,
        setup: "widget=startup&work=20",
        ask: "Two fresh workers on two cores halve the computing. Why can they still lose to one \
              thread?",
        answer: "Each fresh worker must start (load and compile the module) before it computes. Two \
                 workers save half the work, 10 ms of these 20, and pay off only when that saving \
                 exceeds their start-up: when the work is more than twice the start-up. The widget \
                 computes this break-even from the start-ups it measures.",
    },
    Question {
        widget: Widget::Startup,
        setup: "widget=startup&work=200",
        ask: "Why is the pooled series below the fresh one at every N?",
        answer: "The pool's threads started once, before the experiment, so no run pays a start-up: \
                 only the work, split over the cores, is left. The series needs shared memory; where \
                 the page has none, it is missing and the widget says so.",
    },
    Question {
        widget: Widget::Pipeline,
        setup: "widget=pipeline",
        ask: "Which stage sets the pace with these settings? Will more transform threads help?",
        answer: "request: 200 ms shared by 4 coroutines is 50 ms an item, the most of the five \
                 (transform's 40 ms over 2 threads is 20 ms). More transform threads save almost nothing. \
                 8 coroutines per waiting stage (io=8) do help: request's share halves to 25 ms an \
                 item, and the items come out nearly twice as fast.",
    },
    Question {
        widget: Widget::Pipeline,
        setup: "widget=pipeline",
        ask: "How long would the 40 items take in one plain loop, and how long through the pipeline?",
        answer: "One loop adds every stage of every item: 40 × 442 ms, about 17.7 s. The pipeline \
                 takes about 40 × 50 ms = 2 s at its slowest stage, plus the rest of one item's trip: \
                 under 2.5 s.",
    },
    Question {
        widget: Widget::Race,
        setup: "widget=race&threads=2&increments=1000000",
        ask: "Two threads each add one to a shared counter a million times, as a load and then a \
              store. Before you run it: will the counter show exactly 2,000,000, less, or more? Could \
              any run show more?",
        answer: "Less, on most runs: an increment is lost whenever another thread's store lands between \
                 a thread's load and its store. Never more: each store writes one more than a value an \
                 earlier store wrote, so the counter cannot pass the number of stores, 2,000,000. A run \
                 can lose none, when the threads did not run at once; the widget says so when it happens.",
    },
    Question {
        widget: Widget::Race,
        setup: "widget=race&threads=4&increments=500000",
        ask: "On 4 threads, how many increments will the atomic add lose, and the lock? Which of the \
              three ways will be slowest per increment?",
        answer: "None, on any run: the atomic add is one indivisible step, and under the lock only one \
                 thread reads and writes the counter at a time. Which is slowest is measured, not given: \
                 the lock takes and lets go of a lock at every increment, but in WebAssembly every atomic \
                 access is sequentially consistent, so even the racy load and store are ordered ones, and \
                 on this page the atomic add was often no slower than them.",
    },
];

/// The questions about `widget`.
pub fn questions(widget: Widget) -> impl Iterator<Item = &'static Question> {
    QUESTIONS.iter().filter(move |q| q.widget == widget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::simulate as pipeline;
    use crate::presets::Preset;
    use crate::sim::{simulate, SimConfig};
    use crate::state::RunState;
    use crate::trace::Strategy::{self, Async, Gil, Processes, Sync, Threads};
    use crate::workload::Task;

    /// The question at `i`, and its state.
    fn q(i: usize) -> (&'static Question, WidgetState) {
        (&QUESTIONS[i], QUESTIONS[i].state())
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * b.abs().max(1.0)
    }

    /// A real run's job as the simulator sees it: each fib task `cpu` ms of computing, each
    /// page its latency then its parse; on `cores` hardware threads.
    fn run(state: &RunState, strategy: Strategy, cores: u32, cpu: f64) -> f64 {
        let (job, _) = RunState { strategy, ..*state }.job(cores);
        let tasks: Vec<Task> = match job.workload {
            crate::job::Workload::Fib { tasks, .. } => vec![Task { load: 0.0, render: cpu }; tasks as usize],
            crate::job::Workload::Fetch { tasks, latency_ms, parse_ms } => {
                vec![Task { load: latency_ms, render: parse_ms }; tasks as usize]
            }
        };
        let workers = match strategy {
            Sync => None,
            Async => job.limit,
            _ => Some(job.threads.max(1)),
        };
        simulate(&tasks, &SimConfig::ideal(strategy).with_workers(workers).with_cores(cores)).makespan
    }

    #[test]
    fn every_question_sets_up_its_own_widget_with_values_it_accepts() {
        for q in QUESTIONS {
            let (state, notices) = WidgetState::from_query(&query::parse(q.setup));
            assert!(notices.is_empty(), "{}: {notices:?}", q.setup);
            assert_eq!(state.widget(), q.widget, "{}", q.setup);
        }
        for widget in Widget::ALL {
            let n = questions(widget).count();
            assert!((2..=3).contains(&n), "{} has {n} questions", widget.key());
        }
    }

    #[test]
    fn the_race_never_counts_more_than_its_increments_and_the_correct_ways_lose_none() {
        use crate::race::{Counted, Method, ThreadTime};
        let races: Vec<_> = QUESTIONS
            .iter()
            .filter_map(|q| match q.state() {
                WidgetState::Race(s) => Some(s),
                _ => None,
            })
            .collect();
        assert_eq!(races.len(), 2);
        assert_eq!(races[0].race(Method::Racy).total(), 2_000_000, "the first answer's total");
        let spans = vec![ThreadTime { start: 0.0, end: 1.0 }; 2];
        let above = Counted { race: races[0].race(Method::Racy), count: 2_000_001, threads: spans };
        assert!(above.check().is_err(), "more than the stores made is refused");
        for method in [Method::Atomic, Method::Lock] {
            let race = races[1].race(method);
            let spans = vec![ThreadTime { start: 0.0, end: 1.0 }; 4];
            let short = Counted { race, count: race.total() - 1, threads: spans };
            assert!(short.check().is_err(), "{method:?} may lose none");
        }
    }

    #[test]
    fn fib_threads_are_four_times_faster_on_four_cores_and_coroutines_are_not() {
        let (_, WidgetState::Run(s)) = q(0) else { panic!("fib") };
        let sync = run(&s, Sync, 4, 100.0);
        assert!(close(sync, 800.0));
        assert!(close(sync / run(&s, Threads, 4, 100.0), 4.0));
        assert!(close(run(&s, Async, 4, 100.0), sync));
    }

    #[test]
    fn fib_under_the_lock_is_no_faster_than_synchronous() {
        let (_, WidgetState::Run(s)) = q(1) else { panic!("fib") };
        assert!(run(&s, Gil, 4, 100.0) >= run(&s, Sync, 4, 100.0) - 1e-6);
    }

    #[test]
    fn fifty_pages_take_25_s_in_turn_half_a_second_together_and_2_5_s_ten_at_a_time() {
        let (_, WidgetState::Run(s)) = q(2) else { panic!("fetch") };
        assert!(close(run(&s, Sync, 4, 0.0), 25_000.0));
        assert!(close(run(&s, Async, 4, 0.0), 500.0));
        let (_, WidgetState::Run(limited)) = q(3) else { panic!("fetch") };
        assert!(close(run(&limited, Async, 4, 0.0), 2_500.0));
    }

    #[test]
    fn parsing_adds_a_second_to_coroutines_and_a_quarter_to_fifty_threads_on_four_cores() {
        let (_, WidgetState::Run(s)) = q(4) else { panic!("fetch") };
        assert!(close(run(&s, Async, 4, 0.0), 1_500.0));
        // 50 parses over 4 cores are 13 rounds of 20 ms: 0.76 s, "about 0.75 s".
        let threads = run(&s, Threads, 4, 0.0);
        assert!((threads / 750.0 - 1.0).abs() < 0.03, "{threads}");
    }

    #[test]
    fn compared_panels_end_threads_then_coroutines_then_synchronous() {
        let (_, WidgetState::Anim(s)) = q(5) else { panic!("anim") };
        let preset = Preset::find(s.preset.key).unwrap();
        let tasks = preset.workload(s.seed).draw();
        let ms: Vec<f64> = preset.simulate(s.seed).iter().map(|(_, t)| t.makespan).collect();
        let slowest = tasks.iter().map(|t| t.load + t.render).fold(0.0, f64::max);
        let all: f64 = tasks.iter().map(|t| t.load + t.render).sum();
        assert_eq!(preset.panels.iter().map(|p| p.strategy).collect::<Vec<_>>(), [Sync, Threads, Async]);
        assert!(close(ms[1], slowest), "threads end with the slowest pixel: {ms:?}");
        assert!(ms[1] < ms[2] && ms[2] < ms[0], "{ms:?}");
        assert!(close(ms[0], all));
    }

    #[test]
    fn coroutines_gain_nothing_on_cpu_only_pixels() {
        let (_, WidgetState::Anim(s)) = q(6) else { panic!("anim") };
        let preset = Preset::find(s.preset.key).unwrap();
        let renders: f64 = preset.workload(s.seed).draw().iter().map(|t| t.load + t.render).sum();
        let traces = preset.simulate(s.seed);
        let (threads, coroutines) = (traces[0].1.makespan, traces[1].1.makespan);
        assert_eq!((preset.panels[0].strategy, preset.panels[1].strategy), (Threads, Async));
        assert!(close(coroutines, renders), "{coroutines} vs {renders}");
        assert!(threads < coroutines / 4.0, "{threads} vs {coroutines}");
    }

    #[test]
    fn one_worker_makes_every_strategy_synchronous() {
        let (_, WidgetState::Sandbox(s)) = q(7) else { panic!("sandbox") };
        let sandbox = s.sandbox();
        let all: f64 = sandbox.spec.draw().iter().map(|t| t.load + t.render).sum();
        for (label, trace) in sandbox.simulate() {
            if label == Processes.label() {
                assert!(trace.makespan > all + 1.0, "{label}: {}", trace.makespan);
            } else {
                assert!(close(trace.makespan, all), "{label}: {} vs {all}", trace.makespan);
            }
        }
    }

    #[test]
    fn on_one_core_without_waits_nobody_wins() {
        let (_, WidgetState::Sandbox(s)) = q(8) else { panic!("sandbox") };
        let sandbox = s.sandbox();
        let renders: f64 = sandbox.spec.draw().iter().map(|t| t.load + t.render).sum();
        for (label, trace) in sandbox.simulate() {
            if [Gil.label(), Processes.label()].contains(&label.as_str()) {
                assert!(trace.makespan > renders + 1.0, "{label}: {}", trace.makespan);
            } else {
                assert!(close(trace.makespan, renders), "{label}: {} vs {renders}", trace.makespan);
            }
        }
    }

    #[test]
    fn two_fresh_workers_pay_off_above_twice_their_start_up() {
        let (_, WidgetState::Startup(s)) = q(9) else { panic!("startup") };
        assert_eq!(s.work_ms, 20.0);
        assert!(close(crate::startup::break_even_ms(7.0, 2, 2).unwrap(), 14.0));
        // One worker, or one core, never pays off.
        assert_eq!(crate::startup::break_even_ms(7.0, 2, 1), None);
        // A pool pays no start-up: started threads beat fresh ones on the same work.
        let tasks = vec![Task { load: 0.0, render: 100.0 }; 4];
        let fresh = SimConfig::ideal(Processes).with_workers(4).with_cores(4).with_startup_ms(30.0);
        let pooled = SimConfig::ideal(Threads).with_workers(4).with_cores(4);
        assert!(simulate(&tasks, &pooled).makespan < simulate(&tasks, &fresh).makespan);
    }

    #[test]
    fn the_default_pipeline_waits_on_its_requests_and_beats_a_loop_sevenfold() {
        let (_, WidgetState::Pipeline(s)) = q(11) else { panic!("pipeline") };
        let spec = s.spec;
        assert_eq!(spec.stages()[spec.bottleneck()].name, "request");
        assert!(close(spec.per_item(0), 50.0) && close(spec.per_item(3), 20.0));
        let more_threads = crate::pipeline::Spec { threads: 4, ..spec };
        let (base, more) = (pipeline(&spec).makespan, pipeline(&more_threads).makespan);
        assert!(
            more <= base && more > 0.97 * base,
            "transform threads save almost nothing: {base} -> {more}"
        );
        let more_io = crate::pipeline::Spec { io_workers: 8, ..spec };
        assert!(close(more_io.per_item(more_io.bottleneck()), 25.0));
        assert!(pipeline(&more_io).makespan < 0.6 * base, "{}", pipeline(&more_io).makespan);
        assert!(close(spec.item_ms(), 442.0) && spec.items == 40);
        let ms = pipeline(&spec).makespan;
        assert!((2_000.0..2_500.0).contains(&ms), "{ms}");
    }
}
