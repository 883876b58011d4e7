//! Throw-away PostgreSQL servers for the tests of the PostgreSQL store: Debian's real
//! server binaries, a cluster made with `initdb` in a temporary folder, served on a free
//! loopback port. PostgreSQL refuses to run as root, so when the tests run as root the
//! server runs as the `postgres` user (which Debian's package creates). Each server is a
//! child of the thread that started it and is killed when that thread ends, even if the
//! test panics (`PR_SET_PDEATHSIG`, set by util-linux's `setpriv`), so that nothing is left
//! running: a test's own servers
//! end with the test, and [`shared`]'s with the test process.
//!
//! Needs Debian's `postgresql` package (`.ci/run` installs it); without it the tests fail
//! saying so.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The temporary folders of the servers a test owns (removed when it drops them).
const PREFIX: &str = "ivote-pg-";
/// The temporary folders of [`shared`] servers, which live as long as their test process.
const SHARED_PREFIX: &str = "ivote-pg-shared-";

/// How long a server may take to start or to be promoted.
const START: Duration = Duration::from_secs(60);

/// The folder of the newest installed PostgreSQL's server binaries.
pub fn bin_dir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL's server binaries are not installed (no /usr/lib/postgresql/*/bin/initdb): \
             install Debian's postgresql package (apt-get install postgresql), as .ci/run does"
        ),
    }
}

/// The user the server runs as: `postgres` when the tests run as root (uid, gid), else the
/// tests' own user.
fn server_user() -> Option<(u32, u32)> {
    if !nix::unistd::geteuid().is_root() {
        return None;
    }
    let user = nix::unistd::User::from_name("postgres")
        .ok()
        .flatten()
        .unwrap_or_else(|| {
            panic!(
                "running as root, and there is no `postgres` user to run PostgreSQL as \
                 (PostgreSQL refuses root): install Debian's postgresql package, which creates it"
            )
        });
    Some((user.uid.as_raw(), user.gid.as_raw()))
}

/// A command run as the server's user.
fn command(program: &Path) -> Command {
    let mut c = Command::new(program);
    if let Some((uid, gid)) = server_user() {
        c.uid(uid).gid(gid);
    }
    c
}

/// A folder the server's user owns.
fn owned_dir(path: &Path) {
    fs::create_dir_all(path).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o700)).unwrap();
    if let Some((uid, gid)) = server_user() {
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
    }
}

fn run(c: &mut Command, what: &str) {
    let out = c
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A free loopback port (bound and released; good enough for tests).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One PostgreSQL server: its data folder and the running postmaster.
#[derive(Debug)]
pub struct Server {
    /// Holds `data/` (the cluster) and `log` (the server's log).
    root: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

impl Server {
    /// A new cluster (`initdb`, trust authentication on loopback) with `settings` appended
    /// to its `postgresql.conf`, started.
    pub fn start(settings: &[(&str, &str)]) -> Server {
        Server::start_in(PREFIX, settings)
    }

    fn start_in(prefix: &str, settings: &[(&str, &str)]) -> Server {
        let root = tempfile::Builder::new().prefix(prefix).tempdir().unwrap();
        fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let data = root.path().join("data");
        owned_dir(&data);
        run(
            command(&bin_dir().join("initdb"))
                .arg("-D")
                .arg(&data)
                .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]),
            "initdb",
        );
        let mut server = Server {
            root,
            port: free_port(),
            child: None,
        };
        server.configure(settings);
        server.launch();
        server
    }

    /// A streaming standby of `primary` made with `pg_basebackup`, with `settings`,
    /// started; its `application_name` is `name` (what `synchronous_standby_names` lists).
    pub fn standby_of(primary: &Server, name: &str, settings: &[(&str, &str)]) -> Server {
        let root = tempfile::Builder::new().prefix(PREFIX).tempdir().unwrap();
        fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let data = root.path().join("data");
        owned_dir(&data);
        run(
            command(&bin_dir().join("pg_basebackup"))
                .arg("-D")
                .arg(&data)
                .args(["-h", "127.0.0.1", "-p", &primary.port.to_string()])
                .args(["-U", "postgres", "-X", "stream", "--no-sync"]),
            "pg_basebackup",
        );
        let mut server = Server {
            root,
            port: free_port(),
            child: None,
        };
        // A standby: `standby.signal`, and where it streams from under which name.
        let signal = data.join("standby.signal");
        fs::write(&signal, "").unwrap();
        if let Some((uid, gid)) = server_user() {
            std::os::unix::fs::chown(&signal, Some(uid), Some(gid)).unwrap();
        }
        let conninfo = format!(
            "'host=127.0.0.1 port={} user=postgres application_name={name}'",
            primary.port
        );
        let mut all: Vec<(&str, &str)> = settings.to_vec();
        all.push(("primary_conninfo", &conninfo));
        server.configure(&all);
        server.launch();
        server
    }

    fn data(&self) -> PathBuf {
        self.root.path().join("data")
    }

    fn configure(&self, settings: &[(&str, &str)]) {
        let mut conf = format!(
            "\n# ivote tests\nlisten_addresses = '127.0.0.1'\nport = {}\n\
             unix_socket_directories = '{}'\nmax_connections = 200\n",
            self.port,
            self.data().display()
        );
        for (k, v) in settings {
            conf.push_str(&format!("{k} = {v}\n"));
        }
        let path = self.data().join("postgresql.conf");
        let mut all = fs::read_to_string(&path).unwrap();
        all.push_str(&conf);
        fs::write(&path, all).unwrap();
        // Replication connections from loopback (initdb's default allows them; say so).
        let hba = self.data().join("pg_hba.conf");
        let mut rules = fs::read_to_string(&hba).unwrap();
        rules.push_str("host replication all 127.0.0.1/32 trust\n");
        fs::write(&hba, rules).unwrap();
    }

    /// Starts the postmaster as a child and waits until it answers.
    fn launch(&mut self) {
        let log = fs::File::create(self.root.path().join("log")).unwrap();
        // util-linux's setpriv sets the parent-death signal after changing the user (a
        // change of user clears it), then becomes the postmaster.
        let mut c = Command::new("setpriv");
        c.args(["--pdeathsig", "KILL"]);
        if server_user().is_some() {
            c.args([
                "--reuid",
                "postgres",
                "--regid",
                "postgres",
                "--init-groups",
            ]);
        }
        c.arg("--")
            .arg(bin_dir().join("postgres"))
            .arg("-D")
            .arg(self.data());
        c.stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log));
        self.child = Some(c.spawn().expect("cannot start postgres"));
        self.wait_ready();
    }

    /// Waits until the server accepts connections (as a primary or a standby).
    fn wait_ready(&mut self) {
        let started = Instant::now();
        loop {
            let ok = Command::new(bin_dir().join("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-q"])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ok {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!("postgres exited ({status}): {}", self.log());
            }
            assert!(
                started.elapsed() < START,
                "postgres did not start in time: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The server's log.
    pub fn log(&self) -> String {
        fs::read_to_string(self.root.path().join("log")).unwrap_or_default()
    }

    /// Its loopback port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A `host:port` pair for a connection string.
    pub fn host_port(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The URL of database `db` on this server.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@{}/{db}", self.host_port())
    }

    /// Runs one SQL command with `psql` (as the `postgres` role, in database `db`); its
    /// output, unaligned and without headers.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = Command::new(bin_dir().join("psql"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args([
                "-U",
                "postgres",
                "-d",
                db,
                "-v",
                "ON_ERROR_STOP=1",
                "-Atc",
                sql,
            ])
            .output()
            .expect("cannot run psql");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Creates an empty database with a name not used before in this process; its name.
    pub fn create_database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("ivote_{}", NEXT.fetch_add(1, Ordering::SeqCst));
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        name
    }

    /// Kills the postmaster with SIGKILL, as the loss of its machine would (its backends
    /// notice and exit).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // Wait until the port is free of the old server's backends.
        let started = Instant::now();
        while Command::new(bin_dir().join("pg_isready"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-q"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
            && started.elapsed() < START
        {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts the (killed) server again on the same port: crash recovery from its WAL.
    pub fn restart(&mut self) {
        self.kill();
        // A killed postmaster leaves its pid file; the new one checks that pid is gone.
        self.launch();
    }

    /// Promotes this standby to primary and waits until it takes writes.
    pub fn promote(&mut self) {
        run(
            command(&bin_dir().join("pg_ctl"))
                .arg("-D")
                .arg(self.data())
                .args(["promote", "-w", "-t", "60"]),
            "pg_ctl promote",
        );
        let started = Instant::now();
        while self.psql("postgres", "SELECT pg_is_in_recovery()") != "f" {
            assert!(started.elapsed() < START, "the standby was not promoted");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM would wait for clients; a test server needs no clean shutdown.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One server for a whole test process, for tests that each take a database of their own
/// ([`Server::create_database`]). It is started from a thread that lives as long as the
/// process, so it ends with the process.
pub fn shared() -> &'static Server {
    static SHARED: OnceLock<Server> = OnceLock::new();
    SHARED.get_or_init(|| {
        remove_dead_shared();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            tx.send(Server::start_in(SHARED_PREFIX, &[])).unwrap();
            loop {
                std::thread::park();
            }
        });
        rx.recv().expect("the PostgreSQL server did not start")
    })
}

/// Removes the folders of earlier test processes' shared servers: a static is never dropped,
/// so each is removed by the next test process that starts one, once its postmaster (named
/// in `postmaster.pid`) is gone.
fn remove_dead_shared() {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        if !e.file_name().to_string_lossy().starts_with(SHARED_PREFIX) {
            continue;
        }
        let pid = fs::read_to_string(e.path().join("data/postmaster.pid"))
            .ok()
            .and_then(|s| s.lines().next().map(str::to_owned));
        let alive = pid.is_some_and(|p| Path::new("/proc").join(p.trim()).exists());
        if !alive {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}
