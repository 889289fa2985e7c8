//! Work spread over the machine's cores: a slice cut into one run of items per core, each run
//! mapped on a thread of its own, the results in the slice's order. For decoding a page of
//! stored rows, where every item is independent and costs about the same.

/// `f` applied to every item of `items` on every core, in order; the first error stops (the
/// other runs finish their own items first). Small slices stay on this thread.
pub fn try_map<T, U, E>(items: &[T], f: impl Fn(&T) -> Result<U, E> + Sync) -> Result<Vec<U>, E>
where
    T: Sync,
    U: Send,
    E: Send,
{
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Below this a thread costs more than it saves.
    const ALONE: usize = 64;
    if cores == 1 || items.len() < ALONE {
        return items.iter().map(&f).collect();
    }
    let run = items.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let f = &f;
        let mut runs: Vec<_> = items[run..]
            .chunks(run)
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Result<Vec<U>, E>>()))
            .collect();
        let mut out = items[..run].iter().map(f).collect::<Result<Vec<U>, E>>()?;
        for r in runs.drain(..) {
            // A panic in `f` is a bug: carried on as it is.
            out.extend(r.join().unwrap_or_else(|p| std::panic::resume_unwind(p))?);
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_mapped_in_order_and_an_error_stops() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled = try_map(&items, |n| Ok::<u32, String>(n * 2)).expect("no error");
        assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        let failed = try_map(&items, |n| if *n == 700 { Err(*n) } else { Ok(*n) });
        assert_eq!(failed, Err(700));
    }
}
