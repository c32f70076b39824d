//! A2A envelopes and replies (see issue: builder + parser). Filled in by the a2a work.
