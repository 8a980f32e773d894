//! Drawing for many case classes at once, on every core: start-up probes each class with a few
//! draws, and each class's draws depend only on its own seeds, so the order work is done in never
//! changes a result.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` of every item, in the items' order, computed on up to one thread per core. Items are handed
/// out one at a time, the last first (their costs differ a hundredfold: a 1 500-item list against a
/// number).
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        // Last item first: the classes of table rows and of whole valid
                        // requests sort last by id, and the costliest draws are among them (a
                        // 2 MiB zip); started first, they finish while other threads take the rest.
                        let taken = next.fetch_add(1, Ordering::Relaxed);
                        let Some(i) = items.len().checked_sub(taken + 1) else {
                            break;
                        };
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Every item's result, once each, in the items' order, whatever order the threads took them in
    /// and however long each took.
    pub(crate) fn results_are_in_the_items_order() {
        for n in [0usize, 1, 2, 3, 17, 200] {
            let items: Vec<usize> = (0..n).collect();
            let calls = AtomicUsize::new(0);
            let got = par_map(&items, |&i| {
                calls.fetch_add(1, Ordering::Relaxed);
                if i % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                i * 3
            });
            assert_eq!(calls.load(Ordering::Relaxed), n);
            assert_eq!(got, items.iter().map(|i| i * 3).collect::<Vec<_>>());
        }
    }
}
