//! A throwaway PostgreSQL server for tests: `initdb` into a temp folder, listening on loopback
//! only, started on first use and stopped (its folder removed) by a guardian shell as soon as
//! the test process ends. Run as root (as in CI), the server runs as the `postgres` user, since
//! PostgreSQL refuses to run as root. Without the server binaries the tests fail and say what
//! to install; they never pass by skipping.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The running server.
pub struct Server {
    port: u16,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

/// The server of this test process, started on first use.
pub fn server() -> &'static Server {
    match SERVER.get_or_init(start) {
        Ok(server) => server,
        Err(e) => panic!("the PostgreSQL tests need a server and could not start one: {e}"),
    }
}

impl Server {
    /// The URL of database `name`.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://mentorflow@127.0.0.1:{}/{name}", self.port)
    }

    /// A new, empty database `name` (dropped first if a previous run left it), and its URL.
    pub fn fresh_database(&self, name: &str) -> String {
        let mut admin =
            postgres::Client::connect(&self.url("postgres"), postgres::NoTls).expect("connect");
        // Two statements, not one batch: a batch runs as one transaction, and neither of these
        // may run inside one.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .expect("drop database");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        self.url(name)
    }
}

/// A PostgreSQL program: from Debian's versioned folder (newest first), else from PATH.
fn binary(name: &str) -> Result<PathBuf, String> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.exists())
        .collect();
    versions.sort();
    if let Some(found) = versions.pop() {
        return Ok(found);
    }
    let on_path = std::env::var_os("PATH").map(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|p| p.exists())
    });
    on_path.flatten().ok_or_else(|| {
        format!("`{name}` was not found; install the PostgreSQL server (Debian: apt-get install postgresql) or put its bin folder on PATH")
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `program args...`, as the `postgres` user when this process runs as root.
fn as_server_user(program: &Path, args: &[&str]) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program).args(args);
        c
    } else {
        let mut c = Command::new(program);
        c.args(args);
        c
    }
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn start() -> Result<Server, String> {
    let (initdb, postgres) = (binary("initdb")?, binary("postgres")?);
    let dir = std::env::temp_dir().join(format!("mentorflow-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if is_root() {
        let chown = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .map_err(|e| e.to_string())?;
        if !chown.success() {
            return Err("cannot give the server's folder to the `postgres` user".into());
        }
    }
    let data = dir.join("data");
    let data_arg = data.to_string_lossy().into_owned();
    let init = as_server_user(
        &initdb,
        &[
            "-D",
            &data_arg,
            "-A",
            "trust",
            "-U",
            "mentorflow",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
    )
    .output()
    .map_err(|e| format!("initdb: {e}"))?;
    if !init.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&init.stderr)
        ));
    }
    let port = free_port()?;
    // The guardian: runs the server, and stops it and removes its folder once this test
    // process is gone (checked through /proc, which works across users).
    let guardian = r#"
"$1" -D "$2/data" -k "$2" -p "$3" -c listen_addresses=127.0.0.1 -c fsync=off \
    -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 >"$2/server.log" 2>&1 &
server=$!
while [ -d "/proc/$4" ] && kill -0 "$server" 2>/dev/null; do sleep 0.2; done
kill -INT "$server" 2>/dev/null
wait "$server"
rm -rf "$2"
"#;
    let dir_arg = dir.to_string_lossy().into_owned();
    let parent = std::process::id().to_string();
    let port_arg = port.to_string();
    let postgres_arg = postgres.to_string_lossy().into_owned();
    as_server_user(
        Path::new("sh"),
        &[
            "-c",
            guardian,
            "guardian",
            &postgres_arg,
            &dir_arg,
            &port_arg,
            &parent,
        ],
    )
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .map_err(|e| format!("starting postgres: {e}"))?;
    let server = Server { port };
    let started = Instant::now();
    loop {
        match postgres::Client::connect(&server.url("postgres"), postgres::NoTls) {
            Ok(_) => return Ok(server),
            Err(e) if started.elapsed() > Duration::from_secs(60) => {
                let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                return Err(format!("the server did not accept connections: {e}\n{log}"));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}
