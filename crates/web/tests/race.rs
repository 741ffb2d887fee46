//! Races on the real thread pool: two Web Workers sharing one memory add to one counter. A
//! separate load and store can lose increments (and never makes more than were made); the
//! atomic add and the lock never lose one.

mod common;

use common::{ensure_pool, POOL};
use cvp_model::race::{Counted, Method, Race};
use cvp_web::runs;
use cvp_web::worker::protocol::Capabilities;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn caps() -> Capabilities {
    Capabilities {
        isolated: true,
        shared_memory: true,
        hardware_threads: POOL as u32,
        pool_threads: POOL as u32,
        ..Capabilities::none()
    }
}

async fn race(method: Method, per_thread: u64) -> Counted {
    ensure_pool().await;
    let race = Race { method, threads: 2, per_thread };
    let counted = runs::race::run(race, &caps()).await.expect("runs").expect("not cancelled");
    assert_eq!(counted.threads.len(), 2, "both threads timed");
    assert!(counted.count <= race.total(), "never more than the increments made: {counted:?}");
    counted
}

#[wasm_bindgen_test]
async fn separate_loads_and_stores_can_lose_increments() {
    let mut counts = Vec::new();
    for _ in 0..10 {
        // Not every race loses: a thread the system pauses after the start line may begin
        // after the other has finished (seen here: 30 ms late, on a busy 2-core machine).
        let c = race(Method::Racy, 1_000_000).await;
        counts.push(c.count);
        if c.lost() > 0 {
            console_log!("load, then store: {}", c.sentence());
            return;
        }
    }
    panic!("two threads lost no increment in 10 races of 2 × 1,000,000: {counts:?}");
}

#[wasm_bindgen_test]
async fn the_atomic_add_and_the_lock_never_lose_one() {
    // Long enough that the two always meet. At 300,000 each, built optimised, a thread's atomic
    // adds took 1.4 ms when it ran alone in WebKit, and a thread that left the start line
    // 1.8 ms late (2 cores, the page's own thread busy too) found the other done: in one run
    // of 8, none of the 5 races met. At 2,000,000 an atomic race takes about 60 ms there and a
    // locked one about 110, and a late start is a few milliseconds at most.
    const EACH: u64 = 2_000_000;
    for method in [Method::Atomic, Method::Lock] {
        let mut overlapped = 0;
        for _ in 0..5 {
            let c = race(method, EACH).await;
            assert_eq!(c.count, 2 * EACH, "{method:?} lost {}: {c:?}", c.lost());
            assert_eq!(c.check(), Ok(()));
            overlapped += (c.overlap_ms() > 0.0) as u32;
        }
        // Threads that never ran at once could not have lost anything whatever the method:
        // a run that proves something needs them together.
        assert!(overlapped > 0, "{method:?}: in none of 5 races did the threads run at once");
        console_log!("{}", race(method, EACH).await.sentence());
    }
}

#[wasm_bindgen_test]
async fn without_threads_no_race_runs_in_their_place() {
    let plain = Capabilities { hardware_threads: 2, ..Capabilities::none() };
    let race = Race { method: Method::Racy, threads: 2, per_thread: 10 };
    let refused = runs::race::run(race, &plain).await.expect_err("refused");
    assert!(refused.contains("not cross-origin isolated"), "{refused}");
}
