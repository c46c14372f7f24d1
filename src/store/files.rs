//! Files the user points at from the window: a typed path resolved against
//! the home folder, folders listed for the in-app file browser, and the
//! operating system's errors worded for people ("There is no file at …").

use std::path::{Path, PathBuf};

/// The user's home folder (the root folder when the platform has none).
pub fn home_dir() -> PathBuf {
    directories::BaseDirs::new().map_or_else(|| PathBuf::from("/"), |d| d.home_dir().to_path_buf())
}

/// A path as typed: `~` and `~/…` are the home folder, and a relative path
/// is taken from the home folder (a window has no working folder a person
/// could know about).
pub fn resolve_path(typed: &str, home: &Path) -> PathBuf {
    let typed = typed.trim();
    if typed == "~" {
        return home.to_path_buf();
    }
    if let Some(rest) = typed.strip_prefix("~/") {
        return home.join(rest);
    }
    let path = PathBuf::from(typed);
    if path.is_absolute() { path } else { home.join(path) }
}

/// One entry of a listed folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderEntry {
    /// The file or folder name.
    pub name: String,
    /// Its full path.
    pub path: PathBuf,
    /// A folder (or a link to one).
    pub is_dir: bool,
}

/// The folders and files in `dir`, folders first, each group by name;
/// hidden entries (a leading `.`) are left out.
///
/// # Errors
/// The folder cannot be read, worded with [`describe_io`].
pub fn list_folder(dir: &Path) -> Result<Vec<FolderEntry>, String> {
    let read = std::fs::read_dir(dir).map_err(|e| describe_io(dir, &e, Expect::Folder))?;
    let mut entries: Vec<FolderEntry> = read
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                return None;
            }
            let path = entry.path();
            // Follows links, so a link to a folder opens like one.
            let is_dir = path.is_dir();
            Some(FolderEntry { name, path, is_dir })
        })
        .collect();
    entries.sort_by(|a, b| b.is_dir.cmp(&a.is_dir).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase())));
    Ok(entries)
}

/// What the user meant a path to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A file to read.
    File,
    /// A folder to look in or write into.
    Folder,
}

/// Checks that `path` is a file that can be opened, before a worker reads it.
///
/// # Errors
/// The reason, for people: no such file, a folder, not allowed.
pub fn check_readable(path: &Path) -> Result<(), String> {
    if path.is_dir() {
        return Err(format!("{} is a folder: choose a file in it", path.display()));
    }
    std::fs::File::open(path).map(drop).map_err(|e| describe_io(path, &e, Expect::File))
}

/// An operating-system error on `path`, as a sentence a person can act on.
pub fn describe_io(path: &Path, error: &std::io::Error, expect: Expect) -> String {
    let shown = path.display();
    let what = match expect {
        Expect::File => "file",
        Expect::Folder => "folder",
    };
    match error.kind() {
        std::io::ErrorKind::NotFound => format!("There is no {what} at {shown}"),
        std::io::ErrorKind::PermissionDenied => {
            format!("Yadgar is not allowed to open {shown}: check the {what}'s permissions")
        }
        std::io::ErrorKind::NotADirectory => format!("{shown} is a file, not a folder"),
        std::io::ErrorKind::IsADirectory => format!("{shown} is a folder: choose a file in it"),
        std::io::ErrorKind::StorageFull => format!("The disk is full: {shown} could not be written"),
        std::io::ErrorKind::ReadOnlyFilesystem => format!("{shown} is on a read-only disk: choose another folder"),
        _ => format!("Cannot use {shown}: {error}"),
    }
}

/// Reads the student's copy of the source text.
///
/// # Errors
/// The file cannot be read, or is not text (UTF-8), worded for people.
pub fn read_source(path: &Path) -> Result<crate::ground::SourceText, String> {
    let bytes = std::fs::read(path).map_err(|e| describe_io(path, &e, Expect::File))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{} is not plain text (UTF-8): save the article as a .txt file", path.display()))?;
    Ok(crate::ground::SourceText::new(&text))
}

/// A file name made from a deck title: characters that are not allowed in
/// file names on some system (`/ \ : * ? " < > |`) become `-`.
pub fn file_name_for(title: &str, extension: &str) -> String {
    let title = title.replace(": ", " - ");
    let clean: String =
        title.chars().map(|c| if "/\\:*?\"<>|".contains(c) || c.is_control() { '-' } else { c }).collect();
    let clean = clean.trim().trim_matches('.').trim();
    let stem = if clean.is_empty() { "deck" } else { clean };
    format!("{stem}.{extension}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_relative_path_is_taken_from_the_home_folder() {
        let home = Path::new("/home/student");
        assert_eq!(resolve_path("decks/a.apkg", home), PathBuf::from("/home/student/decks/a.apkg"));
        assert_eq!(resolve_path(" ~/a.csv ", home), PathBuf::from("/home/student/a.csv"));
        assert_eq!(resolve_path("~", home), PathBuf::from("/home/student"));
        assert_eq!(resolve_path("/tmp/a.json", home), PathBuf::from("/tmp/a.json"));
    }

    #[test]
    fn a_deck_title_becomes_a_file_name() {
        assert_eq!(file_name_for("Soviet–Iranian relations: dates", "apkg"), "Soviet–Iranian relations - dates.apkg");
        assert_eq!(file_name_for("a/b", "csv"), "a-b.csv");
        assert_eq!(file_name_for("  ", "json"), "deck.json");
    }

    #[test]
    fn a_missing_file_is_worded_for_people() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nothing.apkg");
        let message = check_readable(&missing).unwrap_err();
        assert_eq!(message, format!("There is no file at {}", missing.display()));
        let folder = check_readable(dir.path()).unwrap_err();
        assert!(folder.ends_with("is a folder: choose a file in it"), "{folder}");
    }
}
