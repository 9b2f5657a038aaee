//! Sample exports in each system's documented format, made by the tests: WordPress's WXR
//! (as `export_wp()` writes it), Disqus's XML export and Isso's SQLite database.

/// One WordPress comment, as `export_wp()` writes it.
pub struct WpComment<'a> {
    pub id: i64,
    pub parent: i64,
    pub author: &'a str,
    pub email: &'a str,
    pub url: &'a str,
    pub ip: &'a str,
    pub date_gmt: &'a str,
    pub content: &'a str,
    /// `1`, `0`, `spam`, `trash`.
    pub approved: &'a str,
    /// ``, `comment`, `pingback`, `trackback`, `note`.
    pub kind: &'a str,
}

impl Default for WpComment<'_> {
    fn default() -> Self {
        WpComment {
            id: 0,
            parent: 0,
            author: "Ada Lovelace",
            email: "ada@example.org",
            url: "",
            ip: "203.0.113.9",
            date_gmt: "2024-05-01 12:00:00",
            content: "A comment.",
            approved: "1",
            kind: "comment",
        }
    }
}

pub struct WpPost<'a> {
    pub id: i64,
    pub title: &'a str,
    pub link: &'a str,
    pub closed: bool,
    pub comments: Vec<WpComment<'a>>,
}

/// A WXR file; `https` picks the `https://wordpress.org/export/1.2/` namespace and `cdata`
/// whether values are CDATA sections or escaped text.
pub fn wxr(posts: &[WpPost<'_>], https: bool, cdata: bool) -> String {
    let scheme = if https { "https" } else { "http" };
    let v = |s: &str| {
        if cdata {
            format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
        } else {
            escape(s)
        }
    };
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!-- generator=\"WordPress/6.9\" created=\"2026-11-30 10:00\" -->\n\
         <rss version=\"2.0\"\n\txmlns:excerpt=\"{scheme}://wordpress.org/export/1.2/excerpt/\"\n\
         \txmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n\
         \txmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"\n\
         \txmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\
         \txmlns:wp=\"{scheme}://wordpress.org/export/1.2/\"\n>\n<channel>\n\
         \t<title>A Blog</title>\n\t<link>http://blog.example:8000</link>\n\
         \t<wp:wxr_version>1.2</wp:wxr_version>\n\
         \t<wp:base_site_url>http://blog.example:8000</wp:base_site_url>\n\
         \t<wp:author><wp:author_id>1</wp:author_id><wp:author_login>{}</wp:author_login></wp:author>\n",
        v("admin")
    );
    for p in posts {
        out.push_str(&format!(
            "\t<item>\n\t\t<title>\n\t\t{}\n\t\t</title>\n\t\t<link>{}</link>\n\
             \t\t<dc:creator>{}</dc:creator>\n\t\t<guid isPermaLink=\"false\">http://blog.example:8000/?p={}</guid>\n\
             \t\t<content:encoded>{}</content:encoded>\n\t\t<wp:post_id>{}</wp:post_id>\n\
             \t\t<wp:comment_status>{}</wp:comment_status>\n\t\t<wp:status>{}</wp:status>\n\
             \t\t<wp:post_type>{}</wp:post_type>\n\
             \t\t<wp:postmeta>\n\t\t<wp:meta_key>{}</wp:meta_key>\n\t\t<wp:meta_value>{}</wp:meta_value>\n\t\t</wp:postmeta>\n",
            escape(p.title),
            escape(p.link),
            v("admin"),
            p.id,
            v("<p>The post itself, never a comment.</p>"),
            p.id,
            v(if p.closed { "closed" } else { "open" }),
            v("publish"),
            v("post"),
            v("_edit_last"),
            v("1"),
        ));
        for c in &p.comments {
            out.push_str(&format!(
                "\t\t<wp:comment>\n\t\t\t<wp:comment_id>{}</wp:comment_id>\n\
                 \t\t\t<wp:comment_author>{}</wp:comment_author>\n\
                 \t\t\t<wp:comment_author_email>{}</wp:comment_author_email>\n\
                 \t\t\t<wp:comment_author_url>{}</wp:comment_author_url>\n\
                 \t\t\t<wp:comment_author_IP>{}</wp:comment_author_IP>\n\
                 \t\t\t<wp:comment_date>{}</wp:comment_date>\n\
                 \t\t\t<wp:comment_date_gmt>{}</wp:comment_date_gmt>\n\
                 \t\t\t<wp:comment_content>{}</wp:comment_content>\n\
                 \t\t\t<wp:comment_approved>{}</wp:comment_approved>\n\
                 \t\t\t<wp:comment_type>{}</wp:comment_type>\n\
                 \t\t\t<wp:comment_parent>{}</wp:comment_parent>\n\
                 \t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n\
                 \t\t\t<wp:commentmeta>\n\t\t\t<wp:meta_key>{}</wp:meta_key>\n\t\t\t<wp:meta_value>{}</wp:meta_value>\n\t\t\t</wp:commentmeta>\n\
                 \t\t</wp:comment>\n",
                c.id,
                v(c.author),
                v(c.email),
                c.url.replace('&', "&amp;"),
                v(c.ip),
                v(c.date_gmt),
                v(c.date_gmt),
                v(c.content),
                v(c.approved),
                v(c.kind),
                c.parent,
                v("akismet_result"),
                v("false"),
            ));
        }
        out.push_str("\t</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub struct DqPost<'a> {
    pub id: i64,
    pub thread: i64,
    pub parent: Option<i64>,
    pub name: &'a str,
    pub message: &'a str,
    pub deleted: bool,
    pub spam: bool,
    pub created: &'a str,
}

/// A Disqus export: categories, then threads (`dsq:id`, `link`, `title`), then posts.
pub fn disqus(threads: &[(i64, &str, &str)], posts: &[DqPost<'_>]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<disqus xmlns=\"http://disqus.com\" \
         xmlns:dsq=\"http://disqus.com/disqus-internals\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://disqus.com/api/schemas/1.0/disqus.xsd http://disqus.com/api/schemas/1.0/internals.xsd\">\n\
         <category dsq:id=\"1\"><forum>blog</forum><title>General</title><isDefault>true</isDefault></category>\n",
    );
    for (id, link, title) in threads {
        out.push_str(&format!(
            "<thread dsq:id=\"{id}\">\n<id>{id} {link}</id>\n<forum>blog</forum>\n<category dsq:id=\"1\" />\n\
             <link>{}</link>\n<title>{}</title>\n<message />\n<createdAt>2020-01-01T10:00:00Z</createdAt>\n\
             <author><name>Owner</name><isAnonymous>false</isAnonymous><username>owner</username></author>\n\
             <isClosed>false</isClosed>\n<isDeleted>false</isDeleted>\n</thread>\n",
            escape(link),
            escape(title)
        ));
    }
    for p in posts {
        let parent = p
            .parent
            .map(|x| format!("<parent dsq:id=\"{x}\" />\n"))
            .unwrap_or_default();
        out.push_str(&format!(
            "<post dsq:id=\"{}\">\n<id />\n<message><![CDATA[{}]]></message>\n<createdAt>{}</createdAt>\n\
             <isDeleted>{}</isDeleted>\n<isSpam>{}</isSpam>\n\
             <author><email>{}@example.org</email><name>{}</name><isAnonymous>false</isAnonymous></author>\n\
             <ipAddress>198.51.100.{}</ipAddress>\n<thread dsq:id=\"{}\" />\n{parent}</post>\n",
            p.id,
            p.message,
            p.created,
            p.deleted,
            p.spam,
            p.id,
            escape(p.name),
            p.id % 250,
            p.thread,
        ));
    }
    out.push_str("</disqus>\n");
    out
}

/// One Isso comment: `(tid, id, parent, created, mode, author, text)`.
pub type IssoRow<'a> = (i64, i64, Option<i64>, f64, i64, &'a str, &'a str);

/// An Isso database file with Isso's schema.
pub async fn isso(path: &std::path::Path, threads: &[(i64, &str, &str)], rows: &[IssoRow<'_>]) {
    use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
    let db = Database::connect(format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap();
    for ddl in [
        "CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256))",
        "CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER, \
         created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR, text VARCHAR, \
         author VARCHAR, email VARCHAR, website VARCHAR, likes INTEGER DEFAULT 0, \
         dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL, notification INTEGER DEFAULT 0)",
        "CREATE TABLE preferences (key VARCHAR PRIMARY KEY, value VARCHAR)",
    ] {
        db.execute_unprepared(ddl).await.unwrap();
    }
    for (id, uri, title) in threads {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)",
            [(*id).into(), (*uri).into(), (*title).into()],
        ))
        .await
        .unwrap();
    }
    for (tid, id, parent, created, mode, author, text) in rows {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text, \
             author, email, website, voters) VALUES (?, ?, ?, ?, NULL, ?, '192.0.2.0', ?, ?, ?, ?, x'00')",
            [
                (*tid).into(),
                (*id).into(),
                (*parent).into(),
                (*created).into(),
                (*mode).into(),
                (*text).into(),
                (*author).into(),
                format!("{}@example.org", id).into(),
                "https://isso.example/".into(),
            ],
        ))
        .await
        .unwrap();
    }
    db.close().await.unwrap();
}
