//! config pins
