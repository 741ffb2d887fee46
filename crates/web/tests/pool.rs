//! The thread pool in a real browser: it starts, has the size asked for, and computes what
//! one thread computes.

mod common;

use common::{ensure_pool, POOL};
use cvp_model::fib::fib;
use rayon::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn pool_starts_with_the_size_asked_for() {
    assert!(cvp_web::scope::cross_origin_isolated(), "wasm-bindgen-test-runner serves COOP/COEP");
    ensure_pool().await;
    assert_eq!(rayon::current_num_threads(), POOL);
}

#[wasm_bindgen_test]
async fn parallel_result_equals_sequential() {
    ensure_pool().await;
    let seq: Vec<u64> = (10..26).map(fib).collect();
    let par: Vec<u64> = (10..26u32).into_par_iter().map(fib).collect();
    assert_eq!(par, seq);
    // Each item sleeps a little, so an idle thread always finds work to steal: if one
    // thread did everything, the pool would not be a pool.
    let threads_used: std::collections::BTreeSet<usize> = (0..64u32)
        .into_par_iter()
        .map(|n| {
            fib(18 + n % 4);
            std::thread::sleep(std::time::Duration::from_millis(2));
            rayon::current_thread_index().expect("runs on the pool")
        })
        .collect();
    assert_eq!(threads_used.len(), POOL, "every thread of the pool took work: {threads_used:?}");
}
