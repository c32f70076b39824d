//! Faults of the edge (the cold-origin write window) and of today's control-plane teardown.

use super::*;

/// Three external creates: each one's status and whether its body was empty, and the
/// `Retry-After` of the first.
async fn three_creates(kit: &Kit) -> Value {
    let mut seen = Vec::new();
    for i in 0..3 {
        let body = json!({"name": format!("edge-{i}"), "runtime": "external", "external": true}).to_string();
        let sent = kit
            .http
            .post(format!("{}/workspaces", kit.standin.url()))
            .bearer_auth(&kit.token)
            .header("X-Molecule-Org-Id", &kit.org_id)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await;
        seen.push(match sent {
            Ok(r) => {
                let retry_after = r.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
                let status = r.status().as_u16();
                let empty = r.bytes().await.map(|b| b.is_empty()).unwrap_or(false);
                json!([status, empty, retry_after])
            }
            Err(_) => json!("no answer"),
        });
    }
    json!(seen)
}

async fn listed(kit: &Kit) -> Value {
    json!(kit.admin(Method::GET, "/workspaces", None).await.status)
}

#[tokio::test]
async fn create_cold_503_answers_the_first_two_creates_empty_with_retry_after() {
    let (clean, faulty) = contrast(Fault::CreateCold503, no_runtime_delays(), |kit| async move {
        seen(three_creates(&kit).await, listed(&kit).await)
    })
    .await;
    assert_eq!(clean[0], json!([201, false, null]));
    assert_eq!(faulty, json!([[503, true, "1"], [503, true, "1"], [201, false, null]]));
}

#[tokio::test]
async fn create_reset_drops_the_first_creates_connection() {
    let (clean, faulty) = contrast(Fault::CreateReset, no_runtime_delays(), |kit| async move {
        seen(three_creates(&kit).await, listed(&kit).await)
    })
    .await;
    assert_eq!(clean[0], json!([201, false, null]));
    assert_eq!((&faulty[0], &faulty[1][0]), (&json!("no answer"), &json!(201)));
}

#[tokio::test]
async fn create_503_json_answers_the_first_create_with_a_body() {
    let (clean, faulty) = contrast(Fault::Create503Json, no_runtime_delays(), |kit| async move {
        seen(three_creates(&kit).await, listed(&kit).await)
    })
    .await;
    assert_eq!(clean[0], json!([201, false, null]));
    assert_eq!((&faulty[0], &faulty[1][0]), (&json!([503, false, null]), &json!(201)));
}

/// Three DELETEs of the kit's org: each status and purge id, and whether the purge ids agree.
async fn three_deletes(kit: &Kit) -> Value {
    let path = format!("/cp/admin/tenants/{}", kit.slug);
    let mut seen = Vec::new();
    for _ in 0..3 {
        let r = kit.call(Method::DELETE, &path, As::Cp, None, Some(json!({"confirm": kit.slug}))).await;
        seen.push((r.status, r.str("purge_id")));
    }
    let ids: Vec<&String> = seen.iter().map(|(_, id)| id).filter(|id| !id.is_empty()).collect();
    let one_purge = ids.windows(2).all(|w| w[0] == w[1]);
    json!({"statuses": seen.iter().map(|(s, _)| s).collect::<Vec<_>>(), "one_purge": one_purge})
}

async fn absent_after(kit: &Kit) -> Value {
    json!(kit.call(Method::GET, &format!("/cp/admin/tenants/{}/boot-events?limit=1", kit.slug), As::Cp, None, None).await.status)
}

#[tokio::test]
async fn teardown_queued_answers_202_twice_then_the_receipt_of_the_same_purge() {
    let (clean, faulty) = contrast(Fault::TeardownQueued, no_runtime_delays(), |kit| async move {
        let named = three_deletes(&kit).await;
        seen(named, absent_after(&kit).await)
    })
    .await;
    assert_eq!(clean, json!({"statuses": [200, 404, 404], "one_purge": true}));
    assert_eq!(faulty, json!({"statuses": [202, 202, 200], "one_purge": true}));
}

#[tokio::test]
async fn teardown_busy_answers_409_twice_then_the_receipt() {
    let (clean, faulty) = contrast(Fault::TeardownBusy, no_runtime_delays(), |kit| async move {
        let named = three_deletes(&kit).await;
        seen(named, absent_after(&kit).await)
    })
    .await;
    assert_eq!(clean, json!({"statuses": [200, 404, 404], "one_purge": true}));
    assert_eq!(faulty, json!({"statuses": [409, 409, 200], "one_purge": true}));
}

#[tokio::test]
async fn purge_receipt_missing_answers_junes_body() {
    let (clean, faulty) = contrast(Fault::PurgeReceiptMissing, no_runtime_delays(), |kit| async move {
        let r = kit.call(Method::DELETE, &format!("/cp/admin/tenants/{}", kit.slug), As::Cp, None, Some(json!({"confirm": kit.slug}))).await;
        let keys: Vec<String> = r.json.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        seen(json!([r.status, keys]), absent_after(&kit).await)
    })
    .await;
    assert_eq!(clean, json!([200, ["deleted", "org_id", "purge_id", "slug"]]));
    assert_eq!(faulty, json!([200, ["slug", "status"]]));
}

#[tokio::test]
async fn teardown_answer_lost_purges_the_org_and_drops_the_first_answer() {
    let (clean, faulty) = contrast(Fault::TeardownAnswerLost, no_runtime_delays(), |kit| async move {
        let sent = kit
            .http
            .delete(format!("{}/cp/admin/tenants/{}", kit.standin.url(), kit.slug))
            .bearer_auth(kit.standin.admin_token())
            .json(&json!({"confirm": kit.slug}))
            .send()
            .await;
        let first = match sent {
            Ok(r) => json!(r.status().as_u16()),
            Err(_) => json!("no answer"),
        };
        let audit = kit.call(Method::GET, "/cp/admin/purges?limit=500", As::Cp, None, None).await;
        seen(json!([first, audit.json["purges"][0]["status"]]), absent_after(&kit).await)
    })
    .await;
    assert_eq!((clean, faulty), (json!([200, "completed"]), json!(["no answer", "completed"])));
}
