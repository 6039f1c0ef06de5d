//! Work spread over the machine's cores with scoped threads (one thread in
//! the browser, where `available_parallelism` fails, and for small inputs).
//! A panic in a worker is a bug; it is carried to the caller's thread.

use std::ops::Range;

/// How many workers: the machine's cores, at most 8.
pub(crate) fn workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8)
}

/// Runs `f(part)` for every `part` in `0..parts`, each on its own thread
/// (all on this one when `parts` is 1), and gives the answers in part order.
pub(crate) fn par_parts<U: Send>(parts: usize, f: impl Fn(usize) -> U + Sync) -> Vec<U> {
    if parts < 2 {
        return (0..parts).map(&f).collect();
    }
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..parts).map(|p| s.spawn(move || f(p))).collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(u) => u,
                Err(e) => std::panic::resume_unwind(e),
            })
            .collect()
    })
}

/// Splits `0..len` into one range per worker (a single range when `len` is
/// below `min_len`) and runs `f` on each; the answers in range order.
pub(crate) fn par_ranges<U: Send>(
    len: usize,
    min_len: usize,
    f: impl Fn(Range<usize>) -> U + Sync,
) -> Vec<U> {
    let parts = if len < min_len.max(2) { 1 } else { workers() };
    let size = len.div_ceil(parts.max(1)).max(1);
    par_parts(parts, |p| {
        let start = p.saturating_mul(size).min(len);
        f(start..start.saturating_add(size).min(len))
    })
}

/// Maps `f` over `items` on the machine's cores, keeping order.
pub(crate) fn par_map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    par_map_with(items, || (), |_: &mut (), x| f(x))
}

/// [`par_map`] with a scratch state `S` per worker (a cache): `S::default()`
/// on one thread, `worker()` for each of several.
pub(crate) fn par_map_with<T: Sync, U: Send, S: Default>(
    items: &[T],
    worker: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> U + Sync,
) -> Vec<U> {
    let parts = par_ranges(items.len(), 4096, |range| {
        let mut state = if range.len() == items.len() {
            S::default()
        } else {
            worker()
        };
        items
            .get(range)
            .unwrap_or_default()
            .iter()
            .map(|x| f(&mut state, x))
            .collect::<Vec<U>>()
    });
    let mut out = Vec::with_capacity(items.len());
    for part in parts {
        out.extend(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_every_index_once_in_order() {
        for len in [0, 1, 5, 4095, 4096, 10_001] {
            let parts = par_ranges(len, 4096, |r| r.collect::<Vec<_>>());
            let all: Vec<usize> = parts.into_iter().flatten().collect();
            assert_eq!(all, (0..len).collect::<Vec<_>>(), "{len}");
        }
    }

    #[test]
    fn map_keeps_order_and_parts_answer_in_order() {
        let items: Vec<u64> = (0..10_000).collect();
        let doubled = par_map(&items, |x| x.saturating_mul(2));
        assert_eq!(doubled, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert_eq!(par_parts(3, |p| p), [0, 1, 2]);
    }
}
