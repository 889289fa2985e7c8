//! The PostgreSQL store passes the store conformance suite, against a real server this test
//! starts itself (`cargo test postgres` runs these).

// Lives in the workspace tests so that `cargo test postgres` (default members) runs it.
#[path = "../engine/tests/conformance/mod.rs"]
mod conformance;
#[path = "../engine/tests/support/postgres.rs"]
mod server;

use mentorflow_engine::store::postgres::PostgresStore;
use mentorflow_engine::store::Store;
use mentorflow_engine::Location;

struct Postgres;

/// One database per test, named after it.
fn database(name: &str) -> String {
    format!("conformance_{name}")
}

impl conformance::Harness for Postgres {
    fn create(&self, name: &str) -> Box<dyn Store> {
        let url = server::server().fresh_database(&database(name));
        Box::new(PostgresStore::create(&Location::Postgres(url)).expect("create"))
    }

    fn open(&self, name: &str) -> Box<dyn Store> {
        let url = server::server().url(&database(name));
        Box::new(PostgresStore::open(&Location::Postgres(url)).expect("open"))
    }
}

conformance!(postgres, crate::Postgres);
