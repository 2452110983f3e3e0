//! Ctrl-C in the `luavm` command, as `lua.c`'s `laction`/`lstop`: while a chunk runs, a
//! SIGINT makes it stop with the error "interrupted!" (a plain Lua error, positioned as
//! `luaL_error`: `pcall` catches it, the script ends with `progname: msg` + traceback and
//! status 1, the REPL goes on with its next line); a second SIGINT before the running
//! code has seen the first, or any SIGINT while no chunk runs, has the default action
//! (the process dies).
//!
//! How: the state's interrupt flag (`InterruptShared::flag`, polled by the interpreter
//! loop at back-edges and calls) is set by a signal handler that only stores to atomics
//! (`signal-hook`'s `flag` actions, run in registration order):
//! 1. if `idle` (no chunk running) → the default action;
//! 2. if the flag is already set (an interrupt not seen yet) → the default action;
//! 3. set the flag.
//!
//! Invariant: `idle` is false exactly while `Running` lives (one chunk run), and the flag
//! is cleared when a run starts and ends, so an interrupt never outlives its run.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use luavm::raw::State;

/// The message `lua.c` raises.
const MESSAGE: &str = "interrupted!";

/// The handlers' flags (the handlers stay installed for the whole process).
pub struct CtrlC {
    idle: Arc<AtomicBool>,
    requested: Arc<AtomicBool>,
}

impl CtrlC {
    /// Install the handlers for state `s` (interrupts of `s` become "interrupted!" errors).
    /// `None` if the handlers could not be installed (or off Unix): SIGINT then keeps its
    /// default action.
    #[cfg(unix)]
    pub fn install(s: &mut State) -> Option<CtrlC> {
        use signal_hook::consts::SIGINT;
        use signal_hook::flag;
        let requested = s.interrupt_shared().flag();
        let idle = Arc::new(AtomicBool::new(true));
        flag::register_conditional_default(SIGINT, idle.clone()).ok()?;
        flag::register_conditional_default(SIGINT, requested.clone()).ok()?;
        flag::register(SIGINT, requested.clone()).ok()?;
        s.set_interrupt_error(Some(MESSAGE));
        Some(CtrlC { idle, requested })
    }
    #[cfg(not(unix))]
    pub fn install(_s: &mut State) -> Option<CtrlC> {
        None
    }

    /// A chunk starts running: Ctrl-C interrupts it until the guard drops.
    pub fn running(&self) -> Running<'_> {
        self.requested.store(false, Ordering::SeqCst);
        self.idle.store(false, Ordering::SeqCst);
        Running(self)
    }
}

/// One chunk run (see `CtrlC::running`).
pub struct Running<'a>(&'a CtrlC);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.idle.store(true, Ordering::SeqCst);
        self.0.requested.store(false, Ordering::SeqCst);
    }
}
