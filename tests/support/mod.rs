//! Fixtures shared by the test targets: target selection, the stand-in, containers.
pub mod canary;
pub mod container;
