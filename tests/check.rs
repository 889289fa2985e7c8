//! The checker on broken programs: one snapshot of the rendered diagnostics per fixture, and
//! no input file can make it panic.

use std::io::Write as _;

use mentorflow_tests::{mentorflow, relative};

#[test]
fn every_broken_fixture_is_reported() {
    insta::glob!("fixtures/check", "*.toml", |path| {
        let run = mentorflow(&["check", &relative(path)]);
        let clean = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("clean"));
        assert_eq!(
            run.code,
            if clean {
                0
            } else {
                u8::from(run.stderr.contains("error["))
            },
            "{}",
            run.transcript()
        );
        // A broken fixture must be reported; a clean one must have nothing to report.
        assert_eq!(run.stderr.is_empty(), clean, "{}", run.transcript());
        insta::assert_snapshot!(run.transcript());
    });
}

#[test]
fn missing_file_is_a_clear_error() {
    let run = mentorflow(&["check", "no/such/program.toml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("error[E000]: cannot read program `no/such/program.toml`: no such file"),
        "{}",
        run.stderr
    );
}

#[test]
fn directory_is_a_clear_error() {
    let run = mentorflow(&["check", "programs"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("is a directory, not a program file"),
        "{}",
        run.stderr
    );
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = mentorflow_tests::scratch_dir("check");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).expect("temp file");
    f.write_all(bytes).expect("write");
    path
}

#[test]
fn binary_file_is_a_clear_error() {
    let path = temp_file(
        "binary.toml",
        &[0x7f, b'E', b'L', b'F', 0xff, 0xfe, 0, 1, 2],
    );
    let run = mentorflow(&["check", &path.to_string_lossy()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("is not a text file: invalid UTF-8 at byte 4"),
        "{}",
        run.stderr
    );
}

#[test]
fn ten_megabyte_file_is_refused_before_parsing() {
    let path = temp_file("huge.toml", &vec![b'#'; 10 * 1024 * 1024]);
    let run = mentorflow(&["check", &path.to_string_lossy()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("is 10485760 bytes; programs are limited to 1048576 bytes"),
        "{}",
        run.stderr
    );
}

#[test]
fn text_with_nul_bytes_and_garbage_does_not_panic() {
    for (i, junk) in [
        "\0\0\0",
        "[[[",
        "a = [1, 2",
        "[program]\nid = \"x\"\x00",
        "'''",
        "[types.x.stages.y.z]\nw = 1",
    ]
    .iter()
    .enumerate()
    {
        let path = temp_file(&format!("junk{i}.toml"), junk.as_bytes());
        let run = mentorflow(&["check", &path.to_string_lossy()]);
        assert_eq!(run.code, 1, "{junk:?}: {}", run.transcript());
        assert!(run.stderr.contains("error["), "{junk:?}: {}", run.stderr);
    }
}

#[test]
fn usage_errors_exit_with_two() {
    assert_eq!(mentorflow(&["check"]).code, 2);
    assert_eq!(mentorflow(&["check", "--bogus", "x.toml"]).code, 2);
    assert_eq!(mentorflow(&["frobnicate"]).code, 2);
}

#[test]
fn several_files_are_all_reported_in_one_run() {
    let run = mentorflow(&["check", "programs/mentoring.toml", "no/such.toml"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("ok: programs/mentoring.toml"));
    assert!(
        run.stderr.contains("1 error, 0 warnings in 2 files"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_json_gives_code_line_and_column() {
    let run = mentorflow(&["check", "--json", "tests/fixtures/check/bad_duration.toml"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stdout.contains("\"code\": \"E005\""), "{}", run.stdout);
    assert!(run.stdout.contains("\"line\": "), "{}", run.stdout);
    assert!(run.stdout.contains("\"ok\": false"), "{}", run.stdout);
}

#[test]
fn check_skips_scenario_files_beside_programs() {
    let run = mentorflow(&[
        "check",
        "programs/mentoring.toml",
        "tests/flows/mentoring/peer-happy.toml",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}
