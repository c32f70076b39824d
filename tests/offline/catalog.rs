//! catalog pins
