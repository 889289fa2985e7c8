//! A CSV roster (columns pairing, type, role, id, then one per attribute), read for `import`.
//! Rows with the same `pairing` label form one pairing, wherever they are in the file.
//!
//! The rows are kept as text in one buffer and become participants only when their pairing is
//! enrolled: a participant's attribute map costs about 700 bytes, its row about 50, so a
//! 100,000-row roster is held in a few MB instead of a hundred.

use std::collections::HashMap;
use std::rc::Rc;

use mentorflow_dsl::Program;
use mentorflow_engine::{Enrolment, Participant};

use crate::render;

/// The cells of every accepted row, back to back, with where each cell ends.
#[derive(Default)]
struct Cells {
    text: String,
    ends: Vec<usize>,
    width: usize,
}

impl Cells {
    fn push(&mut self, row: &csv::StringRecord) {
        for cell in row {
            self.text.push_str(cell);
            self.ends.push(self.text.len());
        }
    }

    /// Cell `column` of stored row `row`.
    fn get(&self, row: usize, column: usize) -> &str {
        let i = row * self.width + column;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

/// One pairing of the roster: its type, the line it starts on and its rows.
pub struct Group {
    /// Line of its first row, for messages.
    pub line: u64,
    /// Mentoring type.
    pub type_id: Rc<str>,
    rows: Vec<usize>,
}

/// Where the fixed columns are.
struct Columns {
    label: usize,
    role: usize,
    id: usize,
    kind: Option<usize>,
}

/// A roster that was read without a problem.
pub struct Roster<'p> {
    /// How the file is named in messages.
    pub shown: String,
    program: &'p Program,
    header: Vec<String>,
    columns: Columns,
    cells: Cells,
    /// The pairings, in the order of their first row.
    pub groups: Vec<Group>,
}

impl Roster<'_> {
    /// The label of a pairing (its `pairing` cell).
    pub fn label(&self, g: &Group) -> &str {
        self.cells.get(g.rows[0], self.columns.label)
    }

    /// Where a pairing starts, for messages: `roster.csv:3: pairing `a``.
    pub fn at(&self, g: &Group) -> String {
        format!("{}:{}: pairing `{}`", self.shown, g.line, self.label(g))
    }

    /// The participant of stored row `row`, with the problems of its attribute cells (an
    /// attribute that does not parse is left out).
    fn participant(&self, row: usize) -> (Participant, Vec<String>) {
        let cell = |i: usize| self.cells.get(row, i);
        let person = cell(self.columns.id);
        let mut attributes = mentorflow_engine::Attributes::new();
        let mut problems = Vec::new();
        for (i, name) in self.header.iter().enumerate() {
            let known = self.program.attributes.iter().any(|a| &a.name == name);
            if !known || cell(i).is_empty() {
                continue;
            }
            match crate::input::person::attribute(self.program, person, name, cell(i)) {
                Ok(value) => {
                    attributes.insert(name.as_str().into(), value);
                }
                Err(e) => problems.push(e),
            }
        }
        let participant = Participant {
            id: person.into(),
            role: cell(self.columns.role).into(),
            attributes,
            facts: Default::default(),
            managers: Vec::new(),
        };
        (participant, problems)
    }
}

impl mentorflow_engine::Roster for Roster<'_> {
    fn pairings(&self) -> usize {
        self.groups.len()
    }

    fn enrolment(&self, i: usize) -> Enrolment {
        let g = &self.groups[i];
        Enrolment {
            type_id: g.type_id.to_string(),
            participants: g.rows.iter().map(|&r| self.participant(r).0).collect(),
            label: Some(self.label(g).to_string()),
            facts: Vec::new(),
        }
    }
}

/// A roster that cannot be imported as it is: every problem found reading it, and the
/// pairings read without one (so the engine's checks can report theirs in the same run).
pub struct Unreadable<'p> {
    /// Each problem, located at its line.
    pub problems: Vec<String>,
    /// The roster pairings none of whose rows has a problem; `None` when the file could
    /// not be read as a roster at all (no header, missing columns).
    pub rest: Option<Box<Roster<'p>>>,
}

impl std::fmt::Debug for Unreadable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unreadable")
            .field("problems", &self.problems)
            .finish_non_exhaustive()
    }
}

impl<'p> From<Vec<String>> for Unreadable<'p> {
    fn from(problems: Vec<String>) -> Unreadable<'p> {
        Unreadable {
            problems,
            rest: None,
        }
    }
}

/// Reads a roster from `input` (named `shown` in messages): the roster, or every problem of
/// the file, each with its line. `default_type` is used where the type cell is empty.
pub fn read<'p>(
    shown: &str,
    input: Box<dyn std::io::Read>,
    program: &'p Program,
    default_type: Option<&str>,
) -> Result<Roster<'p>, Unreadable<'p>> {
    // Flexible: a row with too few or too many cells is reported here, by its pairing, so
    // the rest of that pairing is left out of the further checks too.
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(input);
    let mut roster = header(shown, &mut reader, program)?;
    let mut reading = Reading {
        problems: header_problems(shown, &roster.header, program),
        ..Reading::default()
    };
    for (n, row) in reader.records().enumerate() {
        let line = n as u64 + 2;
        match row {
            Ok(row) => reading.row(&mut roster, line, &row, default_type),
            Err(e) => reading.problems.push(format!(
                "{shown}:{line}: {}",
                super::csv_file::csv_problem(&e)
            )),
        }
    }
    reading.finish(roster)
}

/// The roster its header row begins: the columns it names, no rows yet.
fn header<'p>(
    shown: &str,
    reader: &mut csv::Reader<Box<dyn std::io::Read>>,
    program: &'p Program,
) -> Result<Roster<'p>, Unreadable<'p>> {
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| {
            Unreadable::from(vec![format!(
                "{shown}:1: {}",
                super::csv_file::csv_problem(&e)
            )])
        })?
        .iter()
        .map(str::to_string)
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(label), Some(role), Some(id)) = (column("pairing"), column("role"), column("id"))
    else {
        return Err(vec![format!(
            "{shown}:1: the header must have the columns pairing, role and id (and type, unless --type is given); found: {}",
            header.join(",")
        )]
        .into());
    };
    Ok(Roster {
        shown: shown.to_string(),
        program,
        columns: Columns {
            label,
            role,
            id,
            kind: column("type"),
        },
        cells: Cells {
            width: header.len(),
            ..Cells::default()
        },
        header,
        groups: Vec::new(),
    })
}

/// What reading a roster's rows has found so far.
#[derive(Default)]
struct Reading {
    problems: Vec<String>,
    /// Label to group: a roster of 100,000 rows is read in linear time.
    by_label: HashMap<Box<str>, usize>,
    /// Each type named once, shared by the groups of that type.
    types: Vec<Rc<str>>,
    /// Rows kept so far.
    stored: usize,
    /// The roster pairings with a row that has a problem: left out of what is checked further.
    tainted: std::collections::HashSet<Box<str>>,
}

impl Reading {
    /// Reads row `line`: its cells kept and added to its pairing's group, or its problems.
    fn row(
        &mut self,
        roster: &mut Roster<'_>,
        line: u64,
        row: &csv::StringRecord,
        default_type: Option<&str>,
    ) {
        let shown = roster.shown.clone();
        let Columns {
            label, role, id, ..
        } = roster.columns;
        let cell = |i: usize| row.get(i).unwrap_or("");
        let before = self.problems.len();
        let type_id = roster
            .columns
            .kind
            .map(cell)
            .filter(|t| !t.is_empty())
            .or(default_type);
        let problem = if row.len() != roster.header.len() {
            Some(super::csv_file::cell_count_problem(
                row.len(),
                roster.header.len(),
            ))
        } else if cell(id).is_empty() || cell(role).is_empty() || cell(label).is_empty() {
            Some("pairing, role and id must not be empty".to_string())
        } else if type_id.is_none() {
            Some("no type: fill the type column or pass --type".to_string())
        } else {
            None
        };
        let (Some(type_id), None) = (type_id, problem.clone()) else {
            self.problems
                .push(format!("{shown}:{line}: {}", problem.unwrap_or_default()));
            self.tainted.insert(cell(label).into());
            return;
        };
        roster.cells.push(row);
        let (_, bad_cells) = roster.participant(self.stored);
        self.problems.extend(
            bad_cells
                .into_iter()
                .map(|e| format!("{shown}:{line}: {e}")),
        );
        self.group(roster, line, cell(label), type_id);
        if self.problems.len() > before {
            self.tainted.insert(cell(label).into());
        }
        self.stored += 1;
    }

    /// Adds the row just kept to the group of pairing `label`, or begins that group.
    fn group(&mut self, roster: &mut Roster<'_>, line: u64, label: &str, type_id: &str) {
        match self.by_label.get(label).map(|&i| &mut roster.groups[i]) {
            Some(g) if &*g.type_id != type_id => self.problems.push(format!(
                "{}:{line}: pairing `{label}` is `{}` on line {}, `{type_id}` here",
                roster.shown, g.type_id, g.line
            )),
            Some(g) => g.rows.push(self.stored),
            None => {
                self.by_label.insert(label.into(), roster.groups.len());
                let type_id = match self.types.iter().find(|t| t.as_ref() == type_id) {
                    Some(t) => Rc::clone(t),
                    None => {
                        self.types.push(type_id.into());
                        Rc::clone(&self.types[self.types.len() - 1])
                    }
                };
                roster.groups.push(Group {
                    line,
                    type_id,
                    rows: vec![self.stored],
                });
            }
        }
    }

    /// The roster read whole, or every problem with the pairings that have none.
    fn finish(mut self, mut roster: Roster<'_>) -> Result<Roster<'_>, Unreadable<'_>> {
        if roster.groups.is_empty() && self.problems.is_empty() {
            self.problems
                .push(format!("{}: the roster has no rows", roster.shown));
        }
        if self.problems.is_empty() {
            // The roster is held for the whole import: give back what growing left spare.
            roster.cells.text.shrink_to_fit();
            roster.cells.ends.shrink_to_fit();
            roster.groups.shrink_to_fit();
            return Ok(roster);
        }
        let label = roster.columns.label;
        let cells = &roster.cells;
        let tainted = &self.tainted;
        roster
            .groups
            .retain(|g| !tainted.contains(cells.get(g.rows[0], label)));
        Err(Unreadable {
            problems: self.problems,
            rest: Some(Box::new(roster)),
        })
    }
}

/// Columns that are neither fixed nor an attribute of the program (a misspelt header would
/// otherwise drop the column silently, or fail every row).
fn header_problems(shown: &str, header: &[String], program: &Program) -> Vec<String> {
    let fixed = ["pairing", "type", "role", "id"];
    let attributes: Vec<String> = program.attributes.iter().map(|a| a.name.clone()).collect();
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for name in header {
        if !seen.insert(name.as_str()) {
            problems.push(format!(
                "{shown}:1: column `{name}` appears twice; keep one"
            ));
        } else if !fixed.contains(&name.as_str()) && !attributes.contains(name) {
            let mut known: Vec<String> = fixed.iter().map(|f| f.to_string()).collect();
            known.extend(attributes.iter().cloned());
            problems.push(format!(
                "{shown}:1: column `{name}` is not pairing, type, role, id or an attribute of program `{}`{}",
                program.id,
                render::did_you_mean_or_known(name, &known)
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use mentorflow_engine::Roster as _;
    use mentorflow_engine::{allocated_here, Counting};

    // Counts this thread's allocations, as the `mentorflow` binary does.
    #[global_allocator]
    static ALLOCATOR: Counting = Counting(std::alloc::System);

    fn program() -> mentorflow_dsl::Program {
        let loaded = mentorflow_dsl::load(std::path::Path::new("../programs/mentoring.toml"));
        let report = loaded.render();
        loaded.program.unwrap_or_else(|| panic!("{report}"))
    }

    fn csv(pairings: usize) -> String {
        let mut text = String::from("pairing,type,role,id,experience_years\n");
        for n in 0..pairings {
            text.push_str(&format!("g{n},one-on-one,mentor,mentor{n},12\n"));
            text.push_str(&format!("g{n},one-on-one,mentee,mentee{n},1\n"));
        }
        text
    }

    /// Bytes held by a roster read from `text`.
    fn held(text: &str, program: &mentorflow_dsl::Program) -> (usize, i64) {
        let before = allocated_here();
        let input = Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
        let roster = super::read("roster.csv", input, program, None).expect("roster");
        let held = allocated_here() - before;
        (roster.pairings(), held)
    }

    #[test]
    fn a_roster_is_held_in_a_few_times_its_own_size() {
        let program = program();
        let small = csv(5_000);
        let large = csv(10_000);
        let (n, small_held) = held(&small, &program);
        assert_eq!(n, 5_000);
        let (_, large_held) = held(&large, &program);
        // Held as participants (an attribute map each) a roster took 1 KB a row, 25 times its text;
        // as text it takes about 3 times.
        assert!(
            large_held < 5 * large.len() as i64,
            "{large_held} bytes held for a roster of {} bytes",
            large.len()
        );
        assert!(
            large_held < 5 * small_held / 2,
            "twice the rows, {small_held} then {large_held} bytes: not linear"
        );
    }

    #[test]
    fn pairings_are_made_from_their_rows_wherever_they_are_in_the_file() {
        let program = program();
        let text = "pairing,type,role,id,experience_years\n\
                    a,one-on-one,mentor,m1,10\nb,one-on-one,mentor,m2,\na,one-on-one,mentee,e1,1\n";
        let input = Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
        let roster = super::read("r.csv", input, &program, None).expect("roster");
        assert_eq!(roster.pairings(), 2);
        let a = roster.enrolment(0);
        let people: Vec<_> = a.participants.iter().map(|p| (&*p.id, &*p.role)).collect();
        assert_eq!(people, [("m1", "mentor"), ("e1", "mentee")]);
        assert_eq!(a.participants[0].attributes.len(), 1);
        let b = roster.enrolment(1);
        assert!(
            b.participants[0].attributes.is_empty(),
            "an empty cell is left out"
        );
        assert_eq!(roster.at(&roster.groups[1]), "r.csv:3: pairing `b`");
    }
}
