//! Writes a WordPress export (WXR) of many posts and comments, for the import benchmark:
//! `cargo run --release --example gen_wxr -- 1000000 bench.xml` (10,000 posts of 100
//! comments, threaded, with a few pending, spam, trashed, pingbacks and notes).
use std::io::{BufWriter, Write};

const PER_POST: u64 = 100;
const TEXTS: [&str; 4] = [
    "Great post, thanks for writing it up.\n\nI ran into the same problem <b>last week</b>.",
    "Could you expand on the second part? See <a href=\"https://example.org/docs\">the docs</a>.",
    "Unicode works fine here: naïve café, emoji 🎉, עברית, 李雷.\nSecond line.",
    "We tried this approach in production and it held up under load.",
];
const NAMES: [&str; 4] = ["Ada Lovelace", "李雷", "Олена Коваль", "Tom &amp; Jerry"];

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let total: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let path = args.next().unwrap_or_else(|| "bench.xml".into());
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    writeln!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<rss version=\"2.0\" xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:wfw=\"http://wellformedweb.org/CommentAPI/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n\t<title>Bench</title>\n\t<wp:wxr_version>1.2</wp:wxr_version>"
    )?;
    let posts = total.div_ceil(PER_POST);
    let mut id = 0u64;
    for p in 1..=posts {
        writeln!(
            out,
            "\t<item>\n\t\t<title>Post number {p}</title>\n\t\t<link>https://blog.example/{}/post-{p}/</link>\n\t\t<wp:post_id>{p}</wp:post_id>\n\t\t<wp:comment_status><![CDATA[open]]></wp:comment_status>\n\t\t<wp:post_type><![CDATA[post]]></wp:post_type>",
            2000 + p % 25
        )?;
        let first = id + 1;
        for i in 0..PER_POST.min(total - id) {
            id += 1;
            // About one in three replies to an earlier comment of the same post.
            let parent = if i > 0 && id.is_multiple_of(3) {
                first + (id * 7) % i
            } else {
                0
            };
            let approved = match id % 50 {
                0 => "0",
                1 => "spam",
                2 => "trash",
                _ => "1",
            };
            let kind = match id % 200 {
                3 => "pingback",
                5 => "note",
                _ => "comment",
            };
            let (mi, s) = ((id / 60) % 60, id % 60);
            writeln!(
                out,
                "\t\t<wp:comment>\n\t\t\t<wp:comment_id>{id}</wp:comment_id>\n\t\t\t<wp:comment_author><![CDATA[{}]]></wp:comment_author>\n\t\t\t<wp:comment_author_email><![CDATA[reader{}@example.org]]></wp:comment_author_email>\n\t\t\t<wp:comment_author_url>https://example.org/?u={id}&amp;x=1</wp:comment_author_url>\n\t\t\t<wp:comment_author_IP><![CDATA[203.0.113.{}]]></wp:comment_author_IP>\n\t\t\t<wp:comment_date><![CDATA[2024-01-01 10:{mi:02}:{s:02}]]></wp:comment_date>\n\t\t\t<wp:comment_date_gmt><![CDATA[2024-01-01 09:{mi:02}:{s:02}]]></wp:comment_date_gmt>\n\t\t\t<wp:comment_content><![CDATA[{}]]></wp:comment_content>\n\t\t\t<wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>\n\t\t\t<wp:comment_type><![CDATA[{kind}]]></wp:comment_type>\n\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>\n\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n\t\t</wp:comment>",
                NAMES[(id % 4) as usize],
                id % 5000,
                id % 250,
                TEXTS[(id % 4) as usize]
            )?;
        }
        writeln!(out, "\t</item>")?;
    }
    writeln!(out, "</channel>\n</rss>")?;
    out.flush()
}
