//! Building lanes and task records: the small bookkeeping every simulator shares.

use crate::trace::{Lane, LaneKind, Phase, Segment, TaskRecord};

/// `count` empty lanes of `kind`, labelled "`name` 1", "`name` 2", ...
pub(crate) fn new_lanes(kind: LaneKind, name: &str, count: usize) -> Vec<Lane> {
    (0..count).map(|i| Lane { kind, label: label(name, i + 1), segments: Vec::new() }).collect()
}

/// "`name` `n`", written by hand: `format!` costs ten times more, which shows with
/// 100,000 lanes.
fn label(name: &str, n: usize) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let digits = std::str::from_utf8(&digits[at..]).unwrap_or_default();
    let mut label = String::with_capacity(name.len() + 1 + digits.len());
    label.push_str(name);
    label.push(' ');
    label.push_str(digits);
    label
}

/// One record per task, to be filled in as the tasks run.
pub(crate) fn new_records(count: usize) -> Vec<TaskRecord> {
    (0..count as u32).map(|id| TaskRecord { id, lane: 0, start: 0.0, end: 0.0, value: None }).collect()
}

/// Appends a segment to a lane's segments, skipping empty ones and extending the previous segment
/// when this one continues it (same task and phase, no gap): a thread preempted and
/// rescheduled at the same instant, or a wait for the lock followed by a wait for a core,
/// reads as one piece.
pub(crate) fn push(segments: &mut Vec<Segment>, task: Option<u32>, phase: Phase, start: f64, end: f64) {
    if end <= start {
        return;
    }
    if let Some(last) = segments.last_mut() {
        if last.task == task && last.phase == phase && last.end == start {
            last.end = end;
            return;
        }
    }
    segments.push(Segment { task, phase, start, end });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_count_from_one() {
        let lanes = new_lanes(LaneKind::Thread, "thread", 12);
        assert_eq!(lanes[0].label, "thread 1");
        assert_eq!(lanes[11].label, "thread 12");
        assert_eq!(label("process", 100_000), "process 100000");
    }
}
