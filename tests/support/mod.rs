//! Fixtures shared by the test targets: target selection, the stand-in, containers.
