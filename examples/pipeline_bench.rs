//! The cost of screening one comment: the pure spam pipeline (form-token check, duplicate
//! fingerprint, bans, both word lists, link count) over realistic comments, with 50 words
//! in each list and 20 bans.
//!
//!     cargo run --release --example pipeline_bench [-- COMMENTS]
use std::hint::black_box;
use std::net::IpAddr;
use std::time::Instant;

use chrono::{Duration, Utc};
use replyd::keys::Keys;
use replyd::moderation::screening::{
    self, Ban, BanKind, BanTarget, Lists, Submission, fold, form_token,
};

const TEXTS: [&str; 4] = [
    "Thanks for writing this up. I tried the second approach on our staging cluster and it \
     cut the cold start from 40 s to about 12 s. One question: does the cache survive a \
     restart, or does it have to warm up again? See https://example.org/notes for my setup.",
    "Great post!\n\n> the scheduler never sleeps\n\nThat matches what we saw too. *However*, \
     the numbers in the third table look off by a factor of ten — maybe a typo?",
    "Очень полезная статья, спасибо! Попробую на выходных и напишу, что получилось.",
    "I disagree with the conclusion. Measuring on a laptop with turbo boost on tells you \
     little about a server under sustained load; pin the frequency and run it again. \
     [method](https://example.org/method) and www.example.net/bench have more.",
];

fn lists() -> Lists {
    let moderation_words = (0..50).map(|i| fold(&format!("Suspect{i}"))).collect();
    let mut disallowed_words: Vec<String> = (0..49).map(|i| fold(&format!("casino-{i}"))).collect();
    disallowed_words.push(fold("СПАМ"));
    let bans = (0..20)
        .map(|i| {
            let (kind, value) = match i % 3 {
                0 => (BanKind::Email, format!("spammer{i}@example.com")),
                1 => (BanKind::Address, format!("198.51.{i}.0/24")),
                _ => (BanKind::EmailDomain, format!("spam{i}.example")),
            };
            Ban {
                id: i,
                target: BanTarget::parse(kind, &value).unwrap_or(BanTarget::Email(value)),
                reason: "bench".into(),
                label: None,
                expires_at: None,
            }
        })
        .collect();
    Lists {
        moderation_words,
        disallowed_words,
        bans,
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let keys = Keys::from_secret(b"bench secret, at least 32 characters long");
    let lists = lists();
    let now = Utc::now();
    let token = form_token::issue(&keys, "blog", "/post", now - Duration::seconds(30), 86_400);
    let ip: IpAddr = [203, 0, 113, 9].into();
    let ip_hash = keys.address_hash(ip);
    let agent = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

    let started = Instant::now();
    let mut held = 0usize;
    for i in 0..n {
        let text = TEXTS[i % TEXTS.len()];
        let email = format!("reader{}@example.org", i % 1000);
        let check = form_token::check(&keys, Some(&token), "blog", "/post", now, 3, 86_400);
        let key = screening::duplicate_key(&email, None, text);
        let s = Submission {
            name: "Ada Lovelace",
            email: &email,
            url: Some("https://ada.example.org"),
            text,
            ip: Some(ip),
            ip_hash: Some(&ip_hash),
            user_agent: Some(agent),
            honeypot: None,
            token: check,
        };
        let findings = screening::screen_submission(&s, &lists, 2, now);
        held += usize::from(!findings.is_empty());
        black_box((key, findings));
    }
    let elapsed = started.elapsed();
    println!(
        "{n} comments in {:.3} s: {:.0} ns/comment ({held} held or spam)",
        elapsed.as_secs_f64(),
        elapsed.as_nanos() as f64 / n as f64
    );
}
