//! Every registry row has a kind, and every value is checked by it in one place
//! (`config::check`): a bad value of each kind is refused naming the variable, each reader
//! (`Settings`, `StandInConfig`, `RuntimeConfig`, `LeakSettings`) refuses a bad value of each
//! variable it reads, and code outside them reads a checked value (`env_value`, `env_flag`).

use std::collections::HashMap;

use molecule_e2e::config::{self, Kind, REGISTRY, Settings};
use molecule_e2e::leak::LeakSettings;
use molecule_e2e::runtime::RuntimeConfig;
use molecule_e2e::standin::StandInConfig;

/// A value of `kind` that must be refused, and one that must pass; `None` for a kind with no
/// bad value. The `match` has no wildcard, so a new kind cannot go untested.
fn examples(kind: Kind) -> (Option<&'static str>, &'static str) {
    match kind {
        Kind::Flag => (Some("yes"), "true"),
        Kind::Number(_) => (Some("ten"), "30"),
        Kind::Url => (Some("ftp://cp.example.test"), "https://{slug}.example.test:8443/"),
        Kind::Path => (Some("/tmp/a\nb"), "/tmp/e2e report.md"),
        Kind::List => (Some("resume-stays-paused,,transient-5xx"), "resume-stays-paused, transient-5xx"),
        Kind::Id => (Some("run 42"), "ci-run_42"),
        Kind::Choice => (Some("not one"), "input-required"),
        Kind::Text => (Some("model\u{7}"), "openai/gpt-4o (pinned)"),
        Kind::Secret => (Some("sk-abc def"), "sk-proj-abc123"),
        Kind::Set => (None, "anything at all"),
    }
}

#[test]
fn a_bad_value_of_each_kind_is_refused_naming_the_variable() {
    let mut kinds_seen = Vec::new();
    for row in REGISTRY {
        let (bad, good) = examples(row.kind);
        if !kinds_seen.contains(&row.kind) {
            kinds_seen.push(row.kind);
        }
        assert!(config::check(row.name, good).is_ok(), "{}: {good:?} is a good {:?}", row.name, row.kind);
        assert!(config::check(row.name, "  ").is_ok(), "{}: a blank value is unset, not bad", row.name);
        let Some(bad) = bad else { continue };
        let e = config::check(row.name, bad).expect_err(&format!("{}: {bad:?} must be refused as a {:?}", row.name, row.kind));
        assert_eq!(e.var, row.name, "{e}");
        assert_eq!(e.allowed, row.kind.allowed(), "{e}");
        assert!(e.to_string().starts_with(&format!("{}=", row.name)), "the message leads with the variable: {e}");
        if row.kind == Kind::Secret {
            assert!(!e.to_string().contains("abc"), "a bad secret is masked: {e}");
        } else {
            assert_eq!(e.value, bad.trim(), "{e}");
        }
    }
    // Every kind but `Set` has a row, so each refusal above ran against a real variable.
    assert!(kinds_seen.len() >= 10, "kinds with rows: {kinds_seen:?}");
}

/// A lookup holding one variable.
fn only(name: &'static str, value: &'static str) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<&str, &str> = [(name, value)].into();
    move |k: &str| map.get(k).map(|v| (*v).to_owned())
}

/// What `reader` says of `name=value`: its error, or `None` if it accepted it.
fn refusal(reader: &str, name: &'static str, value: &'static str) -> Option<String> {
    match reader {
        "Settings" => Settings::from_lookup(only(name, value)).err().map(|e| e.to_string()),
        "StandInConfig" => StandInConfig::from_lookup(only(name, value)).err(),
        "RuntimeConfig" => RuntimeConfig::from_lookup(only(name, value)).err(),
        "LeakSettings" => LeakSettings::from_lookup(only(name, value)).err(),
        other => panic!("no constructor for reader {other}"),
    }
}

#[test]
fn each_constructor_refuses_a_bad_value_of_every_variable_it_reads() {
    let mut checked = 0;
    for row in REGISTRY {
        let (Some(bad), _) = examples(row.kind) else { continue };
        for reader in row.read_by.split(", ").filter(|r| ["Settings", "StandInConfig", "RuntimeConfig", "LeakSettings"].contains(r)) {
            let e = refusal(reader, row.name, bad).unwrap_or_else(|| panic!("{reader} accepted {}={bad:?} (a bad {:?})", row.name, row.kind));
            assert!(e.contains(row.name), "{reader}'s refusal of {} does not name it: {e}", row.name);
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} variables checked through their constructors");
}

#[test]
fn a_free_form_value_is_refused_though_no_parser_reads_it() {
    // Settings keeps these as given: only the kind stands between a typo and the org slug.
    for (name, bad) in [("E2E_RUN_ID", "run/42"), ("MOLECULE_TENANT_DOMAIN", "example\ttest"), ("E2E_MODEL_SLUG", "a\u{0}b")] {
        let e = Settings::from_lookup(only(name, bad)).expect_err(name);
        assert_eq!(e.var, name, "{e}");
    }
    let e = RuntimeConfig::from_lookup(only("WORKSPACE_ID", "canary 1")).expect_err("WORKSPACE_ID");
    assert!(e.contains("WORKSPACE_ID=\"canary 1\""), "{e}");
}

/// Outside the constructors, a value is read checked: `env_var`/`env_var_os` with a literal
/// name only for a variable whose presence alone counts (kind `Set`), and `PATH`, read as the
/// `OsString` it may be (a path list need not be UTF-8).
#[test]
fn code_outside_the_constructors_reads_checked_values() {
    let mut unchecked = Vec::new();
    for (rel, text) in crate::config::sources() {
        if rel == "src/config.rs" || rel.starts_with("src/config/") || rel.starts_with("tests/offline/config") {
            continue;
        }
        for prefix in ["env_var(\"", "env_var_os(\""] {
            let chunks: Vec<&str> = text.split(prefix).collect();
            // `with_env_var("X", …)` sets a container's variable; it reads nothing.
            let reads = chunks.windows(2).filter(|w| !w[0].ends_with("with_")).map(|w| w[1]);
            for name in reads.filter_map(|rest| rest.split('"').next()) {
                if name != "PATH" && config::variable(name).is_some_and(|v| v.kind != Kind::Set) {
                    unchecked.push(format!("{rel}: {name}"));
                }
            }
        }
    }
    assert!(unchecked.is_empty(), "read with config::env_value (checked by its kind) instead:\n{}", unchecked.join("\n"));
}

/// Each constructor checks what it reads: every `get("X")` in its file is a row whose
/// `read_by` names it, so `check_read_by` covers it.
#[test]
fn every_variable_a_constructor_reads_is_a_row_that_names_it() {
    let mut unnamed = Vec::new();
    for (file, reader) in [("src/config.rs", "Settings"), ("src/standin/config.rs", "StandInConfig"), ("src/runtime/mod.rs", "RuntimeConfig"), ("src/leak.rs", "LeakSettings")] {
        let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).expect(file);
        for name in text.split("get(\"").skip(1).filter_map(|rest| rest.split('"').next()) {
            let row = config::variable(name);
            if row.is_some_and(|v| !v.read_by.split(", ").any(|r| r == reader)) {
                unnamed.push(format!("{file}: {name} (read by {reader}; its row says {:?})", row.map(|v| v.read_by)));
            }
        }
    }
    assert!(unnamed.is_empty(), "add the reader to the row's read_by, so it checks the value:\n{}", unnamed.join("\n"));
}
