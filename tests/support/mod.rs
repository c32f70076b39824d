//! Fixtures shared by the test targets: target selection and case outcomes for the live tier
//! (`live`), the session-continuity canaries (`canary`) and their containers (`container`).

pub mod canary;
pub mod container;
pub mod live;
