//! Fixtures shared by the test targets: target selection and case outcomes for the live tier,
//! and (in their own files) the container tier's fixtures.

pub mod live;
