//! Where a widget that runs work is: the one value behind its `data-state` attribute and
//! its buttons. Tests and styles read the attribute. For the widgets that run work, the
//! widget kit (`cvp-web`'s `widgets::kit`) is the only code that writes it; the rest of the
//! page writes it from this type too: `error` where a widget could not mount or failed (the
//! mount and the fault box), `ready` once an animation is drawn.

/// A run widget's stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Mounted; the runner worker has not said what this browser can run yet.
    Starting,
    /// The runner is ready and nothing of this widget's has run yet.
    Ready,
    /// One of this widget's runs is under way.
    Running,
    /// The last run finished and its results show.
    Done,
    /// The last run failed; the status says why.
    Failed,
    /// The reader cancelled the last run.
    Cancelled,
    /// The runner is ready, but this widget's work cannot run in this browser (the race,
    /// without threads); a notice says why, and nothing runs in its place.
    Unavailable,
}

impl Stage {
    /// Every stage, in the order a first run passes through them.
    pub const ALL: [Stage; 7] = [
        Stage::Starting,
        Stage::Ready,
        Stage::Running,
        Stage::Done,
        Stage::Failed,
        Stage::Cancelled,
        Stage::Unavailable,
    ];

    /// The value of `data-state`. A cancelled widget is back to `ready`: what the attribute
    /// tells is whether a new run can start, and the status line says it was cancelled. A
    /// failure is `error`, the word the page's own fault box uses too.
    pub const fn key(self) -> &'static str {
        match self {
            Stage::Starting => "starting",
            Stage::Ready | Stage::Cancelled => "ready",
            Stage::Running => "running",
            Stage::Done => "done",
            Stage::Failed => "error",
            Stage::Unavailable => "unavailable",
        }
    }

    /// Whether a button that starts work is enabled: once the runner is ready, while
    /// neither this widget nor another on the page (`page_busy`: one runner serves them all,
    /// and a run measured beside another is not a measurement) is running.
    pub const fn can_start(self, page_busy: bool) -> bool {
        !page_busy && !matches!(self, Stage::Starting | Stage::Running | Stage::Unavailable)
    }

    /// Whether the Cancel button is enabled: only the widget whose run it is can cancel it.
    pub const fn can_cancel(self) -> bool {
        matches!(self, Stage::Running)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_attributes_contract() {
        let keys: Vec<_> = Stage::ALL.iter().map(|s| s.key()).collect();
        assert_eq!(keys, ["starting", "ready", "running", "done", "error", "ready", "unavailable"]);
    }

    #[test]
    fn work_starts_only_when_ready_and_the_page_is_idle() {
        for stage in Stage::ALL {
            let idle = stage.can_start(false);
            let never = matches!(stage, Stage::Starting | Stage::Running | Stage::Unavailable);
            assert_eq!(idle, !never, "{stage:?}");
            assert!(!stage.can_start(true), "{stage:?}: another run on the page blocks it");
            assert_eq!(stage.can_cancel(), stage == Stage::Running, "{stage:?}");
            // Nothing can be both started and cancelled.
            assert!(!(idle && stage.can_cancel()), "{stage:?}");
        }
    }
}
