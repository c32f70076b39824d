//! Harness 7b per backend (FS:1543-1592 at aeec8e47): what the suite makes of a terminal
//! diagnose answer, pure. On local docker exactly `docker-available` is accepted and a
//! `remote:true` shape is skipped, saying so; any other failing step fails. On EC2 only
//! `ok:true` passes.

use molecule_e2e::generation::{Backend, G41409FB2, GAEEC8E47};
use molecule_e2e::scenario::full::{DiagnoseVerdict, diagnose_verdict};
use serde_json::json;

#[test]
fn the_generations_name_their_backends() {
    assert_eq!((G41409FB2.cp.backend, GAEEC8E47.cp.backend), (Backend::Ec2, Backend::LocalDocker));
}

#[test]
fn ok_passes_on_every_backend() {
    for b in [Backend::Ec2, Backend::LocalDocker] {
        assert_eq!(diagnose_verdict(&json!({"ok": true, "steps": []}), b), DiagnoseVerdict::Ok);
    }
}

#[test]
fn docker_available_is_accepted_only_on_local_docker() {
    let d = json!({"ok": false, "remote": false, "first_failure": "docker-available",
        "steps": [{"name": "docker-available", "ok": false, "error": "docker client not configured on this workspace-server"}]});
    let DiagnoseVerdict::Skipped(why) = diagnose_verdict(&d, Backend::LocalDocker) else { panic!("accepted") };
    assert!(why.contains("docker-available") && why.contains("terminal_diagnose.go:357-366"), "{why}");
    let DiagnoseVerdict::Failed(why) = diagnose_verdict(&d, Backend::Ec2) else { panic!("fails on EC2") };
    assert!(why.contains("docker-available"), "{why}");
}

#[test]
fn a_remote_shape_is_skipped_on_local_docker_and_fails_on_ec2() {
    let d = json!({"ok": false, "remote": true, "first_failure": "send-ssh-public-key", "steps": [{"name": "send-ssh-public-key", "ok": false}]});
    assert!(matches!(diagnose_verdict(&d, Backend::LocalDocker), DiagnoseVerdict::Skipped(w) if w.contains("remote")));
    assert!(matches!(diagnose_verdict(&d, Backend::Ec2), DiagnoseVerdict::Failed(_)));
}

#[test]
fn any_other_failing_step_fails_naming_it() {
    let d = json!({"ok": false, "remote": false, "first_failure": "container-running",
        "steps": [{"name": "container-found", "ok": true}, {"name": "container-running", "ok": false, "error": "container not running"}]});
    for b in [Backend::Ec2, Backend::LocalDocker] {
        let DiagnoseVerdict::Failed(why) = diagnose_verdict(&d, b) else { panic!("fails") };
        assert!(why.contains("\"container-running\"") && why.contains("container not running"), "{why}");
    }
    assert!(matches!(diagnose_verdict(&json!({}), Backend::LocalDocker), DiagnoseVerdict::Failed(_)));
}
