//! The transport to our workers: starting them ([`spawn`]) and the typed messages they
//! exchange with the page ([`protocol`]). What the workers do is in `runs/`.

pub mod protocol;
pub mod spawn;
