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
    let context = minijinja::Value::from(minijinja::value::Serde(context));
    t.render(&context).map_err(|e| {
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
    })
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
}
