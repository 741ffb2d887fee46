//! The state of an animation of the post.

use super::field::{self, same, Choice, Field, State, SEED};
use crate::presets::{Preset, PRESETS};
use crate::query::{find, Notice, Pairs};

/// The state of an animation of the post: which one, its workload's seed, and the time
/// shown (a link made while paused at 3.2 s opens paused at 3.2 s; without `t` it plays
/// when scrolled into view).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AnimState {
    /// Which animation.
    pub preset: &'static Preset,
    /// Its workload's seed.
    pub seed: u64,
    /// The time to show, paused; `None` plays from the start.
    pub t: Option<f64>,
}

/// The animation `embed.html?widget=anim` shows when the link names none: the post's
/// comparison of every strategy on one grid, the one that says the most on its own.
pub const DEFAULT_PRESET: &Preset = named("compare-4x4");

/// The preset called `key`, found while compiling (a misspelt key does not build).
const fn named(key: &str) -> &'static Preset {
    let mut i = 0;
    while i < PRESETS.len() {
        if same(PRESETS[i].key, key) {
            return &PRESETS[i];
        }
        i += 1;
    }
    panic!("no preset has this key")
}

const FIELDS: [Field<AnimState>; 3] = [
    Field::choice(
        "preset",
        Choice {
            options: || PRESETS.iter().map(|p| (p.key, p.title)).collect(),
            default: DEFAULT_PRESET.key,
            doc: "which animation of the post",
            instead: |word| format!(": showing {word}"),
        },
        |s| s.preset.key,
        |s, word| s.preset = Preset::find(word).unwrap_or(s.preset),
    ),
    Field::number(SEED, |s| s.seed as f64, |s, v| s.seed = v as u64),
    Field::time(|s| s.t, |s, t| s.t = t),
];

impl State for AnimState {
    fn fields(&self) -> &'static [Field<AnimState>] {
        &FIELDS
    }
}

impl AnimState {
    /// Reads the state; `preset` is the page's choice when the query names none (the main
    /// page fixes each animation's preset in its markup).
    pub fn from_query(
        query: &[(String, String)],
        preset: Option<&'static Preset>,
    ) -> (AnimState, Vec<Notice>) {
        let defaults = field::defaults(AnimState { preset: DEFAULT_PRESET, seed: 0, t: None });
        let named = find(query, "preset").is_some_and(|p| !p.trim().is_empty());
        let missing = (preset.is_none() && !named)
            .then(|| Notice(format!("preset= is missing: showing {}", DEFAULT_PRESET.key)));
        let (state, notices) =
            field::read(AnimState { preset: preset.unwrap_or(DEFAULT_PRESET), ..defaults }, query);
        (state, missing.into_iter().chain(notices).collect())
    }

    /// The query that [`AnimState::from_query`] reads back as this state.
    pub fn to_query(&self) -> Pairs {
        field::write(self)
    }

    /// Whether every value is one `from_query` could have produced.
    pub fn validate(&self) -> Result<(), String> {
        field::validate(self)
    }
}
