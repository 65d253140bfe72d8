//! `feather`: serve the API, import captured sessions, draft a session file, and
//! manage API keys. Run `feather --help` for the commands.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use feather_drafter::{DraftOptions, Pii};
use feather_server::config::{
    DEFAULT_BIND, DEFAULT_BODY_IDLE_TIMEOUT_SECS, DEFAULT_BODY_MIN_RATE, DEFAULT_DATABASE_URL,
    DEFAULT_HEADER_TIMEOUT_SECS, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES_IN_FLIGHT,
    DEFAULT_MAX_CONNECTIONS, FrontOptions, Limits, TlsFiles,
};
use feather_server::{ServerConfig, demo, import};
use feather_store::{OrgScope, SqliteSynchronous, Store, StoreOptions};
use indicatif::{ProgressBar, ProgressStyle};
use uuid::Uuid;

/// mimalloc instead of the system allocator: drafting makes many small short-lived
/// allocations on every worker thread, where glibc's malloc spent a fifth of the
/// draft endpoint's CPU under load.
///
/// Built with `no_thp`: mimalloc otherwise asks the kernel for transparent huge
/// pages on its arenas (`MADV_HUGEPAGE`), and where the system's
/// `transparent_hugepage` setting is `madvise` (as here) each 2 MiB page is then
/// resident as soon as one byte of it is touched. Under `bench/run.sh`'s capture
/// scenario that took the peak RSS from 33 to 62 MiB with 16-turn sessions and from
/// 99 to 155 MiB with 200-turn ones, for no measurable speed (8,973 against 8,590
/// captures a second, within this machine's noise). The system's own setting still
/// decides for memory nobody asked about.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_arena_eager_commit` (`include/mimalloc.h` of its version 3,
/// the one `libmimalloc-sys` builds by default; that crate names only stable options).
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
/// mimalloc's `mi_option_purge_delay`, in milliseconds.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Tells mimalloc to give freed memory back to the system at once and to commit
/// its arenas as they are used. With its defaults (a purge delay of 1 s, ten times
/// that for arenas, arenas committed eagerly) the memory of request bodies that
/// had been answered stayed resident: one 8 MiB body took the idle server from 33
/// to 75 MiB and three in a row to 116 MiB, held after they were answered; with
/// the same options (given as `MIMALLOC_PURGE_DELAY=0 MIMALLOC_ARENA_EAGER_COMMIT=0`)
/// 18.6, 38 and 38 MiB, and 23.6 MiB 2 s after (measured with a release `feather
/// serve` and `curl -X PUT --data-binary @8-MiB-of-blanks`; the attack and the read
/// path's cost are in docs/performance.md, "Under attack"). Set here, the purge
/// delay applies at once; the first arena may be made before `main`, so eager
/// commit may apply only to later ones. An operator's `MIMALLOC_PURGE_DELAY` or
/// `MIMALLOC_ARENA_EAGER_COMMIT` still wins.
fn configure_allocator() {
    for (option, variable) in [
        (MI_OPTION_PURGE_DELAY, "MIMALLOC_PURGE_DELAY"),
        (MI_OPTION_ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT"),
    ] {
        if std::env::var_os(variable).is_none() {
            // SAFETY: called before any other thread exists (the runtime is built
            // after), which is all `mi_option_set` asks; the options exist in the
            // mimalloc this binary links, and 0 is a valid value of both.
            unsafe { libmimalloc_sys::mi_option_set(option, 0) };
        }
    }
}

#[derive(Parser)]
#[command(
    name = "feather",
    version,
    about = "Draft simulation scenarios from captured customer sessions."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API.
    Serve(ServeArgs),
    /// Import captured sessions (JSON, JSONL, or folders of them) into the store.
    Import(ImportArgs),
    /// Print the scenario draft of a session file; no server or database needed.
    Draft(DraftArgs),
    /// Manage the API keys of organizations.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Group captured sessions into the distinct problems worth a regression test,
    /// ranked, from a database or from session files.
    Triage(TriageArgs),
}

#[derive(Args)]
struct TriageArgs {
    /// The database to triage: `postgres://...` or an SQLite file, which must
    /// exist. Ignored when files are given.
    #[arg(long, env = "FEATHER_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
    /// The groups to print, highest score first.
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// Only sessions first captured at or after TIME: an RFC 3339 date-time
    /// (`2025-01-31T12:00:00Z`), a date (`2025-01-31`, midnight UTC), or a span
    /// back from now (`90m`, `24h`, `7d`, `2w`).
    #[arg(long, value_name = "TIME", value_parser = since_time)]
    since: Option<i64>,
    /// Print the groups and the coverage as JSON (`GET /v1/sessions/candidates`'s
    /// shape) instead of a table.
    #[arg(long)]
    json: bool,
    /// Session files or folders (as `import` reads them) to triage in memory
    /// instead of a database.
    paths: Vec<PathBuf>,
}

#[derive(Args)]
struct Database {
    /// `postgres://...` for PostgreSQL, else the path of an SQLite file (created if missing).
    #[arg(long, env = "FEATHER_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
}

#[derive(Args)]
struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "FEATHER_BIND", default_value = DEFAULT_BIND)]
    bind: SocketAddr,
    #[command(flatten)]
    database: Database,
    /// A development API key that sees every organization. Without one, and with no
    /// keys in the store, `serve` makes one for this run and prints it.
    #[arg(long, env = "FEATHER_API_KEY")]
    api_key: Option<String>,
    /// What replaces personal data in drafts: `placeholders` (`<NAME_1>`, the
    /// default), `surrogates` (realistic fake values, the same for a session every
    /// time) or `off`.
    #[arg(
        long,
        env = "FEATHER_PII",
        default_value = "placeholders",
        value_name = "MODE"
    )]
    pii: Pii,
    /// Leave PII in drafts: the same as `--pii off`.
    #[arg(long, env = "FEATHER_NO_REDACT_PII")]
    no_redact_pii: bool,
    /// The largest request body accepted, in bytes; larger ones get 413 (a declared
    /// `Content-Length` at once, before any of the body is read).
    #[arg(long, env = "FEATHER_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// The bytes all request bodies may hold together, from their first byte read
    /// until they are answered; a body that finds no room within 2 s gets 503.
    /// Bodies of at most 64 KiB have a 1 MiB allowance of their own. At least
    /// --max-body-bytes.
    #[arg(long, env = "FEATHER_MAX_BODY_BYTES_IN_FLIGHT", default_value_t = DEFAULT_MAX_BODY_BYTES_IN_FLIGHT)]
    max_body_bytes_in_flight: usize,
    /// Open client connections at once; one more is answered 503 and closed.
    #[arg(long, env = "FEATHER_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Seconds a connection may take to send a request head, or stay idle between
    /// requests, before it is closed.
    #[arg(long, env = "FEATHER_HEADER_TIMEOUT", default_value_t = DEFAULT_HEADER_TIMEOUT_SECS)]
    header_timeout: u64,
    /// Seconds a request body may wait for its first byte or pause between two
    /// chunks before the connection is closed.
    #[arg(long, env = "FEATHER_BODY_IDLE_TIMEOUT", default_value_t = DEFAULT_BODY_IDLE_TIMEOUT_SECS)]
    body_idle_timeout: u64,
    /// The lowest average rate of a request body, in bytes a second, after its first
    /// --body-idle-timeout seconds; a slower body's connection is closed. 0: no check.
    #[arg(long, env = "FEATHER_BODY_MIN_RATE", default_value_t = DEFAULT_BODY_MIN_RATE)]
    body_min_rate: u64,
    /// Requests with a missing or wrong API key one address may send at once; past
    /// them it may send one a second, and every request of it that needs a key is
    /// answered 429 until it has room again. 0: no brake (say, behind a proxy whose
    /// clients all share its address and that brakes them itself).
    #[arg(long, env = "FEATHER_WRONG_KEY_BURST", default_value_t = feather_server::front::refusals::WRONG_KEYS_BURST)]
    wrong_key_burst: u32,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, env = "FEATHER_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, env = "FEATHER_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// An origin (`https://app.example.com`) whose browser applications may call the
    /// API (CORS); repeatable, or comma-separated in the variable; `*` for any. Off
    /// by default.
    #[arg(long, env = "FEATHER_CORS_ALLOW_ORIGIN", value_delimiter = ',')]
    cors_allow_origin: Vec<String>,
    /// Do not load the example sessions into an empty database.
    #[arg(long, env = "FEATHER_NO_DEMO")]
    no_demo: bool,
    /// SQLite only: `normal` (a capture survives the process being killed) or
    /// `full` (it survives a power loss too, with an fsync per write). See
    /// docs/operations.md, "Durability".
    #[arg(long, env = "FEATHER_SQLITE_SYNCHRONOUS", default_value = "normal")]
    sqlite_synchronous: SqliteSynchronous,
    /// Log level: trace, debug, info, warn, error, critical.
    #[arg(long, env = "FEATHER_LOG_LEVEL", default_value = "info")]
    log_level: String,
}

#[derive(Args)]
struct ImportArgs {
    #[command(flatten)]
    database: Database,
    /// Sessions stored per transaction.
    #[arg(long, default_value_t = 500)]
    batch_size: usize,
    /// The organization (a UUID) of chat logs that name none; without it such logs
    /// are rejected.
    #[arg(long, value_name = "UUID")]
    org: Option<Uuid>,
    /// Print the id and place of every stored session (tab-separated, one a line)
    /// before the summary, so a session whose id was derived can be drafted.
    #[arg(long)]
    ids: bool,
    /// Files or folders to import.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Args)]
struct DraftArgs {
    /// What replaces personal data: `placeholders` (the default), `surrogates` or
    /// `off`.
    #[arg(long, default_value = "placeholders", value_name = "MODE")]
    pii: Pii,
    /// Leave PII in the draft: the same as `--pii off`.
    #[arg(long)]
    no_redact_pii: bool,
    /// Indent the JSON for people; by default it is the server's bytes (compact, in
    /// the contract's field order).
    #[arg(long)]
    pretty: bool,
    /// A session file (or folder) in either format, read as `import` reads it: one
    /// session, a JSON array of sessions, a bare array of chat messages (one chat
    /// log), or JSONL; several sessions print an array of drafts.
    file: PathBuf,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make a key for an organization and print it (only this once).
    Create {
        #[command(flatten)]
        database: Database,
        /// The organization the key acts for: its id, a UUID (the `organization_id`
        /// of its sessions).
        #[arg(long, value_name = "ORG_UUID", value_parser = organization_id)]
        org: Uuid,
        /// A name to recognise the key by.
        #[arg(long)]
        name: Option<String>,
    },
    /// List keys (never their secret).
    List {
        #[command(flatten)]
        database: Database,
        /// Only this organization's keys (its id, a UUID).
        #[arg(long, value_name = "ORG_UUID", value_parser = organization_id)]
        org: Option<Uuid>,
    },
    /// Revoke a key by its id; every server refuses it from then on (one reading
    /// the same SQLite file, within 10 ms).
    Revoke {
        #[command(flatten)]
        database: Database,
        /// The key's id: a UUID, the first column of `feather keys list` (not the
        /// `fk_...` secret).
        #[arg(value_parser = key_id)]
        key_id: Uuid,
    },
}

fn main() -> ExitCode {
    configure_allocator();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve(args).await,
            Command::Import(args) => import(args).await,
            Command::Draft(args) => draft(args),
            Command::Keys(command) => keys(command).await,
            Command::Triage(args) => triage(args).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    // The certificate and key are read before anything is stored or printed, so a
    // mistake in them is the only thing said.
    let tls = args
        .tls_cert
        .clone()
        .zip(args.tls_key.clone())
        .map(|(cert, key)| TlsFiles { cert, key });
    if let Some(files) = &tls {
        check_tls_files(files)?;
    }
    let options = StoreOptions {
        sqlite_synchronous: args.sqlite_synchronous,
        ..StoreOptions::default()
    };
    let store = connect(&args.database, options).await?;
    let mut demo_ids = Vec::new();
    if !args.no_demo && store.count_sessions().await? == 0 {
        demo_ids = demo::load(&store).await?;
        eprintln!(
            "The database was empty, so it now holds the {} example sessions (start with --no-demo to skip this).",
            demo_ids.len()
        );
    }
    // Sessions stored before signatures were made are signed in the background,
    // so triage counts them once it is done (`feather triage` does it too).
    let signing = store.clone();
    tokio::spawn(async move {
        match feather_server::triage::fill_signatures(&signing, |_| {}).await {
            Ok(0) => {}
            Ok(signed) => eprintln!("Signed {signed} sessions stored before signatures were made."),
            Err(err) => eprintln!("Signing stored sessions for triage failed: {err}"),
        }
    });
    let mut api_key = args.api_key.filter(|k| !k.is_empty());
    // The key the hint may show: only one this run made. A key the operator gave
    // (flag or environment) is theirs and never printed, nor is any stored key.
    let mut made_key = None;
    if api_key.is_none() && store.list_api_keys(None).await?.is_empty() {
        let key = format!("dev-{}", Uuid::new_v4().simple());
        eprintln!("No API key was configured; this run accepts the development key {key}");
        made_key = Some(key.clone());
        api_key = Some(key);
    } else if api_key.is_none() {
        eprintln!(
            "The store holds API keys, so this run made no development key: use an \
             organization's key (`feather keys list`; a lost one is replaced with `feather \
             keys create`), or start with --api-key KEY (FEATHER_API_KEY) for a development \
             key that sees every organization."
        );
    }
    let cacert = tls.as_ref().map(|files| files.cert.clone());
    let config = ServerConfig {
        bind: args.bind,
        database_url: args.database.database_url,
        api_key,
        pii: if args.no_redact_pii {
            Pii::Keep
        } else {
            args.pii
        },
        front: FrontOptions {
            limits: Limits {
                max_body_bytes: args.max_body_bytes,
                max_body_bytes_in_flight: args.max_body_bytes_in_flight,
                max_connections: args.max_connections,
                header_timeout: std::time::Duration::from_secs(args.header_timeout),
                body_idle_timeout: std::time::Duration::from_secs(args.body_idle_timeout),
                body_min_rate: args.body_min_rate,
                wrong_key_burst: args.wrong_key_burst,
            },
            cors_allow_origins: args.cors_allow_origin,
            tls,
        },
        log_level: args.log_level,
    };
    let session_id = match demo_ids.first() {
        Some(id) => Some(*id),
        None => store.session_ids(OrgScope::Any, 1).await?.first().copied(),
    };
    let server = feather_server::start_with_store(&config, store)?;
    let scheme = if cacert.is_some() { "https" } else { "http" };
    let base = format!("{scheme}://{}", server.local_addr());
    eprintln!("Feather API listening on {base}");
    if let Some(session_id) = session_id {
        let key = made_key.as_deref().unwrap_or("<your API key>");
        // Over HTTPS, curl trusts the server's own certificate through --cacert (a
        // certificate signed by an authority curl knows needs no flag, and the
        // flag does no harm there).
        let trust = match &cacert {
            Some(cert) => format!(" --cacert {}", shell_word(&cert.display().to_string())),
            None => String::new(),
        };
        eprintln!("Draft a scenario from a stored session:");
        eprintln!(
            "  curl -s{trust} -X POST {base}/v1/scenarios/draft-from-session -H 'x-api-key: {key}' -H 'content-type: application/json' -d '{{\"session_id\": \"{session_id}\"}}'"
        );
    }
    tokio::select! {
        result = server.wait() => result.map_err(anyhow::Error::msg)?,
        _ = tokio::signal::ctrl_c() => eprintln!("Shutting down."),
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let store = connect(&args.database, StoreOptions::default()).await?;
    // A bar on a terminal; plain lines, one a batch, for logs and pipes.
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {elapsed_precise} {bar:24} {bytes}/{total_bytes} read, {msg}",
            )
            .expect("the progress template is valid"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    });
    let started = std::time::Instant::now();
    let options = import::ImportOptions {
        batch_size: args.batch_size,
        organization_id: args.org,
        list_ids: args.ids,
    };
    let summary = import::import_paths_with(&store, &args.paths, &options, |progress| match &bar {
        Some(bar) => {
            bar.set_length(progress.bytes_total);
            bar.set_position(progress.bytes_read);
            bar.set_message(progress.summary.to_string());
        }
        // The last call's totals are the summary printed below; said once.
        None if progress.finished => {}
        None => eprintln!(
            "{} ({} of {} bytes read)",
            progress.summary, progress.bytes_read, progress.bytes_total
        ),
    })
    .await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = summary?;
    for (id, place) in &summary.ids {
        println!("{id}\t{place}");
    }
    for (place, reason) in &summary.rejected {
        eprintln!("rejected {place}: {reason}");
    }
    let seconds = started.elapsed().as_secs_f64();
    let stored = summary.imported + summary.updated;
    eprintln!(
        "{stored} {} stored in {seconds:.1} s ({:.0} sessions/s)",
        if stored == 1 { "session" } else { "sessions" },
        stored as f64 / seconds.max(1e-9)
    );
    println!("{summary}");
    Ok(if summary.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn draft(args: DraftArgs) -> anyhow::Result<ExitCode> {
    let options = DraftOptions {
        pii: if args.no_redact_pii {
            Pii::Keep
        } else {
            args.pii
        },
    };
    let (files, unreadable) = import::session_files(std::slice::from_ref(&args.file));
    let mut problems: Vec<String> = unreadable
        .into_iter()
        .map(|(place, reason)| format!("{place}: {reason}"))
        .collect();
    let mut drafts = Vec::new();
    let bytes_read = std::sync::atomic::AtomicU64::new(0);
    for file in &files {
        import::read_file(file, &bytes_read, &mut |record| {
            let place = record.place.clone();
            let drafted = import::captured(record.value).and_then(|captured| {
                feather_drafter::draft(&captured, &options).map_err(|e| e.to_string())
            });
            match drafted {
                Ok(draft) => drafts.push(draft),
                Err(reason) => problems.push(format!("{place}: {reason}")),
            }
            true
        });
    }
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("error: {problem}");
        }
        return Ok(ExitCode::FAILURE);
    }
    if drafts.is_empty() {
        anyhow::bail!("{} holds no session to draft", args.file.display());
    }
    // Serialised from the draft itself, not through `serde_json::Value` (whose map
    // sorts keys): the same bytes the server stores and sends.
    let text = match (<[_; 1]>::try_from(drafts), args.pretty) {
        (Ok([one]), false) => serde_json::to_string(&one)?,
        (Ok([one]), true) => serde_json::to_string_pretty(&one)?,
        (Err(many), false) => serde_json::to_string(&many)?,
        (Err(many), true) => serde_json::to_string_pretty(&many)?,
    };
    // A reader that stops early (`| head`) is not an error of ours.
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
        written => written?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn keys(command: KeysCommand) -> anyhow::Result<ExitCode> {
    match command {
        KeysCommand::Create {
            database,
            org,
            name,
        } => {
            let store = connect(&database, StoreOptions::default()).await?;
            let (info, key) = store.create_api_key(org, name.as_deref()).await?;
            eprintln!(
                "Created key {} for organization {}. Store it now: it is not shown again.",
                info.id, info.organization_id
            );
            println!("{key}");
        }
        KeysCommand::List { database, org } => {
            let store = connect_existing(&database).await?;
            let keys = store.list_api_keys(org).await?;
            if keys.is_empty() {
                eprintln!(
                    "No API keys{}. Make one with `feather keys create --org ORG_UUID`.",
                    if org.is_some() {
                        " for that organization"
                    } else {
                        ""
                    }
                );
            }
            for key in keys {
                let state = match &key.revoked_at {
                    Some(at) => format!("revoked {at}"),
                    None => "active".to_owned(),
                };
                println!(
                    "{}\t{}\t{}\tcreated {}\t{state}",
                    key.id,
                    key.organization_id,
                    key.name.as_deref().unwrap_or("-"),
                    key.created_at
                );
            }
        }
        KeysCommand::Revoke { database, key_id } => {
            let store = connect_existing(&database).await?;
            if store.revoke_api_key(key_id).await? {
                eprintln!("Revoked key {key_id}.");
            } else {
                eprintln!("No active key {key_id}.");
                return Ok(ExitCode::from(2));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--since`: an RFC 3339 date-time, a date, or a span back from now, as
/// milliseconds since the Unix epoch.
fn since_time(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let spans = [
        ('m', 60_000),
        ('h', 3_600_000),
        ('d', 86_400_000),
        ('w', 604_800_000),
    ];
    for (unit, millis) in spans {
        if let Some(count) = text.strip_suffix(unit)
            && !count.is_empty()
            && count.bytes().all(|b| b.is_ascii_digit())
        {
            let count: i64 = count
                .parse()
                .map_err(|_| "the span is too large".to_owned())?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64);
            return Ok(now - count.saturating_mul(millis));
        }
    }
    let is_date = text.len() == 10 && text.as_bytes()[4] == b'-';
    let datetime = if is_date {
        format!("{text}T00:00:00Z")
    } else {
        text.to_owned()
    };
    if !is_date && !text.contains('T') && !text.contains(' ') {
        return Err(format!(
            "{text:?} is not a time: give an RFC 3339 date-time (2025-01-31T12:00:00Z), a date \
             (2025-01-31) or a span back from now (90m, 24h, 7d, 2w)"
        ));
    }
    feather_validation::datetime::millis(&datetime).ok_or_else(|| {
        format!(
            "{text:?} is not a time: give an RFC 3339 date-time (2025-01-31T12:00:00Z), a date \
             (2025-01-31) or a span back from now (90m, 24h, 7d, 2w)"
        )
    })
}

/// `feather triage`: the groups of a database's sessions, or of session files
/// read into an in-memory database. Exit codes: 0 with groups, 1 on an error, 2
/// when some records were rejected (the groups of the others are printed) and 3
/// when there is no session to triage.
async fn triage(args: TriageArgs) -> anyhow::Result<ExitCode> {
    let since = args.since.map(feather_server::triage::store_time);
    let mut rejected = 0;
    let store = if args.paths.is_empty() {
        let store = connect_existing(&Database {
            database_url: args.database_url.clone(),
        })
        .await?;
        let filled = feather_server::triage::fill_signatures(&store, |done| {
            if std::io::stderr().is_terminal() {
                eprint!("\rsigning sessions stored before signatures: {done}");
            }
        })
        .await?;
        if filled > 0 {
            eprintln!("\rsigned {filled} sessions stored before signatures were made");
        }
        store
    } else {
        // Files go into an in-memory database, through the import's reader, so
        // they are grouped by the same statements as a database's sessions.
        let store = Store::connect("sqlite::memory:").await?;
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {bar:24} {bytes}/{total_bytes} read, {msg}",
                )
                .expect("the progress template is valid"),
            );
            bar
        });
        let options = import::ImportOptions {
            batch_size: 500,
            organization_id: Some(Uuid::nil()),
            list_ids: false,
        };
        let summary = import::import_paths_with(&store, &args.paths, &options, |progress| {
            if let Some(bar) = &bar {
                bar.set_length(progress.bytes_total);
                bar.set_position(progress.bytes_read);
                bar.set_message(progress.summary.to_string());
            }
        })
        .await;
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        let summary = summary?;
        for (place, reason) in &summary.rejected {
            eprintln!("rejected {place}: {reason}");
        }
        rejected = summary.rejected.len();
        store
    };
    let found =
        feather_server::triage::triage(&store, OrgScope::Any, since.as_deref(), 0..args.top)
            .await?;
    if found.groups.is_empty() {
        eprintln!(
            "No session to triage{}: import sessions with `feather import` or capture them \
             through the API first.",
            if since.is_some() {
                " since that time"
            } else {
                ""
            }
        );
        return Ok(ExitCode::from(3));
    }
    let coverage = &found.coverage;
    let top: Vec<_> = found.groups.into_iter().take(args.top).collect();
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        let list = feather_api::CandidateList {
            items: top,
            next_cursor: None,
            coverage: coverage.clone(),
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&list)?)
    } else {
        print_table(&mut out, &top, coverage)
    };
    match written {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
        written => written?,
    }
    if rejected > 0 {
        eprintln!("{rejected} records were rejected; the groups are those of the others.");
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// The ranked table of `feather triage`.
fn print_table(
    out: &mut impl Write,
    groups: &[feather_api::CandidateGroup],
    coverage: &feather_api::Coverage,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>4} {:>7} {:>6} {:>7}  {:<40} {:<32} representative session",
        "rank", "score", "size", "covered", "signals", "draft name"
    )?;
    for (rank, group) in groups.iter().enumerate() {
        let s = &group.signals;
        let mut signals: Vec<String> = [
            ("failed", s.failed),
            ("escalated", s.escalated),
            ("handoffs", s.handoffs),
            ("tool errors", s.tool_errors),
            ("low csat", s.low_csat),
            ("abandoned", s.abandoned),
            ("reopened", s.reopened),
            ("low feedback", s.low_feedback),
            ("long", s.long),
        ]
        .iter()
        .filter(|(_, count)| *count > 0)
        .map(|(name, count)| format!("{name} {count}"))
        .collect();
        if s.novel_goals || s.novel_tools {
            signals.push("novel".to_owned());
        }
        let mut name = group.name.clone().unwrap_or_else(|| "-".to_owned());
        if name.chars().count() > 32 {
            name = name.chars().take(31).collect::<String>() + "…";
        }
        writeln!(
            out,
            "{:>4} {:>7.2} {:>6} {:>7}  {:<40} {:<32} {}",
            rank + 1,
            group.score,
            group.size,
            if group.covered { "yes" } else { "no" },
            signals.join(", "),
            name,
            group.representative_session_id
        )?;
    }
    writeln!(
        out,
        "coverage: {} of {} sessions ({:.1}%) and {} of {} groups ({:.1}%) are covered by saved scenarios",
        coverage.sessions_covered,
        coverage.sessions,
        100.0 * coverage.session_share,
        coverage.groups_covered,
        coverage.groups,
        100.0 * coverage.group_share
    )
}

/// Connects to the store of `database`, creating it if needed, and says so when
/// the folder of a new SQLite file had to be made: a folder that does not exist is
/// more often a typo than a wish.
async fn connect(database: &Database, options: StoreOptions) -> anyhow::Result<Store> {
    let missing = missing_sqlite_folder(&database.database_url);
    let store = Store::connect_with(&database.database_url, options).await?;
    if let Some(folder) = missing {
        eprintln!(
            "The folder {} did not exist; it was made for the new database {}.",
            folder.display(),
            database.database_url.trim()
        );
    }
    Ok(store)
}

/// The folder of the SQLite file `database_url` names, when it does not exist yet
/// (the store makes it); `None` for PostgreSQL, in-memory databases and folders
/// that exist. The URL is read as the store reads it: a path, or `sqlite:` with an
/// optional `//` and query.
fn missing_sqlite_folder(database_url: &str) -> Option<PathBuf> {
    let url = database_url.trim();
    let lowercase = url.to_ascii_lowercase();
    if lowercase.starts_with("postgres://") || lowercase.starts_with("postgresql://") {
        return None;
    }
    let path = match url.strip_prefix("sqlite:") {
        Some(rest) => {
            let rest = rest.trim_start_matches("//");
            let (path, params) = rest.split_once('?').unwrap_or((rest, ""));
            if path.is_empty() || path == ":memory:" || params.contains("mode=memory") {
                return None;
            }
            path
        }
        None => url,
    };
    let folder = std::path::Path::new(path).parent()?;
    (!folder.as_os_str().is_empty() && !folder.exists()).then(|| folder.to_owned())
}

/// Reads `files` as the front will, before anything else happens, and says which
/// flag is wrong: swapped files (a common slip) are named as such.
fn check_tls_files(files: &TlsFiles) -> anyhow::Result<()> {
    let read = |path: &PathBuf, flag: &str| {
        std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("cannot read {flag} {}: {e}", path.display()))
    };
    let cert = read(&files.cert, "--tls-cert")?;
    let key = read(&files.key, "--tls-key")?;
    let holds = |pem: &[u8], label: &str| {
        String::from_utf8_lossy(pem).contains(&format!("-----BEGIN {label}"))
    };
    let is_key = |pem: &[u8]| {
        ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"]
            .iter()
            .any(|label| holds(pem, label))
    };
    if is_key(&cert) && holds(&key, "CERTIFICATE") {
        anyhow::bail!(
            "--tls-cert and --tls-key are swapped: {} holds a private key and {} a \
             certificate (FEATHER_TLS_CERT and FEATHER_TLS_KEY likewise)",
            files.cert.display(),
            files.key.display()
        );
    }
    let pem = dropshot::ConfigTls::AsFile {
        cert_file: files.cert.clone(),
        key_file: files.key.clone(),
    };
    rustls::ServerConfig::try_from(&pem).map(drop).map_err(|e| {
        anyhow::anyhow!(
            "cannot serve HTTPS with --tls-cert {} and --tls-key {}: {e} (PEM files: \
             the certificate chain, the server's first, and its private key)",
            files.cert.display(),
            files.key.display()
        )
    })
}

/// `word` quoted for a POSIX shell when it holds anything but plain path characters.
fn shell_word(word: &str) -> String {
    let plain = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,".contains(c));
    if plain && !word.is_empty() {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The store of `database`, which must exist already: `keys list` and `keys revoke`
/// only read or change keys, so a path that names no file is a typo, not a new
/// database to create.
async fn connect_existing(database: &Database) -> anyhow::Result<Store> {
    let options = StoreOptions {
        existing_only: true,
        ..StoreOptions::default()
    };
    Store::connect_with(&database.database_url, options)
        .await
        .map_err(|err| {
            anyhow::anyhow!(
                "{err} (check --database-url or FEATHER_DATABASE_URL; `feather serve`, \
                 `import` and `keys create` create one)"
            )
        })
}

/// An organization id argument: a UUID, with a message that says so.
fn organization_id(text: &str) -> Result<Uuid, String> {
    text.parse().map_err(|_| {
        "expected an organization id, a UUID such as \
         5089f4bc-8601-5899-8283-2b9a5d462041 (the organization_id of its sessions)"
            .to_owned()
    })
}

/// A key id argument: a UUID from the first column of `feather keys list`.
fn key_id(text: &str) -> Result<Uuid, String> {
    if text.starts_with("fk_") {
        return Err(
            "that is a key's secret; revoke takes the key's id, a UUID from the \
             first column of `feather keys list`"
                .to_owned(),
        );
    }
    text.parse().map_err(|_| {
        "expected a key id, a UUID from the first column of `feather keys list`".to_owned()
    })
}
