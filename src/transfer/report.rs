//! The account an import gives at its end: what it wrote, by status, what was there
//! already, and what it skipped and why.
use std::collections::BTreeMap;
use std::fmt;

use crate::moderation::PageOutcome;

#[derive(Debug, Default, Clone)]
pub struct Report {
    pub source: String,
    pub dry_run: bool,
    pub pages: usize,
    pub pages_created: usize,
    /// Comments written, by status.
    pub imported: BTreeMap<&'static str, usize>,
    /// Deleted comments kept as placeholders for their replies.
    pub tombstones: usize,
    /// Comments whose source id was already there (an earlier run).
    pub already: usize,
    /// Comments not imported, by reason.
    pub skipped: BTreeMap<String, usize>,
    /// Replies whose parent was not in the source, made top-level.
    pub orphans: usize,
    /// Values longer than replyd stores, shortened.
    pub shortened: usize,
    pub seconds: f64,
}

impl Report {
    pub fn add(&mut self, o: &PageOutcome) {
        self.pages += 1;
        self.pages_created += usize::from(o.page_created);
        for (status, n) in &o.written {
            *self.imported.entry(status).or_default() += n;
        }
        self.tombstones += o.tombstones;
        self.already += o.already;
        self.orphans += o.orphans;
        self.shortened += o.shortened;
        self.skip("deleted or trashed, with no replies", o.deleted);
        self.skip("the same source id twice (the first was kept)", o.repeated);
    }

    pub fn skip(&mut self, why: &str, n: usize) {
        if n > 0 {
            *self.skipped.entry(why.to_owned()).or_default() += n;
        }
    }

    /// Comments written (or, in a dry run, that would be), tombstones included.
    pub fn written(&self) -> usize {
        self.imported.values().sum::<usize>() + self.tombstones
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "would import"
        } else {
            "imported"
        };
        if self.dry_run {
            writeln!(f, "dry run: nothing was written")?;
        }
        writeln!(
            f,
            "{}: {verb} {} comments on {} pages ({} new) in {:.1}s",
            self.source,
            self.written(),
            self.pages,
            self.pages_created,
            self.seconds
        )?;
        for (status, n) in &self.imported {
            writeln!(f, "  {status}: {n}")?;
        }
        if self.tombstones > 0 {
            writeln!(
                f,
                "  deleted, kept as placeholders for their replies: {}",
                self.tombstones
            )?;
        }
        if self.already > 0 {
            writeln!(f, "already imported before, left alone: {}", self.already)?;
        }
        let skipped: usize = self.skipped.values().sum();
        writeln!(f, "skipped: {skipped}")?;
        for (why, n) in &self.skipped {
            writeln!(f, "  {why}: {n}")?;
        }
        if self.orphans > 0 {
            writeln!(
                f,
                "replies whose parent was missing, made top-level: {}",
                self.orphans
            )?;
        }
        if self.shortened > 0 {
            writeln!(
                f,
                "comments with a name, email or website too long, shortened: {}",
                self.shortened
            )?;
        }
        Ok(())
    }
}
