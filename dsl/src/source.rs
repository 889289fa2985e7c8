//! Source files and byte spans. Spans stay byte ranges while checking; line and column are
//! computed only when a diagnostic is printed (the way toml-rs does it).

use std::ops::Range;
use std::path::{Path, PathBuf};

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Index of the file in the [`SourceMap`].
    pub file: usize,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span of `range` in file `file`.
    pub fn new(file: usize, range: Range<usize>) -> Span {
        Span {
            file,
            start: range.start,
            end: range.end,
        }
    }
}

/// A 1-based line and column; the column counts characters, with a tab counting as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// Line number, from 1.
    pub line: usize,
    /// Column number in characters, from 1.
    pub col: usize,
}

/// One file that was read: a program or a `.rhai` script beside it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user named it.
    pub path: PathBuf,
    /// The whole text.
    pub text: String,
}

impl SourceFile {
    /// The line and column of byte `offset`. Offsets past the end, or inside a multi-byte
    /// character, are clamped to the nearest character boundary before it.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = floor_char_boundary(&self.text, offset);
        let before = &self.text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        LineCol {
            line: before.matches('\n').count() + 1,
            col: before[line_start..].chars().count() + 1,
        }
    }

    /// The text of the line holding byte `offset`, without its line ending (`\n` or `\r\n`).
    pub fn line_text(&self, offset: usize) -> &str {
        let offset = floor_char_boundary(&self.text, offset);
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        self.text[start..end].trim_end_matches('\r')
    }

    /// The byte offset of a 1-based line and character column, if the file has it.
    pub fn offset_of(&self, line: usize, col: usize) -> Option<usize> {
        let mut start = 0;
        for _ in 1..line {
            start += self.text[start..].find('\n')? + 1;
        }
        let rest = &self.text[start..];
        let in_line = rest
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i);
        Some(start + in_line)
    }
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Every file read while loading one program; spans index into it.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Adds a file and returns its index.
    pub fn add(&mut self, path: &Path, text: String) -> usize {
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            text,
        });
        self.files.len() - 1
    }

    /// The file with index `file`.
    pub fn file(&self, file: usize) -> Option<&SourceFile> {
        self.files.get(file)
    }

    /// The text a span covers, or "" when the span is out of range.
    pub fn slice(&self, span: Span) -> &str {
        self.file(span.file)
            .and_then(|f| f.text.get(span.start..span.end))
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            path: "p.toml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn first_line_first_column() {
        assert_eq!(file("abc").line_col(0), LineCol { line: 1, col: 1 });
    }

    #[test]
    fn last_line_without_trailing_newline() {
        let f = file("a\nb\nlast");
        assert_eq!(f.line_col(6), LineCol { line: 3, col: 3 });
        assert_eq!(f.line_text(6), "last");
    }

    #[test]
    fn offset_past_the_end_is_clamped_to_the_end() {
        assert_eq!(file("ab\n").line_col(99), LineCol { line: 2, col: 1 });
    }

    #[test]
    fn tab_counts_as_one_column() {
        assert_eq!(file("\tx = 1").line_col(1), LineCol { line: 1, col: 2 });
    }

    #[test]
    fn multi_byte_characters_count_as_one_column() {
        let f = file("title = \"Penetapan Tujuan é\" x");
        let x = f.text.find(" x").map(|i| i + 1).unwrap_or(0);
        assert_eq!(f.line_col(x), LineCol { line: 1, col: 30 });
        // An offset inside "é" is clamped to the start of the character.
        let e = f.text.find('é').unwrap_or(0);
        assert_eq!(f.line_col(e + 1), f.line_col(e));
    }

    #[test]
    fn crlf_line_endings_count_lines_and_are_not_shown() {
        let f = file("a = 1\r\nb = 2\r\n");
        let b = f.text.find('b').unwrap_or(0);
        assert_eq!(f.line_col(b), LineCol { line: 2, col: 1 });
        assert_eq!(f.line_text(b), "b = 2");
        assert_eq!(f.line_text(0), "a = 1");
    }

    #[test]
    fn offset_of_inverts_line_col() {
        let f = file("x\n\tyé = 2\nz");
        for offset in [0, 2, 3, 4, 6, 7, 11] {
            let lc = f.line_col(offset);
            assert_eq!(
                f.offset_of(lc.line, lc.col),
                Some(offset),
                "offset {offset}"
            );
        }
    }
}
