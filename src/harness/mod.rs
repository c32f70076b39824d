//! Run context.
