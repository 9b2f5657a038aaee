//! Offsets of every list the API serves: bounded, so no value a client can send reaches
//! the database as an overflowing `OFFSET`; past the bound the answer is a 422 naming the
//! field.
use crate::http::error::ApiError;
use crate::moderation::FieldErrors;

/// The deepest offset any list accepts.
pub const MAX_OFFSET: u64 = 1_000_000;

/// The requested offset (0 when absent), or a 422 on `offset` past [`MAX_OFFSET`].
pub fn offset(requested: Option<u64>) -> Result<u64, ApiError> {
    let offset = requested.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ApiError::Validation(FieldErrors::from([(
            "offset".to_owned(),
            vec![format!("must be at most {MAX_OFFSET}")],
        )])));
    }
    Ok(offset)
}
