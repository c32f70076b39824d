//! How the platform's A2A proxy answers a caller whose turn cannot run now, per generation
//! (`contract/platform-today.md` rows 28-31). The June reference answers a settling target 503
//! `workspace has no URL` and has no boot turns and no queue route; today's platform queues
//! both and serves the result at `GET /workspaces/:id/a2a/queue/:queue_id`.

/// The A2A facts that differ between generations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct A2aGeneration {
    /// The platform takes boot turns of its own (first-boot greeting on the first
    /// provisioning→online, restart-context after a restart) and, while one is in flight,
    /// answers a caller's `message/send` 200 `{"status":"queued","method","queued":true,
    /// "queue_id","queue_depth"}` (b7afc4bc, 511622c1; `a2a_proxy.go:885-917` at aeec8e47).
    pub boot_turns_queue: bool,
    /// A2A to a settling target (`provisioning`, `awaiting_agent`) is enqueued and answered
    /// 202 `{queued, queue_id, queue_depth, message}` instead of 503 `workspace has no URL`
    /// (7d195743; `a2a_proxy.go:933-948`, `a2a_proxy_helpers.go:487-515` at aeec8e47).
    pub settling_target_queues: bool,
    /// `GET /workspaces/:id/a2a/queue/:queue_id` serves a queued item's status and, once
    /// `completed`, its `response_body` (`router.go:267`, `a2a_queue_status.go` at aeec8e47).
    pub queue_route: bool,
}

/// 41409fb2: none of it.
pub const A2A_41409FB2: A2aGeneration =
    A2aGeneration { boot_turns_queue: false, settling_target_queues: false, queue_route: false };

/// aeec8e47: boot turns queue callers, settling targets queue, the queue route answers.
pub const A2A_AEEC8E47: A2aGeneration =
    A2aGeneration { boot_turns_queue: true, settling_target_queues: true, queue_route: true };
