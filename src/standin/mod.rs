//! The platform stand-in.
