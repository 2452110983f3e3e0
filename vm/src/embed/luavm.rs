//! `LuaVM` (one VM owned by the host), its options (`SafeOption`), the library flags
//! (`Stdlib`) and the `InterruptHandle`.

use std::sync::Arc;

use crate::limits::InterruptShared;
use crate::state::State;
use crate::GcMode;

use super::context::{handle_raw, Lua, LuaApi};
use super::convert::{FromLuaMulti, IntoLuaMulti};
use super::error::{Error, Result};
use super::value::{LuaFunction, LuaValue};

/// A set of standard libraries (combine with `|`). `open_stdlib` comes from the stdlib
/// crate (`luavm::prelude`); `SafeOption::libraries` limits which may be opened.
///
/// ```
/// use luavm_vm::embed::Stdlib;
/// let libs = Stdlib::Base | Stdlib::String;
/// assert!(libs.contains(Stdlib::String) && !libs.contains(Stdlib::Io));
/// assert!(Stdlib::All.contains(Stdlib::Safe));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stdlib(u16);

#[allow(non_upper_case_globals)]
impl Stdlib {
    /// No library.
    pub const None: Stdlib = Stdlib(0);
    /// `print`, `pairs`, `pcall`, `load`, ... (and `_G`).
    pub const Base: Stdlib = Stdlib(1);
    /// `coroutine`.
    pub const Coroutine: Stdlib = Stdlib(1 << 1);
    /// `string`.
    pub const String: Stdlib = Stdlib(1 << 2);
    /// `table`.
    pub const Table: Stdlib = Stdlib(1 << 3);
    /// `math`.
    pub const Math: Stdlib = Stdlib(1 << 4);
    /// `utf8`.
    pub const Utf8: Stdlib = Stdlib(1 << 5);
    /// `io` (files, processes).
    pub const Io: Stdlib = Stdlib(1 << 6);
    /// `os` (clock, date, environment, `execute`, `remove`, `exit`).
    pub const Os: Stdlib = Stdlib(1 << 7);
    /// `package` and `require` (loads files).
    pub const Package: Stdlib = Stdlib(1 << 8);
    /// `debug`.
    pub const Debug: Stdlib = Stdlib(1 << 9);
    /// Libraries that touch nothing outside the VM: base, coroutine, string, table,
    /// math, utf8.
    pub const Safe: Stdlib = Stdlib(0b11_1111);
    /// Every library.
    pub const All: Stdlib = Stdlib(0b11_1111_1111);

    /// Whether every library of `other` is in `self`.
    pub fn contains(self, other: Stdlib) -> bool {
        self.0 & other.0 == other.0
    }
    /// The bits (one per library, in the order of the constants).
    pub fn bits(self) -> u16 {
        self.0
    }
    /// Whether no library is in the set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for Stdlib {
    type Output = Stdlib;
    fn bitor(self, rhs: Stdlib) -> Stdlib {
        Stdlib(self.0 | rhs.0)
    }
}
impl std::ops::BitAnd for Stdlib {
    type Output = Stdlib;
    fn bitand(self, rhs: Stdlib) -> Stdlib {
        Stdlib(self.0 & rhs.0)
    }
}
impl std::ops::Sub for Stdlib {
    type Output = Stdlib;
    /// The libraries of `self` that are not in `rhs`.
    fn sub(self, rhs: Stdlib) -> Stdlib {
        Stdlib(self.0 & !rhs.0)
    }
}

impl std::fmt::Debug for Stdlib {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const NAMES: [&str; 10] = [
            "Base",
            "Coroutine",
            "String",
            "Table",
            "Math",
            "Utf8",
            "Io",
            "Os",
            "Package",
            "Debug",
        ];
        let names: Vec<&str> = NAMES
            .iter()
            .enumerate()
            .filter(|(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, n)| *n)
            .collect();
        if names.is_empty() {
            f.write_str("None")
        } else {
            f.write_str(&names.join(" | "))
        }
    }
}

/// The limits and switches of a VM.
///
/// ```
/// use luavm_vm::embed::{SafeOption, Stdlib};
/// let opts = SafeOption {
///     instruction_limit: Some(1_000_000),
///     memory_limit: Some(64 << 20),
///     libraries: Stdlib::Safe,
///     ..SafeOption::default()
/// };
/// assert!(!opts.allow_binary_chunks);
/// ```
#[derive(Clone, Debug)]
pub struct SafeOption {
    /// Most bytes the VM's heap may use; past it allocation-heavy code gets a catchable
    /// "not enough memory" error (`None`: no limit).
    pub memory_limit: Option<usize>,
    /// About how many instructions one execution (`execute_string`, `call`,
    /// `execute_async`, ...) may run before it stops with an error `pcall` cannot catch
    /// (`None`: no limit).
    pub instruction_limit: Option<u64>,
    /// Most nested calls ("stack overflow" beyond; `None`: only the stack size limits).
    pub max_call_depth: Option<usize>,
    /// Libraries `open_stdlib` may open (default: all).
    pub libraries: Stdlib,
    /// Whether `load` (the API and Lua's) accepts precompiled chunks (default: no).
    pub allow_binary_chunks: bool,
    /// How the collector works (default: `GcMode::Incremental`, Lua 5.3's; the `luavm`
    /// command runs `GcMode::Generational`, as `lua5.4` does: shorter-lived garbage is
    /// freed sooner, mutating a big old heap costs more). Lua code can switch with
    /// `collectgarbage("generational")` / `("incremental")`.
    pub gc_mode: GcMode,
}

impl Default for SafeOption {
    fn default() -> Self {
        SafeOption {
            memory_limit: None,
            instruction_limit: None,
            max_call_depth: None,
            libraries: Stdlib::All,
            allow_binary_chunks: false,
            gc_mode: GcMode::Incremental,
        }
    }
}

impl SafeOption {
    /// A sandbox: only the safe libraries, binary chunks refused, 64 MiB, 100 million
    /// instructions per execution, 10,000 nested calls.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, ErrorKind, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::sandbox());
    /// let e = vm.execute_string("local function f() return f() + 1 end return f()").unwrap_err();
    /// assert!(e.message().contains("stack overflow"), "{}", e.message());
    /// let e = vm.execute_string("while true do end").unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::InstructionLimit);
    /// ```
    pub fn sandbox() -> SafeOption {
        SafeOption {
            memory_limit: Some(64 << 20),
            instruction_limit: Some(100_000_000),
            max_call_depth: Some(10_000),
            libraries: Stdlib::Safe,
            ..SafeOption::default()
        }
    }
}

/// Stops a VM running on another thread (`Send + Sync`, cheap to clone).
///
/// The running execution ends with [`ErrorKind::Interrupted`](super::ErrorKind), which
/// `pcall` cannot catch; an `execute_async` awaiting a host future stops too (the future
/// is dropped). The VM stays usable. A request made while the VM is idle is forgotten
/// when the next execution starts.
///
/// ```no_run
/// use luavm_vm::embed::{prelude::*, ErrorKind, LuaVM, SafeOption};
/// let mut vm = LuaVM::new(SafeOption::default());
/// let h = vm.interrupt_handle();
/// std::thread::spawn(move || {
///     std::thread::sleep(std::time::Duration::from_millis(100));
///     h.interrupt();
/// });
/// let e = vm.execute_string("while true do end").unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::Interrupted);
/// assert_eq!(format!("{:?}", vm.execute_string("return 1").unwrap()), "[1]");
/// ```
#[derive(Clone)]
pub struct InterruptHandle(Arc<InterruptShared>);

impl InterruptHandle {
    /// Ask the VM to stop what it is running.
    pub fn interrupt(&self) {
        self.0.request();
    }
    /// The request flag alone, for a signal handler (which may only store to an atomic:
    /// `interrupt` takes a lock to wake an await). Storing `true` interrupts the running
    /// execution as `interrupt` does, except that an `execute_async` awaiting a host
    /// future notices it only when the future wakes it.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, ErrorKind, LuaVM, SafeOption};
    /// use std::sync::atomic::Ordering;
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let flag = vm.interrupt_handle().flag(); // e.g. for signal_hook::flag::register
    /// vm.register("ctrl_c", move || flag.store(true, Ordering::SeqCst)).unwrap();
    /// let e = vm.execute_string("ctrl_c() while true do end").unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::Interrupted);
    /// ```
    pub fn flag(&self) -> Arc<std::sync::atomic::AtomicBool> {
        self.0.flag()
    }
}

/// A Lua VM owned by the host. `!Send`: it stays on the thread that made it (make one
/// per thread to use several cores; see the examples).
///
/// ```compile_fail
/// fn assert_send<T: Send>() {}
/// assert_send::<luavm_vm::embed::LuaVM>();
/// ```
///
/// ```
/// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
/// let mut vm = LuaVM::new(SafeOption::default());
/// vm.register("add", |a: i64, b: i64| a + b).unwrap();
/// let r = vm.execute_string("return add(1, 2)").unwrap();
/// assert_eq!(format!("{r:?}"), "[3]");
/// ```
pub struct LuaVM {
    state: State,
    options: SafeOption,
}

impl Default for LuaVM {
    fn default() -> Self {
        LuaVM::new(SafeOption::default())
    }
}

impl LuaVM {
    /// A new VM with no library opened (see `open_stdlib`, from the standard library
    /// crate) and the given limits. Cheap: a few microseconds with every library (see
    /// `benches/vm_creation.rs`).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption { memory_limit: Some(1 << 20), ..SafeOption::default() });
    /// assert_eq!(vm.options().memory_limit, Some(1 << 20));
    /// assert!(vm.execute_string("return print").unwrap()[0].is_nil()); // no library yet
    /// ```
    pub fn new(options: SafeOption) -> LuaVM {
        let mut state = State::new();
        state.set_instruction_budget(options.instruction_limit);
        state.set_max_call_depth(options.max_call_depth);
        state.set_memory_limit(options.memory_limit);
        state.set_allow_binary_chunks(options.allow_binary_chunks);
        if options.gc_mode != GcMode::Incremental {
            state.set_gc_mode(options.gc_mode);
        }
        LuaVM { state, options }
    }

    /// The options the VM was made with.
    pub fn options(&self) -> &SafeOption {
        &self.options
    }

    /// A handle to interrupt this VM from another thread.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle(self.state.interrupt_shared())
    }

    /// Change the instruction limit of the next executions.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, ErrorKind, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// vm.set_instruction_limit(Some(1000));
    /// let e = vm.execute_string("for i = 1, 1e9 do end").unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::InstructionLimit);
    /// vm.set_instruction_limit(None);
    /// vm.execute_string("for i = 1, 1e5 do end").unwrap();
    /// ```
    pub fn set_instruction_limit(&mut self, limit: Option<u64>) {
        self.options.instruction_limit = limit;
        self.state.set_instruction_budget(limit);
    }

    /// Low-level access for library crates (the standard library, the dispatcher):
    /// raw values taken from the state must stay on its stack, never across a collection.
    pub fn with_state<R>(&mut self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state)
    }

    /// Compile and run `source` as a coroutine: a call to an async host function (see
    /// `register_async`) suspends it until the host future resolves, without blocking
    /// the thread. Returns the chunk's results. Works with any executor (tokio's
    /// `current_thread` runtime, a `LocalSet`, `block_on`).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, block_on, AsyncReturnValue, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// vm.register_async("fetch", |args| async move {
    ///     let key = args[0].as_str().unwrap_or("?").to_string();
    ///     Ok(vec![AsyncReturnValue::string(format!("value of {key}"))])
    /// }).unwrap();
    /// let r = block_on(vm.execute_async("return fetch('k') .. '!'")).unwrap();
    /// assert_eq!(format!("{r:?}"), r#"["value of k!"]"#);
    /// ```
    pub async fn execute_async(&mut self, source: impl AsRef<[u8]>) -> Result<Vec<LuaValue>> {
        let src = source.as_ref();
        let f = super::context::load(&mut self.state, src, src)?;
        let raw = handle_raw(&self.state, &f.0)?;
        super::async_::drive(&mut self.state, raw, Vec::new()).await
    }

    /// Call `f` as `execute_async` runs a chunk: async host functions it calls suspend
    /// it until their futures resolve.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, block_on, AsyncReturnValue, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// vm.register_async("later", |args| async move { Ok(vec![args[0].clone()]) }).unwrap();
    /// let f = vm.load("local x = ... return later(x) * 2", "=f").unwrap();
    /// let r: i64 = block_on(vm.call_async(&f, 21)).unwrap();
    /// assert_eq!(r, 42);
    /// ```
    pub async fn call_async<A: IntoLuaMulti, R: FromLuaMulti>(
        &mut self,
        f: &LuaFunction,
        args: A,
    ) -> Result<R> {
        let mut lua = Lua::new(&mut self.state);
        let args = args.into_lua_multi(&mut lua)?;
        let raw = handle_raw(&self.state, &f.0)?;
        let out = super::async_::drive(&mut self.state, raw, args).await?;
        R::from_lua_multi(out, &mut Lua::new(&mut self.state)).map_err(Error::without_argument)
    }

    /// Number of values the host holds handles to (tables, functions, ... given out and
    /// not dropped yet).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let before = vm.live_handles();
    /// let t = vm.create_table();
    /// assert_eq!(vm.live_handles(), before + 1);
    /// drop(t);
    /// assert_eq!(vm.live_handles(), before);
    /// ```
    pub fn live_handles(&self) -> usize {
        self.state.host.live()
    }
}

impl LuaApi for LuaVM {
    fn lua(&mut self) -> Lua<'_> {
        Lua::new(&mut self.state)
    }
}
