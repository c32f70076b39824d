//! The suite's routes are the platform's routes (issue 19.7): every route, method and `X-*`
//! header the tenant client uses is one the platform's router registers (or a handler reads) at
//! each generation, from the pinned files of `src/generation/routes/`. A static scan of the
//! client's source, as the platform's own gate scans its harness
//! (`tests/e2e/lib/assert_e2e_tenant_contract.py` at aeec8e47): a call to a route that does not
//! exist falls to the canvas's HTML 404 and reads as a platform regression.
//!
//! The control plane (`src/client/cp.rs`) is private, so its routes have no router to check
//! against; the runtime client (`src/client/runtime.rs`) speaks to a runtime, not the tenant.

use molecule_e2e::generation::{GENERATIONS, Generation, RouteTable};

// The tenant client with its child module of generation probes (offered-models).
const TENANT_CLIENT: &str = concat!(
    include_str!("../../src/client/tenant.rs"),
    include_str!("../../src/client/tenant/offered.rs"),
    include_str!("../../src/client/tenant/files.rs")
);
const CLIENT_SOURCES: &[(&str, &str)] = &[
    ("src/client/tenant.rs", include_str!("../../src/client/tenant.rs")),
    ("src/client/tenant/offered.rs", include_str!("../../src/client/tenant/offered.rs")),
    ("src/client/tenant/files.rs", include_str!("../../src/client/tenant/files.rs")),
    ("src/client/http.rs", include_str!("../../src/client/http.rs")),
    ("src/client/mod.rs", include_str!("../../src/client/mod.rs")),
];

/// Routes the client calls at some generations only: (path as the scan reads it, the
/// generations that have it, why the client calls it only there).
const ONLY_AT: &[(&str, &[&str], &str)] = &[
    ("/admin/workspaces/:p/llm-billing-mode", &["41409fb2"], "the billing-mode opt-in, deleted in 881b3f6f"),
    ("/org/identity", &["aeec8e47"], "a throwaway control plane's readiness (1c42488b); read only with slug routing"),
    ("/admin/llm/offered-models", &["aeec8e47"], "the provider probe's model list where the generation serves it (core#2608, router.go:225)"),
];

/// Routes the suite calls to prove they are absent (each must be absent at every generation).
const ABSENCE_PROBES: &[(&str, &str)] =
    &[("/workspaces/:p/shared-context", "step 9d: the removed route answers 404 (the harness's exact-404 check)")];

/// One call the scan found: the client function, its method (`None` when the function hands
/// its path to a helper that picks the method) and the path with `:p` for each parameter.
#[derive(Debug, PartialEq, Eq)]
struct Call {
    func: String,
    method: Option<String>,
    path: String,
}

/// The calls of one client source file: each function's path literals (plain or `format!`),
/// paired with its method when it names exactly one.
fn calls(src: &str) -> Vec<Call> {
    let mut out = Vec::new();
    for block in functions(src) {
        let methods: Vec<String> = ["GET", "POST", "PUT", "PATCH", "DELETE"]
            .iter()
            .filter(|m| block.1.contains(&format!("Method::{m}")) || block.1.contains(&format!(", \"{m}\",")))
            .map(|m| (*m).to_owned())
            .collect();
        let method = if methods.len() == 1 { Some(methods[0].clone()) } else { None };
        for lit in string_literals(&block.1).into_iter().filter(|l| l.starts_with('/') && l[1..].starts_with(char::is_alphabetic)) {
            out.push(Call { func: block.0.clone(), method: method.clone(), path: normalise(&lit) });
        }
    }
    out
}

/// `(name, body)` of each `fn` in `src`, a body running to the next `fn`.
fn functions(src: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in src.lines() {
        let t = line.trim_start();
        let t = t.strip_prefix("pub ").unwrap_or(t).trim_start_matches("(crate) ");
        let t = t.strip_prefix("async ").unwrap_or(t);
        if let Some(rest) = t.strip_prefix("fn ") {
            let name = rest.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or_default();
            out.push((name.to_owned(), String::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

fn string_literals(src: &str) -> Vec<String> {
    src.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

/// `/workspaces/{}/hibernate{q}?x=1` → `/workspaces/:p/hibernate`: a placeholder that is a
/// whole segment is a parameter; one glued to a segment is a query suffix.
fn normalise(lit: &str) -> String {
    let path = lit.split('?').next().unwrap_or_default();
    let segs: Vec<String> = path
        .split('/')
        .map(|s| if s.starts_with('{') && s.ends_with('}') { ":p".to_owned() } else { s.split('{').next().unwrap_or_default().to_owned() })
        .collect();
    segs.join("/")
}

fn route_table_of(commit: &str) -> RouteTable {
    Generation::parse(commit).expect("a generation named in ONLY_AT").tenant_routes
}

#[test]
fn every_tenant_route_the_client_calls_is_registered_at_each_generation() {
    let calls = calls(TENANT_CLIENT);
    let mut missing = Vec::new();
    for g in GENERATIONS {
        for c in &calls {
            if ABSENCE_PROBES.iter().any(|(p, _)| *p == c.path) {
                continue;
            }
            if let Some((_, only, _)) = ONLY_AT.iter().find(|(p, _, _)| *p == c.path)
                && !only.contains(&g.commit)
            {
                continue;
            }
            if !g.tenant_routes.serves(c.method.as_deref(), &c.path) {
                let m = c.method.as_deref().unwrap_or("(any method)");
                missing.push(format!("{m} {} (tenant.rs fn {}) at generation {}", c.path, c.func, g.commit));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "the tenant client calls routes the platform does not register (they would answer the canvas's HTML 404):\n  {}\n\
         fix the path, or, if the route exists at some generations only, add it to ONLY_AT with why",
        missing.join("\n  ")
    );
}

#[test]
fn routes_held_to_some_generations_exist_there_and_absence_probes_exist_nowhere() {
    for (path, only, why) in ONLY_AT {
        for g in GENERATIONS {
            let serves = g.tenant_routes.serves(None, path);
            assert_eq!(serves, only.contains(&g.commit), "{path} ({why}) at {}: the router says {serves}", g.commit);
        }
        assert!(only.iter().all(|c| route_table_of(c).serves(None, path)));
    }
    for (path, why) in ABSENCE_PROBES {
        for g in GENERATIONS {
            assert!(!g.tenant_routes.serves(None, path), "{path} ({why}) is a route at {}: the probe proves nothing", g.commit);
        }
    }
}

#[test]
fn every_x_header_the_clients_send_is_read_by_the_tenant_at_each_generation() {
    let mut sent = Vec::new();
    for (file, src) in CLIENT_SOURCES {
        for lit in string_literals(src) {
            let name = lit.to_ascii_lowercase();
            if name.starts_with("x-") && name.len() > 2 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                sent.push((*file, lit));
            }
        }
    }
    assert!(sent.iter().any(|(_, h)| h.eq_ignore_ascii_case("x-workspace-id")), "the scan found no X-Workspace-ID: {sent:?}");
    for g in GENERATIONS {
        for (file, h) in &sent {
            assert!(g.tenant_routes.reads_header(h), "{file} sends {h}, which no handler at {} reads: a header nobody reads is silence", g.commit);
        }
    }
}

#[test]
fn the_scan_sees_the_calls_it_must_and_flags_a_route_that_does_not_exist() {
    let found = calls(TENANT_CLIENT);
    let has = |m: &str, p: &str| found.iter().any(|c| c.method.as_deref() == Some(m) && c.path == p);
    assert!(has("POST", "/workspaces") && has("POST", "/workspaces/:p/a2a") && has("GET", "/registry/:p/peers"), "{found:#?}");
    assert!(found.len() >= 20, "the scan found only {} calls: {found:#?}", found.len());
    // The bug the platform's own gate was written for: activity by query, not by path.
    let bad = calls("    pub async fn activity(&self) {\n        self.http.json(\"activity\", Method::GET, \"/activity?workspace_id=1\", None)\n    }\n");
    assert_eq!(bad, vec![Call { func: "activity".into(), method: Some("GET".into()), path: "/activity".into() }]);
    assert!(GENERATIONS.iter().all(|g| !g.tenant_routes.serves(Some("GET"), &bad[0].path)));
}

#[test]
fn each_pinned_route_file_names_its_generations_commit_and_is_not_empty() {
    for g in GENERATIONS {
        let head = g.tenant_routes.0.lines().next().unwrap_or_default();
        assert!(head.contains(g.commit), "the routes pinned for {} say they come from {head:?}", g.commit);
        assert!(g.tenant_routes.routes().count() > 100 && g.tenant_routes.headers().count() > 5, "{}: too few rows", g.commit);
    }
}
