//! The layering ARCHITECTURE.md describes, kept by a test (as Kubernetes keeps its e2e
//! framework's import restrictions): the stand-in and the reference runtime import nothing of
//! the clients, scenarios or harness; no module imports one that imports it back, and the
//! top-level modules form no circle; the client's surface is what a user of the library needs.
//!
//! A module is a file of `src/` (`runtime/a2a.rs` is `runtime::a2a`); its imports are the
//! `crate::…` and `super::…` paths in its code (comments aside), resolved to the deepest module
//! they name. A parent and its own child may use each other: that is how Rust nests them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Every module of the library (the CLI binary aside) and its source, by module path.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, rel: &str, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).expect("a utf-8 name").to_owned();
            let join = |n: &str| if rel.is_empty() { n.to_owned() } else { format!("{rel}::{n}") };
            if path.is_dir() && name != "bin" {
                walk(&path, &join(&name), out);
            } else if let Some(stem) = name.strip_suffix(".rs") {
                let module = if stem == "mod" || stem == "lib" { rel.to_owned() } else { join(stem) };
                out.insert(module, std::fs::read_to_string(&path).expect("a source file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), "", &mut out);
    out
}

/// The code of a source, comments dropped (doc links to other modules are not imports).
fn code(src: &str) -> String {
    src.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// The paths (`crate::a::b`, `super::c`) written in `code`, with brace groups after them
/// expanded one level (`crate::{a, b::c}` gives `crate::a` and `crate::b::c`).
fn paths(code: &str) -> Vec<String> {
    let is_path = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let mut out = Vec::new();
    for start in ["crate::", "super::"] {
        for (at, _) in code.match_indices(start) {
            if at > 0 && code[..at].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &code[at..];
            let path: String = rest.chars().take_while(|c| is_path(*c)).collect();
            let after = &rest[path.len()..];
            match after.strip_prefix('{') {
                Some(group) if path.ends_with("::") => {
                    let inner = group.split('}').next().unwrap_or_default();
                    for item in inner.split(',') {
                        let item: String = item.trim().chars().take_while(|c| is_path(*c)).collect();
                        out.push(format!("{path}{item}"));
                    }
                }
                _ => out.push(path.trim_end_matches(':').to_owned()),
            }
        }
    }
    out
}

/// The deepest module `path`, written in `module`, names.
fn resolve(module: &str, path: &str, known: &BTreeMap<String, String>) -> Option<String> {
    let mut segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Vec<&str> = if module.is_empty() { Vec::new() } else { module.split("::").collect() };
    if segs.first() == Some(&"crate") {
        base.clear();
        segs.remove(0);
    }
    while segs.first() == Some(&"super") {
        base.pop();
        segs.remove(0);
    }
    let mut best = None;
    for s in segs {
        base.push(s);
        let candidate = base.join("::");
        if known.contains_key(&candidate) {
            best = Some(candidate);
        }
    }
    best
}

/// Module → the modules it imports (itself, its ancestors and its descendants aside).
fn graph() -> Graph {
    let known = modules();
    let nested = |a: &str, b: &str| a.is_empty() || b.is_empty() || a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"));
    let mut g = Graph::new();
    for (module, src) in &known {
        let deps = g.entry(module.clone()).or_default();
        for p in paths(&code(src)) {
            if let Some(dep) = resolve(module, &p, &known).filter(|d| d != module && !nested(module, d)) {
                deps.insert(dep);
            }
        }
    }
    g
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or_default()
}

#[test]
fn the_parser_reads_paths_groups_and_super() {
    let src = "use crate::client::{Tenant, http::Http};\nuse super::state::Runtime; // crate::scenario in a comment\nlet x = crate::wait::Wait::new();";
    let mut got = paths(&code(src));
    got.sort();
    assert_eq!(got, ["crate::client::Tenant", "crate::client::http::Http", "crate::wait::Wait::new", "super::state::Runtime"]);
    let known: BTreeMap<String, String> =
        ["runtime", "runtime::a2a", "runtime::state", "client", "client::http"].iter().map(|m| (m.to_string(), String::new())).collect();
    assert_eq!(resolve("runtime::a2a", "super::state::Runtime", &known).as_deref(), Some("runtime::state"));
    assert_eq!(resolve("runtime::a2a", "crate::client::http::Http", &known).as_deref(), Some("client::http"));
}

/// The stand-in and the reference runtime are rooms of their own: they use the pure code and
/// the shared foundations (`net`, `config`, `error`, `catalog`, `a2a`), never the clients,
/// the scenarios or the harness.
#[test]
fn the_standin_and_the_runtime_import_nothing_of_the_clients_scenarios_or_harness() {
    let forbidden = ["client", "scenario", "harness"];
    let bad: Vec<String> = graph()
        .iter()
        .filter(|(m, _)| ["standin", "runtime"].contains(&top(m)))
        .flat_map(|(m, deps)| deps.iter().filter(|d| forbidden.contains(&top(d))).map(move |d| format!("{m} imports {d}")))
        .collect();
    assert!(bad.is_empty(), "layering broken (ARCHITECTURE.md, 'Layout'):\n{}", bad.join("\n"));
}

/// No module imports one that imports it back.
#[test]
fn no_module_imports_one_that_imports_it_back() {
    let g = graph();
    let mut mutual = Vec::new();
    for (a, deps) in &g {
        for b in deps.iter().filter(|b| a < *b && g.get(*b).is_some_and(|d| d.contains(a))) {
            mutual.push(format!("{a} <-> {b}"));
        }
    }
    assert!(mutual.is_empty(), "modules importing each other (move what both need into a module of its own):\n{}", mutual.join("\n"));
}

/// The top-level modules form no circle (a → b → … → a), so each can be read, and built,
/// knowing only what is below it.
#[test]
fn the_top_level_modules_form_no_circle() {
    let mut tops: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let g = graph();
    for (m, deps) in &g {
        let entry = tops.entry(top(m)).or_default();
        entry.extend(deps.iter().map(|d| top(d)).filter(|d| *d != top(m) && !d.is_empty()));
    }
    tops.remove("");
    // Depth-first search for a back edge, reporting the circle it closes.
    fn visit<'a>(n: &'a str, g: &BTreeMap<&'a str, BTreeSet<&'a str>>, stack: &mut Vec<&'a str>, done: &mut BTreeSet<&'a str>) -> Option<String> {
        if let Some(i) = stack.iter().position(|s| *s == n) {
            return Some(format!("{} -> {n}", stack[i..].join(" -> ")));
        }
        if !done.insert(n) {
            return None;
        }
        stack.push(n);
        let found = g.get(n).into_iter().flatten().find_map(|d| visit(d, g, stack, done));
        stack.pop();
        found
    }
    let mut done = BTreeSet::new();
    for n in tops.keys() {
        if let Some(circle) = visit(n, &tops, &mut Vec::new(), &mut done) {
            panic!("the top-level modules form a circle: {circle}");
        }
    }
}

/// `client` re-exports what a user of the library calls (the clients, their options and the
/// rows they answer with); decoding and retry internals sit in `client::internals`.
#[test]
fn the_client_reexports_only_its_users_surface() {
    let src = &modules()["client"];
    let exported: Vec<&str> = src
        .split("pub use ")
        .skip(1)
        .map(|s| s.split(';').next().unwrap_or_default())
        .filter(|s| !s.starts_with("super::"))
        .collect();
    let names: Vec<&str> = exported
        .iter()
        .flat_map(|e| e.rsplit("::").next().unwrap_or_default().trim_matches(|c| c == '{' || c == '}').split(','))
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    let internal = ["api_error", "serde_reason", "decode_activity", "decode_orgs", "check_shape", "str_field", "is_transient", "Next", "client_builder"];
    let leaked: Vec<_> = names.iter().filter(|n| internal.contains(n)).collect();
    assert!(names.contains(&"Tenant") && names.contains(&"ControlPlane"), "{names:?}");
    assert!(leaked.is_empty(), "client/mod.rs re-exports internals at its top: {leaked:?} (put them in client::internals)");
}
