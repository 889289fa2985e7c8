//! Headless Chromium for the tests that look at the HTML report as a reader would: a
//! screenshot, the console's messages, and a rough look at the picture (blank or not).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What the browser did with a page.
pub struct Shot {
    /// The screenshot.
    pub png: PathBuf,
    /// The page's console messages (any at all is a fault: the report runs no script).
    pub console: Vec<String>,
}

/// Chromium: `MENTORFLOW_CHROMIUM`, or `chromium` on the PATH.
pub fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("MENTORFLOW_CHROMIUM") {
        return path.into();
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "Chromium is needed to render the report: `apt-get install chromium` (.ci/run \
             installs it), or set MENTORFLOW_CHROMIUM to a Chromium or Chrome binary"
        )
    })
}

/// Renders `page` in headless Chromium to a 1200-pixel-wide screenshot at `png`.
pub fn browse(page: &Path, png: &Path) -> Shot {
    browse_tall(page, png, 1800)
}

/// [`browse`] with a window `height` pixels tall.
pub fn browse_tall(page: &Path, png: &Path, height: u32) -> Shot {
    let profile = png.with_extension("profile");
    // Headless Chromium exits once the screenshot is written.
    let run = Command::new(chromium())
        .args([
            "--headless",
            // CI runs as root, where Chromium's sandbox cannot start.
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--window-size=1200,{height}"))
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("start chromium");
    let log = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(png.is_file(), "no screenshot; chromium said:\n{log}");
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    Shot {
        png: png.to_path_buf(),
        console,
    }
}

/// What a screenshot shows, roughly.
#[derive(Debug)]
pub struct Picture {
    /// Share of pixels that are not white.
    pub inked: f64,
    /// Distinct colours.
    pub colours: usize,
}

/// A rough look at the screenshot at `path`.
pub fn picture(path: &Path) -> Picture {
    let file = std::io::BufReader::new(std::fs::File::open(path).expect("png"));
    let mut reader = png::Decoder::new(file).read_info().expect("a png");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    let pixels = buf[..info.buffer_size()].chunks(channels);
    let mut colours = std::collections::HashSet::new();
    let (mut inked, mut total) = (0u64, 0u64);
    for px in pixels {
        total += 1;
        if px.iter().take(3).any(|c| *c < 245) {
            inked += 1;
        }
        colours.insert(px.to_vec());
    }
    Picture {
        inked: inked as f64 / total.max(1) as f64,
        colours: colours.len(),
    }
}

/// Renders `page` to `png` (`height` pixels tall) and asserts the browser logged nothing and
/// drew a page that is not blank.
pub fn screenshot(page: &Path, png: &Path, height: u32) {
    let shot = browse_tall(page, png, height);
    assert_eq!(shot.console, Vec::<String>::new(), "console messages");
    let p = picture(&shot.png);
    assert!(
        p.inked > 0.03 && p.colours > 16,
        "the page looks blank: {p:?}"
    );
}

/// With `MENTORFLOW_DOCS` set (`scripts/docs-screenshots`), copies the screenshot `png` to
/// docs/`name`, where the README shows it.
pub fn to_docs(png: &Path, name: &str) {
    if std::env::var_os("MENTORFLOW_DOCS").is_none() {
        return;
    }
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    std::fs::copy(png, docs.join(name)).expect("copy the screenshot to docs/");
}
