//! The SQLite store passes the store conformance suite.

mod conformance;

use std::path::PathBuf;

use mentorflow_engine::store::sqlite::{Durability, SqliteStore};
use mentorflow_engine::store::Store;

struct Sqlite {
    dir: PathBuf,
}

impl Sqlite {
    fn new() -> Sqlite {
        let dir =
            std::env::temp_dir().join(format!("mentorflow-conformance-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Sqlite { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.db"))
    }
}

impl conformance::Harness for Sqlite {
    fn create(&self, name: &str) -> Box<dyn Store> {
        let path = self.path(name);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        Box::new(SqliteStore::create(&path).expect("create"))
    }

    fn open(&self, name: &str) -> Box<dyn Store> {
        Box::new(SqliteStore::open(&self.path(name), Durability::Full).expect("open"))
    }
}

conformance!(sqlite, crate::Sqlite::new());
