//! The reader's guess before a real run: which strategy finishes first, and a number (how
//! many times as fast as synchronous code the job's telling strategy will be) with a reason.
//! After the run, [`Guess::score`] sets it beside the simulator's forecast and the measurement.

use crate::job::RunKind;
use crate::trace::Strategy;

/// Why a strategy would be faster, as the reader picks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Several cores compute at once.
    Cores,
    /// They take turns on one core.
    Turns,
    /// Their waits overlap.
    Waits,
    /// Starting workers costs more than it saves.
    Startup,
}

impl Reason {
    /// Every reason, in the order the page offers them.
    pub const ALL: [Reason; 4] = [Reason::Cores, Reason::Turns, Reason::Waits, Reason::Startup];

    /// The form's value.
    pub const fn key(self) -> &'static str {
        match self {
            Reason::Cores => "cores",
            Reason::Turns => "turns",
            Reason::Waits => "waits",
            Reason::Startup => "startup",
        }
    }

    /// The reason from the form's value.
    pub fn from_key(key: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.key() == key)
    }

    /// The reason in words, completing "because …".
    pub const fn words(self) -> &'static str {
        match self {
            Reason::Cores => "several cores compute at once",
            Reason::Turns => "the tasks take turns on one core",
            Reason::Waits => "the waits overlap",
            Reason::Startup => "starting workers costs more than it saves",
        }
    }
}

/// The strategy whose speedup the reader guesses for `kind`: the one the job teaches.
pub const fn subject(kind: RunKind) -> Strategy {
    match kind {
        RunKind::Fib => Strategy::Threads,
        RunKind::Fetch => Strategy::Async,
    }
}

/// What a guess is worth against a measurement: within this fraction counts as right.
pub const CLOSE: f64 = 0.25;

/// The reader's guess.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Guess {
    /// The strategy they think finishes first.
    pub first: Option<Strategy>,
    /// How many times as fast as synchronous code [`subject`] will be.
    pub speedup: Option<f64>,
    /// Why.
    pub reason: Option<Reason>,
    /// Whether the guess was last changed after the measurements it is compared with were
    /// on the page: then it is shown, not scored.
    pub after_run: bool,
}

/// A guessed speedup set beside the forecast and the measurement.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    /// The guess.
    pub guessed: f64,
    /// The forecast's speedup (the forecasts made before the two runs), when there was one.
    pub forecast: Option<f64>,
    /// Measured: synchronous time over the subject's.
    pub measured: f64,
    /// |guessed / measured − 1|.
    pub guess_error: f64,
    /// |forecast / measured − 1|.
    pub forecast_error: Option<f64>,
    /// The reason the measurement supports.
    pub reason: Reason,
}

impl Guess {
    /// The guess against `measured` (sync over subject) and the `forecast` speedup, on a
    /// machine where `cpu_overlap` lanes of the subject's run computed at once at most.
    /// `None` without a guessed number.
    pub fn score(
        &self,
        kind: RunKind,
        measured: f64,
        forecast: Option<f64>,
        cpu_overlap: usize,
    ) -> Option<Score> {
        let guessed = self.speedup.filter(|s| s.is_finite() && *s > 0.0)?;
        let off = |x: f64| (x / measured.max(1e-9) - 1.0).abs();
        let reason = match kind {
            RunKind::Fetch => Reason::Waits,
            RunKind::Fib if cpu_overlap >= 2 && measured >= 1.0 + crate::forecast::NOTEWORTHY => {
                Reason::Cores
            }
            RunKind::Fib => Reason::Turns,
        };
        Some(Score {
            guessed,
            forecast,
            measured,
            guess_error: off(guessed),
            forecast_error: forecast.map(off),
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guess_is_scored_against_the_measurement_and_beside_the_forecast() {
        let g = Guess { speedup: Some(3.0), reason: Some(Reason::Cores), ..Guess::default() };
        let s = g.score(RunKind::Fib, 1.9, Some(2.0), 2).unwrap();
        assert!((s.guess_error - (3.0 / 1.9 - 1.0)).abs() < 1e-12);
        assert!((s.forecast_error.unwrap() - (2.0 / 1.9 - 1.0)).abs() < 1e-12);
        assert_eq!(s.reason, Reason::Cores);
        assert_eq!(Guess::default().score(RunKind::Fib, 1.9, None, 2), None, "no number, no score");
    }

    #[test]
    fn the_supported_reason_follows_what_the_run_showed() {
        let g = Guess { speedup: Some(1.0), ..Guess::default() };
        // One core, or no speedup: the tasks took turns.
        assert_eq!(g.score(RunKind::Fib, 1.02, None, 1).unwrap().reason, Reason::Turns);
        assert_eq!(g.score(RunKind::Fib, 1.02, None, 2).unwrap().reason, Reason::Turns);
        assert_eq!(g.score(RunKind::Fib, 1.8, None, 2).unwrap().reason, Reason::Cores);
        assert_eq!(g.score(RunKind::Fetch, 9.0, None, 1).unwrap().reason, Reason::Waits);
        assert_eq!(subject(RunKind::Fetch), Strategy::Async);
        for r in Reason::ALL {
            assert_eq!(Reason::from_key(r.key()), Some(r));
        }
    }
}
