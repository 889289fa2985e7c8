//! `mentorflow record PAIRING NAME=VALUE...`: facts, all or none.

use mentorflow_engine::FactChange;

use crate::failure::{CommandResult, Failure};
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// Record facts on a pairing: NAME=VALUE...
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Pairing id, e.g. p-12.
    pairing: String,
    /// Facts as NAME=VALUE, e.g. meetings=6 mentee_rating=4; NAME+=N or NAME-=N adds to or
    /// subtracts from a number's current value (meetings+=1).
    #[arg(required = true, value_name = "NAME=VALUE")]
    facts: Vec<String>,
}

/// `NAME=VALUE`, `NAME+=AMOUNT` or `NAME-=AMOUNT`.
pub(crate) fn change(text: &str) -> Result<(String, FactChange), Failure> {
    let usage = || {
        Failure::Usage(format!(
            "`{text}` is not NAME=VALUE (or NAME+=AMOUNT, NAME-=AMOUNT), e.g. meetings=6"
        ))
    };
    let (name, value) = text.split_once('=').ok_or_else(usage)?;
    let (name, change) = if let Some(n) = name.strip_suffix('+') {
        (n, FactChange::Add(value.to_string()))
    } else if let Some(n) = name.strip_suffix('-') {
        (n, FactChange::Subtract(value.to_string()))
    } else {
        (name, FactChange::Set(value.to_string()))
    };
    if name.trim().is_empty() {
        return Err(usage());
    }
    Ok((name.trim().to_string(), change))
}

/// Records facts in one transaction (all or none).
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let facts = args
        .facts
        .iter()
        .map(|f| change(f))
        .collect::<Result<Vec<_>, _>>()?;
    let events = store.open()?.record(&args.pairing, &facts)?;
    for e in &events {
        writeln!(output.out, "{}", render::event(e))?;
    }
    Ok(EXIT_OK)
}
