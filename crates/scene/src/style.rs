//! Colours and font: a light and a dark theme in the spirit of D3 examples.

use crate::shape::Color;
use cvp_model::Phase;
use std::sync::Arc;

/// Everything about a frame's look that is not geometry.
#[derive(Clone, Debug, PartialEq)]
pub struct Style {
    /// Canvas background (also the gutters between tiles).
    pub background: Color,
    /// Titles, clock, labels.
    pub text: Color,
    /// Secondary text: counters, axis labels, legend.
    pub muted: Color,
    /// The time axis line and ticks.
    pub axis: Color,
    /// Faint vertical grid lines behind the Gantt bars.
    pub gridline: Color,
    /// Outline of a tile whose task has not started.
    pub outline: Color,
    /// Outline of a loaded tile waiting for its turn to render.
    pub waiting: Color,
    /// The vertical line marking the current time.
    pub now: Color,
    /// I/O wait.
    pub loading: Color,
    /// CPU work.
    pub rendering: Color,
    /// Held back by a lock, a core or a turn.
    pub blocked: Color,
    /// Start-up overhead.
    pub starting: Color,
    /// Message passing between processes.
    pub handoff: Color,
    /// CSS font family list.
    pub font: Arc<str>,
}

/// The Tableau 10 colours the phases use (the palette D3 ships as `schemeTableau10`).
mod tableau {
    use crate::shape::Color;
    pub const BLUE: Color = Color::hex(0x4e79a7);
    pub const ORANGE: Color = Color::hex(0xf28e2b);
    pub const RED: Color = Color::hex(0xe15759);
    pub const GREEN: Color = Color::hex(0x59a14f);
    pub const YELLOW: Color = Color::hex(0xedc948);
    pub const PURPLE: Color = Color::hex(0xb07aa1);
    pub const GREY: Color = Color::hex(0xbab0ac);
}

const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

impl Style {
    /// Dark text on white.
    pub fn light() -> Self {
        Style {
            background: Color::hex(0xffffff),
            text: Color::hex(0x1f2328),
            muted: Color::hex(0x6a737d),
            axis: Color::hex(0x9aa1a9),
            gridline: Color::hex(0xedf0f3),
            outline: Color::hex(0x2b2f36).with_alpha(0.7),
            waiting: tableau::YELLOW,
            now: tableau::RED,
            loading: tableau::BLUE,
            rendering: tableau::ORANGE,
            blocked: tableau::GREY,
            starting: tableau::GREEN,
            handoff: tableau::PURPLE,
            font: FONT.into(),
        }
    }

    /// Light text on near-black; the phase colours stay (they read on both), except the
    /// blocked grey, dimmed so that waiting still looks passive.
    pub fn dark() -> Self {
        Style {
            background: Color::hex(0x16181d),
            text: Color::hex(0xe6e8eb),
            muted: Color::hex(0x9aa1a9),
            axis: Color::hex(0x5c636b),
            gridline: Color::hex(0x24282f),
            outline: Color::hex(0xd0d4da).with_alpha(0.7),
            blocked: Color::hex(0x6f6764),
            now: Color::hex(0xff6b6d),
            ..Style::light()
        }
    }

    /// The colour of a phase's Gantt bars and legend swatch.
    pub fn phase(&self, phase: Phase) -> Color {
        match phase {
            Phase::Loading => self.loading,
            Phase::Rendering => self.rendering,
            Phase::Blocked => self.blocked,
            Phase::Starting => self.starting,
            Phase::Handoff => self.handoff,
        }
    }
}

impl Default for Style {
    fn default() -> Self {
        Style::light()
    }
}
