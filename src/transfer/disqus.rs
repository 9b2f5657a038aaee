//! TODO
use std::path::Path;

use super::error::ReadError;
use super::source::Reading;

pub fn read(_path: &Path, _cx: &mut Reading<'_>) -> Result<(), ReadError> {
    Ok(())
}
