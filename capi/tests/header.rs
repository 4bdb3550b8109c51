//! The committed header must be exactly what cbindgen generates from capi/src, and its
//! version macros must match Cargo.toml.

use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn generate() -> String {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen failed")
        .write(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn header_is_fresh() {
    let path = repo().join("include/losskit.h");
    let fresh = generate();
    if std::env::var_os("LOSSKIT_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/losskit.h is stale: regenerate with `LOSSKIT_BLESS=1 cargo test -p losskit-capi --test header`"
    );
}

#[test]
fn header_version_matches_cargo_toml() {
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("version in Cargo.toml");
    let header = std::fs::read_to_string(repo().join("include/losskit.h")).unwrap();
    let macro_value = |name: &str| {
        header
            .lines()
            .find_map(|l| l.strip_prefix(&format!("#define {name} ")))
            .unwrap_or_else(|| panic!("{name} missing from the header"))
            .trim()
            .to_string()
    };
    let from_header = format!(
        "{}.{}.{}",
        macro_value("LK_VERSION_MAJOR"),
        macro_value("LK_VERSION_MINOR"),
        macro_value("LK_VERSION_PATCH")
    );
    assert_eq!(from_header, version);
    let capi_manifest = std::fs::read_to_string(repo().join("capi/Cargo.toml")).unwrap();
    assert!(
        capi_manifest.contains(&format!("version = \"{version}\"")),
        "capi/Cargo.toml must carry the same version (lk_version() reports it)"
    );
}
