//! The interpreter loop: one function, `State::run`, executes Lua frames of the running
//! thread until the frame at index `entry` returns.
//!
//! Lua-to-Lua calls and returns push and pop `CallInfo`s inside this loop (no Rust
//! recursion). Metamethods that are Lua functions are called the same way, with the
//! `FINISHOP` flag: when they return, `finish_op` completes the instruction that called them
//! (PUC's `luaV_finishOp`), so a metamethod may yield like any other Lua function.
//!
//! Invariants relied on by the `unsafe` register accesses (`reg!`):
//! - the running proto passed `luavm_compiler::verify::verify` (every register operand is
//!   below `max_stack_size`, every constant/upvalue/proto index is in range);
//! - `precall` made `stack.len() >= base + max_stack_size + EXTRA_STACK` for this frame;
//! - `stk` (= stack pointer + base) is reloaded (`reload!`) after every operation that can
//!   grow the stack: calls, metamethods, `check_gc`-free slow paths that push;
//! - `savepc!` writes a frame's pc both as an index (`CallInfo::pc`) and as a pointer
//!   (`CallInfo::savedpc`), and nothing but the loop moves a Lua caller's pc while its
//!   callee runs (hooks move only the running frame's, and put it back; `finish_op`
//!   resumes through `'newframe`, from the index), so the inline returns may resume a
//!   caller from `savedpc` (checked by a `debug_assert!`).

use luavm_compiler::opcodes::{inst, OpCode, LFIELDS_PER_FLUSH};

use crate::arith::{self, ArithOp};
use crate::error::LuaResult;
use crate::function::{LuaClosure, LuaProto, UpVal};
use crate::state::State;
use crate::thread::cist;
use crate::value::{Value, TAG_INT, TAG_NUM};

impl State {
    /// `HOOKED`: the instantiation that runs debug hooks (see `hooks.rs`); `LIMITED`: the
    /// one that runs the limit hooks (budget, interrupt, call depth: `limits.rs`) at
    /// back-edges and calls. Each returns `Err(Continue)` at a call safe point when
    /// another one is needed.
    pub(crate) fn run<const HOOKED: bool, const LIMITED: bool>(
        &mut self,
        entry: usize,
    ) -> LuaResult<()> {
        // The running frame, kept in locals: `enter_frame!` sets them when a frame starts
        // or resumes (at 'newframe, and inline for Lua-to-Lua calls and returns).
        let mut ci_idx: usize;
        let mut cl: luavm_gc::Gc<LuaClosure>;
        let mut lp: &LuaProto;
        let mut base: usize;
        // the next instruction (PUC's savedpc): a pointer into `lp.code`
        let mut pc: *const u32;
        let mut stk: *mut Value;

        // The running frame's `CallInfo` (fields the hot paths do not need stay there).
        macro_rules! ci {
            () => {
                // SAFETY: ci_idx is the index of the running frame, on the frame stack.
                unsafe { self.ci.get_unchecked(ci_idx) }
            };
        }
        // Load the frame at `ci_idx`, whose function is the Lua closure `$cl`.
        macro_rules! enter_frame {
            ($cl:expr) => {{
                cl = $cl;
                // SAFETY: the closure sits in its frame's function slot, so it (and its
                // proto, whose code and constants never change) outlives this frame's run;
                // the reference is re-derived whenever the frame changes.
                lp = unsafe { &*(&*cl.p as *const LuaProto) };

                // SAFETY: ci_idx < ci.len() (the frame was just pushed or found).
                let c = unsafe { self.ci.get_unchecked(ci_idx) };
                base = c.base as usize;
                // SAFETY: a saved pc is an index inside the code (verified jumps).
                pc = unsafe { lp.code.as_ptr().add(c.pc as usize) };
                // SAFETY: base < stack.len() (precall sized the stack for this frame).
                stk = unsafe { self.stack.as_mut_ptr().add(base) };
            }};
        }

        // Back to the Lua caller at `ci_idx` after an inline return: as `enter_frame!`,
        // but the pc comes from the pointer `savepc!` stored when the caller called out
        // (no load through the caller's closure and proto on the way to its next
        // instruction).
        macro_rules! resume_caller {
            ($cl:expr) => {{
                cl = $cl;
                // SAFETY: as in `enter_frame!`.
                lp = unsafe { &*(&*cl.p as *const LuaProto) };
                // SAFETY: ci_idx < ci.len() (the caller of the frame just popped).
                let c = unsafe { self.ci.get_unchecked(ci_idx) };
                base = c.base as usize;
                debug_assert!(std::ptr::eq(c.savedpc, unsafe {
                    lp.code.as_ptr().add(c.pc as usize)
                }));
                pc = c.savedpc;
                // SAFETY: base < stack.len() (precall sized the stack for this frame).
                stk = unsafe { self.stack.as_mut_ptr().add(base) };
            }};
        }

        'newframe: loop {
            ci_idx = self.ci.len() - 1;
            if ci_idx < entry {
                return Ok(());
            }
            // SAFETY: ci_idx < ci.len() (checked above: ci.len() - 1 >= entry >= 0).
            let (f, st) = unsafe {
                let c = self.ci.get_unchecked(ci_idx);
                (c.func as usize, c.status)
            };
            if st & cist::LUA == 0 {
                // a Rust function waiting for its Lua callee: run its continuation
                self.finish_ccall()?;
                continue 'newframe;
            }
            // SAFETY: a frame's function slot is below the top, inside the stack.
            match unsafe { *self.stack.get_unchecked(f) } {
                Value::LuaFn(c) => enter_frame!(c),
                _ => return Err(self.runtime_error("internal error: frame without Lua function")),
            };

            macro_rules! reload {
                () => {
                    // SAFETY: the frame's base is still inside the (possibly moved) stack.
                    stk = unsafe { self.stack.as_mut_ptr().add(base) }
                };
            }
            macro_rules! reg {
                ($r:expr) => {
                    // SAFETY: verified register index < max_stack_size <= stack.len() - base.
                    unsafe { *stk.add($r as usize) }
                };
            }
            macro_rules! set_reg {
                ($r:expr, $v:expr) => {{
                    let v = $v;
                    // SAFETY: as for `reg!`.
                    unsafe { *stk.add($r as usize) = v }
                }};
            }
            macro_rules! kst {
                ($i:expr) => {
                    // SAFETY: verified constant index < k.len().
                    unsafe { *lp.k.get_unchecked($i as usize) }
                };
            }
            macro_rules! reg_ref {
                ($r:expr) => {
                    // SAFETY: as for `reg!`.
                    unsafe { &*stk.add($r as usize) }
                };
            }
            macro_rules! rk_ref {
                ($x:expr) => {{
                    let x = $x;
                    // branch-free (a conditional move): pick the array, then index it
                    let arr: *const Value =
                        std::hint::select_unpredictable(inst::is_k(x), lp.k.as_ptr(), stk);
                    // SAFETY: a register index is < max_stack_size, a constant index is
                    // < k.len() (verified); index_k(x) == x for registers.
                    unsafe { &*arr.add(inst::index_k(x) as usize) }
                }};
            }
            macro_rules! rk {
                ($x:expr) => {
                    *rk_ref!($x)
                };
            }
            // A register or constant read as tag + payload (`Value::load`), for values
            // that are copied whole: a 16-byte load of a register just written by two
            // stores (tag, payload) would miss store-to-load forwarding.
            macro_rules! reg_load {
                ($r:expr) => {
                    // SAFETY: as for `reg!`.
                    unsafe { Value::load(stk.add($r as usize)) }
                };
            }
            macro_rules! rk_load {
                ($x:expr) => {{
                    let p: *const Value = rk_ref!($x);
                    // SAFETY: `rk_ref!` gives a valid reference to an initialised value.
                    unsafe { Value::load(p) }
                }};
            }
            macro_rules! upval {
                ($i:expr) => {{
                    let i = $i as usize;
                    if i == 0 {
                        // SAFETY: a verified upvalue index: the closure has an upvalue 0,
                        // which `up0` holds too.
                        unsafe { cl.up0.as_ref().unwrap_unchecked() }
                    } else {
                        // SAFETY: verified upvalue index < upvals.len().
                        unsafe { cl.upvals.get_unchecked(i) }
                    }
                }};
            }
            macro_rules! savepc {
                () => {
                    // SAFETY: ci_idx is the index of this frame, which is on the frame stack.
                    unsafe {
                        let c = self.ci.get_unchecked_mut(ci_idx);
                        c.pc = pc.offset_from(lp.code.as_ptr()) as u32;
                        c.savedpc = pc;
                    }
                };
            }
            macro_rules! protect {
                ($e:expr) => {{
                    savepc!();
                    let r = $e;
                    reload!();
                    r
                }};
            }
            macro_rules! dojump {
                ($i:expr) => {{
                    let i = $i;
                    let a = inst::a(i);
                    if a != 0 {
                        self.close_upvals(base + a as usize - 1);
                    }
                    let sbx = inst::sbx(i);
                    pc = jump(pc, sbx);
                    if LIMITED && sbx < 0 && self.hook_count(-sbx as i64) {
                        savepc!();
                        self.on_budget_exhausted()?;
                    }
                }};
            }
            macro_rules! donextjump {
                () => {{
                    // SAFETY: a test instruction is always followed by a JMP (verified).
                    let ni = unsafe { *pc };
                    pc = next(pc);
                    dojump!(ni);
                }};
            }
            macro_rules! arith_op {
                ($i:expr, $op:expr, $int:expr, $flt:expr) => {{
                    let i = $i;
                    let (pb, pc_) = (rk_ref!(inst::b(i)), rk_ref!(inst::c(i)));
                    // same subtype first: one tag comparison, then which one
                    let (tb, tc) = (pb.tag(), pc_.tag());
                    let done = if tb == tc {
                        if tb == TAG_INT {
                            // SAFETY: both tags are TAG_INT.
                            let (x, y) = unsafe { (pb.int_unchecked(), pc_.int_unchecked()) };
                            set_reg!(inst::a(i), Value::Int($int(x, y)));
                            true
                        } else if tb == TAG_NUM {
                            // SAFETY: both tags are TAG_NUM.
                            let (x, y) = unsafe { (pb.num_unchecked(), pc_.num_unchecked()) };
                            set_reg!(inst::a(i), Value::Num($flt(x, y)));
                            true
                        } else {
                            false
                        }
                    } else {
                        match (pb, pc_) {
                            (&Value::Int(x), &Value::Num(y)) => {
                                set_reg!(inst::a(i), Value::Num($flt(x as f64, y)));
                                true
                            }
                            (&Value::Num(x), &Value::Int(y)) => {
                                set_reg!(inst::a(i), Value::Num($flt(x, y as f64)));
                                true
                            }
                            _ => false,
                        }
                    };
                    match done {
                        true => {}
                        false => {
                            let (b, c) = (*pb, *pc_);
                            if protect!(self.arith_slow(
                                $op,
                                inst::a(i),
                                inst::b(i),
                                inst::c(i),
                                b,
                                c
                            ))? {
                                continue 'newframe;
                            }
                        }
                    }
                }};
            }
            macro_rules! slow_op {
                ($i:expr, $op:expr) => {{
                    let i = $i;
                    let (b, c) = (rk_load!(inst::b(i)), rk_load!(inst::c(i)));
                    match arith::arith_fast($op, b, c) {
                        Some(v) => set_reg!(inst::a(i), v),
                        None => {
                            if protect!(self.arith_slow(
                                $op,
                                inst::a(i),
                                inst::b(i),
                                inst::c(i),
                                b,
                                c
                            ))? {
                                continue 'newframe;
                            }
                        }
                    }
                }};
            }

            loop {
                // SAFETY: pc points inside the code: code ends with RETURN and every jump
                // lands inside (verified), so pc never runs past the end.
                let i = unsafe { *pc };
                pc = next(pc);
                if HOOKED {
                    savepc!();
                    self.trace_exec(cl)?;
                    reload!();
                }
                // SAFETY: verified opcodes are < NUM_OPCODES.
                let op: OpCode = unsafe { std::mem::transmute::<u8, OpCode>(inst::opcode_raw(i)) };
                match op {
                    OpCode::Move => set_reg!(inst::a(i), reg_load!(inst::b(i))),
                    OpCode::LoadK => set_reg!(inst::a(i), kst!(inst::bx(i))),
                    OpCode::LoadKx => {
                        // SAFETY: LOADKX is followed by EXTRAARG (verified).
                        let ni = unsafe { *pc };
                        pc = next(pc);
                        set_reg!(inst::a(i), kst!(inst::ax(ni)));
                    }
                    OpCode::LoadBool => {
                        set_reg!(inst::a(i), Value::Bool(inst::b(i) != 0));
                        if inst::c(i) != 0 {
                            pc = next(pc);
                        }
                    }
                    OpCode::LoadNil => {
                        let a = inst::a(i);
                        for j in 0..=inst::b(i) {
                            set_reg!(a + j, Value::Nil);
                        }
                    }
                    OpCode::GetUpval => set_reg!(inst::a(i), upval!(inst::b(i)).get()),
                    OpCode::GetTabUp => {
                        if let (&Value::Table(tt), &Value::Str(ks)) =
                            (upval!(inst::b(i)).get_ref(), rk_ref!(inst::c(i)))
                        {
                            let v = tt.get_str_ref(ks);
                            if !v.is_nil() {
                                set_reg!(inst::a(i), unsafe { Value::load(v) });
                                continue;
                            }
                            let v = match tt.metatable() {
                                None => &crate::value::NIL.0,
                                Some(mt) => self.index_chain_ref(mt, Value::Str(ks), true),
                            };
                            if !v.is_null() {
                                // SAFETY: a value slot (or `NIL`) just found; nothing ran since.
                                set_reg!(inst::a(i), unsafe { Value::load(v) });
                                continue;
                            }
                        } else if let &Value::Table(tt) = upval!(inst::b(i)).get_ref() {
                            // another key (a register: `cache[x]` on an upvalue table)
                            // SAFETY: as for `reg!`; the stack's buffer is not part of
                            // `State`, and the callee does not touch it.
                            let dst = unsafe { &mut *stk.add(inst::a(i) as usize) };
                            if self.index_raw_into(tt, rk!(inst::c(i)), dst) {
                                continue;
                            }
                        }
                        let (t, key) = (upval!(inst::b(i)).get(), rk!(inst::c(i)));
                        if protect!(self.index_slow(
                            t,
                            key,
                            Some(inst::a(i)),
                            crate::ops::Src::Up(inst::b(i))
                        ))? {
                            continue 'newframe;
                        }
                    }
                    OpCode::GetTable => {
                        // read operands through references: values are copied only
                        // where they are used
                        if let &Value::Table(tt) = reg_ref!(inst::b(i)) {
                            // integer and string keys: the value is copied from its slot
                            // (no temporary)
                            let found = match *rk_ref!(inst::c(i)) {
                                Value::Int(n) => tt.get_int_ref(n),
                                Value::Str(s) => tt.get_str_ref(s),
                                _ => &crate::value::NIL.0,
                            };
                            if !found.is_nil() {
                                set_reg!(inst::a(i), unsafe { Value::load(found) });
                                continue;
                            }
                            let v = match *rk_ref!(inst::c(i)) {
                                Value::Int(_) | Value::Str(_) => Value::Nil,
                                key => tt.get(key),
                            };
                            if !v.is_nil() {
                                set_reg!(inst::a(i), v);
                                continue;
                            }
                            match tt.metatable() {
                                None => {
                                    set_reg!(inst::a(i), Value::Nil);
                                    continue;
                                }
                                Some(mt) => {
                                    // SAFETY: as for `reg!`; the stack's buffer is not
                                    // part of `State`, and the callee does not touch it.
                                    let dst = unsafe { &mut *stk.add(inst::a(i) as usize) };
                                    if self.index_chain_into(mt, rk!(inst::c(i)), dst) {
                                        continue;
                                    }
                                }
                            }
                        }
                        let (t, key) = (reg!(inst::b(i)), rk!(inst::c(i)));
                        if protect!(self.index_slow(
                            t,
                            key,
                            Some(inst::a(i)),
                            crate::ops::Src::Reg(inst::b(i))
                        ))? {
                            continue 'newframe;
                        }
                    }
                    OpCode::SetTabUp => {
                        if let (&Value::Table(tt), &Value::Str(ks)) =
                            (upval!(inst::a(i)).get_ref(), rk_ref!(inst::b(i)))
                        {
                            let v = rk_load!(inst::c(i));
                            if let Some(d) = tt.set_str_fast(ks, v) {
                                self.barrier_table(tt, Value::Str(ks), v);
                                if d != 0 {
                                    self.heap.account(d);
                                }
                                continue;
                            }
                        }
                        let (t, key, v) =
                            (upval!(inst::a(i)).get(), rk!(inst::b(i)), rk!(inst::c(i)));
                        if protect!(self.newindex_slow(t, key, v, crate::ops::Src::Up(inst::a(i))))?
                        {
                            continue 'newframe;
                        }
                    }
                    OpCode::SetUpval => {
                        let u = *upval!(inst::b(i));
                        u.set(reg_load!(inst::a(i)));
                        self.heap.barrier_back(u);
                    }
                    OpCode::SetTable => {
                        if let &Value::Table(tt) = reg_ref!(inst::a(i)) {
                            match rk_ref!(inst::b(i)) {
                                &Value::Int(n) if tt.set_in_array(n, rk!(inst::c(i))) => {
                                    self.barrier_table(tt, Value::Nil, rk!(inst::c(i)));
                                    continue;
                                }
                                &Value::Str(ks) => {
                                    let v = rk_load!(inst::c(i));
                                    if let Some(d) = tt.set_str_fast(ks, v) {
                                        self.barrier_table(tt, Value::Str(ks), v);
                                        if d != 0 {
                                            self.heap.account(d);
                                        }
                                        continue;
                                    }
                                }
                                Value::Nil | Value::Num(_) => {}
                                &key => {
                                    if tt.metatable().is_none() {
                                        let v = rk!(inst::c(i));
                                        let d = tt.set(key, v);
                                        self.barrier_table(tt, key, v);
                                        if d != 0 {
                                            self.heap.account(d);
                                        }
                                        continue;
                                    }
                                }
                            }
                        }
                        let (t, key, v) = (reg!(inst::a(i)), rk!(inst::b(i)), rk!(inst::c(i)));
                        if protect!(self.newindex_slow(
                            t,
                            key,
                            v,
                            crate::ops::Src::Reg(inst::a(i))
                        ))? {
                            continue 'newframe;
                        }
                    }
                    OpCode::NewTable => {
                        let b = fb2int(inst::b(i));
                        let c = fb2int(inst::c(i));
                        let t = self.new_table_with(b, c);
                        set_reg!(inst::a(i), Value::Table(t));
                        protect!(self.try_check_gc())?;
                    }
                    OpCode::SelfOp => {
                        let a = inst::a(i);
                        let t = reg_load!(inst::b(i));
                        set_reg!(a + 1, t);
                        if let &Value::Str(ks) = rk_ref!(inst::c(i)) {
                            let mt = match t {
                                Value::Table(tt) => {
                                    let v = tt.get_str_ref(ks);
                                    match tt.metatable().filter(|_| v.is_nil()) {
                                        None => {
                                            set_reg!(a, unsafe { Value::load(v) });
                                            continue;
                                        }
                                        mt => mt,
                                    }
                                }
                                // `s:method()`: through the strings' metatable
                                Value::Str(_) => self.metatable(t),
                                _ => None,
                            };
                            if let Some(mt) = mt {
                                let of_table = matches!(t, Value::Table(_));
                                let v = self.index_chain_ref(mt, Value::Str(ks), of_table);
                                if !v.is_null() {
                                    // SAFETY: a value slot (or `NIL`) just found; nothing ran
                                    // since.
                                    set_reg!(a, unsafe { Value::load(v) });
                                    continue;
                                }
                            }
                        }
                        let key = rk!(inst::c(i));
                        if protect!(self.index_slow(
                            t,
                            key,
                            Some(a),
                            crate::ops::Src::Reg(inst::b(i))
                        ))? {
                            continue 'newframe;
                        }
                    }
                    OpCode::Add => {
                        arith_op!(i, ArithOp::Add, i64::wrapping_add, |x: f64, y: f64| x + y)
                    }
                    OpCode::Sub => {
                        arith_op!(i, ArithOp::Sub, i64::wrapping_sub, |x: f64, y: f64| x - y)
                    }
                    OpCode::Mul => {
                        arith_op!(i, ArithOp::Mul, i64::wrapping_mul, |x: f64, y: f64| x * y)
                    }
                    OpCode::Div => {
                        let (pb, pc_) = (rk_ref!(inst::b(i)), rk_ref!(inst::c(i)));
                        let xy = match (pb, pc_) {
                            (&Value::Num(x), &Value::Num(y)) => Some((x, y)),
                            (&Value::Int(x), &Value::Int(y)) => Some((x as f64, y as f64)),
                            (&Value::Int(x), &Value::Num(y)) => Some((x as f64, y)),
                            (&Value::Num(x), &Value::Int(y)) => Some((x, y as f64)),
                            _ => None,
                        };
                        match xy {
                            Some((x, y)) => set_reg!(inst::a(i), Value::Num(x / y)),
                            _ => {
                                let (b, c) = (*pb, *pc_);
                                if protect!(self.arith_slow(
                                    ArithOp::Div,
                                    inst::a(i),
                                    inst::b(i),
                                    inst::c(i),
                                    b,
                                    c
                                ))? {
                                    continue 'newframe;
                                }
                            }
                        }
                    }
                    OpCode::Mod => match (rk_ref!(inst::b(i)), rk_ref!(inst::c(i))) {
                        (&Value::Int(x), &Value::Int(y)) if y > 0 => {
                            set_reg!(inst::a(i), Value::Int(x.rem_euclid(y)))
                        }
                        (&Value::Num(x), &Value::Num(y)) => {
                            set_reg!(inst::a(i), Value::Num(arith::float_mod(x, y)))
                        }
                        _ => slow_op!(i, ArithOp::Mod),
                    },
                    OpCode::Pow => slow_op!(i, ArithOp::Pow),
                    OpCode::IDiv => slow_op!(i, ArithOp::IDiv),
                    OpCode::BAnd => slow_op!(i, ArithOp::BAnd),
                    OpCode::BOr => slow_op!(i, ArithOp::BOr),
                    OpCode::BXor => slow_op!(i, ArithOp::BXor),
                    OpCode::Shl => slow_op!(i, ArithOp::Shl),
                    OpCode::Shr => slow_op!(i, ArithOp::Shr),
                    OpCode::Unm => {
                        let b = reg_load!(inst::b(i));
                        match b {
                            Value::Int(x) => set_reg!(inst::a(i), Value::Int(x.wrapping_neg())),
                            Value::Num(x) => set_reg!(inst::a(i), Value::Num(-x)),
                            _ => {
                                if protect!(self.arith_slow(
                                    ArithOp::Unm,
                                    inst::a(i),
                                    inst::b(i),
                                    inst::b(i),
                                    b,
                                    b
                                ))? {
                                    continue 'newframe;
                                }
                            }
                        }
                    }
                    OpCode::BNot => {
                        let b = reg_load!(inst::b(i));
                        match b {
                            Value::Int(x) => set_reg!(inst::a(i), Value::Int(!x)),
                            _ => {
                                if protect!(self.arith_slow(
                                    ArithOp::BNot,
                                    inst::a(i),
                                    inst::b(i),
                                    inst::b(i),
                                    b,
                                    b
                                ))? {
                                    continue 'newframe;
                                }
                            }
                        }
                    }
                    OpCode::Not => set_reg!(inst::a(i), Value::Bool(!reg!(inst::b(i)).truthy())),
                    OpCode::Len => {
                        let b = reg_load!(inst::b(i));
                        match b {
                            Value::Str(s) => set_reg!(inst::a(i), Value::Int(s.len() as i64)),
                            Value::Table(t) if t.metatable().is_none() => {
                                set_reg!(inst::a(i), Value::Int(t.len()))
                            }
                            _ => {
                                if protect!(self.len_slow(inst::a(i), inst::b(i), b))? {
                                    continue 'newframe;
                                }
                            }
                        }
                    }
                    OpCode::Concat => {
                        let (a, b, c) = (
                            inst::a(i) as usize,
                            inst::b(i) as usize,
                            inst::c(i) as usize,
                        );
                        savepc!();
                        if self.concat(base, a, b, c)? {
                            continue 'newframe;
                        }
                        protect!(self.try_check_gc())?;
                    }
                    OpCode::Jmp => dojump!(i),
                    OpCode::Eq => {
                        let (pb, pc_) = (rk_ref!(inst::b(i)), rk_ref!(inst::c(i)));
                        let res = match (pb, pc_) {
                            (&Value::Int(x), &Value::Int(y)) => x == y,
                            (&Value::Str(x), &Value::Str(y)) => crate::string::LuaStr::equal(x, y),
                            // `x == nil`, `v ~= nil`
                            (&Value::Nil, c) => c.is_nil(),
                            (b, &Value::Nil) => b.is_nil(),
                            (&b @ Value::Table(_), &c @ Value::Table(_))
                            | (&b @ Value::UserData(_), &c @ Value::UserData(_)) => {
                                match protect!(self.equal_tm(b, c))? {
                                    Some(r) => r,
                                    None => continue 'newframe,
                                }
                            }
                            (&b, &c) => b.raw_equal(c),
                        };
                        if res != (inst::a(i) != 0) {
                            pc = next(pc);
                        } else {
                            donextjump!();
                        }
                    }
                    OpCode::Lt => {
                        let (pb, pc_) = (rk_ref!(inst::b(i)), rk_ref!(inst::c(i)));
                        let res = match (pb, pc_) {
                            (&Value::Int(x), &Value::Int(y)) => x < y,
                            (&Value::Num(x), &Value::Num(y)) => x < y,
                            (&b, &c) => {
                                match protect!(self.less_than_slow(b, c, inst::b(i), inst::c(i)))? {
                                    Some(r) => r,
                                    None => continue 'newframe,
                                }
                            }
                        };
                        if res != (inst::a(i) != 0) {
                            pc = next(pc);
                        } else {
                            donextjump!();
                        }
                    }
                    OpCode::Le => {
                        let (pb, pc_) = (rk_ref!(inst::b(i)), rk_ref!(inst::c(i)));
                        let res = match (pb, pc_) {
                            (&Value::Int(x), &Value::Int(y)) => x <= y,
                            (&Value::Num(x), &Value::Num(y)) => x <= y,
                            (&b, &c) => {
                                match protect!(self.less_equal_slow(b, c, inst::b(i), inst::c(i)))?
                                {
                                    Some(r) => r,
                                    None => continue 'newframe,
                                }
                            }
                        };
                        if res != (inst::a(i) != 0) {
                            pc = next(pc);
                        } else {
                            donextjump!();
                        }
                    }
                    OpCode::Test => {
                        if reg_ref!(inst::a(i)).truthy() != (inst::c(i) != 0) {
                            pc = next(pc);
                        } else {
                            donextjump!();
                        }
                    }
                    OpCode::TestSet => {
                        let b = reg_load!(inst::b(i));
                        if b.truthy() == (inst::c(i) != 0) {
                            set_reg!(inst::a(i), b);
                            donextjump!();
                        } else {
                            pc = next(pc);
                        }
                    }
                    OpCode::Call => {
                        let a = inst::a(i) as usize;
                        let b = inst::b(i) as usize;
                        let nresults = inst::c(i) as i32 - 1;
                        if b != 0 {
                            self.top = base + a + b;
                        }
                        savepc!();
                        if LIMITED {
                            self.hook_call()?;
                        }
                        if let Value::LuaFn(callee) = reg!(a) {
                            let nb = self.push_lua_frame(callee, base + a, nresults)?;
                            ci_idx += 1;
                            cl = callee;
                            // SAFETY: as in `enter_frame!`.
                            lp = unsafe { &*(&*cl.p as *const LuaProto) };
                            base = nb;
                            pc = callee.code;
                            // SAFETY: push_lua_frame sized the stack for the new frame.
                            stk = unsafe { self.stack.as_mut_ptr().add(base) };
                            if HOOKED {
                                self.call_hook(false)?;
                                reload!();
                            }
                            continue;
                        }
                        if let Value::NativeFn(f) = reg!(a) {
                            // a light Rust function (most library functions): runs now
                            self.call_native(base + a, nresults, f)?;
                        } else if self.precall(base + a, nresults)? {
                            continue 'newframe;
                        }
                        if nresults >= 0 {
                            self.top = ci!().top as usize;
                        }
                        // a Rust function may have allocated: this is a safe point
                        self.try_check_gc()?;
                        if HOOKED != self.hooks_on() || LIMITED != self.limits_active() {
                            // a hook or a limit was set or removed: continue in the other loop
                            return Err(crate::error::LuaError::Continue);
                        }
                        reload!();
                    }
                    OpCode::TailCall => {
                        let a = inst::a(i) as usize;
                        let b = inst::b(i) as usize;
                        if b != 0 {
                            self.top = base + a + b;
                        }
                        savepc!();
                        if LIMITED {
                            self.hook_call()?;
                        }
                        if !matches!(reg!(a), Value::LuaFn(_)) {
                            if !reg!(a).is_function() {
                                self.prepare_call_tm(base + a)?; // raises for non-callables
                                reload!();
                            }
                            if !matches!(reg!(a), Value::LuaFn(_)) {
                                // a Rust function: call it from this frame (it keeps its
                                // caller for messages); the next RETURN passes its results on
                                if self.precall(base + a, -1)? {
                                    continue 'newframe;
                                }
                                reload!();
                                continue;
                            }
                        }
                        if let Some(u) = self.open_upvals.last() {
                            if u.index.get() >= base {
                                self.close_upvals(base);
                            }
                        }
                        // move the called function and its arguments down to this frame's slot
                        let func = ci!().func as usize;
                        let n = self.top - (base + a);
                        let p = self.stack.as_mut_ptr();
                        for j in 0..n {
                            // SAFETY: func + j < base + a + j < top <= stack.len(); a forward
                            // copy to lower slots never reads a slot it already wrote.
                            unsafe { *p.add(func + j) = Value::load(p.add(base + a + j)) };
                        }
                        self.top = func + n;
                        // SAFETY: this frame is on the frame stack.
                        let old = unsafe { self.ci.pop().unwrap_unchecked() };
                        // SAFETY: func < top <= stack.len(); it holds the Lua callee (checked).
                        let Value::LuaFn(callee) = (unsafe { *self.stack.get_unchecked(func) })
                        else {
                            return Err(self.runtime_error("internal error: tail call"));
                        };
                        self.push_lua_frame(callee, func, old.nresults)?;
                        let new = self.ci.last_mut().expect("frame just pushed");
                        new.status |= (old.status & (cist::FINISHOP | cist::LEQ)) | cist::TAIL;
                        new.extra = old.extra;
                        new.clevel = old.clevel;
                        let nb = new.base as usize;
                        if HOOKED {
                            self.call_hook(true)?;
                            continue 'newframe;
                        }
                        // the callee runs in this frame's place (same ci_idx)
                        cl = callee;
                        // SAFETY: as in `enter_frame!`.
                        lp = unsafe { &*(&*cl.p as *const LuaProto) };
                        base = nb;
                        pc = callee.code;
                        // SAFETY: push_lua_frame sized the stack for the new frame.
                        stk = unsafe { self.stack.as_mut_ptr().add(base) };
                    }
                    OpCode::Return => {
                        let a = inst::a(i) as usize;
                        let b = inst::b(i) as usize;
                        if let Some(u) = self.open_upvals.last() {
                            if u.index.get() >= base {
                                self.close_upvals(base);
                            }
                        }
                        if HOOKED {
                            savepc!();
                            self.ret_hook()?;
                            reload!();
                        }
                        if b == 2 && ci_idx > entry {
                            // one result for a Lua caller that wants one (PUC 5.4's RETURN1)
                            // SAFETY: ci_idx > entry >= 0: this frame and its caller exist.
                            let (c, caller) = unsafe {
                                (
                                    self.ci.get_unchecked(ci_idx),
                                    self.ci.get_unchecked(ci_idx - 1),
                                )
                            };
                            if c.nresults == 1
                                && c.status & cist::FINISHOP == 0
                                && caller.status & cist::LUA != 0
                            {
                                let (func, cfunc) = (c.func as usize, caller.func as usize);
                                self.top = caller.top as usize;
                                let v = reg_load!(a);
                                // SAFETY: func < base <= stack.len(); popping the running frame.
                                unsafe {
                                    *self.stack.get_unchecked_mut(func) = v;
                                    self.ci.set_len(ci_idx);
                                }
                                ci_idx -= 1;
                                // SAFETY: a frame's function slot is inside the stack.
                                if let Value::LuaFn(c) = unsafe { *self.stack.get_unchecked(cfunc) }
                                {
                                    resume_caller!(c);
                                    continue;
                                }
                                continue 'newframe;
                            }
                        }
                        let n = if b != 0 { b - 1 } else { self.top - (base + a) };
                        if ci_idx > entry {
                            // a fixed number of results for a Lua caller (call statements,
                            // `local x, y = f()`, `return` without values)
                            // SAFETY: ci_idx > entry >= 0: this frame and its caller exist.
                            let (c, caller) = unsafe {
                                (
                                    self.ci.get_unchecked(ci_idx),
                                    self.ci.get_unchecked(ci_idx - 1),
                                )
                            };
                            if c.nresults >= 0
                                && c.status & cist::FINISHOP == 0
                                && caller.status & cist::LUA != 0
                            {
                                let wanted = c.nresults as usize;
                                let (func, cfunc) = (c.func as usize, caller.func as usize);
                                self.top = caller.top as usize;
                                let dst = self.stack.as_mut_ptr();
                                for j in 0..wanted {
                                    // the values read are registers of this frame (j < n)
                                    let v = if j < n { reg_load!(a + j) } else { Value::Nil };
                                    // SAFETY: the results go to func..func + wanted, below
                                    // the caller's top (<= stack.len()).
                                    unsafe { *dst.add(func + j) = v };
                                }
                                // SAFETY: popping the running frame (ci_idx < ci.len()).
                                unsafe { self.ci.set_len(ci_idx) };
                                ci_idx -= 1;
                                // SAFETY: a frame's function slot is inside the stack.
                                if let Value::LuaFn(c) = unsafe { *self.stack.get_unchecked(cfunc) }
                                {
                                    resume_caller!(c);
                                    continue;
                                }
                                continue 'newframe;
                            }
                        }
                        let old = self.poscall(base + a, n);
                        if ci_idx > entry && old.status & cist::FINISHOP == 0 {
                            // back to a caller inside this run
                            ci_idx -= 1;
                            // SAFETY: ci_idx < ci.len() after the pop (ci_idx >= entry).
                            let (f, st, t) = unsafe {
                                let c = self.ci.get_unchecked(ci_idx);
                                (c.func as usize, c.status, c.top as usize)
                            };
                            if st & cist::LUA != 0 {
                                if old.nresults >= 0 {
                                    self.top = t;
                                }
                                // SAFETY: a frame's function slot is inside the stack.
                                if let Value::LuaFn(c) = unsafe { *self.stack.get_unchecked(f) } {
                                    resume_caller!(c);
                                    continue;
                                }
                            }
                            continue 'newframe;
                        }
                        self.after_return(old, entry)?;
                        continue 'newframe;
                    }
                    OpCode::ForLoop => {
                        let a = inst::a(i);
                        match (reg_ref!(a), reg_ref!(a + 1), reg_ref!(a + 2)) {
                            (&Value::Int(idx), &Value::Int(limit), &Value::Int(step)) => {
                                let idx = idx.wrapping_add(step);
                                if if step > 0 { idx <= limit } else { limit <= idx } {
                                    pc = jump(pc, inst::sbx(i));
                                    set_reg!(a, Value::Int(idx));
                                    set_reg!(a + 3, Value::Int(idx));
                                    if LIMITED && self.hook_count(-(inst::sbx(i) as i64)) {
                                        savepc!();
                                        self.on_budget_exhausted()?;
                                    }
                                }
                            }
                            (&Value::Num(idx), &Value::Num(limit), &Value::Num(step)) => {
                                let idx = idx + step;
                                if if step > 0.0 {
                                    idx <= limit
                                } else {
                                    limit <= idx
                                } {
                                    pc = jump(pc, inst::sbx(i));
                                    set_reg!(a, Value::Num(idx));
                                    set_reg!(a + 3, Value::Num(idx));
                                    if LIMITED && self.hook_count(-(inst::sbx(i) as i64)) {
                                        savepc!();
                                        self.on_budget_exhausted()?;
                                    }
                                }
                            }
                            _ => return Err(self.runtime_error("'for' loop state corrupted")),
                        }
                    }
                    OpCode::ForPrep => {
                        let a = inst::a(i);
                        if let (&Value::Int(init), &Value::Int(_), &Value::Int(step)) =
                            (reg_ref!(a), reg_ref!(a + 1), reg_ref!(a + 2))
                        {
                            // an integer loop: no conversion, no clipping
                            set_reg!(a, Value::Int(init.wrapping_sub(step)));
                            pc = jump(pc, inst::sbx(i));
                            continue;
                        }
                        let (init, limit, step) = (reg!(a), reg!(a + 1), reg!(a + 2));
                        let (i0, l0, s0) = protect!(self.for_prep(init, limit, step))?;
                        set_reg!(a, i0);
                        set_reg!(a + 1, l0);
                        set_reg!(a + 2, s0);
                        pc = jump(pc, inst::sbx(i));
                    }
                    OpCode::TForCall => {
                        let a = inst::a(i) as usize;
                        let cb = base + a + 3;
                        set_reg!(a + 3, reg_load!(a));
                        set_reg!(a + 4, reg_load!(a + 1));
                        set_reg!(a + 5, reg_load!(a + 2));
                        self.top = cb + 3;
                        savepc!();
                        if LIMITED {
                            self.hook_call()?;
                        }
                        if self.precall(cb, inst::c(i) as i32)? {
                            continue 'newframe;
                        }
                        self.top = ci!().top as usize;
                        reload!();
                    }
                    OpCode::TForLoop => {
                        let a = inst::a(i);
                        let v = reg_load!(a + 1);
                        if !v.is_nil() {
                            set_reg!(a, v);
                            pc = jump(pc, inst::sbx(i));
                            if LIMITED && self.hook_count(-(inst::sbx(i) as i64)) {
                                savepc!();
                                self.on_budget_exhausted()?;
                            }
                        }
                    }
                    OpCode::SetList => {
                        let a = inst::a(i) as usize;
                        let mut n = inst::b(i) as usize;
                        let mut c = inst::c(i) as usize;
                        if n == 0 {
                            n = self.top - (base + a) - 1;
                        }
                        if c == 0 {
                            // SAFETY: SETLIST with C == 0 is followed by EXTRAARG (verified).
                            c = inst::ax(unsafe { *pc }) as usize;
                            pc = next(pc);
                        }
                        if let Value::Table(t) = reg!(a) {
                            let first = (c - 1) * LFIELDS_PER_FLUSH as usize;
                            let from = base + a + 1;
                            let d = t.set_list(first, &self.stack[from..from + n]);
                            self.heap.barrier_back(t);
                            self.heap.account(d);
                        }
                        self.top = ci!().top as usize;
                    }
                    OpCode::Closure => {
                        let a = inst::a(i);
                        // SAFETY: verified proto index < protos.len().
                        let p = unsafe { *lp.protos.get_unchecked(inst::bx(i) as usize) };
                        let descs = &p.proto.upvalues;
                        // PUC 5.3 reuses the last closure of this prototype when it would
                        // capture exactly the same variables (`getcached`)
                        let cached = p.cache.get().filter(|c| {
                            descs.iter().zip(c.upvals.iter()).all(|(d, u)| {
                                let want: *const Value = if d.in_stack {
                                    // SAFETY: verified register index inside the frame.
                                    unsafe { stk.add(d.index as usize) }
                                } else {
                                    upval!(d.index).location()
                                };
                                std::ptr::eq(u.location(), want)
                            })
                        });
                        if let Some(c) = cached {
                            set_reg!(a, Value::LuaFn(c));
                            continue;
                        }
                        let mut upvals: Vec<luavm_gc::Gc<UpVal>> = Vec::with_capacity(descs.len());
                        for d in descs.iter() {
                            if d.in_stack {
                                upvals.push(self.find_upval(base + d.index as usize));
                            } else {
                                upvals.push(*upval!(d.index));
                            }
                        }
                        let c = self
                            .heap
                            .alloc(LuaClosure::new(p, upvals.into_boxed_slice()));
                        p.cache.set(Some(c));
                        if p.is_black() {
                            // the cache is a weak reference: only its clearing matters
                            self.heap.barrier_weak(p);
                        }
                        set_reg!(a, Value::LuaFn(c));
                        protect!(self.try_check_gc())?;
                    }
                    OpCode::VarArg => {
                        let a = inst::a(i) as usize;
                        let b = inst::b(i) as usize;
                        let nparams = lp.num_params as usize;
                        let nvar = (base - ci!().func as usize - 1).saturating_sub(nparams);
                        let from = base - nvar;
                        if b == 0 {
                            savepc!();
                            self.top = base + a;
                            self.check_stack(nvar)?;
                            reload!();
                            let p = self.stack.as_mut_ptr();
                            for j in 0..nvar {
                                // SAFETY: the varargs lie below base (from + nvar <= base);
                                // check_stack made room for nvar slots at base + a.
                                unsafe { *p.add(base + a + j) = Value::load(p.add(from + j)) };
                            }
                            self.top = base + a + nvar;
                        } else {
                            for j in 0..b - 1 {
                                let v = if j < nvar {
                                    self.stack[from + j]
                                } else {
                                    Value::Nil
                                };
                                set_reg!(a + j, v);
                            }
                        }
                    }
                    OpCode::ExtraArg => {
                        savepc!();
                        return Err(self.runtime_error("invalid instruction EXTRAARG"));
                    }
                }
            }
        }
    }

    /// After a frame returned (its results are in place): finish the instruction that
    /// called a metamethod, and restore the caller's top.
    #[inline(always)]
    fn after_return(&mut self, old: crate::call::Returned, entry: usize) -> LuaResult<()> {
        if old.status & cist::FINISHOP != 0 {
            self.finish_op(old)?;
        } else if old.nresults >= 0 && self.ci.len() > entry {
            // SAFETY: ci.len() > entry >= 0, so the frame stack is not empty.
            let caller = unsafe { self.ci.get_unchecked(self.ci.len() - 1) };
            if caller.status & cist::LUA != 0 {
                self.top = caller.top as usize;
            }
        }
        Ok(())
    }
}

/// Decode PUC's "floating point byte" table size hint.
fn fb2int(x: u32) -> usize {
    if x < 8 {
        x as usize
    } else {
        let e = (x >> 3) - 1;
        (((x & 7) + 8) as usize)
            .checked_shl(e)
            .unwrap_or(0)
            .min(1 << 26)
    }
}

/// The instruction after `pc`.
#[inline(always)]
fn next(pc: *const u32) -> *const u32 {
    // SAFETY: called only where a following instruction exists (verified: tests and
    // LOADBOOL skips are followed by an instruction, code ends with RETURN).
    unsafe { pc.add(1) }
}

/// `pc` moved by a verified jump offset.
#[inline(always)]
fn jump(pc: *const u32, sbx: i32) -> *const u32 {
    // SAFETY: the verifier checked that every jump target is inside the code.
    unsafe { pc.offset(sbx as isize) }
}
