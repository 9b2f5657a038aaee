//! The documented shape of a new ban. What `value` must be depends on `kind`, so the
//! OpenAPI document gives one object per kind (`oneOf`, tagged by `kind`): a client, or a
//! fuzzer, that follows the document sends values the server accepts. The handler reads
//! the plain [`super::abuse::BanBody`]; this type exists only for the document.

use serde::Deserialize;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AnyOfBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};

/// An IPv4 address without leading zeros, optionally a CIDR network.
const IPV4_OR_CIDR: &str = "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(/(3[0-2]|[12]?[0-9]))?$";

/// A ban to add.
#[allow(dead_code)] // only its schema is used
#[derive(Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NewBan {
    /// One email address; its plus-tag and dot variants match too.
    Email {
        #[schema(format = Email, min_length = 3, max_length = 254)]
        value: String,
        #[serde(flatten)]
        options: BanOptions,
    },
    /// An IP address or a CIDR network; an IPv6 address bans its whole /64.
    Address {
        #[schema(schema_with = address)]
        value: String,
        #[serde(flatten)]
        options: BanOptions,
    },
    /// An email domain (subdomains match too).
    EmailDomain {
        #[schema(
            pattern = "^@?[a-zA-Z0-9-]{1,63}(\\.[a-zA-Z0-9-]{1,63}){1,4}$",
            max_length = 254
        )]
        value: String,
        #[serde(flatten)]
        options: BanOptions,
    },
}

/// What every kind of ban may carry.
#[allow(dead_code)] // only its schema is used
#[derive(Deserialize, ToSchema)]
pub struct BanOptions {
    /// Why, for the other moderators.
    #[schema(max_length = 500)]
    reason: Option<String>,
    /// RFC 3339 time, in the future, at which the ban stops applying; not with
    /// `duration_secs`.
    #[schema(format = DateTime)]
    expires_at: Option<String>,
    /// Or: how many seconds from now the ban lasts.
    #[schema(minimum = 1, maximum = 315_360_000)]
    duration_secs: Option<u64>,
}

fn address() -> impl Into<RefOr<Schema>> {
    AnyOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(IPV4_OR_CIDR)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Ipv6))),
        )
}
