//! What a runtime's stop means to the turns it is running: a stopped container takes its
//! in-flight requests with it. The platform stops a runtime mid-turn when it force-hibernates
//! a busy workspace (`workspace_restart.go` `hibernateWorkspace`, step 2: "the container stop
//! … is what 'terminates them' means", at aeec8e47), so the turn's caller must see its
//! connection drop, not an answer that arrives after the runtime was stopped.
//!
//! [`Lifeline`] is the runtime's stop signal and its count of turns in flight (what the
//! runtime's heartbeat reports as `active_tasks`); [`StoppableListener`] hands out connections
//! that refuse every read and write once the runtime is stopped.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A runtime's stop signal and its in-flight turns. Cloning shares both.
#[derive(Clone)]
pub struct Lifeline {
    stop: watch::Sender<bool>,
    turns: Arc<AtomicUsize>,
}

impl Lifeline {
    pub fn new() -> Self {
        Lifeline { stop: watch::Sender::new(false), turns: Arc::new(AtomicUsize::new(0)) }
    }

    /// Stop: every connection dies and every waiting turn ends.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    pub fn is_stopped(&self) -> bool {
        *self.stop.borrow()
    }

    /// Resolves once the runtime is stopped.
    pub async fn stopped(&self) {
        let mut rx = self.stop.subscribe();
        // The sender lives in `self`, so the channel cannot close under this wait.
        let _ = rx.wait_for(|s| *s).await;
    }

    /// The turns in flight now.
    pub fn turns(&self) -> usize {
        self.turns.load(Ordering::SeqCst)
    }

    /// Count one turn in flight until the guard drops.
    pub fn turn(&self) -> TurnGuard {
        self.turns.fetch_add(1, Ordering::SeqCst);
        TurnGuard(self.turns.clone())
    }
}

impl Default for Lifeline {
    fn default() -> Self {
        Lifeline::new()
    }
}

/// One turn in flight; dropping it (answered, failed or cut off) ends the turn.
pub struct TurnGuard(Arc<AtomicUsize>);

impl Drop for TurnGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A TCP listener whose connections die with the runtime.
pub struct StoppableListener {
    pub inner: TcpListener,
    pub lifeline: Lifeline,
}

impl axum::serve::Listener for StoppableListener {
    type Io = Conn;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Conn, Self::Addr) {
        let (io, addr) = axum::serve::Listener::accept(&mut self.inner).await;
        (Conn { io, lifeline: self.lifeline.clone() }, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// An accepted connection: once the runtime is stopped, reads and writes fail, so a turn that
/// ends after the stop never reaches its caller and the connection closes unanswered.
pub struct Conn {
    io: TcpStream,
    lifeline: Lifeline,
}

impl Conn {
    fn cut(&self) -> Option<io::Error> {
        self.lifeline.is_stopped().then(|| io::Error::new(io::ErrorKind::ConnectionAborted, "the runtime was stopped"))
    }
}

impl AsyncRead for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if let Some(e) = self.cut() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if let Some(e) = self.cut() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(e) = self.cut() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
