//! Migrations that carry data over, run step by step on a bare database: the audit actor's
//! label becomes a kind and an id, and back.
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, QueryOrder, Statement};

use crate::backends;
use crate::support::{Backend, DbGuard, TempDir, pg};
use entity::{audit_log, enums::ActorKind};

const AUDIT_ACTOR: &str = "m20261202_000006_audit_actor";

/// A bare database (no migration applied) and what keeps it alive.
async fn bare(b: &Backend, dir: &TempDir) -> (DatabaseConnection, DbGuard) {
    let (url, guard) = match b {
        Backend::Sqlite => (
            format!("sqlite://{}?mode=rwc", dir.path.join("m.db").display()),
            DbGuard::None,
        ),
        Backend::Postgres(admin) => pg::fresh_database(admin).await,
    };
    (Database::connect(&url).await.unwrap(), guard)
}

/// Applies every migration before the audit actor one.
async fn up_to_audit_actor(db: &DatabaseConnection) {
    let before = Migrator::migrations()
        .iter()
        .position(|m| m.name() == AUDIT_ACTOR)
        .unwrap();
    Migrator::up(db, Some(u32::try_from(before).unwrap()))
        .await
        .unwrap();
}

async fn insert_labelled(db: &DatabaseConnection, actor: &str) {
    let sql = format!(
        "INSERT INTO audit_log (actor, action, comment_id, detail, created_at) \
         VALUES ('{actor}', 'approve', 7, '{{}}', '2026-11-30T12:00:00Z')"
    );
    db.execute_unprepared(&sql).await.unwrap();
}

async fn labels(db: &DatabaseConnection) -> Vec<String> {
    let stmt = Statement::from_string(
        db.get_database_backend(),
        "SELECT actor FROM audit_log ORDER BY id",
    );
    db.query_all_raw(stmt)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "actor").unwrap())
        .collect()
}

const LABELS: [&str; 6] = [
    "moderator:3",
    "token:12",
    "author",
    "one-click",
    "system",
    "moderator:9000000000",
];

backends! {
    async fn the_audit_actor_label_becomes_a_kind_and_an_id_and_back(b) {
        let dir = TempDir::new();
        let (db, _guard) = bare(&b, &dir).await;
        up_to_audit_actor(&db).await;
        for label in LABELS {
            insert_labelled(&db, label).await;
        }
        Migrator::up(&db, Some(1)).await.unwrap();
        let rows = audit_log::Entity::find().order_by_asc(audit_log::Column::Id).all(&db).await.unwrap();
        let columns: Vec<(ActorKind, Option<i64>)> = rows.iter().map(|r| (r.actor_kind, r.actor_id)).collect();
        assert_eq!(columns, [
            (ActorKind::Moderator, Some(3)),
            (ActorKind::Token, Some(12)),
            (ActorKind::Author, None),
            (ActorKind::OneClick, None),
            (ActorKind::System, None),
            (ActorKind::Moderator, Some(9_000_000_000)),
        ]);
        let shown: Vec<String> = rows.iter().map(|r| replyd::moderation::audit::label(r.actor_kind, r.actor_id)).collect();
        assert_eq!(shown, LABELS, "the API spells every actor as before");
        assert!(rows.iter().all(|r| r.action == "approve" && r.comment_id == Some(7)));

        Migrator::down(&db, Some(1)).await.unwrap();
        assert_eq!(labels(&db).await, LABELS, "down restores the labels");
        db.close().await.unwrap();
    }

    async fn an_audit_label_of_no_known_form_stops_the_migration_untouched(b) {
        let dir = TempDir::new();
        let (db, _guard) = bare(&b, &dir).await;
        up_to_audit_actor(&db).await;
        insert_labelled(&db, "moderator:3").await;
        insert_labelled(&db, "moderator:x").await;
        let err = Migrator::up(&db, Some(1)).await.unwrap_err();
        assert!(err.to_string().contains("moderator:x"), "{err}");
        assert_eq!(labels(&db).await, ["moderator:3", "moderator:x"], "nothing changed");
        db.close().await.unwrap();
    }
}
