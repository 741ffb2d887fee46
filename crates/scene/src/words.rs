//! The words a frame shows: durations, phase names, one-line summaries of runs.

use cvp_model::{Phase, Trace};

/// A duration for people: `"850 ms"` under a second, `"19.8 s"` from there on (and
/// `"3.5 ms"` under 10 ms, where whole milliseconds would say little).
pub fn format_duration(ms: f64) -> String {
    let ms = if ms.is_finite() { ms.max(0.0) } else { 0.0 };
    if ms == 0.0 {
        "0 ms".to_owned()
    } else if ms < 9.95 {
        format!("{ms:.1} ms")
    } else if ms.round() < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 99_950.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{:.0} s", ms / 1000.0)
    }
}

/// The legend's word for a phase.
pub fn phase_word(phase: Phase) -> &'static str {
    match phase {
        Phase::Starting => "start-up",
        Phase::Loading => "loading (I/O)",
        Phase::Rendering => "rendering (CPU)",
        Phase::Blocked => "waiting",
        Phase::Handoff => "message passing",
    }
}

/// A one-line account of a run, such as `"Coroutines: 16 pixels in 19.8 s, CPU busy 62%"`.
///
/// `noun` is the plural for the tasks ("pixels", "tasks", "pages"); a single task drops
/// its final "s". A trace without tasks (one read from another tracer's file) counts its
/// lanes instead.
pub fn summary(trace: &Trace, noun: &str) -> String {
    format!("{}: {}", trace.strategy.label(), account(trace, noun))
}

/// [`summary`] without the strategy: `"16 pixels in 19.8 s, CPU busy 62%"`, for a panel
/// whose own title says what ran (two panels of one strategy, configured differently).
pub fn account(trace: &Trace, noun: &str) -> String {
    let (n, noun) = match trace.tasks.len() {
        0 if !trace.lanes.is_empty() => (trace.lanes.len(), "lanes"),
        n => (n, noun),
    };
    let noun = if n == 1 { noun.strip_suffix('s').unwrap_or(noun) } else { noun };
    format!(
        "{n} {noun} in {}, CPU busy {:.0}%",
        format_duration(trace.makespan),
        trace.cpu_utilisation() * 100.0
    )
}

/// The columns of [`lane_rows`].
pub const LANE_COLUMNS: [&str; 5] = ["lane", "tasks", "computing", "waiting (I/O)", "other"];

/// A timeline as a table, for readers who cannot see the canvas: one row per lane (its
/// label, the tasks it ran, and its time computing, waiting on I/O, and doing anything
/// else: starting, handing off, waiting for its turn), at most `most` rows, and how many
/// lanes were left out.
pub fn lane_rows(trace: &Trace, most: usize) -> (Vec<[String; 5]>, usize) {
    let rows = trace
        .lanes
        .iter()
        .take(most)
        .map(|lane| {
            let mut tasks: Vec<u32> = lane.segments.iter().filter_map(|s| s.task).collect();
            tasks.dedup();
            let time = |f: &dyn Fn(Phase) -> bool| {
                lane.segments.iter().filter(|s| f(s.phase)).map(|s| s.duration()).fold(0.0, |a, d| a + d)
            };
            [
                lane.label.clone(),
                tasks.len().to_string(),
                format_duration(time(&|p| p == Phase::Rendering)),
                format_duration(time(&|p| p == Phase::Loading)),
                format_duration(time(&|p| !matches!(p, Phase::Rendering | Phase::Loading))),
            ]
        })
        .collect();
    (rows, trace.lanes.len().saturating_sub(most))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cvp_model::{Lane, LaneKind, Segment, Strategy, TaskRecord};

    #[test]
    fn durations_switch_units_at_one_second() {
        assert_eq!(format_duration(850.0), "850 ms");
        assert_eq!(format_duration(999.6), "1.0 s");
        assert_eq!(format_duration(19_800.0), "19.8 s");
        assert_eq!(format_duration(3.46), "3.5 ms");
        assert_eq!(format_duration(0.0), "0 ms");
        assert_eq!(format_duration(125_000.0), "125 s");
    }

    /// A trace of one task: one segment of `phase` from 0 to `end` ms on one lane.
    fn one_task(strategy: Strategy, kind: LaneKind, phase: Phase, end: f64) -> Trace {
        let mut t = Trace::new(strategy, 1);
        let segments = vec![Segment { task: Some(0), phase, start: 0.0, end }];
        t.lanes.push(Lane { kind, label: "lane 1".into(), segments });
        t.tasks.push(TaskRecord { id: 0, lane: 0, start: 0.0, end, value: None });
        t.close();
        t
    }

    #[test]
    fn summary_reads_like_a_sentence() {
        let mut t = one_task(Strategy::Async, LaneKind::Coroutine, Phase::Rendering, 620.0);
        t.makespan = 1000.0;
        assert_eq!(summary(&t, "pixels"), "Coroutines: 1 pixel in 1.0 s, CPU busy 62%");
        assert_eq!(
            account(&t, "pixels"),
            "1 pixel in 1.0 s, CPU busy 62%",
            "the same, for a panel's own title"
        );
        // A trace read from a file may have lanes and no tasks: it counts its lanes.
        t.tasks.clear();
        t.lanes[0].segments[0].task = None;
        t.lanes.push(t.lanes[0].clone());
        assert_eq!(summary(&t, "pixels"), "Coroutines: 2 lanes in 1.0 s, CPU busy 100%");
    }

    #[test]
    fn pure_waiting_is_zero_percent_busy_not_minus_zero() {
        let t = one_task(Strategy::Threads, LaneKind::Thread, Phase::Loading, 500.0);
        assert_eq!(summary(&t, "pages"), "Threads: 1 page in 500 ms, CPU busy 0%");
    }

    #[test]
    fn a_timeline_reads_as_a_table_of_its_lanes() {
        let t = one_task(Strategy::Sync, LaneKind::Main, Phase::Loading, 500.0);
        let (rows, more) = lane_rows(&t, 10);
        assert_eq!(more, 0);
        assert_eq!(rows, vec![["lane 1", "1", "0 ms", "500 ms", "0 ms"].map(String::from)]);
        let (rows, more) = lane_rows(&t, 0);
        assert!(rows.is_empty());
        assert_eq!(more, 1, "the lanes left out are counted");
    }
}
