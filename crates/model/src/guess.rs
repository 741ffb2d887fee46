//! The reader's guesses before a real run, and how each is scored after it.
//!
//! The real-run widgets ask which strategy finishes first and a number (how many times as
//! fast as synchronous code the job's telling strategy will be) with a reason: [`Guess`].
//! The other widgets that run work ask one number each, with a reason picked from their own
//! list: an [`Ask`]. Either way the reveal sets the guess beside the forecast made before the
//! run (where one can be made) and the measurement, and names the reason the run supports.

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

impl Guess {
    /// The guessed number and reason as an [`Ask`] of [`ask`]`(kind)` scores them: any
    /// positive speedup counts (the page's input bounds it), the reason by its place in
    /// [`Reason::ALL`].
    pub fn number(&self) -> Number {
        Number {
            value: self.speedup.filter(|s| s.is_finite() && *s > 0.0),
            reason: self.reason.and_then(|r| Reason::ALL.iter().position(|&x| x == r)),
        }
    }
}

/// The real runs' reasons, as every [`Ask`] of [`ask`] offers them.
const REASONS: &[Choice] = &[
    Choice { key: Reason::Cores.key(), words: Reason::Cores.words() },
    Choice { key: Reason::Turns.key(), words: Reason::Turns.words() },
    Choice { key: Reason::Waits.key(), words: Reason::Waits.words() },
    Choice { key: Reason::Startup.key(), words: Reason::Startup.words() },
];

/// The number a real run's form asks (the essay's `speedup-KIND` and `why-KIND`): how many
/// times as fast as synchronous code [`subject`]`(kind)` will be, and why.
pub const fn ask(kind: RunKind) -> &'static Ask {
    const FIB: Ask = Ask {
        key: "fib",
        question: "And how many times as fast as synchronous code will threads be, on your machine?",
        label: "Threads:",
        guessed: "Threads would be {} as fast as synchronous code",
        unit: Unit::Times,
        min: 0.1,
        max: 1000.0,
        step: 0.1,
        reasons: REASONS,
        forecast_name: "the forecast",
        no_forecast: "",
        unsettled: "",
    };
    const FETCH: Ask = Ask {
        key: "fetch",
        question: "And how many times as fast as synchronous code will coroutines be, for these pages?",
        label: "Coroutines:",
        guessed: "Coroutines would be {} as fast as synchronous code",
        ..FIB
    };
    match kind {
        RunKind::Fib => &FIB,
        RunKind::Fetch => &FETCH,
    }
}

/// What two real runs give to score [`ask`]`(kind)`'s number against: `measured` (sync
/// over subject), the `forecast` speedup, and the reason the run supports on a machine where
/// `cpu_overlap` lanes of the subject's run computed at once at most.
pub fn outcome(kind: RunKind, measured: f64, forecast: Option<f64>, cpu_overlap: usize) -> Outcome {
    let reason = match kind {
        RunKind::Fetch => Reason::Waits,
        RunKind::Fib if cpu_overlap >= 2 && measured >= 1.0 + crate::forecast::NOTEWORTHY => Reason::Cores,
        RunKind::Fib => Reason::Turns,
    };
    Outcome { measured, forecast, supported: Reason::ALL.iter().position(|&r| r == reason) }
}

/// How far a guessed number is from a measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// A time or a ratio: off by |guess / measured − 1|, close within [`CLOSE`].
    Ratio,
    /// A share in percent: off by |guess − measured| percentage points, close within
    /// [`CLOSE_POINTS`] (a ratio would make any guess of a zero share infinitely off).
    Points,
}

/// A share guessed within this many percentage points counts as right.
pub const CLOSE_POINTS: f64 = 10.0;

/// What the number is, which decides how the page writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Times as fast: "1.30×".
    Times,
    /// A duration (ms): "420 ms", "1.25 s".
    Ms,
    /// A share in percent: "12 %".
    Percent,
}

impl Unit {
    /// The scale its guesses are scored on.
    pub const fn scale(self) -> Scale {
        match self {
            Unit::Times | Unit::Ms => Scale::Ratio,
            Unit::Percent => Scale::Points,
        }
    }
}

/// One reason the reader may give: its form value and its words, completing "because …".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The form's value.
    pub key: &'static str,
    /// The reason in words.
    pub words: &'static str,
}

/// A number a widget asks for before its run, with the reasons it offers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ask {
    /// Names the form's controls (`guess-KEY`, `why-KEY`).
    pub key: &'static str,
    /// The question, as the form's legend.
    pub question: &'static str,
    /// The input's label, before it.
    pub label: &'static str,
    /// The guess as the reveal says it, completing "You guessed …"; `{}` stands for the
    /// number ("two fresh workers would be {} as fast as one thread").
    pub guessed: &'static str,
    /// What the number is.
    pub unit: Unit,
    /// The input's range and step.
    pub min: f64,
    /// See `min`.
    pub max: f64,
    /// See `min`.
    pub step: f64,
    /// The reasons offered, in order.
    pub reasons: &'static [Choice],
    /// What the forecast is called in the reveal ("the forecast", "the simulator's ideal").
    pub forecast_name: &'static str,
    /// Why there is no forecast, when there is none.
    pub no_forecast: &'static str,
    /// What the reveal says when the run settles none of the reasons.
    pub unsettled: &'static str,
}

/// What the reader entered: a number and the index of a reason in [`Ask::reasons`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Number {
    /// The number, if they gave a usable one.
    pub value: Option<f64>,
    /// The reason, if they picked one.
    pub reason: Option<usize>,
}

/// What a run gave to score a [`Number`] against, in the ask's unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// The measurement.
    pub measured: f64,
    /// The forecast made before the run, where one could be made.
    pub forecast: Option<f64>,
    /// The reason (index in [`Ask::reasons`]) that the run supports; `None` when it settles
    /// none of them (then [`Ask::unsettled`] says why).
    pub supported: Option<usize>,
}

/// A number set beside the forecast and the measurement.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scored {
    /// How far the guess was, on the ask's scale.
    pub guess_off: f64,
    /// How far the forecast was, on the same scale.
    pub forecast_off: Option<f64>,
    /// Whether the guess counts as right.
    pub close: bool,
}

impl Ask {
    /// The index of the reason whose form value is `key`.
    pub fn reason(&self, key: &str) -> Option<usize> {
        self.reasons.iter().position(|c| c.key == key)
    }

    /// What the reader entered, from the form's raw values; a number outside the input's
    /// range, or no number, is none.
    pub fn number(&self, value: f64, reason: &str) -> Number {
        let value = Some(value).filter(|v| v.is_finite() && *v >= self.min && *v <= self.max);
        Number { value, reason: self.reason(reason) }
    }

    /// How far `x` is from `measured` on this ask's scale.
    pub fn off(&self, x: f64, measured: f64) -> f64 {
        match self.unit.scale() {
            Scale::Ratio => (x / measured.max(1e-9) - 1.0).abs(),
            Scale::Points => (x - measured).abs(),
        }
    }

    /// `number` against `outcome`; `None` without a number.
    pub fn score(&self, number: &Number, outcome: &Outcome) -> Option<Scored> {
        let guessed = number.value?;
        let guess_off = self.off(guessed, outcome.measured);
        let close = match self.unit.scale() {
            Scale::Ratio => guess_off <= CLOSE,
            Scale::Points => guess_off <= CLOSE_POINTS,
        };
        Some(Scored {
            guess_off,
            forecast_off: outcome.forecast.map(|f| self.off(f, outcome.measured)),
            close,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ASK: Ask = Ask {
        key: "t",
        question: "?",
        label: "x",
        guessed: "it would take {}",
        unit: Unit::Ms,
        min: 1.0,
        max: 1000.0,
        step: 1.0,
        reasons: &[Choice { key: "a", words: "a" }, Choice { key: "b", words: "b" }],
        forecast_name: "the forecast",
        no_forecast: "none",
        unsettled: "",
    };

    #[test]
    fn a_number_is_read_within_its_range_and_scored_on_its_scale() {
        assert_eq!(ASK.number(200.0, "b"), Number { value: Some(200.0), reason: Some(1) });
        assert_eq!(ASK.number(0.5, "c"), Number::default(), "below the range, and no such reason");
        assert_eq!(ASK.number(f64::NAN, "").value, None);
        let outcome = Outcome { measured: 250.0, forecast: Some(240.0), supported: Some(0) };
        let s = ASK.score(&ASK.number(200.0, "a"), &outcome).unwrap();
        assert!((s.guess_off - 0.2).abs() < 1e-12 && s.close);
        assert!((s.forecast_off.unwrap() - 0.04).abs() < 1e-12);
        assert!(!ASK.score(&ASK.number(100.0, ""), &outcome).unwrap().close, "60 % off");
        assert_eq!(ASK.score(&Number::default(), &outcome), None);
        // A share is off by points, so a guess of none against none is exact.
        let share = Ask { unit: Unit::Percent, min: 0.0, max: 100.0, ..ASK };
        let none = Outcome { measured: 0.0, forecast: None, supported: Some(1) };
        assert_eq!(share.score(&share.number(0.0, "b"), &none).unwrap().guess_off, 0.0);
        let s = share.score(&share.number(30.0, "a"), &Outcome { measured: 18.0, ..none }).unwrap();
        assert!((s.guess_off - 12.0).abs() < 1e-12 && !s.close && s.forecast_off.is_none());
    }

    #[test]
    fn a_guess_is_scored_against_the_measurement_and_beside_the_forecast() {
        let g = Guess { speedup: Some(3.0), reason: Some(Reason::Cores), ..Guess::default() };
        let o = outcome(RunKind::Fib, 1.9, Some(2.0), 2);
        let s = ask(RunKind::Fib).score(&g.number(), &o).unwrap();
        assert!((s.guess_off - (3.0 / 1.9 - 1.0)).abs() < 1e-12);
        assert!((s.forecast_off.unwrap() - (2.0 / 1.9 - 1.0)).abs() < 1e-12);
        assert_eq!(o.supported.map(|i| Reason::ALL[i]), Some(Reason::Cores));
        assert_eq!(g.number().reason.map(|i| ask(RunKind::Fib).reasons[i].key), Some("cores"));
        assert_eq!(ask(RunKind::Fib).score(&Guess::default().number(), &o), None, "no number, no score");
    }

    #[test]
    fn the_supported_reason_follows_what_the_run_showed() {
        let reason = |kind, measured, overlap| {
            outcome(kind, measured, None, overlap).supported.map(|i| Reason::ALL[i])
        };
        // One core, or no speedup: the tasks took turns.
        assert_eq!(reason(RunKind::Fib, 1.02, 1), Some(Reason::Turns));
        assert_eq!(reason(RunKind::Fib, 1.02, 2), Some(Reason::Turns));
        assert_eq!(reason(RunKind::Fib, 1.8, 2), Some(Reason::Cores));
        assert_eq!(reason(RunKind::Fetch, 9.0, 1), Some(Reason::Waits));
        assert_eq!(subject(RunKind::Fetch), Strategy::Async);
        for r in Reason::ALL {
            assert_eq!(Reason::from_key(r.key()), Some(r));
            assert_eq!(
                ask(RunKind::Fetch).reason(r.key()).map(|i| Reason::ALL[i]),
                Some(r),
                "the ask offers it"
            );
        }
    }
}
