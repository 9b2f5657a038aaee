//! The command line: `replyd [--config FILE] <serve|migrate|moderator|token|seed|import|export|purge|backup|restore|spam>`.
use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};

use crate::app::App;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::team::{Acting, NewModerator, Team};
use entity::enums::Role;

mod seed;
mod spam;
pub use spam::read_corpus as spam_corpus;
mod team_cmd;
mod transfer;

#[derive(Debug, Parser)]
#[command(
    name = "replyd",
    version,
    about = "Self-hosted comment moderation service"
)]
pub struct Cli {
    /// A TOML file layered over the built-in defaults.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage moderators.
    Moderator {
        #[command(subcommand)]
        action: ModeratorCommand,
    },
    /// Manage moderator API tokens.
    Token {
        #[command(subcommand)]
        action: TokenCommand,
    },
    /// Insert approved comments with varied text, for demos and benchmarks.
    Seed {
        #[arg(long)]
        site: String,
        /// The page path; with --pages > 1, a prefix followed by the page number.
        #[arg(long)]
        uri: String,
        /// Comments per page.
        #[arg(long)]
        comments: u64,
        #[arg(long, default_value_t = 1)]
        pages: u64,
    },
    /// Import a site's comments from WordPress, Disqus, Isso or replyd's own export.
    Import(transfer::ImportArgs),
    /// Export a site's pages and comments as JSON or as a WordPress export (WXR).
    Export(transfer::ExportArgs),
    /// Remove now what `[retention]` no longer keeps (`--dry-run` only shows it).
    Purge(transfer::PurgeArgs),
    /// Write a consistent copy of the live SQLite database (safe while the server runs).
    Backup {
        /// The new file; it must not exist yet.
        #[arg(long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Put a backup in place of the configured SQLite database. Stop the server first.
    Restore {
        /// A file written by `replyd backup`.
        #[arg(long, value_name = "FILE")]
        input: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// The spam filter: `spam eval` measures it on a labelled corpus.
    Spam {
        #[command(subcommand)]
        action: spam::SpamCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModeratorCommand {
    /// Add a moderator; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read the password from standard input (required, so it never shows in `ps`).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Make this moderator an admin.
        #[arg(long)]
        admin: bool,
    },
    /// Deactivate a moderator: their sessions end and their API tokens stop working.
    Deactivate {
        #[arg(long)]
        email: String,
    },
    /// Reactivate a deactivated moderator (they sign in again).
    Activate {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token; it is printed once, as the last line.
    Create {
        #[arg(long)]
        name: String,
        /// Tie the token to this moderator's account (optional); it then has that
        /// account's rights, and stops when the account is deactivated.
        #[arg(long)]
        moderator: Option<String>,
        /// The token stops working after this many days (optional).
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// List the tokens: id, name, account, created, expires, last used.
    List,
    /// Revoke a token by its id: it stops working at once.
    Revoke {
        #[arg(long)]
        id: i64,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config =
        Config::load(cli.config.as_deref(), std::env::vars()).context("loading configuration")?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = Db::connect(&config.database).await?;
            Migrator::up(&db.writer, None).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Moderator {
            action:
                ModeratorCommand::Add {
                    email,
                    name,
                    password_stdin: _,
                    admin,
                },
        } => add_moderator(&config, &email, &name, admin).await,
        Command::Moderator { action } => team_cmd::moderator(&team(&config).await?, action).await,
        Command::Seed {
            site,
            uri,
            comments,
            pages,
        } => seed(config, &site, &uri, comments, pages).await,
        Command::Import(args) => transfer::import(config, args).await,
        Command::Export(args) => transfer::export(config, args).await,
        Command::Purge(args) => transfer::purge(config, args).await,
        Command::Spam { action } => spam::run(&config, action),
        Command::Backup { output } => {
            let size = crate::backup::backup(&config.database, &output).await?;
            println!("backup written to {} ({size} bytes)", output.display());
            Ok(())
        }
        Command::Restore { input, force } => {
            crate::backup::restore(&config.database, &input, force).await?;
            println!("restored {}; start the server to use it", input.display());
            Ok(())
        }
        Command::Token { action } => team_cmd::token(&team(&config).await?, action).await,
    }
}

/// `moderator add`: through the team service, so the account gets the same audit row as
/// one added from the dashboard, with the command line as its actor.
async fn add_moderator(
    config: &Config,
    email: &str,
    name: &str,
    admin: bool,
) -> anyhow::Result<()> {
    let team = team(config).await?;
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    let role = if admin { Role::Admin } else { Role::Moderator };
    let new = NewModerator {
        email,
        name,
        password,
        role,
    };
    let m = team.add(&Acting::Cli, new).await?;
    println!("moderator {} added (id {})", m.email, m.id);
    Ok(())
}

/// The team service over the configured database, as the server would build it.
async fn team(config: &Config) -> anyhow::Result<Team> {
    let db = open(config).await?;
    let keys = crate::keys::Keys::load(&db.writer, config.security.secret.as_ref()).await?;
    Ok(Team::new(db, Clock::system(), keys, &config.admin))
}

/// The moderation service over the configured database, as the server would build it.
async fn moderation(config: Config) -> anyhow::Result<crate::moderation::Moderation> {
    let db = open(&config).await?;
    let keys = crate::keys::Keys::load(&db.writer, config.security.secret.as_ref()).await?;
    Ok(crate::moderation::Moderation::new(
        db,
        keys,
        Clock::system(),
        std::sync::Arc::new(config),
    ))
}

async fn seed(
    config: Config,
    site: &str,
    uri: &str,
    comments: u64,
    pages: u64,
) -> anyhow::Result<()> {
    let moderation = moderation(config).await?;
    let db = moderation.db().clone();
    let started = std::time::Instant::now();
    let mut total = 0;
    for p in 0..pages {
        let path = if pages > 1 {
            format!("{uri}{p}")
        } else {
            uri.to_owned()
        };
        let path = crate::moderation::input::PageUri::parse(&path)
            .map_err(|e| anyhow::anyhow!("uri {e}"))?;
        total += seed::seed_page(&moderation, site, &path, comments).await?;
    }
    println!(
        "seeded {total} comments on {pages} page(s) in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    // A bulk load leaves PostgreSQL's planner statistics behind: refresh them, as after any
    // import (stale ones planned the counts query as a scan). SQLite plans these queries from
    // the indexes alone, and its ANALYZE would do harm: with the STAT4 samples it collects,
    // every statement is compiled again each time its parameters change.
    if db.backend() != sea_orm::DbBackend::Sqlite {
        sea_orm::ConnectionTrait::execute_unprepared(&db.writer, "ANALYZE").await?;
    }
    Ok(())
}

async fn open(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database).await?;
    if config.database.migrate_on_start {
        Migrator::up(&db.writer, None).await?;
    }
    Ok(db)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = App::build(config, Clock::system()).await?;
    tracing::info!(addr = %app.local_addr()?, "replyd listening");
    if let Some(link) = app.setup_link().await? {
        tracing::warn!(
            "no moderator exists yet: create the first admin at {link} (the link expires; \
             or run `replyd moderator add --admin`)"
        );
    }
    let token = app.shutdown_token();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        token.cancel();
    });
    app.run_until_stopped().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
