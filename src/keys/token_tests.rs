//! Unit tests of the signed-token envelope: round trips, the canonical spelling, purposes,
//! bound context and expiry, with loops over many values.
use chrono::Duration;
use rand::RngExt;

use super::*;

pub(super) fn keys() -> Keys {
    Keys::from_secret(b"0123456789abcdef0123456789abcdef")
}

pub(super) fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

/// A token of `purpose` with fields made from `n`, expiring an hour after `t0`.
pub(super) fn sample(purpose: Purpose, n: i64) -> SignedToken {
    let t = SignedToken::new(purpose, t0() + Duration::hours(1));
    match purpose {
        Purpose::FormToken => t.word("v1").int(n),
        Purpose::OneClick => t.int(n).word("approve"),
        Purpose::Unsubscribe => t.int(n).word(format!("p{}", n.unsigned_abs())),
        Purpose::OwnComment | Purpose::Confirm | Purpose::Returning => t.int(n),
        Purpose::Setup => t,
        Purpose::Privacy => t.int(n).word("export"),
    }
}

pub(super) fn verify(purpose: Purpose, text: &str) -> Result<SignedToken, TokenError> {
    SignedToken::verify(&keys(), purpose, &[], text, t0())
}

/// Ways to spell `text` differently that must all be refused as malformed.
pub(super) fn respellings(text: &str) -> Vec<String> {
    let parts: Vec<&str> = text.split('.').collect();
    let mut out = vec![
        format!("{text}."),
        format!(".{text}"),
        format!("{text}="),
        format!("{text}=="),
        format!(" {text}"),
        format!("{text}\n"),
        text.replacen('.', "..", 1),
        text.replace(".v1.", ".V1."),
        text.replace(".v1.", ".v01."),
        text.to_ascii_uppercase(),
    ];
    for (i, part) in parts.iter().enumerate() {
        let mut respell = |new: String| {
            let mut p = parts.clone();
            p[i] = &new;
            out.push(p.join("."));
        };
        if part.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            let digits = part.trim_start_matches('-');
            let sign = &part[..part.len() - digits.len()];
            respell(format!("{sign}0{digits}"));
            respell(format!("{sign}00{digits}"));
            if sign.is_empty() {
                respell(format!("+{digits}"));
            }
            if digits == "0" {
                respell("-0".into());
            }
        } else if i < parts.len() - 1 {
            respell(part.to_ascii_uppercase());
            respell(format!("{part} "));
        }
    }
    out.retain(|s| s != text);
    out
}

#[test]
fn the_text_is_fields_then_expiry_then_version_then_tag() {
    let t = SignedToken::new(Purpose::OneClick, t0())
        .int(7)
        .word("approve")
        .sign(&keys(), &[]);
    let (message, tag) = t.rsplit_once('.').unwrap();
    assert_eq!(message, "7.approve.1800000000.v1");
    assert_eq!(tag.len(), 43);
    assert!(
        tag.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
}

#[test]
fn every_purpose_round_trips_many_values() {
    let mut rng = rand::rng();
    let mut values = vec![0, 1, 9, 10, i64::MAX, i64::MIN, -1];
    values.extend((0..200).map(|_| rng.random::<i64>()));
    values.extend((0..200).map(|_| rng.random_range(0..1_000_000)));
    for purpose in Purpose::ALL {
        for &n in &values {
            let token = sample(purpose, n);
            let text = token.sign(&keys(), &[]);
            assert_eq!(verify(purpose, &text), Ok(token), "{text}");
        }
    }
}

#[test]
fn every_other_spelling_of_a_token_is_refused_as_malformed() {
    let mut rng = rand::rng();
    let mut values = vec![0, 7, 10, 100, i64::MAX, i64::MIN, -5];
    values.extend((0..50).map(|_| rng.random::<i64>()));
    for purpose in Purpose::ALL {
        for &n in &values {
            let text = sample(purpose, n).sign(&keys(), &[]);
            for bad in respellings(&text) {
                assert_eq!(
                    verify(purpose, &bad),
                    Err(TokenError::Malformed),
                    "{bad} for {text}"
                );
            }
        }
    }
}

#[test]
fn a_tag_with_other_trailing_bits_is_refused_as_malformed() {
    let text = sample(Purpose::OneClick, 7).sign(&keys(), &[]);
    let (head, last) = text.split_at(text.len() - 1);
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let at = ALPHABET.find(last).unwrap();
    // 32 bytes in 43 characters: the last one carries 4 bits, then 2 that must be zero.
    for low in 1..4 {
        let other = &ALPHABET[(at | low)..=(at | low)];
        let bad = format!("{head}{other}");
        assert_eq!(
            verify(Purpose::OneClick, &bad),
            Err(TokenError::Malformed),
            "{bad}"
        );
    }
}

#[test]
fn a_token_for_one_purpose_is_never_one_for_another() {
    for made in Purpose::ALL {
        let text = sample(made, 3).sign(&keys(), &[]);
        for read in Purpose::ALL.into_iter().filter(|p| *p != made) {
            let got = verify(read, &text);
            if made.shape() == read.shape() {
                assert_eq!(got, Err(TokenError::Forged), "{made:?} read as {read:?}");
            } else {
                assert_eq!(got, Err(TokenError::Malformed), "{made:?} read as {read:?}");
            }
        }
    }
    // Same layout, same text but for the tag: the purpose alone tells them apart.
    let confirm = SignedToken::new(Purpose::Confirm, t0()).int(3);
    let own = SignedToken::new(Purpose::OwnComment, t0()).int(3);
    assert_ne!(confirm.sign(&keys(), &[]), own.sign(&keys(), &[]));
}

#[test]
fn changed_fields_tags_or_keys_are_forged() {
    let text = sample(Purpose::OneClick, 7).sign(&keys(), &[]);
    for bad in [
        text.replacen("7.", "8.", 1),
        text.replace(".approve.", ".spam."),
        text.replace(".1800003600.", ".1900003600."),
    ] {
        assert_eq!(
            verify(Purpose::OneClick, &bad),
            Err(TokenError::Forged),
            "{bad}"
        );
    }
    let other = Keys::from_secret(b"another secret of 32 characters!");
    let foreign = sample(Purpose::OneClick, 7).sign(&other, &[]);
    assert_eq!(verify(Purpose::OneClick, &foreign), Err(TokenError::Forged));
    let flipped = {
        let (head, tag) = text.rsplit_once('.').unwrap();
        let first = if tag.starts_with('A') { "B" } else { "A" };
        format!("{head}.{first}{}", &tag[1..])
    };
    assert_eq!(verify(Purpose::OneClick, &flipped), Err(TokenError::Forged));
}

#[test]
fn bound_context_is_in_the_mac_and_not_in_the_text() {
    let token = sample(Purpose::FormToken, 1_800_000_000_000);
    let text = token.sign(&keys(), &["blog", "/post"]);
    assert!(!text.contains("blog") && !text.contains("post"));
    let read =
        |bound: &[&str]| SignedToken::verify(&keys(), Purpose::FormToken, bound, &text, t0());
    assert_eq!(read(&["blog", "/post"]), Ok(token));
    for other in [
        &["blog", "/other"][..],
        &["news", "/post"],
        &["blog"],
        &["blog", "/post", ""],
        &["blog/", "post"],
        &[],
    ] {
        assert_eq!(read(other), Err(TokenError::Forged), "{other:?}");
    }
}

#[test]
fn a_token_expires_at_its_second_and_open_ignores_the_clock() {
    let exp = t0() + Duration::hours(1);
    let token = SignedToken::new(Purpose::Setup, exp);
    let text = token.sign(&keys(), &[]);
    let at = |now| SignedToken::verify(&keys(), Purpose::Setup, &[], &text, now);
    assert_eq!(at(exp - Duration::seconds(1)), Ok(token.clone()));
    assert_eq!(at(exp - Duration::milliseconds(1)), Ok(token.clone()));
    assert_eq!(at(exp), Err(TokenError::Expired));
    assert_eq!(at(exp + Duration::days(400)), Err(TokenError::Expired));
    let opened = SignedToken::open(&keys(), Purpose::Setup, &[], &text);
    assert!(opened.is_ok_and(|t| t.is_expired(exp) && t.expires_at() == exp.timestamp()));
}

#[test]
fn bad_words_garbage_and_long_texts_never_verify() {
    for word in ["", "Approve", "a.b", "a+b", "\u{e9}", "a b"] {
        let made = SignedToken::new(Purpose::OneClick, t0() + Duration::hours(1))
            .int(1)
            .word(word);
        assert!(!fits(Purpose::OneClick.shape(), made.fields()), "{word:?}");
        let text = format!("1.{word}.1800003600.v1.{}", "A".repeat(43));
        assert!(verify(Purpose::OneClick, &text).is_err(), "{text}");
    }
    for garbage in ["", ".", "...", "v1", "garbage", "1.2.v1.AAAA", "1.2.v1."] {
        assert_eq!(
            verify(Purpose::OwnComment, garbage),
            Err(TokenError::Malformed)
        );
    }
    let long = format!("{}.1800003600.v1.{}", "1".repeat(300), "A".repeat(43));
    assert_eq!(
        verify(Purpose::OwnComment, &long),
        Err(TokenError::Malformed)
    );
}
