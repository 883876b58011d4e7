//! (in progress: issue 3)
