//! Configuration

use super::*;

#[test]
fn config_from_the_environment_reads_faults_delays_and_overrides() {
    let env = |pairs: &'static [(&'static str, &'static str)]| move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned());
    let cfg = StandInConfig::from_lookup(env(&[
        ("STANDIN_FAULTS", "never-wakes, transient-5xx"),
        ("STANDIN_DELAYS", "realistic"),
        ("STANDIN_WAKE_MS", "1234"),
        ("STANDIN_LOG", "0"),
        ("MOLECULE_ADMIN_TOKEN", "tok"),
    ]))
    .expect("valid");
    assert_eq!(cfg.faults.iter().copied().collect::<Vec<_>>(), [Fault::NeverWakes, Fault::Transient5xx]);
    assert_eq!(cfg.delays.wake, Duration::from_millis(1234));
    assert_eq!(cfg.delays.provision_for("hermes"), Duration::from_secs(4));
    assert!(!cfg.log_requests);
    assert_eq!(cfg.admin_token, "tok");
    assert!(!format!("{cfg:?}").contains("tok\""), "Debug redacts the admin token");
    let defaults = StandInConfig::from_lookup(|_| None).expect("valid");
    assert_eq!(defaults.admin_token, "standin-admin-token");
    assert_eq!(defaults.delays, Delays::fast());
    let err = StandInConfig::from_lookup(env(&[("STANDIN_FAULTS", "gremlins")])).expect_err("unknown fault");
    assert!(err.contains("gremlins") && err.contains("never-wakes") && err.contains("peers-404"), "{err}");
    assert!(StandInConfig::from_lookup(env(&[("STANDIN_DELAYS", "glacial")])).is_err());
    assert!(StandInConfig::from_lookup(env(&[("STANDIN_PROVISION_MS", "soon")])).is_err());
}

/// `STANDIN_PLATFORM` is retired; the platform's harness tool still passes `head` for today's
/// platform, which is the default anyway, so that one value is let by while it agrees.
#[test]
fn the_retired_standin_platform_is_refused_unless_it_is_head_meaning_the_default() {
    let env = |pairs: &'static [(&'static str, &'static str)]| move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned());
    let head = StandInConfig::from_lookup(env(&[("STANDIN_PLATFORM", "head")])).expect("head is today's platform");
    assert!(head.platform.is_latest());
    for vars in [&[("STANDIN_PLATFORM", "ref")][..], &[("STANDIN_PLATFORM", "head"), ("MOLECULE_PLATFORM", "41409fb2")]] {
        let err = StandInConfig::from_lookup(env(vars)).expect_err("retired");
        assert!(err.contains("is retired: set MOLECULE_PLATFORM"), "{err}");
    }
}

#[test]
fn every_fault_has_a_unique_kebab_name_that_parses_back_and_a_promise() {
    let mut names = std::collections::BTreeSet::new();
    for f in Fault::ALL {
        assert!(names.insert(f.name()), "duplicate name {}", f.name());
        assert!(f.name().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
        assert_eq!(f.name().parse::<Fault>(), Ok(f));
        assert!(!f.description().is_empty());
    }
    let survive: Vec<Fault> = Fault::ALL.into_iter().filter(|f| f.outcome() == FaultOutcome::Survive).collect();
    assert_eq!(
        survive,
        [
            Fault::Transient5xx,
            Fault::SlowProvisioning,
            Fault::WakingWithoutRetryAfter,
            Fault::BootTurnHoldsFirstTurn,
            Fault::InterruptAckOnce,
            Fault::CreateCold503,
            Fault::CreateReset,
            Fault::TeardownQueued,
            Fault::TeardownBusy,
            Fault::DiagnoseRemoteShape,
            Fault::TeardownAnswerLost
        ]
    );
}

/// A workspace's A2A as its own caller (`X-Workspace-ID` + its token); the status.
async fn a2a_as(kit: &Kit, from: &(String, String), to: &str) -> u16 {
    let body = br#"{"method":"message/send","params":{"message":{"content":"hi"}}}"#.to_vec();
    let org = kit.org_id.clone();
    let headers = [("X-Workspace-ID", from.0.as_str())];
    kit.raw(Method::POST, &format!("/workspaces/{to}/a2a"), As::Token(from.1.clone()), Some(&org), &headers, Some(body)).await.status
}

#[tokio::test]
async fn the_hierarchy_lets_relatives_talk_and_keeps_roots_and_cousins_apart() {
    // June: two parentless creates are two roots. At aeec8e47 both land under the org's platform
    // root and are siblings (`defaultCreateParentID`), so "root → other root" would be 200.
    let june = StandInConfig::new().with_delays(no_runtime_delays()).with_platform(&molecule_e2e::generation::G41409FB2);
    let kit = Kit::start(june).await;
    let ext = |name: &str, parent: Option<&str>| {
        let mut body = json!({"name": name, "runtime": "external", "external": true});
        if let Some(p) = parent {
            body["parent_id"] = json!(p);
        }
        body
    };
    let root = kit.create(ext("root", None)).await;
    let other_root = kit.create(ext("other-root", None)).await;
    let a = kit.create(ext("a", Some(&root.0))).await;
    let b = kit.create(ext("b", Some(&root.0))).await;
    let grandchild = kit.create(ext("grandchild", Some(&a.0))).await;
    let seen = [
        ("sibling → sibling", a2a_as(&kit, &a, &b.0).await),
        ("child → parent", a2a_as(&kit, &a, &root.0).await),
        ("parent → child", a2a_as(&kit, &root, &a.0).await),
        ("grandchild → grandparent", a2a_as(&kit, &grandchild, &root.0).await),
        ("grandparent → grandchild", a2a_as(&kit, &root, &grandchild.0).await),
        ("root → other root", a2a_as(&kit, &root, &other_root.0).await),
        ("nephew → uncle", a2a_as(&kit, &grandchild, &b.0).await),
        ("self → self", a2a_as(&kit, &a, &a.0).await),
    ];
    let want = [200, 200, 200, 200, 200, 403, 403, 200];
    assert_eq!(seen.map(|(_, s)| s), want, "{seen:?}");
}

#[tokio::test]
async fn an_unknown_route_answers_the_canvas_html_404() {
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays())).await;
    for (method, path) in [(Method::GET, "/activity?workspace_id=x"), (Method::POST, "/health"), (Method::GET, "/no/such/route")] {
        let r = kit.tenant(method.clone(), path, As::Admin, None).await;
        let ct = r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert_eq!((r.status, ct.starts_with("text/html")), (404, true), "{method} {path}: {}", r.text());
    }
    let bare = kit.call(Method::GET, "/no/such/route", As::Admin, None, None).await;
    assert_eq!(bare.status, 400, "the tenant guard runs before the fallback: {}", bare.text());
}

#[tokio::test]
async fn peers_take_the_admin_token_from_generation_aeec8e47_on() {
    for (platform, want) in [(&G41409FB2, 401), (&GAEEC8E47, 200)] {
        let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays()).with_platform(platform)).await;
        let (id, _) = kit.external_ws("ext-e2e", "external").await;
        let r = kit.admin(Method::GET, &format!("/registry/{id}/peers"), None).await;
        assert_eq!(r.status, want, "{platform:?}: {}", r.text());
    }
}

#[tokio::test]
async fn a2a_callers_must_authenticate_from_generation_aeec8e47_on() {
    for platform in [&G41409FB2, &GAEEC8E47] {
        let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays()).with_platform(platform)).await;
        let parent = kit.external_ws("ext-parent", "external").await;
        let child = kit.create(json!({"name": "ext-child", "runtime": "external", "external": true, "parent_id": parent.0})).await;
        let body = br#"{"method":"message/send","params":{"message":{"content":"hi"}}}"#.to_vec();
        let org = kit.org_id.clone();
        let path = format!("/workspaces/{}/a2a", child.0);
        let anonymous = kit.raw(Method::POST, &path, As::Nobody, Some(&org), &[], Some(body.clone())).await.status;
        let mismatched = kit
            .raw(Method::POST, &path, As::Token(parent.1.clone()), Some(&org), &[("X-Workspace-ID", child.0.as_str())], Some(body.clone()))
            .await;
        let own = a2a_as(&kit, &parent, &child.0).await;
        let want = if platform.a2a_caller_must_authenticate { (401, 401, 200) } else { (200, 200, 200) };
        assert_eq!((anonymous, mismatched.status, own), want, "{platform:?}: {}", mismatched.text());
    }
}

#[tokio::test]
async fn an_org_api_token_passes_admin_and_workspace_auth_and_calls_a2a_as_a_canvas_user() {
    // At 41409fb2 the canvas caller names itself by X-Workspace-ID (at aeec8e47 it must not).
    let kit = Kit::start(StandInConfig::new().with_delays(no_runtime_delays()).with_platform(&G41409FB2)).await;
    let minted = kit.admin(Method::POST, "/org/tokens", Some(json!({"name": "e2e"}))).await;
    minted.expect(200);
    let token = minted.str("token");
    assert_eq!((minted.str("prefix"), minted.str("name")), (token[..8].to_owned(), "e2e".to_owned()));
    let org_token = || As::Token(token.clone());
    assert_eq!(kit.tenant(Method::GET, "/workspaces", org_token(), None).await.status, 200, "AdminAuth");
    let (poll, _) = kit.external_ws("ext-poll", "external").await;
    let (other, _) = kit.external_ws("ext-other", "external").await;
    assert_eq!(kit.tenant(Method::GET, &format!("/workspaces/{poll}/activity"), org_token(), None).await.status, 200, "WorkspaceAuth");
    // Two roots: a workspace caller would get 403; a canvas user is not held to the hierarchy.
    let org = kit.org_id.clone();
    let body = br#"{"method":"message/send","params":{"message":{"content":"hi"}}}"#.to_vec();
    let a2a = kit.raw(Method::POST, &format!("/workspaces/{poll}/a2a"), org_token(), Some(&org), &[("X-Workspace-ID", other.as_str())], Some(body)).await;
    assert_eq!(a2a.status, 200, "{}", a2a.text());
    let rows = kit.activity(&poll, "?type=a2a_receive").await;
    assert_eq!(rows[0]["source_id"], json!(other), "source_id is the X-Workspace-ID value");
}

#[tokio::test]
async fn pause_and_resume_of_a_parent_need_cascade_from_generation_aeec8e47_on() {
    for platform in [&G41409FB2, &GAEEC8E47] {
        let kit = Kit::start(StandInConfig::new().with_delays(Delays::fast()).with_platform(platform)).await;
        let (parent, _) = kit.platform_ws("E2E Parent").await;
        kit.wait_online(&parent).await;
        let body = json!({"name": "E2E Child", "tier": 2, "runtime": "claude-code", "model": "minimax/MiniMax-M2.7", "parent_id": parent});
        let (child, _) = kit.create(body).await;
        kit.wait_online(&child).await;
        let plain = kit.admin(Method::POST, &format!("/workspaces/{parent}/pause"), None).await;
        if platform.cascade_guard {
            plain.expect(409);
            assert_eq!(plain.json["descendants"][0]["id"], json!(child), "{}", plain.text());
            assert!(plain.str("error").contains("use ?cascade=true to pause all"), "{}", plain.text());
            assert_eq!((kit.status(&parent).await, kit.status(&child).await), ("online".into(), "online".into()), "the refusal changes nothing");
            kit.admin(Method::POST, &format!("/workspaces/{parent}/pause?cascade=true"), None).await.expect(200);
            let resume = kit.admin(Method::POST, &format!("/workspaces/{parent}/resume"), None).await;
            resume.expect(409);
            assert!(resume.str("error").contains("use ?cascade=true to resume all"), "{}", resume.text());
            kit.admin(Method::POST, &format!("/workspaces/{parent}/resume?cascade=true"), None).await.expect(200);
        } else {
            plain.expect(200);
            assert_eq!(kit.status(&child).await, "paused", "{platform:?}: pause took the subtree");
        }
    }
}
