//! The tenant's routes and the `X-*` headers it reads, per generation: pinned files read from
//! the platform's router and handlers by `.ci/pin-platform-routes` (the platform keeps the same
//! gate for its own harness: `tests/e2e/lib/assert_e2e_tenant_contract.py` at aeec8e47).

/// One generation's pinned routes file (`src/generation/routes/<commit>.routes`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RouteTable(pub &'static str);

impl RouteTable {
    /// Every `(method, gin path)` the tenant's router registers.
    pub fn routes(&self) -> impl Iterator<Item = (&'static str, &'static str)> {
        self.0.lines().filter(|l| !l.starts_with('#') && !l.starts_with("HEADER ")).filter_map(|l| l.split_once(' '))
    }

    /// Every `X-*` header the tenant reads or its CORS list declares.
    pub fn headers(&self) -> impl Iterator<Item = &'static str> {
        self.0.lines().filter_map(|l| l.strip_prefix("HEADER "))
    }

    /// Whether `method path` (a concrete path or one with `:name` segments; `None` for any
    /// method) reaches a registered route, with gin's matching: `:x` is one segment, `*x` the rest.
    pub fn serves(&self, method: Option<&str>, path: &str) -> bool {
        self.routes().any(|(m, route)| method.is_none_or(|want| want == m) && matches(path, route))
    }

    /// Whether the tenant reads header `name` (case-insensitive, as HTTP header names are).
    pub fn reads_header(&self, name: &str) -> bool {
        self.headers().any(|h| h.eq_ignore_ascii_case(name))
    }
}

fn segments(path: &str) -> Vec<&str> {
    path.split('?').next().unwrap_or_default().split('/').filter(|s| !s.is_empty()).collect()
}

/// Gin's match of a call path against a route pattern; a `:name` in the call stands for any
/// value and matches a parameter segment only.
fn matches(call: &str, route: &str) -> bool {
    let (call, route) = (segments(call), segments(route));
    for (i, r) in route.iter().enumerate() {
        if r.starts_with('*') {
            return call.len() > i;
        }
        let Some(c) = call.get(i) else { return false };
        match (c.starts_with(':'), r.starts_with(':')) {
            (_, true) => {}
            (true, false) => return false,
            (false, false) if c != r => return false,
            _ => {}
        }
    }
    call.len() == route.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: RouteTable = RouteTable("# c\nGET /workspaces/:id\nPOST /workspaces/:id/a2a\nGET /workspaces/:id/files/*path\nHEADER X-Workspace-ID\n");

    #[test]
    fn a_parameter_matches_one_segment_and_a_wildcard_the_rest() {
        assert!(T.serves(Some("GET"), "/workspaces/abc"));
        assert!(T.serves(Some("GET"), "/workspaces/:id?x=1"));
        assert!(!T.serves(Some("GET"), "/workspaces/abc/a2a"), "the method is part of the route");
        assert!(T.serves(None, "/workspaces/abc/a2a"));
        assert!(T.serves(Some("GET"), "/workspaces/:id/files/config.yaml"));
        assert!(!T.serves(Some("GET"), "/workspaces/:id/files"), "a wildcard needs a segment");
        assert!(!T.serves(Some("GET"), "/workspaces"));
        assert!(T.reads_header("x-workspace-id") && !T.reads_header("X-Source-Workspace-Id"));
    }
}
