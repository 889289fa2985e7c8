//! The exact assignment behind `match`: for each mentee, the mentor (index) it gets, with the
//! most pairs made and, among those, the highest total score, under every mentor's capacity.
//!
//! The Hungarian method with the room of each column kept as a count instead of one column
//! per place: rows are added one at a time, each along the cheapest augmenting path (Dijkstra
//! on reduced costs) to a column with room or to "nobody". An allowed pair weighs a constant
//! above any total of scores plus its score, so the most pairs are made first.
//!
//! The scarcer side is the rows: mentees placed with mentors when there are places for all of
//! them, else mentors' places (as many rows as places, sharing their mentor's weights) filled
//! with mentees.
//!
//! Each row is offered only its source's best few columns (a sparse graph), and the answer is
//! then proven against every allowed pair: the final potentials are a feasible dual of the
//! whole problem when no pair left out has a negative reduced cost (columns with room keep
//! potential 0, the others at most 0; every row is placed, if only with nobody). The pairs
//! that fail the proof worst (as many per source as it was first offered) are offered too and
//! the assignment is made again. Where mentors agree on who is best, the first graphs leave
//! rows with nobody and take a few rounds (4 at 10,000 x 2,000); each round is small, and
//! memory is the graph's, not mentors x mentees weights twice.

/// Scores are compared in thousandths: two pairs closer than that count as equal.
pub(crate) const SCALE: f64 = 1000.0;

/// The pair's score, scaled to whole thousandths.
pub(crate) fn scaled(score: f64) -> i64 {
    (score * SCALE).round() as i64
}

/// A pair's score, `None` when it may not be made (mentor, mentee).
pub(crate) type Weight<'a> = &'a dyn Fn(usize, usize) -> Option<f64>;

/// For each mentee, the mentor it gets; `places_of`: each mentor's places.
pub(crate) fn assign(
    places_of: &[u32],
    mentees: usize,
    score_of: Weight<'_>,
) -> Vec<Option<usize>> {
    assign_offering(places_of, mentees, score_of, OFFERED).0
}

/// Columns offered to each row of a source at first, beyond the source's rows: enough that a
/// row pushed off its best by others finds its next best among them.
const OFFERED: usize = 16;

/// The columns offered at a time to a source of `rows` rows: `offered` per row and as many
/// again; none to a source without rows.
fn offering(rows: usize, offered: usize) -> usize {
    match rows {
        0 => 0,
        _ => rows.saturating_mul(offered).saturating_add(offered),
    }
}

/// [`assign`], offering each source `offered` columns per row (and as many more) at first;
/// with the graphs it took.
fn assign_offering(
    places_of: &[u32],
    mentees: usize,
    score_of: Weight<'_>,
    offered: usize,
) -> (Vec<Option<usize>>, usize) {
    let places: Vec<u32> = places_of.iter().map(|n| (*n).min(mentees as u32)).collect();
    let total: u64 = places.iter().map(|n| u64::from(*n)).sum();
    if total >= mentees as u64 {
        let rows: Vec<usize> = (0..mentees).collect();
        let weight = |mentee: usize, mentor: usize| score_of(mentor, mentee);
        let nobody = places.len();
        let (placed, graphs) = solve(&places, (mentees, &rows), &weight, offered);
        let mentor_of_mentee = placed.into_iter().map(|c| c.filter(|&c| c != nobody));
        return (mentor_of_mentee.collect(), graphs);
    }
    let mentor_of: Vec<usize> = (0..places.len())
        .flat_map(|i| std::iter::repeat_n(i, places[i] as usize))
        .collect();
    let room = vec![1; mentees];
    let mut mentor_of_mentee = vec![None; mentees];
    let (placed, graphs) = solve(&room, (places.len(), &mentor_of), score_of, offered);
    for (place, mentee) in placed.into_iter().enumerate() {
        if let Some(j) = mentee.filter(|&j| j < mentees) {
            mentor_of_mentee[j] = Some(mentor_of[place]);
        }
    }
    (mentor_of_mentee, graphs)
}

/// Each row's column (the last column is nobody): sparse graphs, each proven or widened by
/// what failed the proof worst, until one is proven; with how many graphs that took.
fn solve(
    room: &[u32],
    (sources, source_of): (usize, &[usize]),
    weight: Weight<'_>,
    offered: usize,
) -> (Vec<Option<usize>>, usize) {
    let costs = Costs::new(room.len(), sources, source_of.len(), weight);
    let mut rows_of = vec![0usize; sources];
    for s in source_of {
        rows_of[*s] += 1;
    }
    let keep: Vec<usize> = rows_of
        .iter()
        .map(|rows| offering(*rows, offered))
        .collect();
    let (mut graph, mut graphs) = (Graph::best(&costs, &keep), 1);
    // Each round offers pairs not offered before, so a graph of every allowed pair, which
    // is proven at once, ends it at the latest.
    loop {
        let mut hungarian = Hungarian::new(room, &graph, source_of);
        let placed = hungarian.place_all();
        let missing = hungarian.unproven(&costs, &keep);

        if missing.iter().all(Vec::is_empty) {
            return (placed, graphs);
        }
        graph = graph.with(&missing);
        graphs += 1;
    }
}

/// Every pair's cost: minus (a constant above any total of scores, plus its score), so the
/// most pairs are made first; `None` when not allowed. Nobody (the last column) costs 0.
struct Costs<'a> {
    weight: Weight<'a>,
    columns: usize,
    sources: usize,
    pair: i64,
}

impl<'a> Costs<'a> {
    fn new(real: usize, sources: usize, rows: usize, weight: Weight<'a>) -> Costs<'a> {
        let mut spread = 0i64;
        for s in 0..sources {
            for c in 0..real {
                spread = spread.max(weight(s, c).map_or(0, |w| scaled(w).abs()));
            }
        }
        Costs {
            weight,
            columns: real + 1,
            sources,
            // Larger than any total of scores: one more pair always beats a better total.
            pair: spread.saturating_mul(2).saturating_mul(rows as i64 + 1) + 1,
        }
    }

    fn nobody(&self) -> usize {
        self.columns - 1
    }

    fn of(&self, source: usize, column: usize) -> Option<i64> {
        if column == self.nobody() {
            return Some(0);
        }
        (self.weight)(source, column).map(|w| -(self.pair + scaled(w)))
    }
}

/// The pairs offered: each source's columns with their costs, by column, nobody last.
struct Graph {
    start: Vec<usize>,
    edges: Vec<(usize, i64)>,
}

impl Graph {
    /// Each source's cheapest `offered` columns per row it has, plus as many again (ties by
    /// column), and nobody.
    fn best(costs: &Costs<'_>, keep: &[usize]) -> Graph {
        let mut lists = Vec::with_capacity(costs.sources);
        let mut all = Vec::new();
        for (source, &keep) in keep.iter().enumerate() {
            all.clear();
            all.extend((0..costs.nobody()).filter_map(|c| Some((costs.of(source, c)?, c))));
            if all.len() > keep {
                all.select_nth_unstable(keep);
                all.truncate(keep);
            }
            lists.push(all.iter().map(|&(cost, c)| (c, cost)).collect::<Vec<_>>());
        }
        Graph::of(costs.nobody(), lists)
    }

    /// Each source's edges (`lists`), put by column, and nobody.
    fn of(nobody: usize, mut lists: Vec<Vec<(usize, i64)>>) -> Graph {
        let mut graph = Graph {
            start: vec![0],
            edges: Vec::new(),
        };
        for list in &mut lists {
            list.sort_unstable();
            list.push((nobody, 0));
            graph.edges.extend_from_slice(list);
            graph.start.push(graph.edges.len());
        }
        graph
    }

    fn of_source(&self, source: usize) -> &[(usize, i64)] {
        &self.edges[self.start[source]..self.start[source + 1]]
    }

    /// This graph with `missing` (per source, edges) offered too.
    fn with(&self, missing: &[Vec<(usize, i64)>]) -> Graph {
        let nobody = self.edges.last().map_or(0, |e| e.0);
        let lists = missing
            .iter()
            .enumerate()
            .map(|(source, more)| {
                let (last, offered) = self.of_source(source).split_last().expect("nobody");
                debug_assert_eq!(last.0, nobody);
                [offered, more].concat()
            })
            .collect();
        Graph::of(nobody, lists)
    }
}

/// The assignment being built: rows, and columns with room for some of them, then a last
/// column, "nobody", with room for every row. Rows of the same source share its edges.
struct Hungarian<'g> {
    graph: &'g Graph,
    /// Columns: the ones with room, then nobody.
    columns: usize,
    /// The source of each row's edges.
    source_of: &'g [usize],
    /// Room left per column (nobody's never runs out).
    room: Vec<u32>,
    /// Each row's column so far.
    column_of: Vec<Option<usize>>,
    /// The rows in each column.
    members: Vec<Vec<usize>>,
    /// Potentials of rows and columns: every edge's reduced cost stays at least 0, and 0 on
    /// the pairs made.
    row_potential: Vec<i64>,
    column_potential: Vec<i64>,
    /// For each source, a row of it that went to nobody: no path from it reached a column
    /// with room, so none will from another row of the same source.
    at_nobody: Vec<Option<usize>>,
    /// A search's state, kept between rows: only what a search touched is reset after it.
    search: Search,
}

/// The state of one search for the cheapest augmenting path.
struct Search {
    column_dist: Vec<i64>,
    reached_from: Vec<usize>,
    done: Vec<bool>,
    /// The columns given a distance, to reset.
    touched: Vec<usize>,
    reached: Vec<bool>,
    /// The rows reached, with their distances.
    row_dist: Vec<(usize, i64)>,
}

impl<'g> Hungarian<'g> {
    /// Columns with `room`, rows whose edges are their source's in `graph`.
    fn new(room: &[u32], graph: &'g Graph, source_of: &'g [usize]) -> Hungarian<'g> {
        let (rows, columns) = (source_of.len(), room.len() + 1);
        Hungarian {
            graph,
            columns,
            source_of,
            room: room.iter().map(|n| (*n).min(rows as u32)).collect(),
            column_of: vec![None; rows],
            members: vec![Vec::new(); columns],
            row_potential: vec![0; rows],
            column_potential: vec![0; columns],
            at_nobody: vec![None; graph.start.len() - 1],
            search: Search {
                column_dist: vec![i64::MAX; columns],
                reached_from: vec![usize::MAX; columns],
                done: vec![false; columns],
                touched: Vec::new(),
                reached: vec![false; rows],
                row_dist: Vec::new(),
            },
        }
    }

    /// Places every row; each row's column.
    fn place_all(&mut self) -> Vec<Option<usize>> {
        for r in 0..self.column_of.len() {
            self.insert(r);
        }
        self.column_of.clone()
    }

    fn edges(&self, row: usize) -> &'g [(usize, i64)] {
        self.graph.of_source(self.source_of[row])
    }

    /// Places row `new` along the cheapest augmenting path.
    fn insert(&mut self, new: usize) {
        let nobody = self.columns - 1;
        if let Some(twin) = self.at_nobody[self.source_of[new]] {
            // Its twin's place is nobody, and swapping it with anyone would have improved the
            // assignment already: nobody is this row's cheapest place too, and the twin's
            // potential (tight there, at least 0 on every other edge) is right for it.
            self.column_of[new] = Some(nobody);
            self.members[nobody].push(new);
            self.row_potential[new] = self.row_potential[twin];
            return;
        }
        // Its potential makes every edge out of it cost at least 0 (reduced).
        self.row_potential[new] = self
            .edges(new)
            .iter()
            .map(|&(c, cost)| self.column_potential[c] - cost)
            .max()
            .unwrap_or(0);
        let end = self.cheapest_path(new);
        self.reweigh(end);
        self.augment(end);
        self.search.reset();
    }

    /// Dijkstra from row `new` over reduced costs to the nearest column with room (nobody
    /// always has some).
    fn cheapest_path(&mut self, new: usize) -> usize {
        let s = &mut self.search;
        s.row_dist.push((new, 0));
        s.reached[new] = true;
        let mut fresh = vec![(new, 0i64)];
        // Columns by tentative distance, the first of equals first (stale entries skipped).
        let mut nearest = std::collections::BinaryHeap::new();
        loop {
            for (row, d) in fresh.drain(..) {
                let lift = self.row_potential[row];
                for &(c, cost) in self.graph.of_source(self.source_of[row]) {
                    let s = &mut self.search;
                    if s.done[c] {
                        continue;
                    }
                    let reached = d + cost + lift - self.column_potential[c];
                    if reached < s.column_dist[c] {
                        if s.column_dist[c] == i64::MAX {
                            s.touched.push(c);
                        }
                        s.column_dist[c] = reached;
                        s.reached_from[c] = row;
                        nearest.push(std::cmp::Reverse((reached, c)));
                    }
                }
            }
            let s = &mut self.search;
            // The nearest column not yet settled: nobody is on every row's list, so there is
            // one.
            let c = loop {
                let std::cmp::Reverse((d, c)) = nearest.pop().expect("nobody is reachable");
                if !s.done[c] && d == s.column_dist[c] {
                    break c;
                }
            };
            s.done[c] = true;
            if c == self.columns - 1 || self.room[c] > 0 {
                return c;
            }
            // A full mentor: its mentees may move on, at no further cost (their pairs are
            // tight).
            for &row in &self.members[c] {
                if !s.reached[row] {
                    s.reached[row] = true;
                    s.row_dist.push((row, s.column_dist[c]));
                    fresh.push((row, s.column_dist[c]));
                }
            }
        }
    }

    /// Johnson's reweighting by the distances, capped at the path's: each reduced cost stays
    /// at least 0, and the path's become 0. (Lowering what was reached by `last - distance`
    /// is raising everything by its distance, less a constant.)
    fn reweigh(&mut self, end: usize) {
        let s = &self.search;
        let last = s.column_dist[end];
        for (row, d) in &s.row_dist {
            self.row_potential[*row] -= last - d;
        }
        for &c in &s.touched {
            let d = s.column_dist[c];
            if d < last {
                self.column_potential[c] -= last - d;
            }
        }
    }

    /// Along the path back from `end`: each row moves to the column that reached it.
    fn augment(&mut self, end: usize) {
        let nobody = self.columns - 1;
        let mut c = end;
        loop {
            let row = self.search.reached_from[c];
            let before = self.column_of[row];
            if let Some(b) = before {
                self.members[b].retain(|r| *r != row);
            }
            self.column_of[row] = Some(c);
            self.members[c].push(row);
            match before {
                Some(b) => c = b,
                None => break,
            }
        }
        if end != nobody {
            self.room[end] -= 1;
        } else {
            let row = self.members[end].last().copied().unwrap_or(0);
            self.at_nobody[self.source_of[row]] = Some(row);
        }
    }

    /// The pairs left out of the graph that the final potentials do not prove unneeded (a
    /// negative reduced cost), per source; all empty when the assignment is the optimum.
    fn unproven(&self, costs: &Costs<'_>, keep: &[usize]) -> Vec<Vec<(usize, i64)>> {
        // Rows of a source share its edges: the lowest row potential is the one to prove.
        let mut lowest = vec![i64::MAX; costs.sources];
        for (row, s) in self.source_of.iter().enumerate() {
            lowest[*s] = lowest[*s].min(self.row_potential[row]);
        }
        let mut offered = vec![false; self.columns];
        // One buffer for every source's failures: a source's own would keep its capacity (a
        // pair for nearly every column) after the few kept were taken, for every source.
        let mut failing: Vec<(i64, usize, i64)> = Vec::new();
        (0..costs.sources)
            .map(|source| {
                let edges = self.graph.of_source(source);
                for &(c, _) in edges {
                    offered[c] = true;
                }
                failing.clear();
                failing.extend(
                    (0..costs.nobody())
                        .filter(|&c| !offered[c] && lowest[source] != i64::MAX)
                        .filter_map(|c| Some((c, costs.of(source, c)?)))
                        .map(|(c, cost)| {
                            (cost + lowest[source] - self.column_potential[c], c, cost)
                        })
                        .filter(|&(reduced, _, _)| reduced < 0),
                );
                // The most wrong first: the rest are often proven once these are offered. At
                // least one, or an unproven answer would pass for proven.
                let keep = keep[source].max(1);
                if failing.len() > keep {
                    failing.select_nth_unstable(keep);
                    failing.truncate(keep);
                }
                for &(c, _) in edges {
                    offered[c] = false;
                }
                failing.iter().map(|&(_, c, cost)| (c, cost)).collect()
            })
            .collect()
    }
}

impl Search {
    fn reset(&mut self) {
        for c in self.touched.drain(..) {
            self.column_dist[c] = i64::MAX;
            self.reached_from[c] = usize::MAX;
            self.done[c] = false;
        }
        for (row, _) in self.row_dist.drain(..) {
            self.reached[row] = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::matching::tests::random_scores;

    /// The most pairs, then the highest total (in thousandths), by trying every assignment.
    fn brute_force(places: &[u32], mentees: usize, score: Weight<'_>) -> (usize, i64) {
        fn go(j: usize, room: &mut [u32], n: usize, score: Weight<'_>) -> (usize, i64) {
            if j == n {
                return (0, 0);
            }
            let mut best = go(j + 1, room, n, score);
            for i in 0..room.len() {
                let Some(s) = score(i, j).filter(|_| room[i] > 0) else {
                    continue;
                };
                room[i] -= 1;
                let (pairs, total) = go(j + 1, room, n, score);
                room[i] += 1;
                best = best.max((pairs + 1, total + scaled(s)));
            }
            best
        }
        go(0, &mut places.to_vec(), mentees, score)
    }

    fn judged(assigned: &[Option<usize>], score: Weight<'_>) -> (usize, i64) {
        let pairs = assigned.iter().flatten().count();
        let total = assigned
            .iter()
            .enumerate()
            .filter_map(|(j, i)| i.and_then(|i| score(i, j)))
            .map(scaled)
            .sum();
        (pairs, total)
    }

    /// With nothing but nobody offered at first, and one pair more per source a round, most
    /// first graphs miss the optimum: the proof must find what they lack, in both
    /// orientations, one pair at a time, and the answer is still the optimum.
    #[test]
    fn a_graph_too_sparse_is_widened_until_the_optimum_is_proven() {
        let (mut widened, mut fewer_places) = (0, 0);
        for seed in 0..400 {
            let (places, mentees, scores) = random_scores(seed, (4, 7), (5, 9, 2.0));
            let score = |i: usize, j: usize| scores[i * mentees + j];
            let best = brute_force(&places, mentees, &score);
            let (sparse, graphs) = assign_offering(&places, mentees, &score, 0);
            assert_eq!(judged(&sparse, &score), best, "seed {seed}");
            let (dense, one) = assign_offering(&places, mentees, &score, usize::MAX);
            assert_eq!(judged(&dense, &score), best, "seed {seed}");
            assert_eq!(one, 1, "every pair offered: proven at once");
            widened += usize::from(graphs > 1);
            fewer_places += usize::from(places.iter().sum::<u32>() < mentees as u32);
            for (i, room) in places.iter().enumerate() {
                let taken = sparse.iter().filter(|m| **m == Some(i)).count();
                assert!(taken <= *room as usize, "seed {seed}");
            }
        }
        assert!((40..360).contains(&fewer_places), "{fewer_places} of 400");
        assert!(widened > 200, "widened {widened} of 400");
    }
}
