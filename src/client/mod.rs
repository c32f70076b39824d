//! Typed HTTP clients.
