//! The work-stealing dispatcher: a pool of worker threads, each owning warm VMs.
//!
//! Not built yet (issue 6). This crate exists so the workspace has its final shape.
#![forbid(unsafe_code)]
