//! The player's clock, without a browser: the time shown, the speed, playing or paused,
//! and how seeking, stepping and animation frames move it. The web player owns one and
//! asks it what to draw; every rule about time is tested here.

/// Longest gap between two frames that counts as time passing (ms): after a stall (a
/// hidden tab, a long task) the animation carries on rather than jumping.
pub const MAX_FRAME_GAP: f64 = 100.0;

/// Where a newly loaded trace starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Start {
    /// At 0, to be played.
    Beginning,
    /// At its end: the finished picture.
    End,
    /// At this time (clamped).
    At(f64),
}

/// A clock over `0..=end` ms of trace time.
#[derive(Clone, Debug, PartialEq)]
pub struct Playback {
    t: f64,
    end: f64,
    speed: f64,
    playing: bool,
    /// The last frame's timestamp while playing.
    last_frame: Option<f64>,
}

impl Default for Playback {
    fn default() -> Self {
        Playback { t: 0.0, end: 0.0, speed: 1.0, playing: false, last_frame: None }
    }
}

impl Playback {
    /// The time shown (ms).
    pub fn t(&self) -> f64 {
        self.t
    }

    /// Where the traces end (ms).
    pub fn end(&self) -> f64 {
        self.end
    }

    /// Whether the clock runs.
    pub fn playing(&self) -> bool {
        self.playing
    }

    /// Multiple of real time.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Whether the end is shown (and there is something to show).
    pub fn finished(&self) -> bool {
        self.end > 0.0 && self.t >= self.end
    }

    /// How far along, 0 to 1 (1 when there is nothing to play).
    pub fn fraction(&self) -> f64 {
        if self.end > 0.0 {
            self.t / self.end
        } else {
            1.0
        }
    }

    /// New traces ending at `end`, paused, shown from `start`.
    pub fn load(&mut self, end: f64, start: Start) {
        self.end = if end.is_finite() { end.max(0.0) } else { 0.0 };
        self.playing = false;
        self.last_frame = None;
        self.t = match start {
            Start::Beginning => 0.0,
            Start::End => self.end,
            Start::At(t) => self.clamp(t),
        };
    }

    fn clamp(&self, t: f64) -> f64 {
        if t.is_nan() {
            0.0
        } else {
            t.clamp(0.0, self.end)
        }
    }

    /// Shows time `t` (clamped), playing or not.
    pub fn seek(&mut self, t: f64) {
        self.t = self.clamp(t);
    }

    /// Shows the point `fraction` (0 to 1) of the way through.
    pub fn seek_fraction(&mut self, fraction: f64) {
        self.seek(fraction * self.end);
    }

    /// Sets the speed (ignored unless positive and finite).
    pub fn set_speed(&mut self, speed: f64) {
        if speed > 0.0 && speed.is_finite() {
            self.speed = speed;
        }
    }

    /// Starts or stops the clock. Playing from the end starts again from 0.
    pub fn set_playing(&mut self, playing: bool) {
        if playing && self.finished() {
            self.t = 0.0;
        }
        self.playing = playing && self.end > 0.0;
        self.last_frame = None;
    }

    /// An animation frame at timestamp `now` (ms): moves the clock by the time since the
    /// last frame times the speed, and stops at the end. Whether it still plays.
    pub fn tick(&mut self, now: f64) -> bool {
        if !self.playing {
            return false;
        }
        let dt = self.last_frame.map_or(0.0, |last| (now - last).clamp(0.0, MAX_FRAME_GAP));
        self.last_frame = Some(now);
        self.t = (self.t + dt * self.speed).min(self.end);
        if self.t >= self.end {
            self.playing = false;
        }
        self.playing
    }

    /// Pauses and moves to the first of `events` (times something starts or ends) after
    /// the time shown, or to the end.
    pub fn step(&mut self, events: impl IntoIterator<Item = f64>) {
        self.set_playing(false);
        let next = events.into_iter().filter(|&e| e > self.t + 1e-6).fold(f64::INFINITY, f64::min);
        self.t = if next.is_finite() { next.min(self.end) } else { self.end };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(end: f64, start: Start) -> Playback {
        let mut p = Playback::default();
        p.load(end, start);
        p
    }

    #[test]
    fn frames_move_time_by_speed_and_stop_at_the_end() {
        let mut p = at(1000.0, Start::Beginning);
        p.set_playing(true);
        assert!(p.tick(5000.0), "the first frame only sets the reference");
        assert_eq!(p.t(), 0.0);
        p.tick(5016.0);
        assert_eq!(p.t(), 16.0);
        p.set_speed(4.0);
        p.tick(5032.0);
        assert_eq!(p.t(), 80.0);
        p.tick(9000.0);
        assert_eq!(p.t(), 80.0 + MAX_FRAME_GAP * 4.0, "a stall counts as one long frame at most");
        while p.tick(10_000.0 + p.t()) {}
        assert_eq!((p.t(), p.playing(), p.finished()), (1000.0, false, true));
    }

    #[test]
    fn playing_from_the_end_restarts_and_nothing_plays_without_a_trace() {
        let mut p = at(1000.0, Start::End);
        assert!(p.finished());
        p.set_playing(true);
        assert_eq!((p.t(), p.playing()), (0.0, true));
        let mut empty = at(0.0, Start::Beginning);
        empty.set_playing(true);
        assert!(!empty.playing());
        assert_eq!(empty.fraction(), 1.0);
    }

    #[test]
    fn seeking_clamps_and_pausing_stops_time() {
        let mut p = at(1000.0, Start::At(2500.0));
        assert_eq!(p.t(), 1000.0);
        p.seek(-3.0);
        assert_eq!(p.t(), 0.0);
        p.seek(f64::NAN);
        assert_eq!(p.t(), 0.0);
        p.seek_fraction(0.25);
        assert_eq!(p.t(), 250.0);
        p.set_playing(true);
        p.tick(0.0);
        p.set_playing(false);
        assert!(!p.tick(50.0));
        assert_eq!(p.t(), 250.0);
        p.set_speed(-1.0);
        p.set_speed(f64::NAN);
        assert_eq!(p.speed(), 1.0);
    }

    #[test]
    fn steps_go_to_the_next_event_then_the_end() {
        let mut p = at(1000.0, Start::Beginning);
        p.set_playing(true);
        let events = [0.0, 300.0, 300.0, 700.0];
        p.step(events);
        assert_eq!((p.t(), p.playing()), (300.0, false));
        p.step(events);
        assert_eq!(p.t(), 700.0);
        p.step(events);
        assert_eq!(p.t(), 1000.0);
        p.step(events);
        assert_eq!(p.t(), 1000.0);
    }
}
