//! The one gate for reading files people hand to mentorflow. Every file is read through it:
//! a regular file only (not a FIFO, a device, a directory or a /proc or /sys pseudo-file),
//! bounded in size, UTF-8 text. A file that another file names (a program's criteria files
//! and libraries) must also resolve, links followed, inside the naming file's folder, and a
//! scenario's program must be a `.toml` file: a file handed over with a program or scenario
//! cannot make mentorflow read, and show in an error, something else on the machine. The
//! problems below never carry a file's content.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Files larger than this are refused before reading.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Why a file cannot be read, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// No such file.
    Missing,
    /// A directory.
    Directory,
    /// A FIFO, a device, a socket: something that is not a file of bytes on disk.
    NotRegular,
    /// Larger than the limit (its size).
    TooLarge(u64),
    /// Not UTF-8 text (at this byte).
    NotText(usize),
    /// The path leads (through a link or `..`) outside the folder it must stay in.
    Outside,
    /// A scenario's program that is not (links followed) a `.toml` file.
    NotToml,
    /// Another I/O error, in the system's words.
    Io(String),
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileProblem::Missing => f.write_str("no such file"),
            FileProblem::Directory => f.write_str("it is a directory"),
            FileProblem::NotRegular => {
                f.write_str("it is not a regular file (a pipe, a device or a special file)")
            }
            FileProblem::TooLarge(n) => {
                write!(f, "it is {n} bytes, more than the {MAX_FILE_BYTES} allowed")
            }
            FileProblem::NotText(at) => write!(f, "it is not UTF-8 text (invalid at byte {at})"),
            FileProblem::Outside => f.write_str("it resolves outside the program's folder"),
            FileProblem::NotToml => f.write_str("it is not a .toml file (links followed)"),
            FileProblem::Io(e) => f.write_str(e),
        }
    }
}

fn io(e: &std::io::Error) -> FileProblem {
    match e.kind() {
        std::io::ErrorKind::NotFound => FileProblem::Missing,
        std::io::ErrorKind::PermissionDenied => FileProblem::Io("permission denied".into()),
        _ => FileProblem::Io(e.to_string()),
    }
}

/// The name that means standard input wherever a command reads a file.
pub const STANDARD_INPUT: &str = "-";

/// The text of the regular file at `path`, at most [`MAX_FILE_BYTES`] long; `-` reads
/// standard input, with the same bound.
pub fn read_text(path: &Path) -> Result<String, FileProblem> {
    if path == Path::new(STANDARD_INPUT) {
        return bounded_text(std::io::stdin().lock());
    }
    let meta = std::fs::metadata(path).map_err(|e| io(&e))?;
    // /proc and /sys files say they are regular and empty, and hold the process's secrets.
    let real = path.canonicalize().map_err(|e| io(&e))?;
    if real.starts_with("/proc") || real.starts_with("/sys") || real.starts_with("/dev") {
        return Err(FileProblem::NotRegular);
    }
    if meta.is_dir() {
        return Err(FileProblem::Directory);
    }
    if !meta.is_file() {
        return Err(FileProblem::NotRegular);
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(FileProblem::TooLarge(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| io(&e))?;
    // The size can change between the look and the read: never read more than the limit.
    bounded_text(file)
}

/// At most [`MAX_FILE_BYTES`] of UTF-8 text from `input`.
fn bounded_text(input: impl Read) -> Result<String, FileProblem> {
    let mut bytes = Vec::new();
    input
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io(&e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(FileProblem::TooLarge(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| FileProblem::NotText(e.utf8_error().valid_up_to()))
}

/// The text of `name` inside `folder`: the name has no `..` or root, and the file it resolves
/// to, links followed, is inside the folder too.
pub fn read_inside(folder: &Path, name: &str) -> Result<(PathBuf, String), FileProblem> {
    let plain = Path::new(name)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain {
        return Err(FileProblem::Outside);
    }
    // A program named by its bare file name (`check coaching.toml`) has an empty folder,
    // which is the current one.
    let folder = match folder.as_os_str().is_empty() {
        true => Path::new("."),
        false => folder,
    };
    let path = folder.join(name);
    let real = path.canonicalize().map_err(|e| io(&e))?;
    let home = folder.canonicalize().map_err(|e| io(&e))?;
    if !real.starts_with(&home) {
        return Err(FileProblem::Outside);
    }
    read_text(&real).map(|text| (path, text))
}

/// The program a scenario in `folder` names: a `.toml` file, also once links are followed
/// (a scenario may name a program elsewhere, `../programs/x.toml`, but nothing else).
pub fn program_named(folder: &Path, name: &Path) -> Result<PathBuf, FileProblem> {
    let path = folder.join(name);
    let is_toml = |p: &Path| p.extension().is_some_and(|e| e == "toml");
    if !is_toml(&path) {
        return Err(FileProblem::NotToml);
    }
    let real = path.canonicalize().map_err(|e| io(&e))?;
    if !is_toml(&real) {
        return Err(FileProblem::NotToml);
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::{read_inside, FileProblem};
    use std::path::Path;

    #[test]
    fn a_program_named_by_its_bare_file_name_reads_beside_it() {
        // Unit tests run in the crate's folder; `Path::new("x.toml").parent()` is "".
        let (_, text) = read_inside(Path::new(""), "Cargo.toml").expect("beside the program");
        assert!(text.contains("mentorflow-dsl"));
        assert!(matches!(
            read_inside(Path::new(""), "../Cargo.toml"),
            Err(FileProblem::Outside)
        ));
    }
}
