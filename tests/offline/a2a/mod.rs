//! a2a pins: the envelopes the builder makes (against the official 0.3 schema, the refs-fixed
//! 1.0 schema, the SDK's own requests and reviewed snapshots), and the reply parser (against
//! every captured exchange in `shared/a2a-vectors/`, the platform's own answer shapes, and
//! arbitrary JSON).

use std::sync::LazyLock;

use serde_json::{Value, json};

use molecule_e2e::a2a::{Dialect, Part, Reply, ReplyError, ReplyPart, SendMessage};

/// The official schemas and the captured exchanges, vendored from the steering repository's
/// `shared/` (provenance in `tests/data/a2a-schema/SOURCE.md` and `a2a-vectors/README.md`), so
/// a clone of this repository alone runs the offline tier.
const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

#[track_caller]
fn shared_text(relative: &str) -> String {
    let path = format!("{SHARED}/{relative}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The vendored copies are the files `tests/data/SHA256SUMS` records (sha256 taken from
/// `shared/` when they were vendored), in any clone; and where `shared/` is checked out (see
/// [`crate::contract::shared_dir`]: absent is said loudly, and fails under `CI`) they are
/// byte-identical to it and the record still matches it.
#[test]
fn vendored_schemas_and_vectors_match_their_record_and_shared() {
    use sha2::{Digest, Sha256};
    let sums_path = format!("{SHARED}/SHA256SUMS");
    let sums = std::fs::read_to_string(&sums_path).unwrap_or_else(|e| panic!("cannot read {sums_path}: {e}"));
    let recorded: Vec<(&str, &str)> = sums.lines().filter_map(|l| l.split_once("  ")).collect();
    let hex = |bytes: &[u8]| -> String { Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect() };
    let mut vendored = Vec::new();
    for dir in ["a2a-schema", "a2a-vectors"] {
        for entry in std::fs::read_dir(format!("{SHARED}/{dir}")).expect("vendored dir").flatten() {
            vendored.push(format!("{dir}/{}", entry.file_name().to_string_lossy()));
        }
    }
    vendored.sort();
    let mut listed: Vec<String> = recorded.iter().map(|(_, f)| f.to_string()).collect();
    listed.sort();
    assert_eq!(vendored, listed, "tests/data and its SHA256SUMS must list the same files");
    assert!(recorded.len() >= 12, "only {} files recorded", recorded.len());
    let upstream = crate::contract::shared_dir();
    for (sum, file) in &recorded {
        let mine = std::fs::read(format!("{SHARED}/{file}")).expect("vendored file");
        assert_eq!(hex(&mine), *sum, "tests/data/{file} is not the recorded copy");
        if let Some(dir) = &upstream {
            let theirs = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("shared/{file}: {e}"));
            assert!(theirs == mine, "tests/data/{file} differs from shared/{file}");
        }
    }
}

#[track_caller]
fn shared_json(relative: &str) -> Value {
    let text = shared_text(relative);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{SHARED}/{relative} is not JSON: {e}"))
}

/// A missing `shared/` must fail the run and say where it looked, never skip.
#[test]
fn a_missing_shared_file_fails_naming_where_it_looked() {
    let payload = std::panic::catch_unwind(|| shared_text("a2a-vectors/no-such-file.json"))
        .err()
        .unwrap_or_else(|| panic!("reading a missing file did not panic"));
    let message = payload.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("/tests/data/a2a-vectors/no-such-file.json"), "{message}");
}

/// One exchange of `v10-jsonrpc.json` by name.
#[track_caller]
fn vector(name: &str) -> Value {
    static VECTORS: LazyLock<Value> = LazyLock::new(|| shared_json("a2a-vectors/v10-jsonrpc.json"));
    match VECTORS.get(name) {
        Some(exchange) => exchange.clone(),
        None => panic!("no exchange {name:?} in {SHARED}/a2a-vectors/v10-jsonrpc.json"),
    }
}

/// 1x1 PNG the vectors attach as `dot.png`.
const DOT_PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

fn dot_png() -> Part {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(DOT_PNG).unwrap_or_default();
    Part::FileBytes { name: "dot.png".into(), mime_type: "image/png".into(), bytes }
}

fn doc_pdf() -> Part {
    Part::FileUri {
        name: "doc.pdf".into(),
        mime_type: "application/pdf".into(),
        uri: "https://example.com/doc.pdf".into(),
    }
}

fn canary_file() -> Part {
    Part::FileBytes {
        name: "canary-0000beef.txt".into(),
        mime_type: "text/plain".into(),
        bytes: b"Project status: nominal. Lighthouse score 98.".to_vec(),
    }
}

mod envelope;

mod reply;

mod markers;

mod fuzz;
