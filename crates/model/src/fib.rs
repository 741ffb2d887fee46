//! The CPU-bound workload: naive recursive Fibonacci, as in the post.

// code-panel: fib
/// fib(0) = fib(1) = 1, the post's convention; deliberately exponential.
pub fn fib(n: u32) -> u64 {
    if n < 2 {
        1
    } else {
        fib(n - 1) + fib(n - 2)
    }
}
// code-panel-end

/// Like [`fib`], but polls `stop` at every call with `n >= CHECK_FROM` so a long run can
/// be cancelled within a few milliseconds; returns `None` when stopped.
///
/// The calls that poll are a tiny fraction of all calls (fib grows by 1.6x per level), so
/// the check costs nothing measurable.
pub fn fib_cancellable(n: u32, stop: &dyn Fn() -> bool) -> Option<u64> {
    const CHECK_FROM: u32 = 24;
    if n < CHECK_FROM {
        return Some(fib(n));
    }
    if stop() {
        return None;
    }
    Some(fib_cancellable(n - 1, stop)? + fib_cancellable(n - 2, stop)?)
}

/// Number of calls `fib(n)` makes: the work, in units of one call. Computed in `n` steps,
/// not by the recursion it counts (the page bounds a job's work with it before a run, on
/// the main thread). Saturates past `u64::MAX` (n = 91 and up).
pub fn fib_calls(n: u32) -> u64 {
    // calls(n) = 1 + calls(n-1) + calls(n-2) = 2 fib(n) - 1 with fib(0)=fib(1)=1.
    let (mut a, mut b) = (1u64, 1u64);
    for _ in 1..n {
        (a, b) = (b, a.saturating_add(b));
    }
    b.saturating_mul(2) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fib_matches_the_posts_convention() {
        let first: Vec<u64> = (0..10).map(fib).collect();
        assert_eq!(first, [1, 1, 2, 3, 5, 8, 13, 21, 34, 55]);
        assert_eq!(fib(30), 1_346_269);
    }

    #[test]
    fn cancellable_fib_agrees_and_stops() {
        assert_eq!(fib_cancellable(27, &|| false), Some(fib(27)));
        assert_eq!(fib_cancellable(27, &|| true), None);
        assert_eq!(fib_cancellable(10, &|| true), Some(fib(10)), "small n never polls");
    }

    #[test]
    fn call_count_follows_the_recurrence() {
        fn count(n: u32) -> u64 {
            if n < 2 {
                1
            } else {
                1 + count(n - 1) + count(n - 2)
            }
        }
        for n in 0..20 {
            assert_eq!(fib_calls(n), count(n));
        }
        // Large n, at once: fib(80) = F(81) = 37,889,062,373,143,906.
        assert_eq!(fib_calls(80), 2 * 37_889_062_373_143_906 - 1);
        assert!(fib_calls(1_000) > u64::MAX / 2, "saturates rather than overflowing");
    }
}
