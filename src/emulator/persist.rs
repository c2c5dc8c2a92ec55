//! The `--state-file`: the world document written after every change, atomically
//! (a temporary file in the same directory, flushed, then renamed over the old one),
//! so a crash leaves either the old world or the new one, never half of either.

use std::io::Write;
use std::path::Path;

use super::world::WorldDoc;

/// Reads a world document; `Ok(None)` when the file does not exist.
///
/// Returns a message naming the file when it cannot be read or parsed.
pub fn load(path: &Path) -> Result<Option<WorldDoc>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| format!("{} is not a valid world document: {e}", path.display()))
}

/// Writes a world document atomically.
///
/// Returns the I/O error when the directory is not writable or the disk is full; the
/// previous file is then intact.
pub fn save(path: &Path, doc: &WorldDoc) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer_pretty(&mut file, doc)?;
    file.write_all(b"\n")?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A saved document loads back equal, and a missing file loads as none.
    #[test]
    fn saved_documents_load_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("world.json");
        assert_eq!(load(&path).unwrap(), None);
        let doc: WorldDoc =
            serde_json::from_str(r#"{"projects": {"p": {"apps": [{"app_id": "a"}]}}}"#).unwrap();
        save(&path, &doc).unwrap();
        assert_eq!(load(&path).unwrap(), Some(doc));
    }
}
