//! Control icons as inline SVG: symbol glyphs (▶ ⏸ ⏭) are missing from many fonts, and
//! SVG inherits the button's colour.

/// Play.
pub const PLAY: &str = r#"<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M4 2.5v11l9-5.5z" fill="currentColor"/></svg>"#;
/// Pause.
pub const PAUSE: &str = r#"<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z" fill="currentColor"/></svg>"#;
/// Step to the next event.
pub const STEP: &str = r#"<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M2.5 2.5v11l7-5.5z" fill="currentColor"/><path d="M11 2.5h2.5v11H11z" fill="currentColor"/></svg>"#;
/// Replay from the start.
pub const REPLAY: &str = r#"<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M8 2.5a5.5 5.5 0 1 1-5.2 3.7" fill="none" stroke="currentColor" stroke-width="1.8"/><path d="M1.2 2.2l1.9 4.6 4.5-1.9z" fill="currentColor"/></svg>"#;
