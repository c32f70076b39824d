//! Orgs a case creates: their slugs, readiness, and a teardown that runs whatever happens.

use std::future::Future;
use std::time::Duration;

use crate::client::{ControlPlane, Tenant};
use crate::error::{BreaksExt, E2eError, Promise, Result, StepExt};
use crate::harness::target::loud;
use crate::harness::{Case, Milestone};
use crate::wait::{Probe, Wait};

/// Which harness an org belongs to: it sets the slug prefix the sweepers recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlugKind {
    Full,
    Smoke,
    External,
}

/// The prefixes the sweeper treats as ephemeral (contract §8).
pub const EPHEMERAL_PREFIXES: &[&str] = &["e2e-", "rt-e2e-"];

/// A slug the platform accepts: `e2e-[smoke-|ext-]YYYYMMDD-<run id>-<tag>`, lowercased,
/// `[a-z0-9-]` only, at most 32 characters. The run id is cut, never the tag, so concurrent
/// cases of one run stay distinct.
pub fn make_slug(kind: SlugKind, date_yyyymmdd: &str, run_id: &str, tag: &str) -> String {
    let prefix = match kind {
        SlugKind::Full => "e2e-",
        SlugKind::Smoke => "e2e-smoke-",
        SlugKind::External => "e2e-ext-",
    };
    let clean = |s: &str| -> String {
        s.to_ascii_lowercase().chars().filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-').collect()
    };
    let head = format!("{prefix}{}-", clean(date_yyyymmdd));
    let tag = clean(tag);
    let room = 32usize.saturating_sub(head.len() + tag.len() + 1);
    let run: String = clean(run_id).chars().take(room).collect();
    let run = run.trim_end_matches('-');
    let slug = if run.is_empty() { format!("{head}{tag}") } else { format!("{head}{run}-{tag}") };
    slug.chars().take(32).collect::<String>().trim_end_matches('-').to_owned()
}

fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// An org that is running, with a client for its tenant (as the tenant admin).
#[derive(Debug, Clone)]
pub struct OrgHandle {
    pub slug: String,
    pub id: String,
    pub tenant: Tenant,
    pub cp: ControlPlane,
}

/// Create an org, wait until its tenant serves, run `body`, and tear the org down whether
/// `body` succeeded, failed or panicked; after teardown the org must leave the list (else the
/// case fails as a leak). `E2E_KEEP_ORG=1` keeps it, loudly.
pub async fn with_org<T, F, Fut>(case: &Case, kind: SlugKind, body: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(OrgHandle) -> Fut,
    Fut: Future<Output = Result<T>> + Send + 'static,
{
    let target = case.target().clone();
    let cp = target.cp()?;
    let tag = uuid::Uuid::new_v4().simple().to_string()[..6].to_owned();
    let slug = make_slug(kind, &today(), &target.settings.run_id, &tag);
    let name = match kind {
        SlugKind::External => format!("E2E ext {slug}"),
        _ => format!("E2E {slug}"),
    };

    case.step(&format!("create org {slug}"));
    let org = match cp.create_org(&slug, &name).await {
        Ok(org) => org,
        Err(e) => {
            // A 4xx means nothing was created (or the slug is someone else's): leave it be.
            // Anything else may have created it: clean up by slug.
            if !matches!(e.status(), Some(400..=499)) {
                let _ = teardown(case, &cp, &slug).await;
            }
            return Err(e).breaks(Promise::OrgBecomesRunning, "org create failed").step("create org");
        }
    };

    let ready = ready_tenant(case, &cp, &slug, &org.id).await;
    let mut state_tenant = None;
    let outcome = match ready {
        Err(e) => Err(e),
        Ok(tenant) => {
            state_tenant = Some(tenant.clone());
            let handle = OrgHandle { slug: slug.clone(), id: org.id.clone(), tenant, cp: cp.clone() };
            // Spawned so that a panic in the body is caught here and teardown still runs.
            match tokio::spawn(body(handle)).await {
                Ok(r) => r,
                Err(join) if join.is_panic() => {
                    let _ = teardown(case, &cp, &slug).await;
                    std::panic::resume_unwind(join.into_panic());
                }
                Err(join) => Err(E2eError::Unmet(format!("case body was cancelled: {join}"))),
            }
        }
    };

    // What the platform says about a failing case, before teardown removes it (run summary).
    if outcome.is_err() {
        crate::report::keep_state(case.name(), crate::report::platform_state(&cp, state_tenant.as_ref(), &slug, &[]).await);
    }
    let down = teardown(case, &cp, &slug).await;
    match (outcome, down) {
        (Ok(v), Ok(())) => Ok(v),
        (Ok(_), Err(leak)) => Err(leak),
        (Err(e), Ok(())) => Err(e),
        (Err(e), Err(leak)) => {
            loud(&format!("[{}] teardown also failed: {leak}", case.name()));
            Err(e)
        }
    }
}

async fn ready_tenant(case: &Case, cp: &ControlPlane, slug: &str, org_id: &str) -> Result<Tenant> {
    let t = case.target().clone();
    case.step(&format!("wait for org {slug} to be running"));
    Wait::new(format!("org {slug} instance_status running"), t.timeouts.provision)
        .until(|| async {
            match cp.org(slug).await? {
                None => Ok(Probe::Pending("not listed".into())),
                Some(o) => match o.instance_status.as_deref() {
                    Some("running") => Ok(Probe::Ready(())),
                    Some("failed") => Err(E2eError::broken(
                        Promise::OrgBecomesRunning,
                        format!("org {slug} failed: last_error={:?}", o.last_error),
                    )),
                    other => Ok(Probe::Pending(format!("instance_status {}", other.unwrap_or("(none)")))),
                },
            }
        })
        .await
        .breaks(Promise::OrgBecomesRunning, "org never reached running")
        .step("wait for org running")?;
    case.stamp(Milestone::Provisioned);

    let token = cp.tenant_admin_token(slug).await.step("tenant admin token")?;
    let tenant = Tenant::new(&t.tenant_url(slug), org_id, token)?;
    case.step("wait for the tenant to answer /health");
    Wait::new(format!("tenant {slug} /health"), t.timeouts.provision)
        .until(|| async {
            match tenant.health().await {
                Ok(()) => Ok(Probe::Ready(())),
                // TLS and DNS come up after the org is running: keep polling.
                Err(e) => Ok(Probe::Pending(e.to_string())),
            }
        })
        .await
        .step("wait for tenant health")?;
    case.stamp(Milestone::TenantOnline);
    Ok(tenant)
}

async fn teardown(case: &Case, cp: &ControlPlane, slug: &str) -> Result<()> {
    let t = case.target().clone();
    if t.settings.keep_org {
        loud(&format!(
            "[{}] E2E_KEEP_ORG=1: keeping org {slug}. Delete it with `molecule-e2e sweep` or \
             DELETE /cp/admin/tenants/{slug} {{\"confirm\":\"{slug}\"}}",
            case.name()
        ));
        return Ok(());
    }
    case.step(&format!("teardown: delete org {slug}"));
    cp.delete_tenant(slug).await.step("teardown: delete tenant")?;
    let leak_window = t.timeouts.transition.min(Duration::from_secs(60));
    Wait::new(format!("org {slug} to leave the org list"), leak_window)
        .until(|| async {
            match cp.org(slug).await? {
                None => Ok(Probe::Ready(())),
                Some(o) => Ok(Probe::Pending(format!("still listed (instance_status {:?})", o.instance_status))),
            }
        })
        .await
        .breaks(Promise::TeardownLeavesNoOrg, "the org is still listed after DELETE: a leak")
        .step("teardown: leak check")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fit_32_chars_and_keep_the_tag() {
        let s = make_slug(SlugKind::Smoke, "20261121", "platform-123456789-1", "ab12cd");
        assert!(s.len() <= 32, "{s}");
        assert!(s.starts_with("e2e-smoke-20261121-"), "{s}");
        assert!(s.ends_with("-ab12cd"), "{s}");
        let s = make_slug(SlugKind::Full, "20261121", "061523-4242", "ab12cd");
        assert_eq!(s, "e2e-20261121-061523-4242-ab12cd");
        let s = make_slug(SlugKind::External, "20261121", "Run_ID/7", "ff00aa");
        assert_eq!(s, "e2e-ext-20261121-runid7-ff00aa");
    }
}
