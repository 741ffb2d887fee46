//! The renderer: a pure function from (trace, time, layout, style) to a list of shapes.
//!
//! A frame shows the run of a [`Trace`](cvp_model::Trace) at one instant, as the post
//! "Concurrency VS Parallelism" animates it: a grid of tiles (one per task) revealing a
//! picture as pixels are loaded (grey) and rendered (colour), a Gantt chart of what every
//! lane was doing up to now, a clock, counters and a legend.
//!
//! ```
//! use cvp_model::{Strategy, Trace};
//! use cvp_scene::{draw_prepared, Layout, Prepared, Style};
//!
//! let prepared = Prepared::new(Trace::new(Strategy::Sync, 1));
//! let shapes = draw_prepared(&prepared, 0.0, &Layout::new(320.0, 480.0), &Style::light());
//! assert!(!shapes.is_empty());
//! ```
//!
//! Nothing here knows about browsers: `cvp-web`'s canvas backend executes the shapes.
#![deny(missing_docs)]

mod axis;
mod chart;
mod draw;
mod gantt;
mod layout;
pub mod picture;
pub mod playback;
mod prepared;
pub mod prose;
mod raster;
mod shape;
mod style;
mod tiles;
mod words;

pub use axis::{nice_step, tick_label, ticks};
pub use chart::{
    amdahl, fit_serial_fraction, is_noise, serial_fraction, speedup_chart, startup_chart, StartupPoint,
};
pub use draw::{draw, draw_prepared};
pub use gantt::RASTER_ABOVE;
pub use layout::{Gantt, Grid, Layout, Legend, Regions};
pub use playback::{Playback, Start};
pub use prepared::{Prepared, TileState};
pub use shape::{text_width, truncate, Align, Baseline, Color, Picture, Rect, Shape};
pub use style::Style;
pub use words::{account, format_duration, lane_rows, phase_word, summary, LANE_COLUMNS};
