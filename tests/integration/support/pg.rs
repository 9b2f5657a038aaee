//! One fresh PostgreSQL database per test, created from `TEST_DATABASE_URL`.
use sea_orm::{ConnectionTrait, Database};

use super::{Backend, DbGuard};

/// The PostgreSQL backend, if configured. Under CI its absence is a failure, not a skip.
pub fn backend() -> Option<Backend> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
        _ if std::env::var_os("CI").is_some() => {
            panic!("TEST_DATABASE_URL must be set in CI: the PostgreSQL tests cannot be skipped")
        }
        _ => None,
    }
}

pub async fn fresh_database(admin_url: &str) -> (String, DbGuard) {
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(admin_url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let _ = admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    (
        format!("{base}/{name}"),
        DbGuard::Postgres {
            admin_url: admin_url.to_owned(),
            name,
        },
    )
}

/// Drops the database from a plain thread, since `Drop` cannot await.
pub fn drop_database(admin_url: String, name: String) {
    let handle = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            if let Ok(admin) = Database::connect(&admin_url).await {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
                let _ = admin.close().await;
            }
        });
    });
    let _ = handle.join();
}
