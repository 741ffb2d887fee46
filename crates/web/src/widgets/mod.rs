//! The widgets, each mounted on an element that declares it with `data-widget`.

pub mod anim;
mod chart;
mod form;
mod icons;
mod kit;
pub mod pipeline;
pub mod player;
pub mod realrun;
mod share;
pub mod startup;
pub mod teach;
pub mod traces;
