//! Telling the embedding page what was measured: one `cvp:result` message per run.

use cvp_model::embed::ToEmbedder;
use cvp_model::job::{Job, RunKind};
use cvp_model::Trace;

/// Posts a finished run to the page that embeds this one, if any. On the main page (not
/// framed) nothing is posted.
pub fn post_result(kind: RunKind, job: &Job, trace: &Trace) {
    crate::embedder::post(&ToEmbedder::run(kind, job, trace));
}
