//! Libraries of script functions a program names (`[program] libraries`): `.rhai` files beside
//! it or in a shared folder, and the standard libraries shipped inside mentorflow. Their text
//! is part of the program's sources, so a stored version keeps the libraries it was checked
//! with (a standard library too: a newer mentorflow does not change a stored version).

/// The standard libraries, by the name a program gives them.
pub const STANDARD: [(&str, &str); 2] = [
    ("std:people", include_str!("std/people.rhai")),
    ("std:time", include_str!("std/time.rhai")),
];

/// A standard library's text.
pub fn standard(name: &str) -> Option<&'static str> {
    STANDARD.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
