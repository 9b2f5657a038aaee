//! Property tests of the token verifier: any change to a valid token's text is refused, so
//! is every other spelling of it, and random strings never verify, for every purpose. The
//! comparison of tags goes through the constant-time compare.
use proptest::prelude::*;

use super::tests::{keys, respellings, sample, t0, verify};
use super::*;

fn purpose() -> impl Strategy<Value = Purpose> {
    proptest::sample::select(Purpose::ALL.to_vec())
}

/// One edit of a text: a byte replaced, inserted or removed, at a position in it.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, u8),
    Remove(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    // Bytes a URL or a mail client might carry: printable ASCII and a few others.
    let byte = prop_oneof![0x20u8..0x7f, Just(b'\n'), Just(0xc3u8)];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Remove),
    ]
}

fn apply(text: &str, edit: &Edit) -> Vec<u8> {
    let mut b = text.as_bytes().to_vec();
    match *edit {
        Edit::Replace(i, byte) => {
            let i = i % b.len();
            b[i] = byte;
        }
        Edit::Insert(i, byte) => b.insert(i % (b.len() + 1), byte),
        Edit::Remove(i) => {
            b.remove(i % b.len());
        }
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_edit_of_a_valid_token_is_refused(
        p in purpose(),
        n in any::<i64>(),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let text = sample(p, n).sign(&keys(), &[]);
        prop_assert!(verify(p, &text).is_ok());
        let mut changed = text.clone();
        for e in &edits {
            changed = String::from_utf8_lossy(&apply(&changed, e)).into_owned();
        }
        prop_assume!(changed != text);
        prop_assert!(verify(p, &changed).is_err(), "{text} -> {changed}");
    }

    #[test]
    fn every_respelling_is_refused(p in purpose(), n in any::<i64>()) {
        let text = sample(p, n).sign(&keys(), &[]);
        for other in respellings(&text) {
            prop_assert_eq!(verify(p, &other), Err(TokenError::Malformed), "{}", other);
        }
    }

    #[test]
    fn random_strings_never_verify(
        p in purpose(),
        text in prop_oneof![
            "\\PC{0,300}",
            "[0-9a-z_-]{0,12}(\\.[0-9a-z_-]{0,12}){0,3}\\.[0-9]{10}\\.v1\\.[A-Za-z0-9_-]{43}",
        ],
    ) {
        prop_assert!(verify(p, &text).is_err(), "{text}");
    }

    #[test]
    fn a_token_for_other_context_or_purpose_is_refused(
        p in purpose(),
        q in purpose(),
        n in any::<i64>(),
        bound in "[a-z/]{1,12}",
        other in "[a-z/]{1,12}",
    ) {
        let text = sample(p, n).sign(&keys(), &[&bound]);
        prop_assert!(SignedToken::verify(&keys(), p, &[&bound], &text, t0()).is_ok());
        if other != bound {
            prop_assert!(SignedToken::verify(&keys(), p, &[&other], &text, t0()).is_err());
        }
        if q != p {
            prop_assert!(SignedToken::verify(&keys(), q, &[&bound], &text, t0()).is_err());
        }
    }
}

#[test]
fn tags_are_compared_by_the_constant_time_compare() {
    let text = sample(Purpose::OneClick, 7).sign(&keys(), &[]);
    let before = super::super::compare::calls();
    assert!(verify(Purpose::OneClick, &text).is_ok());
    let forged = text.replacen("7.", "8.", 1);
    assert_eq!(verify(Purpose::OneClick, &forged), Err(TokenError::Forged));
    assert_eq!(
        super::super::compare::calls() - before,
        2,
        "one compare per verify"
    );
    let raw = keys().sign("admin-csrf", "session");
    let before = super::super::compare::calls();
    assert!(keys().verify("admin-csrf", "session", &raw));
    assert!(!keys().verify("admin-csrf", "other", &raw));
    assert_eq!(super::super::compare::calls() - before, 2, "CSRF tags too");
}
