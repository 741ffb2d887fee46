//! What this thread's global scope offers, whether it is a page's window or a worker: the
//! one place code of either kind asks.

/// `crossOriginIsolated` of the current window or worker: whether shared memory may be
/// handed to workers. Missing (old browsers) counts as not isolated.
pub fn cross_origin_isolated() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"crossOriginIsolated".into()).is_ok_and(|v| v.is_truthy())
}
