//! What people hand the command line, read and checked before any command runs: files
//! (bounded, standard input), CSV files, person specs, fact changes, rosters, people files and
//! match candidates. Each reader returns every problem it finds, with its file and line, so a
//! command reports them all at once and stores nothing.

pub(crate) mod candidates;
pub(crate) mod csv_file;
pub(crate) mod facts;
pub(crate) mod file;
pub(crate) mod mapping;
pub(crate) mod people;
pub(crate) mod person;
pub(crate) mod roster;
pub(crate) mod scenario_files;
