//! The store's error type, and how database driver errors map onto it.
//!
//! The server answers 503 for [`StoreError::Unavailable`] and 500 for the rest, so
//! the line drawn here is "would retrying later plausibly work?": a refused
//! connection, a timed-out pool, a locked SQLite file or a PostgreSQL server that
//! is shutting down are unavailable; a constraint violation or a bad query is not.
//!
//! A PostgreSQL database without the store's tables (`undefined_table`, 42P01) is
//! [`StoreError::Unmigrated`], a kind of unavailable: the database was dropped and
//! made again empty under a running server, which used to answer 500 to every
//! request until a restart. The store migrates it again when it meets this error
//! (`Store`'s `migrated_again`), so the request answers 503 and the next ones
//! find the tables.

use sqlx::error::DatabaseError;

/// Why a store operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or used right now: connection refused or
    /// lost, pool timed out, file unreadable or locked. Worth retrying later.
    #[error("the session store is unavailable: {0}")]
    Unavailable(String),
    /// The database has lost the store's tables (dropped and made again empty);
    /// the store makes them again. Unavailable too: worth retrying.
    #[error("the session store is unavailable: the database has lost its tables: {0}")]
    Unmigrated(String),
    /// Stored data cannot be decoded.
    #[error("the session store holds data it cannot decode: {0}")]
    Corrupt(String),
    /// Any other failure, such as a bad URL or a row the database refused.
    #[error("session store error: {0}")]
    Other(String),
}

impl StoreError {
    /// Whether the failure is the database being unreachable (the server answers 503).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::Unmigrated(_))
    }

    /// Whether the failure is the database lacking the store's tables.
    pub fn is_unmigrated(&self) -> bool {
        matches!(self, StoreError::Unmigrated(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        classify(err)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        let message = err.to_string();
        match err {
            rusqlite::Error::SqliteFailure(failure, _) => {
                match sqlite_kind(failure.extended_code) {
                    Kind::Unavailable | Kind::Unmigrated => StoreError::Unavailable(message),
                    Kind::Corrupt => StoreError::Corrupt(message),
                    Kind::Other => StoreError::Other(message),
                }
            }
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::Utf8Error(..) => StoreError::Corrupt(message),
            _ => StoreError::Other(message),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        use sqlx::migrate::MigrateError;
        match err {
            // A migration's statement failed: the cause decides, so a database that
            // went away during migration still reads as unavailable.
            MigrateError::Execute(inner) | MigrateError::ExecuteMigration(inner, _) => {
                match classify(inner) {
                    StoreError::Unavailable(m) => {
                        StoreError::Unavailable(format!("migrating: {m}"))
                    }
                    StoreError::Corrupt(m) => StoreError::Corrupt(format!("migrating: {m}")),
                    StoreError::Other(m) | StoreError::Unmigrated(m) => {
                        StoreError::Other(format!("migrating: {m}"))
                    }
                }
            }
            // The database was migrated by another version of this program, or the
            // migration files changed: a person has to look.
            other => StoreError::Other(format!("migrating: {other}")),
        }
    }
}

/// Sorts a driver error into unavailable, corrupt or other.
fn classify(err: sqlx::Error) -> StoreError {
    let message = err.to_string();
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(message),
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => StoreError::Corrupt(message),
        sqlx::Error::Database(db) => match database_error_kind(db.as_ref()) {
            Kind::Unavailable => StoreError::Unavailable(message),
            Kind::Unmigrated => StoreError::Unmigrated(message),
            Kind::Corrupt => StoreError::Corrupt(message),
            Kind::Other => StoreError::Other(message),
        },
        sqlx::Error::Migrate(migrate) => StoreError::from(*migrate),
        _ => StoreError::Other(message),
    }
}

/// The outcomes of [`classify`], for errors the database itself reported.
enum Kind {
    Unavailable,
    /// PostgreSQL only: one of the store's tables does not exist.
    Unmigrated,
    Corrupt,
    Other,
}

fn database_error_kind(db: &dyn DatabaseError) -> Kind {
    if let Some(sqlite) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
        let code = sqlite
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .unwrap_or(0);
        return sqlite_kind(code);
    }
    if let Some(postgres) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        return postgres_kind(postgres.code());
    }
    Kind::Other
}

/// SQLite result codes (<https://www.sqlite.org/rescode.html>); the driver reports the
/// extended code, whose low byte is the primary one.
fn sqlite_kind(extended_code: i32) -> Kind {
    const PERM: i32 = 3;
    const BUSY: i32 = 5;
    const LOCKED: i32 = 6;
    const NOMEM: i32 = 7;
    const READONLY: i32 = 8;
    const IOERR: i32 = 10;
    const CORRUPT: i32 = 11;
    const FULL: i32 = 13;
    const CANTOPEN: i32 = 14;
    const NOTADB: i32 = 26;
    match extended_code & 0xff {
        // Another writer holds the lock past busy_timeout, or the file cannot be
        // opened, read or written (permissions, full disk, I/O): all may pass.
        PERM | BUSY | LOCKED | NOMEM | READONLY | IOERR | FULL | CANTOPEN => Kind::Unavailable,
        // The file is damaged or is not a database: retrying will not help.
        CORRUPT | NOTADB => Kind::Corrupt,
        _ => Kind::Other,
    }
}

/// PostgreSQL SQLSTATE codes (<https://www.postgresql.org/docs/current/errcodes-appendix.html>).
fn postgres_kind(sqlstate: &str) -> Kind {
    match sqlstate {
        // Data corrupted, index corrupted.
        "XX001" | "XX002" => Kind::Corrupt,
        // Admin or crash shutdown, server starting up, query cancelled (statement
        // timeout), a read-only standby after failover, serialization failure and
        // deadlock: all transient.
        "57P01" | "57P02" | "57P03" | "57014" | "25006" | "40001" | "40P01" => Kind::Unavailable,
        // The database does not exist (yet) or the role may not connect: the
        // database cannot be reached, which is what a 503 says.
        "3D000" => Kind::Unavailable,
        // A table of the store does not exist: the database was dropped and made
        // again, empty, under the server (the store migrates it again).
        "42P01" => Kind::Unmigrated,
        code if code.starts_with("08") // connection exception
            || code.starts_with("53") // insufficient resources, too many connections
            || code.starts_with("28") // invalid authorization
            => Kind::Unavailable,
        _ => Kind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_busy_and_cantopen_are_unavailable_and_notadb_is_corrupt() {
        // SQLITE_BUSY_SNAPSHOT (517) is an extended code of SQLITE_BUSY.
        assert!(matches!(sqlite_kind(517), Kind::Unavailable));
        assert!(matches!(sqlite_kind(14), Kind::Unavailable));
        assert!(matches!(sqlite_kind(26), Kind::Corrupt));
        // SQLITE_CONSTRAINT_CHECK (275) is the caller's data, not the database.
        assert!(matches!(sqlite_kind(275), Kind::Other));
    }

    #[test]
    fn postgres_connection_classes_are_unavailable_and_constraints_are_not() {
        assert!(matches!(postgres_kind("08006"), Kind::Unavailable));
        assert!(matches!(postgres_kind("53300"), Kind::Unavailable));
        assert!(matches!(postgres_kind("57P01"), Kind::Unavailable));
        assert!(matches!(postgres_kind("XX001"), Kind::Corrupt));
        assert!(matches!(postgres_kind("23514"), Kind::Other));
        assert!(matches!(postgres_kind("42P01"), Kind::Unmigrated));
        assert!(matches!(postgres_kind("42703"), Kind::Other));
    }

    #[test]
    fn pool_timeouts_and_io_errors_are_unavailable() {
        assert!(StoreError::from(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(StoreError::from(sqlx::Error::PoolClosed).is_unavailable());
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(StoreError::from(sqlx::Error::Io(refused)).is_unavailable());
        assert!(!StoreError::from(sqlx::Error::RowNotFound).is_unavailable());
    }
}
