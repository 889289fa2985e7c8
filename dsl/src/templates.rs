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

/// Whether `template` is a valid template; otherwise what is wrong and on which line (from 1).
pub fn check(template: &str) -> Result<(), (String, Option<usize>)> {
    environment()
        .template_from_str(template)
        .map(|_| ())
        .map_err(|e| (e.detail().unwrap_or("syntax error").to_string(), e.line()))
}

/// `template` rendered with `context`; what went wrong otherwise.
pub fn render(template: &str, context: &impl serde::Serialize) -> Result<String, String> {
    let env = environment();
    let t = env.template_from_str(template).map_err(|e| e.to_string())?;
    t.render(minijinja::Value::from(minijinja::value::Serde(context)))
        .map_err(|e| match e.detail() {
            Some(detail) => format!("{}: {detail}", e.kind()),
            None => e.kind().to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let unknown = render("{{ nmae }}", &ctx).expect_err("unknown variable");
        assert!(unknown.contains("undefined"), "{unknown}");
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
}
