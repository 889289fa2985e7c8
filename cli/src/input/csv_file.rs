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
