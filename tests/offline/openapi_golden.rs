//! The committed `openapi/openapi.json` must equal what the code generates.

#[test]
fn committed_openapi_matches_generated() {
    let generated = mustalah::api::openapi()
        .to_pretty_json()
        .expect("spec serializes")
        + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).expect("write openapi/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: regenerate it with `UPDATE_OPENAPI=1 cargo test --test offline openapi` (or `cargo run -- openapi > openapi/openapi.json`) and commit it"
    );
}
