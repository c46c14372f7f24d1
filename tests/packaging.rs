//! What the packages are made of: the man pages and completions that
//! `yadgar packaging-files` writes for packagers, and the desktop identity
//! (application id, desktop file, metainfo, icons) agreeing on one name.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::process::Command;

use yadgar::ui::APP_ID;

fn repo(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

#[test]
fn packaging_files_writes_man_pages_and_three_completions_without_the_hidden_command() {
    let out = tempfile::tempdir().unwrap();
    let status =
        Command::new(env!("CARGO_BIN_EXE_yadgar")).args(["packaging-files", "--out"]).arg(out.path()).status().unwrap();
    assert!(status.success());
    let man = std::fs::read_to_string(out.path().join("man/yadgar.1")).unwrap();
    assert!(man.contains(".TH yadgar 1"), "{man}");
    assert!(man.contains("check"), "the subcommands are listed: {man}");
    assert!(out.path().join("man/yadgar-export.1").is_file());
    for name in ["yadgar.bash", "_yadgar", "yadgar.fish"] {
        let text = std::fs::read_to_string(out.path().join("completions").join(name)).unwrap();
        assert!(text.contains("data-dir"), "{name}");
        assert!(text.contains("export"), "{name}");
        assert!(!text.contains("packaging-files"), "{name} offers the hidden command");
    }
    assert!(!man.contains("packaging"), "the man page shows the hidden command");
}

#[test]
fn the_help_does_not_show_the_packagers_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_yadgar")).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("export"), "{help}");
    assert!(!help.contains("packaging"), "{help}");
}

#[test]
fn desktop_file_metainfo_and_window_share_one_application_id() {
    let desktop = repo(&format!("packaging/linux/{APP_ID}.desktop"));
    assert!(desktop.lines().any(|l| l == format!("Icon={APP_ID}")), "{desktop}");
    assert!(desktop.lines().any(|l| l == format!("StartupWMClass={APP_ID}")), "{desktop}");
    assert!(desktop.lines().any(|l| l == "Exec=yadgar"), "{desktop}");
    let metainfo = repo(&format!("packaging/linux/{APP_ID}.metainfo.xml"));
    assert!(metainfo.contains(&format!("<id>{APP_ID}</id>")));
    assert!(metainfo.contains(&format!("<launchable type=\"desktop-id\">{APP_ID}.desktop</launchable>")));
    assert!(
        metainfo.contains(&format!("<release version=\"{}\"", env!("CARGO_PKG_VERSION"))),
        "a release entry for this version"
    );
}

#[test]
fn the_metainfo_screenshots_are_in_the_repository() {
    let metainfo = repo(&format!("packaging/linux/{APP_ID}.metainfo.xml"));
    let shots: Vec<&str> = metainfo.split("/main/").skip(1).filter_map(|rest| rest.split('<').next()).collect();
    assert!(!shots.is_empty());
    for shot in shots {
        assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(shot).is_file(), "{shot} is not in the repository");
    }
}

#[test]
fn every_icon_size_is_a_square_png_of_that_size() {
    for size in [16u32, 24, 32, 48, 64, 128, 256, 512] {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("assets/icons/hicolor/{size}x{size}/apps/{APP_ID}.png"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        assert_eq!((width, height), (size, size), "{}", path.display());
    }
}
