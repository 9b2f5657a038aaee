//! Finding 9: API tokens have their account's rights (the mail queue is for admins), stop
//! at once when the account is deactivated, can expire, record when they were last used,
//! and are listed and revoked from the command line, as moderators are deactivated.
use std::time::Duration;

use reqwest::Method;

use crate::backends;
use crate::cli::{replyd, sqlite_config};
use crate::support::{Backend, TempDir, TestApp};
use entity::enums::Role;
use replyd::team::Acting;

async fn token_for(app: &TestApp, email: Option<&str>) -> String {
    app.state
        .team
        .create_token(&Acting::Cli, "t", email)
        .await
        .unwrap()
}

backends! {
    async fn a_moderators_token_has_a_moderators_rights_and_stops_with_the_account(b) {
        let app = TestApp::spawn(b).await;
        app.add_moderator("mo@example.org", "Mo", Role::Moderator).await;
        app.add_moderator("boss@example.org", "Boss", Role::Admin).await;
        let (mo, boss, operator) = (token_for(&app, Some("mo@example.org")).await, token_for(&app, Some("boss@example.org")).await, app.token().await);
        assert_eq!(app.admin(&mo, Method::GET, "/api/v1/admin/comments").await.0, 200);
        let (status, body) = app.admin(&mo, Method::GET, "/api/v1/admin/outbox").await;
        assert_eq!(status, 403, "the mail queue and its recipients are for admins: {body}");
        assert_eq!(app.admin(&mo, Method::POST, "/api/v1/admin/outbox/1/retry").await.0, 403);
        assert_eq!(app.admin(&boss, Method::GET, "/api/v1/admin/outbox").await.0, 200);
        assert_eq!(app.admin(&operator, Method::GET, "/api/v1/admin/outbox").await.0, 200);

        app.state.team.set_active_by_email(&Acting::Cli, "mo@example.org", false).await.unwrap();
        assert_eq!(app.admin(&mo, Method::GET, "/api/v1/admin/comments").await.0, 401, "at once");
        app.state.team.set_active_by_email(&Acting::Cli, "mo@example.org", true).await.unwrap();
        assert_eq!(app.admin(&mo, Method::GET, "/api/v1/admin/comments").await.0, 200);
    }

    async fn tokens_expire_record_their_last_use_and_can_be_revoked(b) {
        let app = TestApp::spawn(b).await;
        let until = app.clock.now() + chrono::Duration::hours(1);
        let token = app.state.team.create_token_until(&Acting::Cli, "ci", None, Some(until)).await.unwrap();
        let listed = app.state.team.list_tokens(&Acting::Cli).await.unwrap();
        assert!(listed[0].last_used_at.is_none());
        assert_eq!(app.admin(&token, Method::GET, "/api/v1/admin/comments").await.0, 200);
        let listed = app.state.team.list_tokens(&Acting::Cli).await.unwrap();
        assert!(listed[0].last_used_at.is_some(), "the use was recorded");
        app.clock.advance(Duration::from_secs(2 * 3600));
        assert_eq!(app.admin(&token, Method::GET, "/api/v1/admin/comments").await.0, 401, "expired");

        let other = app.token().await;
        let id = app.state.team.list_tokens(&Acting::Cli).await.unwrap().last().unwrap().id;
        app.state.team.revoke_token(&Acting::Cli, id).await.unwrap();
        assert_eq!(app.admin(&other, Method::GET, "/api/v1/admin/comments").await.0, 401, "revoked");
    }
}

#[tokio::test]
async fn the_command_line_lists_and_revokes_tokens_and_deactivates_moderators() {
    let dir = TempDir::new();
    let (db, config) = sqlite_config(&dir);
    assert!(replyd(&config, &["migrate"], "").0);
    let add = [
        "moderator",
        "add",
        "--email",
        "mo@example.org",
        "--name",
        "Mo",
        "--password-stdin",
    ];
    assert!(replyd(&config, &add, "a long enough password\n").0);
    let (ok, out, err) = replyd(
        &config,
        &[
            "token",
            "create",
            "--name",
            "ci",
            "--moderator",
            "mo@example.org",
            "--expires-days",
            "30",
        ],
        "",
    );
    assert!(ok, "{out}{err}");
    let token = out.lines().last().unwrap().trim().to_owned();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.database.url = format!("sqlite://{}?mode=rwc", db.display())
    })
    .await;
    assert_eq!(
        app.admin(&token, Method::GET, "/api/v1/admin/comments")
            .await
            .0,
        200
    );

    let (ok, out, _) = replyd(&config, &["token", "list"], "");
    assert!(ok);
    let row = out
        .lines()
        .find(|l| l.contains("\tci\t"))
        .unwrap_or_else(|| panic!("{out}"));
    let cols: Vec<&str> = row.split('\t').collect();
    assert_ne!(cols[4], "-", "the expiry is listed: {row}");
    assert_ne!(cols[5], "-", "and the last use: {row}");
    assert!(
        !out.contains("rpd_"),
        "the token itself is never shown again"
    );

    let (ok, out, err) = replyd(
        &config,
        &["moderator", "deactivate", "--email", "mo@example.org"],
        "",
    );
    assert!(ok, "{out}{err}");
    assert_eq!(
        app.admin(&token, Method::GET, "/api/v1/admin/comments")
            .await
            .0,
        401
    );
    assert!(
        replyd(
            &config,
            &["moderator", "activate", "--email", "mo@example.org"],
            ""
        )
        .0
    );
    assert_eq!(
        app.admin(&token, Method::GET, "/api/v1/admin/comments")
            .await
            .0,
        200
    );

    let (ok, _, _) = replyd(&config, &["token", "revoke", "--id", cols[0]], "");
    assert!(ok);
    assert_eq!(
        app.admin(&token, Method::GET, "/api/v1/admin/comments")
            .await
            .0,
        401
    );
    let (ok, _, err) = replyd(&config, &["token", "revoke", "--id", "9999"], "");
    assert!(!ok && !err.is_empty(), "an unknown id is an error");
}
