//! Today's proof that a deleted org is gone (tests/e2e/lib/cp_purge_receipt.sh at aeec8e47):
//! the DELETE's answer, its receipt, the purge's audit row and the exact-absence probe, each
//! read by a pure function here so every shape is pinned without I/O. The control plane is a
//! private repository: these shapes are what the harness and its Go fixtures
//! (`staginge2e/cleanup_registration_staging_test.go:38-211`) accept, nothing looser.

use serde_json::Value;

/// What `DELETE /cp/admin/tenants/:slug` said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantDelete {
    /// 200 or 204, with the answer's JSON when it has one (a receipt today, June had none).
    Deleted(Option<Value>),
    /// 202: the teardown is queued behind a lifecycle operation; not gone yet, ask again
    /// (controlplane#2967, 0c36acfe).
    Queued,
    /// 409: a lifecycle operation still holds the org; ask again (3dd3675e).
    Busy,
}

/// The 200's receipt `{deleted:true, slug, org_id, purge_id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub org_id: String,
    pub purge_id: String,
}

fn uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

impl Receipt {
    /// The receipt, or why it is not one for this `slug` and the `org_id` the org had before
    /// the delete (the harness's python at cp_purge_receipt.sh:349-372).
    pub fn decode(v: &Value, slug: &str, org_id: &str) -> Result<Receipt, String> {
        let s = |k: &str| v.get(k).and_then(Value::as_str);
        if v.get("deleted") != Some(&Value::Bool(true)) {
            return Err("\"deleted\" is not true".into());
        }
        if s("slug") != Some(slug) {
            return Err(format!("\"slug\" is {:?}, not {slug:?}", s("slug")));
        }
        let got_org = s("org_id").unwrap_or_default();
        if !uuid(got_org) || got_org != org_id {
            return Err(format!("\"org_id\" is {got_org:?}, not the org's {org_id:?}"));
        }
        let purge_id = s("purge_id").unwrap_or_default();
        if !uuid(purge_id) {
            return Err(format!("\"purge_id\" is {purge_id:?}, not a UUID"));
        }
        Ok(Receipt { org_id: got_org.to_owned(), purge_id: purge_id.to_owned() })
    }
}

/// Where the purge's audit row stands in `GET /cp/admin/purges?limit=500`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audit {
    /// `status` and `last_step` are `completed`, with a zoned `completed_at`.
    Completed,
    /// Not listed yet, or still running: look again.
    Pending(String),
    /// Failed, or the row names another org, or it is malformed: the teardown is not proven.
    Broken(String),
}

/// The audit row of `purge_id` in the list `v` (cp_purge_receipt.sh:385-445).
pub fn audit(v: &Value, purge_id: &str, slug: &str, org_id: &str) -> Audit {
    let Some(rows) = v.get("purges").and_then(Value::as_array) else {
        return Audit::Broken("the answer has no \"purges\" array".into());
    };
    let Some(row) = rows.iter().find(|r| r.get("id").and_then(Value::as_str) == Some(purge_id)) else {
        return Audit::Pending(format!("purge {purge_id} not listed yet"));
    };
    let s = |k: &str| row.get(k).and_then(Value::as_str).unwrap_or_default();
    if s("org_slug") != slug || s("org_id") != org_id {
        return Audit::Broken(format!("purge {purge_id} names org {:?} ({:?}), not {slug:?} ({org_id:?})", s("org_slug"), s("org_id")));
    }
    match s("status") {
        "completed" => {
            let zoned = time::OffsetDateTime::parse(s("completed_at"), &time::format_description::well_known::Rfc3339).is_ok();
            if zoned && s("last_step") == "completed" {
                Audit::Completed
            } else {
                Audit::Broken(format!(
                    "purge {purge_id} says completed with last_step {:?} and completed_at {:?}",
                    s("last_step"),
                    s("completed_at")
                ))
            }
        }
        "failed" => Audit::Broken(format!("purge {purge_id} failed at step {:?}", s("last_step"))),
        other => Audit::Pending(format!("purge {purge_id} is {other:?} at step {:?}", s("last_step"))),
    }
}

/// The audit of a teardown whose DELETE answer was lost, so no purge id is known: the newest
/// row of this exact `slug` and `org_id` pair decides (cp_purge_receipt.sh:420-445, the
/// creation-returned org id being collision-safe authority).
pub fn audit_of_org(v: &Value, slug: &str, org_id: &str) -> Audit {
    let Some(rows) = v.get("purges").and_then(Value::as_array) else {
        return Audit::Broken("the answer has no \"purges\" array".into());
    };
    let ours = |r: &&Value| r.get("org_slug").and_then(Value::as_str) == Some(slug) && r.get("org_id").and_then(Value::as_str) == Some(org_id);
    match rows.iter().find(ours).and_then(|r| r.get("id")).and_then(Value::as_str) {
        Some(id) => audit(v, id, slug, org_id),
        None => Audit::Pending(format!("no purge of org {slug} ({org_id}) listed yet")),
    }
}

/// Whether the org of a slug exists, from `GET /cp/admin/tenants/:slug/boot-events?limit=1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// 200 `{slug, org_id, …}`.
    Present { org_id: String },
    /// 404 with exactly `{"error":"org not found","slug":<slug>}`.
    Absent,
}

/// The probe's answer read as the harness reads it (cp_purge_receipt.sh:61-140): only the exact
/// 404 proves absence; a generic 404 (an edge's, a missing route's) or any other status is
/// inconclusive (`Err`, saying why).
pub fn presence(status: u16, body: &[u8], slug: &str) -> Result<Presence, String> {
    let v: Option<Value> = serde_json::from_slice(body).ok();
    let s = |k: &str| v.as_ref().and_then(|v| v.get(k)).and_then(Value::as_str);
    match status {
        404 => {
            let exact = v.as_ref().and_then(Value::as_object).is_some_and(|m| m.len() == 2)
                && s("error") == Some("org not found")
                && s("slug") == Some(slug);
            if exact {
                Ok(Presence::Absent)
            } else {
                Err("HTTP 404 is not exactly {\"error\":\"org not found\",\"slug\":<slug>}: not a proof of absence".into())
            }
        }
        200 => match (s("slug"), s("org_id")) {
            (Some(got), Some(id)) if got == slug && uuid(id) => Ok(Presence::Present { org_id: id.to_owned() }),
            _ => Err(format!("HTTP 200 does not name {slug:?} with a UUID org_id")),
        },
        other => Err(format!("HTTP {other}: neither present nor absent")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ORG: &str = "6f1c3a52-8d0e-4b3a-9a51-0f6c2d7e9b10";
    const PURGE: &str = "0b7f9c1e-2a44-4e6f-8d3b-5c1a7e9f2d60";

    #[test]
    fn a_receipt_names_the_slug_the_org_and_a_purge() {
        let ok = json!({"deleted": true, "slug": "e2e-a", "org_id": ORG, "purge_id": PURGE});
        assert_eq!(Receipt::decode(&ok, "e2e-a", ORG), Ok(Receipt { org_id: ORG.into(), purge_id: PURGE.into() }));
        let june = json!({"status": "deleted", "slug": "e2e-a"});
        assert!(Receipt::decode(&june, "e2e-a", ORG).unwrap_err().contains("deleted"));
        let other = json!({"deleted": true, "slug": "e2e-a", "org_id": PURGE, "purge_id": PURGE});
        assert!(Receipt::decode(&other, "e2e-a", ORG).unwrap_err().contains("org_id"));
        let no_purge = json!({"deleted": true, "slug": "e2e-a", "org_id": ORG});
        assert!(Receipt::decode(&no_purge, "e2e-a", ORG).unwrap_err().contains("purge_id"));
    }

    #[test]
    fn only_a_completed_row_of_this_org_proves_the_purge() {
        let row = |status: &str, step: &str, slug: &str| {
            json!({"purges": [{"id": PURGE, "org_slug": slug, "org_id": ORG, "status": status,
                "last_step": step, "completed_at": "2026-08-14T10:00:00Z"}]})
        };
        assert_eq!(audit(&row("completed", "completed", "e2e-a"), PURGE, "e2e-a", ORG), Audit::Completed);
        assert!(matches!(audit(&row("pending", "queued", "e2e-a"), PURGE, "e2e-a", ORG), Audit::Pending(_)));
        assert!(matches!(audit(&json!({"purges": []}), PURGE, "e2e-a", ORG), Audit::Pending(_)));
        assert!(matches!(audit(&row("failed", "drop_db", "e2e-a"), PURGE, "e2e-a", ORG), Audit::Broken(_)));
        assert!(matches!(audit(&row("completed", "completed", "e2e-b"), PURGE, "e2e-a", ORG), Audit::Broken(_)));
        assert!(matches!(audit(&row("completed", "drop_db", "e2e-a"), PURGE, "e2e-a", ORG), Audit::Broken(_)));
        assert!(matches!(audit(&json!({"orgs": []}), PURGE, "e2e-a", ORG), Audit::Broken(_)));
    }

    #[test]
    fn a_lost_answers_purge_is_found_by_its_org() {
        let rows = json!({"purges": [
            {"id": PURGE, "org_slug": "e2e-a", "org_id": ORG, "status": "completed", "last_step": "completed", "completed_at": "2026-08-14T10:00:00Z"},
            {"id": ORG, "org_slug": "e2e-b", "org_id": PURGE, "status": "failed", "last_step": "drop_db"}]});
        assert_eq!(audit_of_org(&rows, "e2e-a", ORG), Audit::Completed);
        assert!(matches!(audit_of_org(&rows, "e2e-c", ORG), Audit::Pending(_)));
        assert!(matches!(audit_of_org(&rows, "e2e-b", PURGE), Audit::Broken(_)));
    }

    #[test]
    fn only_the_exact_404_proves_absence() {
        let absent = br#"{"error":"org not found","slug":"e2e-a"}"#;
        assert_eq!(presence(404, absent, "e2e-a"), Ok(Presence::Absent));
        assert!(presence(404, br#"{"error":"org not found","slug":"e2e-b"}"#, "e2e-a").is_err());
        assert!(presence(404, br#"{"error":"org not found"}"#, "e2e-a").is_err());
        assert!(presence(404, b"<html>404 page not found</html>", "e2e-a").is_err());
        let present = format!(r#"{{"slug":"e2e-a","org_id":"{ORG}","events":[]}}"#);
        assert_eq!(presence(200, present.as_bytes(), "e2e-a"), Ok(Presence::Present { org_id: ORG.into() }));
        assert!(presence(200, br#"{"slug":"e2e-other"}"#, "e2e-a").is_err());
        assert!(presence(503, br#"{"error":"unavailable"}"#, "e2e-a").is_err());
    }
}
