//! payload pins
