//! Property tests of the URL-encoded form path (the no-JS form and WordPress's form): any
//! bytes give a form or a field error, never a panic, and a valid form comes back from its
//! encoding field for field, as the comment it describes.
use proptest::prelude::*;
use validator::Validate;

use super::{Submitter, invalid_utf8_field};
use crate::config::Config;
use crate::http::api::request::CommentForm;
use crate::http::error::ApiError;
use crate::http::wordpress::form::{WpCommentForm, WpSubmission};
use crate::moderation::{ClientInfo, NewComment};

/// The built-in configuration (its `demo` site), loaded once for all cases.
fn config() -> &'static Config {
    static CONFIG: std::sync::LazyLock<Config> = std::sync::LazyLock::new(|| {
        Config::load(None, Vec::new()).unwrap_or_else(|e| panic!("{e}"))
    });
    &CONFIG
}

/// Bytes shaped like a form body: keys the forms know, `=`, `&`, `%` escapes and noise.
fn formish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        proptest::sample::select(vec![
            "site",
            "uri",
            "title",
            "parent_id",
            "author_name",
            "author_email",
            "author_url",
            "text",
            "notify_replies",
            "return_to",
            "form_token",
            "hp_website",
            "published",
            "comment",
            "author",
            "email",
            "url",
            "comment_post_ID",
            "comment_parent",
            "redirect_to",
            "=",
            "&",
            "%",
            "%FF",
            "%C3%A9",
            "%00",
            "+",
            "demo",
            "/a",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 1..4),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

/// What `ValidatedForm` and the handlers do with a body, short of the database: refuse
/// invalid UTF-8, decode, validate, then convert into the domain's comment.
fn read_no_js(body: &[u8], config: &Config) -> Result<NewComment, String> {
    if let Some(field) = invalid_utf8_field(body) {
        return Err(format!("not UTF-8: {field}"));
    }
    let form: CommentForm = serde_urlencoded::from_bytes(body).map_err(|e| e.to_string())?;
    form.validate().map_err(|e| e.to_string())?;
    NewComment::try_from((form.request(), Submitter(ClientInfo::default()), config))
        .map_err(|e| field_error(&e))
}

fn read_wordpress(body: &[u8], config: &Config) -> Result<NewComment, String> {
    if let Some(field) = invalid_utf8_field(body) {
        return Err(format!("not UTF-8: {field}"));
    }
    let form: WpCommentForm = serde_urlencoded::from_bytes(body).map_err(|e| e.to_string())?;
    form.validate().map_err(|e| e.to_string())?;
    let parent_id = Some(form.parent()).filter(|p| *p > 0);
    let sub = WpSubmission {
        form: &form,
        site: "demo",
        uri: format!("/?p={}", form.post_id()),
        parent_id,
    };
    NewComment::try_from((sub, Submitter(ClientInfo::default()), config))
        .map_err(|e| field_error(&e))
}

/// A refusal must be a field error or an unknown site: a 4xx, never anything else.
fn field_error(e: &ApiError) -> String {
    match e {
        ApiError::Validation(fields) => format!("fields {:?}", fields.keys().collect::<Vec<_>>()),
        ApiError::UnknownSite => "unknown site".into(),
        other => panic!("a form was refused with {other:?}"),
    }
}

fn encode(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_else(|e| panic!("{e}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_bytes_are_a_form_or_a_field_error(
        body in prop_oneof![formish(), proptest::collection::vec(any::<u8>(), 0..300)],
    ) {
        let config = config();
        let _ = read_no_js(&body, config);
        let _ = read_wordpress(&body, config);
    }

    #[test]
    fn a_valid_no_js_form_round_trips(
        name in "[A-Za-z][A-Za-z .'-]{0,30}[A-Za-z]",
        email in "[a-z0-9.+]{1,12}@[a-z]{1,10}\\.(org|example)",
        text in "[^\u{0}-\u{1f}\u{7f}]{1,60}[a-z]",
        uri in "/([a-z0-9_-][a-z0-9/_-]{0,30})?",
        parent in proptest::option::of(1i64..i64::MAX),
        url in proptest::option::of("https://[a-z]{1,10}\\.example/[a-z]{0,10}"),
    ) {
        let config = config();
        let parent_text = parent.map(|p| p.to_string()).unwrap_or_default();
        let body = encode(&[
            ("site", "demo"),
            ("uri", &uri),
            ("parent_id", &parent_text),
            ("author_name", &name),
            ("author_email", &email),
            ("author_url", url.as_deref().unwrap_or("")),
            ("text", &text),
        ]);
        let form: CommentForm = serde_urlencoded::from_str(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&form.author_name, &name);
        prop_assert_eq!(&form.author_email, &email);
        prop_assert_eq!(&form.text, &text);
        prop_assert_eq!(&form.uri, &uri);
        let c = read_no_js(body.as_bytes(), config).map_err(TestCaseError::fail)?;
        prop_assert_eq!(c.author_name.as_str(), name.as_str());
        prop_assert_eq!(c.author_email.as_str(), email.as_str());
        prop_assert_eq!(c.text.as_str(), text.trim());
        prop_assert_eq!(c.parent_id, parent);
        prop_assert_eq!(c.author_url.as_ref().map(|u| u.as_str().to_owned()), url);
    }

    #[test]
    fn a_valid_wordpress_form_round_trips(
        name in "[A-Za-z][A-Za-z .'-]{0,30}[A-Za-z]",
        email in "[a-z0-9.+]{1,12}@[a-z]{1,10}\\.(org|example)",
        text in "[^\u{0}-\u{1f}\u{7f}]{1,60}[a-z]",
        post in 1i64..1_000_000,
        parent in 0i64..1_000_000,
    ) {
        let config = config();
        let body = encode(&[
            ("comment", &text),
            ("author", &name),
            ("email", &email),
            ("url", ""),
            ("submit", "Post Comment"),
            ("comment_post_ID", &post.to_string()),
            ("comment_parent", &parent.to_string()),
        ]);
        let c = read_wordpress(body.as_bytes(), config).map_err(TestCaseError::fail)?;
        prop_assert_eq!(c.author_name.as_str(), name.as_str());
        prop_assert_eq!(c.author_email.as_str(), email.as_str());
        prop_assert_eq!(c.text.as_str(), text.trim());
        prop_assert_eq!(c.parent_id, Some(parent).filter(|p| *p > 0));
        prop_assert_eq!(c.uri.as_str(), format!("/?p={post}"));
    }
}
