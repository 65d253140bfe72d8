//! A real full disk under a running `feather serve`: its SQLite file lives on a
//! 4 MiB tmpfs the test mounts, and a file the test writes fills the rest. A capture
//! then answers 503 `service_unavailable` (SQLite's "database or disk is full"),
//! reads go on, and once the filler is removed the next capture is stored, without
//! a restart.
//!
//! Mounting needs root (CI runs as root on the same kind of machine as development,
//! where `mount -t tmpfs` works). Without it the test prints a loud banner and
//! passes without testing anything, except with `CI` set, where it fails, like the
//! PostgreSQL tests. (`sqlite_file` makes a full disk without privileges too, with a
//! file size limit of 0 on the server's process.)

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use uuid::Uuid;

use crate::{Serve, create_key, get_session, put_session, session_body};

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (as `mount -o size=` takes it) on `path`; `None`,
    /// with the reason printed, if this machine does not let the test mount one.
    fn mount(path: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(path).unwrap();
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(path)
            .output();
        match output {
            Ok(output) if output.status.success() => Some(Tmpfs {
                path: path.to_owned(),
            }),
            Ok(output) => cannot_mount(&String::from_utf8_lossy(&output.stderr)),
            Err(err) => cannot_mount(&err.to_string()),
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazily: the server may still hold its files when this runs.
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

fn cannot_mount(reason: &str) -> Option<Tmpfs> {
    let banner = format!(
        "\n!!!!!!!!!!\n!!! the full-disk test did NOT run: `mount -t tmpfs` failed \
         (it needs root): {}\n!!!!!!!!!!\n",
        reason.trim()
    );
    assert!(std::env::var_os("CI").is_none(), "{banner}");
    eprintln!("{banner}");
    None
}

/// Writes `path` until the file system has no room left; returns the bytes written.
fn fill(path: &Path) -> usize {
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    let mut written = 0;
    loop {
        match file.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n,
            Err(err) if err.raw_os_error() == Some(28) => break, // ENOSPC
            Err(err) => panic!("filling the disk: {err}"),
        }
    }
    let _ = file.sync_all();
    written
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_answers_503_and_the_server_recovers_once_there_is_room() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = Tmpfs::mount(&dir.path().join("disk"), "4m") else {
        return;
    };
    let url = disk.path.join("feather.db").display().to_string();
    let organization = Uuid::new_v4();
    let (_, key) = create_key(&url, organization, "full disk");
    let server = Serve::start(&url, &[]);
    let (first_id, first) = session_body("dispute-sms.analysis-input.json", organization);
    let stored = put_session(&server, &key, first_id, &first).await;
    assert_eq!(stored.status, 200, "{stored:?}\n{}", server.log());

    // A capture of about 600 KB, more than any room SQLite's files already have.
    let (second_id, mut second) = session_body("refund-voice.analysis-input.json", organization);
    let long = "the jar arrived cracked ".repeat(25_000);
    second["messages"][1]["content"] = Value::String(long);

    let filler = disk.path.join("filler");
    assert!(fill(&filler) > 0, "the disk had no room to fill");
    for _ in 0..2 {
        let refused = put_session(&server, &key, second_id, &second).await;
        assert_eq!(refused.status, 503, "{refused:?}\n{}", server.log());
        assert_eq!(refused.body["error"], "service_unavailable", "{refused:?}");
    }
    let log = server.log();
    assert!(log.contains("database or disk is full"), "{log}");
    let read = get_session(&server, &key, first_id).await;
    assert_eq!(read.status, 200, "reads go on: {read:?}");

    std::fs::remove_file(&filler).unwrap();
    let stored = put_session(&server, &key, second_id, &second).await;
    assert_eq!(stored.status, 200, "{stored:?}\n{}", server.log());
    let read = get_session(&server, &key, second_id).await;
    assert_eq!(read.status, 200, "{read:?}");
    assert_eq!(
        read.body["messages"][1]["content"],
        second["messages"][1]["content"]
    );
    drop(server);
}
