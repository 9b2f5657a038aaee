//! What the XML readers share: a pull reader over a file that reports how far it has read,
//! steps that name each element by namespace and local name, text with its CDATA sections
//! and entity references put together, and errors that say where.
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::error::ReadError;

/// One step through the document.
#[derive(Debug)]
pub enum Step {
    /// An element opens: its namespace URI (if any) and its local name.
    Open {
        ns: Option<String>,
        name: String,
        /// The `id` attributes it carries, in any namespace (Disqus's `dsq:id`).
        id: Option<String>,
    },
    /// The innermost open element closes, with the text directly inside it.
    Close {
        name: String,
        text: String,
    },
    Eof,
}

pub struct Xml {
    reader: NsReader<BufReader<File>>,
    /// Where in the file the reader started.
    base: u64,
    buf: Vec<u8>,
    text: String,
    open: Vec<String>,
    progress: Arc<AtomicU64>,
}

impl Xml {
    pub fn open(path: &Path, progress: Arc<AtomicU64>) -> Result<Xml, ReadError> {
        Xml::open_at(path, 0, 256 * 1024, progress)
    }

    /// A reader starting at byte `base` of the file (an element found by an earlier pass).
    pub fn open_at(
        path: &Path,
        base: u64,
        buffer: usize,
        progress: Arc<AtomicU64>,
    ) -> Result<Xml, ReadError> {
        use std::io::{Seek, SeekFrom};
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(base))?;
        let mut reader = NsReader::from_reader(BufReader::with_capacity(buffer, file));
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        // WordPress writes commenters' URLs as they are: a bare `&` in a query is common.
        config.allow_dangling_amp = true;
        Ok(Xml {
            reader,
            base,
            buf: Vec::with_capacity(64 * 1024),
            text: String::new(),
            open: Vec::new(),
            progress,
        })
    }

    /// The byte offset just after the last step.
    pub fn position(&self) -> u64 {
        self.base + self.reader.buffer_position()
    }

    /// The next element boundary, with the text gathered since the last one.
    pub fn step(&mut self) -> Result<Step, ReadError> {
        loop {
            self.buf.clear();
            let at = self.position();
            let (ns, event) = match self.reader.read_resolved_event_into(&mut self.buf) {
                Ok(x) => x,
                Err(e) => {
                    let at = (self.base + self.reader.error_position()).max(at);
                    return Err(ReadError::at(at, format!("not well-formed XML: {e}")));
                }
            };
            match event {
                Event::Start(e) => {
                    let step = opened(ns, &e);
                    if let Step::Open { name, .. } = &step {
                        self.open.push(name.clone());
                    }
                    self.text.clear();
                    return Ok(step);
                }
                Event::End(_) => {
                    let name = self.open.pop().unwrap_or_default();
                    let text = std::mem::take(&mut self.text);
                    self.progress.store(self.position(), Ordering::Relaxed);
                    return Ok(Step::Close { name, text });
                }
                Event::Text(t) => self.text.push_str(&t.xml10_content()),
                Event::CData(t) => self.text.push_str(&t.xml10_content()),
                Event::GeneralRef(r) => push_ref(&mut self.text, &r, at)?,
                Event::Eof => {
                    if let Some(name) = self.open.last() {
                        let at = self.position();
                        return Err(ReadError::at(at, format!("the file ends inside <{name}>")));
                    }
                    return Ok(Step::Eof);
                }
                _ => {}
            }
        }
    }
}

fn push_ref(
    text: &mut String,
    r: &quick_xml::events::BytesRef<'_>,
    at: u64,
) -> Result<(), ReadError> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => text.push(c),
        Ok(None) => {
            let name = r.xml10_content();
            match name.as_ref() {
                "amp" => text.push('&'),
                "lt" => text.push('<'),
                "gt" => text.push('>'),
                "quot" => text.push('"'),
                "apos" => text.push('\''),
                // An HTML entity where XML has none: kept for the HTML sanitiser.
                other => {
                    text.push('&');
                    text.push_str(other);
                    text.push(';');
                }
            }
        }
        Err(e) => return Err(ReadError::at(at, format!("bad character reference: {e}"))),
    }
    Ok(())
}

fn opened(ns: ResolveResult<'_>, e: &BytesStart<'_>) -> Step {
    let ns = match ns {
        ResolveResult::Bound(n) => Some(n.as_ref().to_owned()),
        _ => None,
    };
    let name = e.local_name().as_ref().to_owned();
    let id = e
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == "id")
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        });
    Step::Open { ns, name, id }
}

/// Decodes the HTML entities WordPress stores in names (`&amp;`, `&#039;`, `&#x27;`).
pub fn decode_html_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[..rest.len().min(12)].find(';');
        let decoded = end.and_then(|e| entity(&rest[1..e]).map(|c| (c, e)));
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    let num = |s: &str, radix| u32::from_str_radix(s, radix).ok().and_then(char::from_u32);
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => match name.strip_prefix('#') {
            Some(h) if h.starts_with(['x', 'X']) => num(&h[1..], 16),
            Some(d) => num(d, 10),
            None => None,
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn wordpress_name_entities_are_decoded() {
        let d = super::decode_html_entities;
        assert_eq!(d("Tom &amp; Jerry"), "Tom & Jerry");
        assert_eq!(d("O&#039;Brien &#x263A;"), "O'Brien ☺");
        assert_eq!(d("a & b &unknown; &"), "a & b &unknown; &");
    }
}
