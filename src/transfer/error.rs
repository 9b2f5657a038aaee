//! What can stop an import or an export, with where in the file it happened.
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::moderation::ModerationError;

/// Where in a source something is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// A byte offset into a file (XML readers); shown as line and column.
    Byte(u64),
    Line {
        line: u64,
        column: u64,
    },
    /// A row of a database (Isso), named by its table and id.
    Record(String),
}

/// A reader's failure, before it is tied to its file.
#[derive(Debug)]
pub enum ReadError {
    Malformed {
        at: Position,
        message: String,
    },
    Io(std::io::Error),
    /// The importer stopped reading (the writer failed or was interrupted).
    Stopped,
}

impl ReadError {
    pub fn at(byte: u64, message: impl Into<String>) -> ReadError {
        ReadError::Malformed {
            at: Position::Byte(byte),
            message: message.into(),
        }
    }
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> ReadError {
        ReadError::Io(e)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The source is not what its format says; nothing was imported from it.
    #[error("{path}: {message} (at {place}); nothing was imported")]
    Malformed {
        path: PathBuf,
        place: String,
        message: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("unknown site {0:?}: it must be one of the [[sites]] in the configuration")]
    UnknownSite(String),
    #[error("{0}")]
    Moderation(#[from] ModerationError),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
}

impl TransferError {
    /// Ties a reader's failure to its file, turning a byte offset into line and column.
    pub fn from_read(path: &Path, e: ReadError) -> TransferError {
        match e {
            ReadError::Io(source) => TransferError::Io {
                path: path.to_owned(),
                source,
            },
            ReadError::Malformed { at, message } => TransferError::Malformed {
                path: path.to_owned(),
                place: place(path, &at),
                message,
            },
            ReadError::Stopped => TransferError::Io {
                path: path.to_owned(),
                source: std::io::Error::other("reading stopped"),
            },
        }
    }
}

fn place(path: &Path, at: &Position) -> String {
    match at {
        Position::Byte(b) => match line_col(path, *b) {
            Ok((line, column)) => format!("line {line}, column {column}, byte {b}"),
            Err(_) => format!("byte {b}"),
        },
        Position::Line { line, column } => format!("line {line}, column {column}"),
        Position::Record(r) => r.clone(),
    }
}

/// The 1-based line and column (in characters) of byte `at`, read from the file again:
/// errors are rare, so the readers need not count lines as they go.
fn line_col(path: &Path, at: u64) -> std::io::Result<(u64, u64)> {
    let mut r = BufReader::new(std::fs::File::open(path)?);
    let (mut line, mut read) = (1u64, 0u64);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = r.read_until(b'\n', &mut buf)? as u64;
        if n == 0 || read + n > at {
            let upto = usize::try_from(at - read).unwrap_or(0).min(buf.len());
            let column = String::from_utf8_lossy(&buf[..upto]).chars().count() as u64 + 1;
            return Ok((line, column));
        }
        read += n;
        line += 1;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn byte_offsets_become_lines_and_columns() {
        let dir = std::env::temp_dir().join(format!("replyd-lc-{}", std::process::id()));
        std::fs::write(&dir, "ab\nçd\nef").unwrap_or_default();
        assert_eq!(super::line_col(&dir, 0).ok(), Some((1, 1)));
        assert_eq!(super::line_col(&dir, 3).ok(), Some((2, 1)));
        assert_eq!(super::line_col(&dir, 5).ok(), Some((2, 2)));
        assert_eq!(super::line_col(&dir, 7).ok(), Some((3, 1)));
        let _ = std::fs::remove_file(dir);
    }
}
