//! Orgs and the workspaces cases create in them: slugs, readiness, and teardown that runs
//! whatever happens. A run shares one org among its cases ([`RunOrg`]); a case without a run
//! gets an org of its own.

use std::future::Future;
use std::pin::Pin;

use secrecy::SecretString;
use sha2::{Digest, Sha256};

use crate::client::{ControlPlane, TenantDelete, Tenant};
use crate::generation::TeardownProof;
use crate::error::{BreaksExt, E2eError, Promise, Result, StepExt};
use crate::harness::target::loud;
use crate::harness::footprint::Room;
use crate::harness::{Case, Milestone, Target, teardown};
use crate::wait::{Deadline, Probe, Wait, within};

/// Which harness an org belongs to: it sets the slug prefix the sweepers recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlugKind {
    Full,
    Smoke,
    External,
}

impl SlugKind {
    pub const ALL: [SlugKind; 3] = [SlugKind::Full, SlugKind::Smoke, SlugKind::External];

    fn prefix(self) -> &'static str {
        match self {
            SlugKind::Full => "e2e-",
            SlugKind::Smoke => "e2e-smoke-",
            SlugKind::External => "e2e-ext-",
        }
    }
}

/// The prefixes the sweeper treats as ephemeral (contract §8).
pub const EPHEMERAL_PREFIXES: &[&str] = &["e2e-", "rt-e2e-"];

fn clean(s: &str) -> String {
    s.to_ascii_lowercase().chars().filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-').collect()
}

/// A slug the platform accepts: `e2e-[smoke-|ext-]YYYYMMDD-<run id>-<tag>`, lowercased,
/// `[a-z0-9-]` only, at most 32 characters. The run id is cut, never the tag, so concurrent
/// cases of one run stay distinct.
pub fn make_slug(kind: SlugKind, date_yyyymmdd: &str, run_id: &str, tag: &str) -> String {
    let head = format!("{}{}-", kind.prefix(), clean(date_yyyymmdd));
    let tag = clean(tag);
    let room = 32usize.saturating_sub(head.len() + tag.len() + 1);
    let run: String = clean(run_id).chars().take(room).collect();
    let run = run.trim_end_matches('-');
    let slug = if run.is_empty() { format!("{head}{tag}") } else { format!("{head}{run}-{tag}") };
    slug.chars().take(32).collect::<String>().trim_end_matches('-').to_owned()
}

/// The one org of a run: `e2e-[smoke-|ext-]YYYYMMDD-<run id>`, at most 32 characters. A run
/// id too long to fit keeps its head and gains a hash of the whole id, so two runs never share
/// a slug and `sweep --run-id` can compute the slug back from the run id.
pub fn run_slug(kind: SlugKind, date_yyyymmdd: &str, run_id: &str) -> String {
    let head = format!("{}{}-", kind.prefix(), clean(date_yyyymmdd));
    let room = 32usize.saturating_sub(head.len());
    let run = clean(run_id);
    let run = run.trim_matches('-');
    if !run.is_empty() && run.len() <= room && run == run_id {
        return format!("{head}{run}");
    }
    let hash: String = Sha256::digest(run_id.as_bytes()).iter().take(3).map(|b| format!("{b:02x}")).collect();
    let keep: String = run.chars().take(room.saturating_sub(hash.len() + 1)).collect();
    let keep = keep.trim_end_matches('-');
    if keep.is_empty() { format!("{head}{hash}") } else { format!("{head}{keep}-{hash}") }
}

/// Every slug a run with `run_id` may have created: each kind, dated today or yesterday (UTC),
/// as the platform workflow's safety net also looks.
pub fn run_slugs(run_id: &str, today: time::Date) -> Vec<String> {
    let days = [Some(today), today.previous_day()];
    let mut slugs = Vec::new();
    for day in days.into_iter().flatten() {
        for kind in SlugKind::ALL {
            slugs.push(run_slug(kind, &yyyymmdd(day), run_id));
        }
    }
    slugs
}

fn yyyymmdd(d: time::Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Today's date (UTC) as `YYYYMMDD`.
pub fn today() -> String {
    yyyymmdd(time::OffsetDateTime::now_utc().date())
}

/// A running org as plain data (no client), so that it can be shared across test runtimes.
#[derive(Debug, Clone)]
pub struct OrgInfo {
    pub slug: String,
    pub id: String,
    pub tenant_url: String,
    pub admin_token: SecretString,
    /// The `Host` of every tenant call when a throwaway control plane routes them by slug.
    pub route_host: Option<String>,
}

impl OrgInfo {
    /// A client for the org's tenant as its admin, routed by slug where the topology says so.
    pub fn tenant(&self) -> Result<Tenant> {
        let tenant = Tenant::new(&self.tenant_url, &self.id, self.admin_token.clone())?;
        match &self.route_host {
            Some(host) => tenant.routed(host, &self.slug),
            None => Ok(tenant),
        }
    }
}

/// The org a run shares among its cases, and the run's record of the workspaces they create
/// (so that a signal can delete them).
pub trait RunOrg: Send + Sync + 'static {
    /// The run's org: created (or attached) by the first case that asks, awaited by the rest.
    fn org(&self) -> Pin<Box<dyn Future<Output = Result<OrgInfo>> + Send + '_>>;
    /// The slug of the run's org, known before the org is (cases line up for room under it).
    fn slug(&self) -> String;
    /// A case created workspace `id` in the run's org.
    fn created(&self, id: &str, name: &str);
    /// A case deleted workspace `id` and saw it leave the list.
    fn deleted(&self, id: &str);
}

/// An org that is running, with a client for its tenant (as the tenant admin).
#[derive(Debug, Clone)]
pub struct OrgHandle {
    pub slug: String,
    pub id: String,
    pub tenant: Tenant,
}

/// Run `body` in the case's org, then delete every workspace the case created, whether `body`
/// succeeded, failed or panicked, and check they left the org's workspace list. The org is
/// the run's when the case belongs to one (the run deletes it at its end), else one of the
/// case's own, deleted here (it must then leave the org list). `E2E_KEEP_ORG=1` keeps both.
pub async fn with_org<T, F, Fut>(case: &Case, kind: SlugKind, body: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(OrgHandle) -> Fut,
    Fut: Future<Output = Result<T>> + Send + 'static,
{
    let target = case.target().clone();
    let say = |s: &str| case.step(s);
    // In the run's shared org, the case's workspaces count against the run's cap: it takes
    // its place in line for room at once (the org's slug is known before the org is), so that
    // every case is in line when the org is ready and the first slots go in the run's order.
    let place = match case.run() {
        Some(run) => {
            let room = Room::for_org(target.cp_url(), &run.slug(), target.settings.max_workspaces);
            Some(room.line_up(case.name(), crate::harness::schedule::rank(case.name(), target.settings.platform)).step("wait for room")?)
        }
        None => None,
    };
    let (info, own_org) = match case.run() {
        Some(run) => (run.org().await.step("the run's org")?, false),
        None => {
            let tag = uuid::Uuid::new_v4().simple().to_string()[..6].to_owned();
            let slug = make_slug(kind, &today(), &target.settings.run_id, &tag);
            (create_org(&target, kind, &slug, &say).await?, true)
        }
    };
    case.stamp(Milestone::Provisioned);
    case.stamp(Milestone::TenantOnline);
    // Room for the case's peak, held until its teardown has run.
    if let Some(place) = place {
        let room = place.room().clone();
        let held = place.take(case.needed(), target.timeouts.room).await.step("wait for room")?;
        case.enter_room(room, held);
    }

    let handle = OrgHandle {
        slug: info.slug.clone(),
        id: info.id.clone(),
        tenant: info.tenant()?.with_retry(target.retry),
    };
    let tenant = handle.tenant.clone();
    // Spawned so that a panic in the body is caught here and teardown still runs.
    let outcome = tokio::spawn(body(handle)).await;
    let failed = !matches!(outcome, Ok(Ok(_)));
    let cp = target.cp()?;
    // One budget for the state capture, the deletes and the list check together.
    let mut down = within(teardown::budget(case), async {
        // What the platform says about a failing case, before teardown removes it (run summary).
        if failed {
            let ids: Vec<String> = case.workspaces().into_iter().map(|w| w.id).collect();
            let state = crate::report::platform_state(&cp, Some(&tenant), &info.slug, &ids);
            crate::report::keep_state(case.name(), teardown::capture_state(case, state).await);
        }
        teardown::delete_workspaces(case, &tenant).await
    })
    .await;
    if own_org {
        let org_down = delete_org(&target, &info.slug, &say).await;
        down = match (down, org_down) {
            (Ok(()), r) => r,
            (Err(e), Ok(())) => Err(e),
            (Err(e), Err(o)) => Err(E2eError::Unmet(format!("{e}; and {o}"))),
        };
    }
    case.leave_room();
    let outcome = match outcome {
        Ok(r) => r,
        Err(join) if join.is_panic() => {
            if let Err(leak) = &down {
                case.say(&format!("[{}] TEARDOWN FAILED after a panic: {leak}", case.name()));
            }
            std::panic::resume_unwind(join.into_panic());
        }
        Err(join) => Err(E2eError::Unmet(format!("case body was cancelled: {join}"))),
    };
    match (outcome, down) {
        (Ok(v), Ok(())) => Ok(v),
        (Ok(_), Err(leak)) => Err(leak),
        (Err(e), Ok(())) => Err(e),
        (Err(e), Err(leak)) => {
            case.say(&format!("[{}] TEARDOWN FAILED too: {leak}", case.name()));
            Err(e)
        }
    }
}

/// Create org `slug` and wait until it runs and its tenant answers. A failed create that may
/// have created something (anything but a 4xx) is deleted by slug before the error returns.
pub async fn create_org(target: &Target, kind: SlugKind, slug: &str, say: &(dyn Fn(&str) + Sync)) -> Result<OrgInfo> {
    let cp = target.cp()?;
    let name = match kind {
        SlugKind::External => format!("E2E ext {slug}"),
        _ => format!("E2E {slug}"),
    };
    say(&format!("create org {slug}"));
    // Today's control plane falls to its default provider (the closed AWS path) without one.
    let provider = target.settings.platform.cp.org_create_provider.then_some(target.settings.provider.as_str());
    // A control plane that accepts the create and never answers ends it at the provision
    // deadline, not at the request's own cap (issue 22).
    let p = target.timeouts.provision;
    let deadline = Deadline::after(p, format!("the {:.0}s org create of {slug}", p.as_secs_f64()));
    let org = match within(deadline, cp.create_org(slug, &name, provider)).await {
        Ok(org) => org,
        Err(e) => {
            if !matches!(e.status(), Some(400..=499))
                && let Err(down) = delete_org(target, slug, say).await
            {
                loud(&format!("TEARDOWN FAILED for org {slug} after a failed create: {down}"));
            }
            return Err(e).breaks(Promise::OrgBecomesRunning, "org create failed").step("create org");
        }
    };
    match ready(target, &cp, slug, &org.id, say).await {
        Ok(info) => Ok(info),
        Err(e) => {
            if let Err(down) = delete_org(target, slug, say).await {
                loud(&format!("TEARDOWN FAILED for org {slug} that never became ready: {down}"));
            }
            Err(e)
        }
    }
}

/// An org made outside the run (`E2E_ORG_SLUG`): it must be listed and running, and its
/// tenant must answer. It is never deleted by the run.
pub async fn attach_org(target: &Target, slug: &str, say: &(dyn Fn(&str) + Sync)) -> Result<OrgInfo> {
    let cp = target.cp()?;
    let Some(org) = cp.org(slug).await.step("find E2E_ORG_SLUG")? else {
        return Err(E2eError::Unmet(format!(
            "E2E_ORG_SLUG={slug} is not in the control plane's org list: create it with `molecule-e2e org up`"
        )));
    };
    ready(target, &cp, slug, &org.id, say).await
}

async fn ready(target: &Target, cp: &ControlPlane, slug: &str, org_id: &str, say: &(dyn Fn(&str) + Sync)) -> Result<OrgInfo> {
    say(&format!("wait for org {slug} to be running"));
    Wait::new(format!("org {slug} instance_status running"), target.timeouts.provision)
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

    let token = cp.tenant_admin_token(slug).await.step("tenant admin token")?;
    let info = OrgInfo {
        slug: slug.to_owned(),
        id: org_id.to_owned(),
        tenant_url: target.tenant_url(slug),
        admin_token: token,
        route_host: target.settings.tenant_route_host(slug),
    };
    let tenant = info.tenant()?;
    let probe = if tenant.route_host().is_some() { "/org/identity" } else { "/health" };
    say(&format!("wait for the tenant to answer {probe}"));
    Wait::new(format!("tenant {slug} {probe}"), target.timeouts.provision)
        .until(|| async {
            match tenant.ready().await {
                Ok(()) => Ok(Probe::Ready(())),
                // TLS and DNS come up after the org is running: keep polling.
                Err(e) => Ok(Probe::Pending(e.to_string())),
            }
        })
        .await
        .step("wait for tenant health")?;
    // Before any case uses the tenant: it must be the generation the run declares.
    super::preflight::check(&tenant, target.settings.platform).await?;
    Ok(info)
}

/// Delete org `slug` and prove it gone as the platform generation does (else a leak naming the
/// org): the org list at 41409fb2, the purge receipt, audit and exact absence today
/// ([`crate::harness::purge`]). `E2E_KEEP_ORG=1` keeps it, loudly.
pub async fn delete_org(target: &Target, slug: &str, say: &(dyn Fn(&str) + Sync)) -> Result<()> {
    if target.settings.keep_org {
        loud(&format!(
            "E2E_KEEP_ORG=1: keeping org {slug}. Delete it with `molecule-e2e org down --slug {slug}` or \
             `molecule-e2e sweep --run-id {}`",
            target.settings.run_id
        ));
        return Ok(());
    }
    let cp = target.cp()?;
    say(&format!("teardown: delete org {slug}"));
    // The delete and the proof share one teardown budget, as a case's workspaces do.
    let b = target.timeouts.teardown;
    let budget = Deadline::after(b, format!("the {:.0}s teardown budget of org {slug}", b.as_secs_f64()));
    within(budget.clone(), async {
        match target.settings.platform.cp.teardown {
            TeardownProof::PurgeReceipt => crate::harness::purge::delete_and_prove(&cp, slug, say).await,
            TeardownProof::OrgList => leaves_the_list(target, &cp, slug, &budget).await,
        }
    })
    .await
}

/// The June proof: DELETE answers 2xx, then the org leaves `GET /cp/admin/orgs`.
async fn leaves_the_list(target: &Target, cp: &ControlPlane, slug: &str, budget: &Deadline) -> Result<()> {
    match cp.delete_tenant(slug).await.step("teardown: delete tenant")? {
        TenantDelete::Deleted(_) => {}
        other => {
            let e = E2eError::Unmet(format!("DELETE of org {slug} answered {other:?}, which the 41409fb2 control plane never does"));
            return Err(e).step("teardown: delete tenant");
        }
    }
    let left = budget.left();
    let leak_window = target.timeouts.transition.min(left.saturating_sub(crate::wait::grace(left)));
    Wait::new(format!("org {slug} to leave the org list"), leak_window)
        .until(|| async {
            match cp.org(slug).await? {
                None => Ok(Probe::Ready(())),
                Some(o) => Ok(Probe::Pending(format!("still listed (instance_status {:?})", o.instance_status))),
            }
        })
        .await
        .breaks(Promise::TeardownLeavesNoOrg, &format!("org {slug} is still listed after DELETE: a leak"))
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

    #[test]
    fn a_run_slug_carries_the_run_id_or_a_hash_of_it() {
        assert_eq!(run_slug(SlugKind::Full, "20261121", "061523-4242"), "e2e-20261121-061523-4242");
        let long = run_slug(SlugKind::Smoke, "20261121", "platform-123456789-1");
        assert!(long.len() <= 32 && long.starts_with("e2e-smoke-20261121-"), "{long}");
        let other = run_slug(SlugKind::Smoke, "20261121", "platform-123456789-2");
        assert_ne!(long, other, "two long run ids with one head must not share a slug");
        assert_ne!(run_slug(SlugKind::Full, "20261121", "Run_7"), run_slug(SlugKind::Full, "20261121", "run7"));
    }

    #[test]
    fn a_run_knows_its_slugs_for_today_and_yesterday() {
        let day = time::macros::date!(2026 - 03 - 01);
        let slugs = run_slugs("061523-4242", day);
        assert!(slugs.contains(&"e2e-ext-20260301-061523-4242".to_owned()), "{slugs:?}");
        assert!(slugs.contains(&"e2e-smoke-20260228-061523-4242".to_owned()), "{slugs:?}");
        assert_eq!(slugs.len(), 6);
    }
}
