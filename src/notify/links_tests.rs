//! Unit tests of the mail links: each is bound to what it names, expires, has one spelling,
//! and never passes as another kind of link.
use super::*;

fn keys() -> Keys {
    Keys::from_secret(b"k")
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

#[test]
fn a_one_click_token_is_bound_to_its_comment_action_and_time() {
    let keys = keys();
    let t = one_click_token(
        &keys,
        7,
        ModerationAction::Approve,
        now() + Duration::hours(1),
    );
    assert!(t.starts_with("7.approve."), "{t}");
    assert_eq!(
        verify_one_click(&keys, &t, now()).map(|o| (o.comment_id, o.action, o.token)),
        Ok((7, ModerationAction::Approve, t.clone()))
    );
    assert_eq!(
        verify_one_click(&keys, &t, now() + Duration::hours(2)),
        Err(TokenError::Expired)
    );
    let other_comment = t.replacen("7.", "8.", 1);
    assert_eq!(
        verify_one_click(&keys, &other_comment, now()),
        Err(TokenError::Forged)
    );
    let other_action = t.replace(".approve.", ".spam.");
    assert_eq!(
        verify_one_click(&keys, &other_action, now()),
        Err(TokenError::Forged)
    );
    assert_eq!(
        verify_one_click(&Keys::from_secret(b"other"), &t, now()),
        Err(TokenError::Forged)
    );
    assert_eq!(
        verify_one_click(&keys, "garbage", now()),
        Err(TokenError::Malformed)
    );
}

#[test]
fn a_respelled_one_click_token_is_malformed() {
    let keys = keys();
    let t = one_click_token(&keys, 7, ModerationAction::Spam, now() + Duration::hours(1));
    let exp = (now() + Duration::hours(1)).timestamp();
    for bad in [
        format!("0{t}"),
        format!("+{t}"),
        t.replace(".spam.", ".Spam."),
        t.replace(&format!(".{exp}."), &format!(".0{exp}.")),
        t.replace(&format!(".{exp}."), &format!(".+{exp}.")),
    ] {
        assert_eq!(
            verify_one_click(&keys, &bad, now()),
            Err(TokenError::Malformed),
            "{bad}"
        );
    }
}

#[test]
fn a_one_click_link_points_at_the_act_page_for_a_week() {
    let link = one_click_link(
        "https://c.example/",
        &keys(),
        3,
        ModerationAction::Reject,
        now(),
    );
    let token = link.strip_prefix("https://c.example/admin/act/").unwrap();
    let week = now() + ONE_CLICK_TTL;
    assert!(verify_one_click(&keys(), token, week - Duration::seconds(1)).is_ok());
    assert_eq!(
        verify_one_click(&keys(), token, week),
        Err(TokenError::Expired)
    );
}

#[test]
fn unsubscribe_tokens_are_bound_to_subscriber_and_scope() {
    let keys = keys();
    let t = unsubscribe_token(&keys, 4, Scope::Page(9), now());
    assert_eq!(
        verify_unsubscribe(&keys, &t, now()),
        Ok(Unsubscribe {
            subscriber: 4,
            scope: Scope::Page(9)
        })
    );
    assert_eq!(
        verify_unsubscribe(&keys, &t.replacen("4.", "5.", 1), now()),
        Err(LinkError::Invalid)
    );
    assert_eq!(
        verify_unsubscribe(&keys, &t.replace(".p9.", ".all."), now()),
        Err(LinkError::Invalid)
    );
    for bad in [
        format!("0{t}"),
        format!("+{t}"),
        t.replace(".p9.", ".p09."),
        t.replace(".p9.", ".P9."),
    ] {
        assert_eq!(
            verify_unsubscribe(&keys, &bad, now()),
            Err(LinkError::Invalid),
            "{bad}"
        );
    }
}

#[test]
fn unsubscribe_links_work_for_a_year() {
    let keys = keys();
    let t = unsubscribe_token(&keys, 4, Scope::All, now());
    let year = now() + UNSUBSCRIBE_TTL;
    assert!(verify_unsubscribe(&keys, &t, year - Duration::seconds(1)).is_ok());
    assert_eq!(verify_unsubscribe(&keys, &t, year), Err(LinkError::Expired));
}

#[test]
fn confirm_tokens_expire_and_do_not_pass_as_other_links() {
    let keys = keys();
    let t = confirm_token(&keys, 3, now());
    assert_eq!(verify_confirm(&keys, &t, now()), Ok(3));
    assert_eq!(
        verify_confirm(&keys, &t, now() + Duration::days(8)),
        Err(LinkError::Expired)
    );
    assert!(verify_unsubscribe(&keys, &t, now()).is_err());
    assert!(verify_one_click(&keys, &t, now()).is_err());
    assert_eq!(
        verify_confirm(&keys, &format!("0{t}"), now()),
        Err(LinkError::Invalid)
    );
    let unsubscribe = unsubscribe_token(&keys, 3, Scope::All, now());
    assert_eq!(
        verify_confirm(&keys, &unsubscribe, now()),
        Err(LinkError::Invalid)
    );
}

#[test]
fn scopes_have_one_spelling() {
    for scope in [Scope::All, Scope::Page(0), Scope::Page(12)] {
        assert_eq!(Scope::decode(&scope.encode()), Some(scope));
    }
    for bad in ["p012", "p+12", "p", "ALL", "p12 ", "q12"] {
        assert_eq!(Scope::decode(bad), None, "{bad}");
    }
}
