//! CSV files: opened with their header, cells trimmed, and a reader's errors in words.

use super::file;

/// A CSV file (or `-`, standard input) opened for reading with its header row: cells trimmed,
/// the file's size bounded. A problem is said with the file's name.
pub(crate) type CsvFile = (csv::Reader<Box<dyn std::io::Read>>, Vec<String>);

/// Opens `file` as a [`CsvFile`].
pub(crate) fn open_csv(file: &str) -> Result<CsvFile, Vec<String>> {
    let input = file::open(file).map_err(|e| vec![e])?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let header = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => return Err(vec![format!("{file}: {}", csv_problem(&e))]),
    };
    Ok((reader, header))
}

/// A row with another number of cells than the header.
pub(crate) fn cell_count_problem(
    len: impl std::fmt::Display,
    expected: impl std::fmt::Display,
) -> String {
    format!(
        "the row has {len} cells, but the header has {expected}; add or remove cells (quote a cell that holds a comma)"
    )
}

/// A CSV reader's error in words (the caller says which file and line).
pub(crate) fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => cell_count_problem(*len, *expected_len),
        csv::ErrorKind::Utf8 { .. } => "the row is not UTF-8 text; save the file as UTF-8".into(),
        _ => e.to_string(),
    }
}

/// What `read` makes of each row of `reader`, in order, with the row's line (the header is
/// line 1). `read` says what is wrong with a row in `problems`, at its line, and gives `None`
/// for a row it leaves out; a row the reader cannot read at all is a problem said here.
pub(crate) fn rows<T>(
    reader: &mut csv::Reader<Box<dyn std::io::Read>>,
    file: &str,
    problems: &mut Vec<String>,
    mut read: impl FnMut(u64, &csv::StringRecord, &mut Vec<String>) -> Option<T>,
) -> Vec<T> {
    let mut out = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 2;
        match record {
            Ok(record) => out.extend(read(line, &record, problems)),
            Err(e) => problems.push(format!("{file}:{line}: {}", csv_problem(&e))),
        }
    }
    out
}

/// What a file held, or every problem found in it.
pub(crate) fn found<T>(read: T, problems: Vec<String>) -> Result<T, Vec<String>> {
    match problems.is_empty() {
        true => Ok(read),
        false => Err(problems),
    }
}
