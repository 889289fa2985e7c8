//! Notification templates (minijinja): `{{ pairing.id }}`, `{% for p in mentees %}`. Rendered
//! in a sandbox: no file access, no includes, a fuel limit, and an unknown variable is an
//! error rather than an empty string.

/// How much work one rendering may do before it is stopped.
const FUEL: u64 = 50_000;

fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_fuel(Some(FUEL));
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env
}

/// The longest template: a notice of a few screens.
pub const MAX_TEMPLATE_BYTES: usize = 32 * 1024;

/// The most operators (`not`, `|filter`, `.attr`, `~`, brackets, arithmetic) in one
/// `{{ }}` or `{% %}`: the template engine's expression trees are as deep as that, and a
/// deep one overflows the stack of every command that loads the program.
pub const MAX_OPERATORS: usize = 200;

/// The most bytes a rendered subject or body may hold: a notice is a message, and the outbox
/// holds every one until it is delivered.
pub const MAX_RENDERED_BYTES: usize = 64 * 1024;

/// The most blocks (`{% if %}`, `{% for %}` ...) open inside each other.
pub const MAX_NESTING: usize = 32;

/// Whether `template` is small and shallow enough to be read safely; what is wrong and on
/// which line (from 1) otherwise. Checked before the template engine sees it, at check time
/// and again before each rendering (a version stored before this check).
fn bounded(template: &str) -> Result<(), (String, Option<usize>)> {
    if template.len() > MAX_TEMPLATE_BYTES {
        return Err((
            format!(
                "the template is {} bytes, more than the {MAX_TEMPLATE_BYTES} allowed",
                template.len()
            ),
            None,
        ));
    }
    let line_of = |at: usize| Some(template[..at].matches('\n').count() + 1);
    let mut depth = 0usize;
    let mut rest = template;
    while let Some(open) = rest.find("{{").into_iter().chain(rest.find("{%")).min() {
        let start = template.len() - rest.len() + open;
        let closer = if rest[open..].starts_with("{{") {
            "}}"
        } else {
            "%}"
        };
        let body = &rest[open + 2..];
        let end = body.find(closer).unwrap_or(body.len());
        let tag = &body[..end];
        if operators(tag) > MAX_OPERATORS {
            return Err((
                format!("an expression has more than {MAX_OPERATORS} operators"),
                line_of(start),
            ));
        }
        if closer == "%}" {
            let word = tag
                .trim_start_matches('-')
                .split_whitespace()
                .next()
                .unwrap_or("");
            if matches!(
                word,
                "if" | "for" | "macro" | "call" | "filter" | "with" | "autoescape" | "raw"
            ) || (word == "set" && !tag.contains('='))
            {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err((
                        format!("blocks are nested more than {MAX_NESTING} deep"),
                        line_of(start),
                    ));
                }
            } else if word.starts_with("end") {
                depth = depth.saturating_sub(1);
            }
        }
        rest = &body[(end + closer.len()).min(body.len())..];
    }
    Ok(())
}

/// The operators in one tag's text, string literals left out.
fn operators(tag: &str) -> usize {
    let mut count = 0;
    let mut quote: Option<char> = None;
    let mut word = String::new();
    let words = |word: &mut String| {
        let n = usize::from(matches!(
            word.as_str(),
            "not" | "and" | "or" | "is" | "in" | "if" | "else"
        ));
        word.clear();
        n
    };
    for c in tag.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => {
                count += words(&mut word);
                quote = Some(c);
            }
            None if c.is_alphanumeric() || c == '_' => word.push(c),
            None => {
                count += words(&mut word);
                count += usize::from(".|~([{+-*/%<>=!,".contains(c));
            }
        }
    }
    count + words(&mut word)
}

/// What a notification's templates are given (the engine's `notifications::context`, and
/// `trigger` for one sent on a trigger): anything else is a typo that fails every rendering.
pub const CONTEXT: [&str; 8] = [
    "pairing",
    "facts",
    "participants",
    "mentors",
    "mentees",
    "now",
    "today",
    "trigger",
];

/// Whether `template` names `attribute` as a field (`m.erg`, `m["erg"]`, `m['erg']`),
/// wherever it reads it from: a loop's own variable included.
pub fn mentions(template: &str, attribute: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let dotted = template
        .match_indices(&format!(".{attribute}"))
        .any(|(i, m)| !template[i + m.len()..].starts_with(ident));
    dotted
        || [format!("\"{attribute}\""), format!("'{attribute}'")]
            .iter()
            .any(|quoted| template.contains(quoted.as_str()))
}

/// The fields of `pairing` in a template's context.
pub const PAIRING_FIELDS: [&str; 10] = [
    "id",
    "label",
    "program",
    "program_title",
    "type",
    "stage",
    "stage_title",
    "entered_at",
    "enrolled_at",
    "due",
];

/// The fields of `trigger` for a notification sent on a trigger of `kind` (`missed`,
/// `warned`, `overdue`).
pub fn trigger_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "missed" => &["kind", "schedule", "occurrences", "person"],
        "warned" => &["kind", "label", "to", "fires"],
        "overdue" => &["kind", "stage", "due"],
        "due" => &["kind", "schedule", "occurrence", "due", "turn"],
        _ => &[],
    }
}

/// The names `template` reads from what it is given, down to the field (`facts.goal`,
/// `trigger.stage`, `mentees`); its own variables (a loop's, a `set`) and the template
/// engine's globals (`range`) are left out. Empty when it is not a valid template.
pub fn reads(template: &str) -> Vec<String> {
    if bounded(template).is_err() {
        return Vec::new();
    }
    let env = environment();
    let Ok(t) = env.template_from_str(template) else {
        return Vec::new();
    };
    let global = |name: &str| {
        let first = name.split('.').next().unwrap_or_default();
        env.globals().any(|(g, _)| g == first)
    };
    let mut names: Vec<String> = t
        .undeclared_variables(true)
        .into_iter()
        .filter(|n| !global(n))
        .collect();
    names.sort();
    names
}

/// Whether `template` is a valid template; otherwise what is wrong and on which line (from 1).
pub fn check(template: &str) -> Result<(), (String, Option<usize>)> {
    bounded(template)?;
    environment()
        .template_from_str(template)
        .map(|_| ())
        .map_err(|e| (e.detail().unwrap_or("syntax error").to_string(), e.line()))
}

/// `template` rendered with `context`; what went wrong otherwise.
pub fn render(template: &str, context: &impl serde::Serialize) -> Result<String, String> {
    if let Err((problem, line)) = bounded(template) {
        let at = line.map_or(String::new(), |l| format!(" (line {l} of the template)"));
        return Err(format!("{problem}{at}"));
    }
    let env = environment();
    let t = env.template_from_str(template).map_err(|e| e.to_string())?;
    let context = minijinja::Value::from(minijinja::value::Serde(context));
    let rendered = t.render(&context).map_err(|e| {
        let at = e
            .line()
            .map_or(String::new(), |l| format!(" (line {l} of the template)"));
        let missing = match e.kind() {
            minijinja::ErrorKind::UndefinedError => first_undefined(&env, &t, &context),
            _ => None,
        };
        match (missing, e.detail()) {
            (Some(name), _) => format!("`{name}` has no value here{at}"),
            (None, Some(detail)) => format!("{}: {detail}{at}", e.kind()),
            (None, None) => format!("{}{at}", e.kind()),
        }
    })?;
    if rendered.len() > MAX_RENDERED_BYTES {
        return Err(format!(
            "it renders to {} bytes, more than the {MAX_RENDERED_BYTES} a notice may hold",
            rendered.len()
        ));
    }
    Ok(rendered)
}

/// The first name the template reads (`facts.ramp_plan`) that `context` does not hold: strict
/// rendering says only that something was undefined.
fn first_undefined(
    env: &minijinja::Environment<'_>,
    t: &minijinja::Template<'_, '_>,
    context: &minijinja::Value,
) -> Option<String> {
    let mut names: Vec<String> = t.undeclared_variables(true).into_iter().collect();
    names.sort();
    // What the environment defines (`range`, `namespace` ...) is no value the context lacks.
    let global = |name: &str| {
        let first = name.split('.').next().unwrap_or_default();
        env.globals().any(|(g, _)| g == first)
    };
    names.into_iter().filter(|n| !global(n)).find(|name| {
        let mut value = context.clone();
        name.split('.').any(|part| {
            value = value.get_attr(part).unwrap_or(minijinja::Value::UNDEFINED);
            value.is_undefined()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_deep_enough_to_overflow_the_stack_are_refused_before_parsing() {
        for (hostile, problem) in [
            (
                format!("{{{{ {} x }}}}", "not ".repeat(30_000)),
                "bytes, more than",
            ),
            (
                format!("{{{{ x{} }}}}", "|abs".repeat(100_000)),
                "bytes, more than",
            ),
            (
                format!("{{{{ x{} }}}}", ".id".repeat(100_000)),
                "bytes, more than",
            ),
            (
                format!("{{{{ x{} }}}}", " ~ x".repeat(100_000)),
                "bytes, more than",
            ),
            (
                format!("{{{{ {} x }}}}", "not ".repeat(500)),
                "more than 200 operators",
            ),
            (
                format!("{{{{ x{} }}}}", ".id".repeat(300)),
                "more than 200 operators",
            ),
            ("{% if x %}".repeat(40), "nested more than 32 deep"),
        ] {
            let (e, _) = check(&hostile).expect_err("refused");
            assert!(e.contains(problem), "{e}");
            let e = render(&hostile, &serde_json::json!({"x": 1})).expect_err("refused");
            assert!(e.contains(problem), "{e}");
        }
        let fine = "{% for p in people %}{{ p.name|upper ~ \" (\" ~ p.role ~ \")\" }}{% endfor %}";
        assert!(check(fine).is_ok());
        assert!(check(&"{% if a %}x{% endif %}".repeat(100)).is_ok());
    }

    #[derive(serde::Serialize)]
    struct Ctx {
        name: &'static str,
        items: Vec<u32>,
    }

    #[test]
    fn a_template_renders_and_an_unknown_variable_is_an_error() {
        let ctx = Ctx {
            name: "ana",
            items: vec![1, 2],
        };
        assert_eq!(
            render(
                "hi {{ name }}: {% for i in items %}{{ i }}{% endfor %}",
                &ctx
            )
            .as_deref(),
            Ok("hi ana: 12")
        );
        let unknown = render("{{ name }}\n{{ nmae }}", &ctx).expect_err("unknown variable");
        assert!(
            unknown.contains("`nmae` has no value here (line 2 of the template)"),
            "{unknown}"
        );
        let deep = render("{{ name.first }}", &ctx).expect_err("no such attribute");
        assert!(deep.contains("`name.first` has no value"), "{deep}");
        assert!(check("{{ name ").is_err());
        assert!(check("{{ name }}").is_ok());
    }

    #[test]
    fn a_template_that_loops_too_long_runs_out_of_fuel() {
        let ctx = Ctx {
            name: "x",
            items: Vec::new(),
        };
        let e = render("{% for i in range(100000) %}{{ i }}{% endfor %}", &ctx).expect_err("fuel");
        assert!(e.to_lowercase().contains("fuel"), "{e}");
    }

    #[test]
    fn an_attribute_is_mentioned_as_a_field_not_as_part_of_a_longer_name() {
        assert!(mentions(
            "{% for m in mentees %}{{ m.erg }}{% endfor %}",
            "erg"
        ));
        assert!(mentions("{{ mentees[0][\"erg\"] }}", "erg"));
        assert!(mentions("{{ m['erg'] }}", "erg"));
        assert!(!mentions("{{ m.ergonomics }}", "erg"));
        assert!(!mentions("The ERG meets on {{ today }}", "erg"));
    }
}
