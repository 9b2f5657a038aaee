//! `replyd moderator deactivate|activate` and `replyd token create|list|revoke`: the team
//! service with the command line as the actor, so each change gets its usual audit row.
use chrono::{Duration, SecondsFormat, Utc};

use super::{ModeratorCommand, TokenCommand};
use crate::team::{Acting, Team};

/// The moderator subcommands other than `add` (which reads a password).
pub async fn moderator(team: &Team, action: ModeratorCommand) -> anyhow::Result<()> {
    let (email, active) = match action {
        ModeratorCommand::Deactivate { email } => (email, false),
        ModeratorCommand::Activate { email } => (email, true),
        ModeratorCommand::Add { .. } => anyhow::bail!("moderator add is handled by the caller"),
    };
    let m = team
        .set_active_by_email(&Acting::Cli, &email, active)
        .await?;
    let what = if active { "reactivated" } else { "deactivated" };
    println!("moderator {} {what} (id {})", m.email, m.id);
    Ok(())
}

pub async fn token(team: &Team, action: TokenCommand) -> anyhow::Result<()> {
    match action {
        TokenCommand::Create {
            name,
            moderator,
            expires_days,
        } => {
            let until = expires_days.map(|d| Utc::now() + Duration::days(i64::from(d)));
            let token = team
                .create_token_until(&Acting::Cli, &name, moderator.as_deref(), until)
                .await?;
            println!("API token {name:?} created. It is shown only once:");
            println!("{token}");
        }
        TokenCommand::List => {
            let t = |d: Option<chrono::DateTime<Utc>>| {
                d.map_or("-".to_owned(), |d| {
                    d.to_rfc3339_opts(SecondsFormat::Secs, true)
                })
            };
            println!("id\tname\tmoderator\tcreated\texpires\tlast_used");
            for row in team.list_tokens(&Acting::Cli).await? {
                let account = row.moderator_id.map_or("-".to_owned(), |id| id.to_string());
                println!(
                    "{}\t{}\t{account}\t{}\t{}\t{}",
                    row.id,
                    row.name,
                    t(Some(row.created_at)),
                    t(row.expires_at),
                    t(row.last_used_at)
                );
            }
        }
        TokenCommand::Revoke { id } => {
            team.revoke_token(&Acting::Cli, id).await?;
            println!("API token {id} revoked");
        }
    }
    Ok(())
}
