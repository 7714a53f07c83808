//! Edits to the user's profile files: appending an exclusion accepted in the dashboard. The
//! matcher that suggests it stays pure; this is the one place that writes a profile.

use std::io::Write as _;
use std::path::Path;

use crate::matching::suggest::exclude_table;
use crate::matching::{Profile, ProfileError};

/// Why an exclusion could not be added to a profile file.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// Which file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file with the exclusion added would not be a valid profile (the term is already
    /// there, or the file was invalid before); nothing was written.
    #[error("{0}")]
    Invalid(#[from] ProfileError),
}

/// Appends an `[[exclude]]` table for `term` with `weight` to the profile at `profile_path`.
///
/// The file is only appended to, so its comments and layout stay; the result is parsed before
/// anything is written, and written to a temporary file in the same directory that then replaces
/// the original, so a crash leaves either the old or the new file, never half of one.
///
/// # Errors
/// [`AppendError::Io`] when the file cannot be read or replaced, [`AppendError::Invalid`] when
/// the result would not parse (the term is listed already, the weight is not positive, …).
pub fn append_exclusion(profile_path: &Path, term: &str, weight: i32) -> Result<Profile, AppendError> {
    let shown = profile_path.display().to_string();
    let io = |source| AppendError::Io {
        path: shown.clone(),
        source,
    };
    let mut text = std::fs::read_to_string(profile_path).map_err(io)?;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("\n# Suggested from rejection reasons and accepted in anbud.\n");
    text.push_str(&exclude_table(term, weight));
    let profile = Profile::parse(&text, &shown)?;
    let dir = profile_path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    temp.write_all(text.as_bytes()).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    temp.persist(profile_path).map_err(|e| io(e.error))?;
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_keeps_comments_and_validates_before_writing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.toml");
        let original = "# my profile\nname = \"p\"\nthreshold = 10\n[[exclude]]\nterm = \"legemiddel\"\nweight = 12";
        std::fs::write(&path, original).expect("write");
        let profile = append_exclusion(&path, "infusjonsvæsker", 12).expect("appended");
        assert_eq!(profile.exclude.len(), 2);
        assert_eq!(profile.exclude[1].term, "infusjonsvæsker");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.starts_with(original), "appended, not rewritten: {text}");
        assert!(
            text.ends_with("[[exclude]]\nterm = \"infusjonsvæsker\"\nweight = 12\n"),
            "{text}"
        );
        // A term listed already, or a bad weight, leaves the file as it was.
        for (term, weight) in [("infusjonsvæsker", 12), ("renhold", 0)] {
            let err = append_exclusion(&path, term, weight).expect_err("invalid");
            assert!(matches!(err, AppendError::Invalid(_)), "{err}");
            assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
        }
        // Quotes in a term are escaped, not breaking the TOML.
        let profile = append_exclusion(&path, "say \"hi\"", 12).expect("escaped");
        assert_eq!(profile.exclude[2].term, "say \"hi\"");
        let missing = append_exclusion(&dir.path().join("none.toml"), "x1", 12).expect_err("no file");
        assert!(matches!(missing, AppendError::Io { .. }), "{missing}");
    }
}
