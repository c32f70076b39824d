//! The EC2 leak check: its settings and parsing without I/O, and its verdicts against a real
//! local EC2 emulator (moto's server, started by `.ci/run`, its URL in `E2E_TEST_EC2_ENDPOINT`).

use std::collections::HashMap;
use std::process::Command;

use molecule_e2e::leak::{self, Instance, LeakMode, LeakOutcome, LeakSettings};

fn settings(pairs: &[(&str, &str)]) -> Result<LeakSettings, String> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    LeakSettings::from_lookup(|k| map.get(k).cloned())
}

#[test]
fn modes_and_region_follow_the_platform_harness() {
    let s = settings(&[]).unwrap();
    assert_eq!((s.mode, s.region.as_str(), s.budget.as_secs(), s.terminate), (LeakMode::Auto, "us-east-2", 90, false));
    let s = settings(&[("E2E_AWS_LEAK_CHECK", "required"), ("AWS_DEFAULT_REGION", "eu-west-1"), ("AWS_REGION", "us-west-2")]).unwrap();
    assert_eq!((s.mode, s.region.as_str()), (LeakMode::Required, "us-west-2"));
    let s = settings(&[("E2E_AWS_REGION", "ap-south-1"), ("AWS_REGION", "us-west-2"), ("E2E_AWS_TERMINATE_LEAKS", "1")]).unwrap();
    assert_eq!((s.region.as_str(), s.terminate), ("ap-south-1", true));
    assert_eq!(settings(&[("E2E_AWS_LEAK_CHECK", "warn")]).unwrap().mode, LeakMode::Warn);
    let e = settings(&[("E2E_AWS_LEAK_CHECK", "maybe")]).unwrap_err();
    assert!(e.contains("E2E_AWS_LEAK_CHECK=maybe") && e.contains("required"), "{e}");
    let e = settings(&[("E2E_AWS_LEAK_CHECK_SECS", "soon")]).unwrap_err();
    assert!(e.contains("E2E_AWS_LEAK_CHECK_SECS"), "{e}");
}

#[test]
fn describe_rows_parse_into_instances() {
    let rows = leak::parse_rows("i-1\trunning\tws-tenant-e2e-a-1\n\nNone\ni-2\tstopped\tname with space\n");
    assert_eq!(
        rows,
        [
            Instance { id: "i-1".into(), state: "running".into(), name: "ws-tenant-e2e-a-1".into() },
            Instance { id: "i-2".into(), state: "stopped".into(), name: "name with space".into() },
        ]
    );
    assert!(leak::parse_rows("None\n").is_empty());
}

#[test]
fn off_skips_and_missing_credentials_fail_only_when_required() {
    let off = settings(&[("E2E_AWS_LEAK_CHECK", "off")]).unwrap();
    assert!(matches!(leak::check(&off, "e2e-x"), Ok(LeakOutcome::Skipped(_))));
    let auto = settings(&[("E2E_AWS_LEAK_CHECK", "auto")]).unwrap();
    assert!(matches!(leak::check(&auto, "e2e-x"), Ok(LeakOutcome::Skipped(_))));
    let required = settings(&[("E2E_AWS_LEAK_CHECK", "required")]).unwrap();
    let e = leak::check(&required, "e2e-x").unwrap_err();
    assert!(e.contains("required") && e.contains("AWS_ACCESS_KEY_ID"), "{e}");
    let no_cli = settings(&[
        ("E2E_AWS_LEAK_CHECK", "required"),
        ("AWS_ACCESS_KEY_ID", "k"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
        ("E2E_AWS_CLI", "/nonexistent/aws"),
    ])
    .unwrap();
    assert!(leak::check(&no_cli, "e2e-x").unwrap_err().contains("/nonexistent/aws"));
}

/// The emulator's URL, or a loud skip naming how to get one.
fn emulator() -> Option<String> {
    match molecule_e2e::config::env_value("E2E_TEST_EC2_ENDPOINT").unwrap_or_else(|e| panic!("{e}")) {
        Some(u) => Some(u),
        None => {
            molecule_e2e::harness::loud(
                "leak:: emulator checks SKIPPED: E2E_TEST_EC2_ENDPOINT is unset. Run them with a local EC2 \
                 emulator: pip install 'moto[server]' awscli; python3 -m moto.server -p 5000 & \
                 E2E_TEST_EC2_ENDPOINT=http://127.0.0.1:5000 cargo test --test offline leak:: (.ci/run does this)",
            );
            None
        }
    }
}

fn against(endpoint: &str, extra: &[(&str, &str)]) -> LeakSettings {
    let mut pairs = vec![
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("E2E_AWS_REGION", "us-east-2"),
        ("E2E_AWS_LEAK_CHECK_SECS", "0"),
        ("E2E_AWS_LEAK_CHECK_INTERVAL", "1"),
    ];
    pairs.extend_from_slice(extra);
    settings(&pairs).unwrap()
}

/// Start an instance tagged `Name=ws-tenant-<slug>-1` in the emulator; returns its id.
fn tagged_instance(endpoint: &str, slug: &str) -> String {
    let out = Command::new("aws")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .args(["--region", "us-east-2", "ec2", "run-instances", "--image-id", "ami-12c6146b", "--count", "1"])
        .arg("--tag-specifications")
        .arg(format!("ResourceType=instance,Tags=[{{Key=Name,Value=ws-tenant-{slug}-1}}]"))
        .args(["--query", "Instances[0].InstanceId", "--output", "text"])
        .output()
        .expect("aws CLI runs");
    assert!(out.status.success(), "run-instances: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn slug(tag: &str) -> String {
    format!("e2e-leak-{tag}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

#[test]
fn no_instance_for_the_slug_passes_even_when_required() {
    let Some(ep) = emulator() else { return };
    let other = slug("other");
    tagged_instance(&ep, &other);
    let s = against(&ep, &[("E2E_AWS_LEAK_CHECK", "required")]);
    assert_eq!(leak::check(&s, &slug("clean")), Ok(LeakOutcome::Clean));
}

#[test]
fn a_tagged_instance_fails_required_naming_it() {
    let Some(ep) = emulator() else { return };
    let slug = slug("req");
    let id = tagged_instance(&ep, &slug);
    let s = against(&ep, &[("E2E_AWS_LEAK_CHECK", "required")]);
    let e = leak::check(&s, &slug).unwrap_err();
    assert!(e.contains(&id) && e.contains(&slug) && e.contains("leaked"), "{e}");
    // Not asked to terminate: it is still there.
    assert_eq!(leak::instances_for_slug(&s, &slug).unwrap().len(), 1);
}

#[test]
fn a_tagged_instance_only_warns_under_warn() {
    let Some(ep) = emulator() else { return };
    let slug = slug("warn");
    let id = tagged_instance(&ep, &slug);
    let s = against(&ep, &[("E2E_AWS_LEAK_CHECK", "warn")]);
    match leak::check(&s, &slug) {
        Ok(LeakOutcome::Warned(rows, false)) => assert_eq!(rows[0].id, id),
        other => panic!("expected a warning naming {id}, got {other:?}"),
    }
}

#[test]
fn terminate_leaks_terminates_and_still_fails() {
    let Some(ep) = emulator() else { return };
    let slug = slug("term");
    let id = tagged_instance(&ep, &slug);
    let s = against(&ep, &[("E2E_AWS_LEAK_CHECK", "required"), ("E2E_AWS_TERMINATE_LEAKS", "1")]);
    let e = leak::check(&s, &slug).unwrap_err();
    assert!(e.contains(&id) && e.contains("terminated"), "{e}");
    assert!(leak::instances_for_slug(&s, &slug).unwrap().is_empty(), "the leaked instance is still alive");
    // Terminated, the next check passes.
    assert_eq!(leak::check(&s, &slug), Ok(LeakOutcome::Clean));
}
