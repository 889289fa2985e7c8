//! Files users hand to commands (a roster, a fact sheet, a people file), or `-` for standard
//! input: read through a bound, so a huge or endless input fails with a clear message instead
//! of filling memory.

/// Files users hand to commands (rosters, fact sheets) are read up to this size.
const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// A file users hand to a command (a roster, a fact sheet), or `-` for standard input,
/// opened for reading: a regular file, and at most [`MAX_INPUT_BYTES`] read from either (a
/// read past them fails with a clear message instead of filling memory).
pub(crate) fn open(path: &str) -> Result<Box<dyn std::io::Read>, String> {
    let limit = |inner: Box<dyn std::io::Read>| -> Box<dyn std::io::Read> {
        Box::new(Bounded {
            inner,
            left: MAX_INPUT_BYTES,
            shown: path.to_string(),
        })
    };
    if path == "-" {
        return Ok(limit(Box::new(std::io::stdin())));
    }
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{path} is not a regular file"));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(too_large(path));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    Ok(limit(Box::new(file)))
}

fn too_large(path: &str) -> String {
    let shown = if path == "-" { "standard input" } else { path };
    format!(
        "{shown} is larger than {} MiB; split it",
        MAX_INPUT_BYTES / 1024 / 1024
    )
}

/// A reader that fails once more than its limit was asked of it.
struct Bounded {
    inner: Box<dyn std::io::Read>,
    left: u64,
    shown: String,
}

impl std::io::Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One byte more tells a file that ends exactly at the limit from a longer one.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::other(too_large(&self.shown))),
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    #[test]
    fn standard_input_past_the_limit_is_an_error_not_a_full_memory() {
        let mut input = super::Bounded {
            inner: Box::new(std::io::repeat(b'x')),
            left: 1000,
            shown: "-".into(),
        };
        let mut read = Vec::new();
        let e = input.read_to_end(&mut read).expect_err("past the limit");
        assert_eq!(read.len(), 1000);
        assert_eq!(
            e.to_string(),
            "standard input is larger than 16 MiB; split it"
        );
        let mut exact = super::Bounded {
            inner: Box::new(&b"abc"[..]),
            left: 3,
            shown: "-".into(),
        };
        let mut read = Vec::new();
        exact.read_to_end(&mut read).expect("exactly the limit");
        assert_eq!(read, b"abc");
    }
}
