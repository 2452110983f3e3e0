//! The slow paths of the interpreter: metamethods for indexing, arithmetic, comparison,
//! length and concatenation, string coercion, and `finish_op`.
//!
//! Two flavours of each operation exist:
//! - `*_slow` functions are called by the loop; a Lua metamethod is *pushed* as a frame
//!   flagged `FINISHOP` (they return `Ok(true)` / `Ok(None)` then) so it can yield;
//! - the `State` API (`index`, `arith`, `less_than`, ...) for Rust code, which calls
//!   metamethods re-entrantly (not yieldable, as PUC's `lua_gettable` from C).
//!
//! One fast path lives here too: `index_chain_ref`, the walk through `__index` *tables*
//! (classes) after a raw miss, which the loop inlines for SELF and GETTABUP
//! (`index_chain_into` for GETTABLE); it never raises nor calls out.
//!
//! Every type error raised here goes through `errors.rs` with the operand's `Src`, so the
//! message names the variable as PUC's `varinfo` does.

use luavm_compiler::numfmt;

use crate::arith::{self, ArithOp};
use crate::error::LuaResult;
use crate::meta::Tm;
use crate::state::State;
use crate::table::Table;
use crate::thread::cist;
use crate::value::Value;
use luavm_compiler::opcodes::{inst, OpCode};
use luavm_gc::Gc;

/// Where an operand came from, for error messages.
#[derive(Clone, Copy, Debug)]
pub enum Src {
    /// Register of the current Lua frame.
    Reg(u32),
    /// Upvalue of the current Lua closure.
    Up(u32),
    /// A constant or a value from elsewhere.
    None,
}

impl Src {
    /// Source of an RK operand.
    pub fn rk(x: u32) -> Src {
        if inst::is_k(x) {
            Src::None
        } else {
            Src::Reg(x)
        }
    }
}

/// Longest `__index`/`__newindex` chain (PUC's `MAXTAGLOOP`).
const MAX_TAG_LOOP: usize = 2000;

enum Step {
    Done(Value),
    Call(Value, Value),
}

/// Append the string form of a string or number (`tostring` without metamethods).
#[inline]
pub fn push_str_or_number(out: &mut Vec<u8>, v: Value) -> bool {
    match v {
        Value::Str(s) => out.extend_from_slice(s.as_bytes()),
        Value::Int(i) => numfmt::lua_integer_to_str(i, out),
        Value::Num(f) => numfmt::lua_number_to_str(f, out),
        _ => return false,
    }
    true
}

impl State {
    fn index_step(&mut self, t: Value, key: Value, src: Src) -> LuaResult<Step> {
        let mut t = t;
        for n in 0..MAX_TAG_LOOP {
            let tm = if let Value::Table(tt) = t {
                let v = tt.get(key);
                if !v.is_nil() {
                    return Ok(Step::Done(v));
                }
                let tm = match tt.metatable() {
                    None => Value::Nil,
                    Some(_) => self.get_tm(t, Tm::Index),
                };
                if tm.is_nil() {
                    return Ok(Step::Done(Value::Nil));
                }
                tm
            } else {
                let tm = self.get_tm(t, Tm::Index);
                if tm.is_nil() {
                    let src = if n == 0 { src } else { Src::None };
                    return Err(self.type_error_key(t, "index", src, key));
                }
                tm
            };
            if tm.is_function() {
                return Ok(Step::Call(tm, t));
            }
            t = tm;
        }
        Err(self.runtime_error("'__index' chain too long; possible loop"))
    }

    /// `R(dest) := t[key]` from the loop. `Ok(true)` when a Lua metamethod frame was pushed.
    /// (The loop tried the raw lookup and `index_chain_ref` first.)
    #[inline(never)]
    pub(crate) fn index_slow(
        &mut self,
        t: Value,
        key: Value,
        dest: Option<u32>,
        src: Src,
    ) -> LuaResult<bool> {
        let v = match self.index_step(t, key, src)? {
            Step::Done(v) => v,
            Step::Call(f, t) => match self.call_tm_from_loop(f, &[t, key], 1, 0, 0)? {
                Some(v) => v,
                None => return Ok(true),
            },
        };
        if let Some(a) = dest {
            let base = self.ci[self.ci.len() - 1].base as usize;
            self.stack[base + a as usize] = v;
        }
        Ok(false)
    }

    /// `t[key]` after a raw miss in a table whose metatable is `mt` (`of_table`), or for a
    /// value of another type whose metatable is `mt` (strings: `s:upper()`), in the
    /// common case of a chain of tables linked by `__index` tables (classes, the string
    /// library): the loop's path for method and field lookups. Returns the slot the value
    /// is in (or `value::NIL` for an absent value): the loop copies the value from there
    /// straight into the destination register (an `Option<Value>` result went through
    /// stack temporaries); the pointer must be used before anything writes a table.
    /// Null when the chain reaches anything else (a function, a non-table, a too long
    /// chain, a missing `__index` for a non-table): `index_slow` then does the general
    /// walk (and raises what must be raised). Never raises, never calls out.
    #[inline(always)]
    pub(crate) fn index_chain_ref(
        &self,
        mt: Gc<Table>,
        key: Value,
        of_table: bool,
    ) -> *const Value {
        match key {
            Value::Str(s) if s.is_short() => {
                // the key's hash is read once for the whole chain
                let hash = s.hash();
                self.walk_index_chain(mt, of_table, |t| t.get_short_str_ref(s, hash))
            }
            _ => self.walk_index_chain(mt, of_table, |t| t.get_ref(key)),
        }
    }

    /// `index_chain_ref` for GETTABLE, out of line and marked cold, writing the result to the
    /// destination register: field reads through `__index` tables are rarer than method
    /// lookups (SELF), and an inlined walk there made the loop keep fewer values in
    /// registers in GETTABLE's hot array path (fannkuch.lua).
    #[cold]
    #[inline(never)]
    pub(crate) fn index_chain_into(&self, mt: Gc<Table>, key: Value, dst: &mut Value) -> bool {
        let p = self.index_chain_ref(mt, key, true);
        if p.is_null() {
            return false;
        }
        // SAFETY: a value slot (or `NIL`) just found; nothing ran since.
        *dst = unsafe { *p };
        true
    }

    /// `t[key]` for GETTABUP with a key that is not a string (`cache[x]` where `cache`
    /// is an upvalue), writing the destination register: the raw lookup, then the walk
    /// through `__index` tables. `false` when the general path (`index_slow`) is needed.
    #[inline(never)]
    pub(crate) fn index_raw_into(&self, t: Gc<Table>, key: Value, dst: &mut Value) -> bool {
        let v = match key {
            Value::Int(n) => t.get_int_ref(n),
            _ => t.get_ref(key),
        };
        if !v.is_nil() {
            *dst = *v;
            return true;
        }
        match t.metatable() {
            None => {
                *dst = Value::Nil;
                true
            }
            Some(mt) => self.index_chain_into(mt, key, dst),
        }
    }

    /// The walk from metatable `mt` of the indexed value (a table when `of_table`; for
    /// another value, such as a string, a missing `__index` is the general path's error).
    /// Returns the slot of the value found, `value::NIL` for an absent one, null when the
    /// general path is needed.
    #[inline(always)]
    fn walk_index_chain(
        &self,
        mt: Gc<Table>,
        of_table: bool,
        get: impl Fn(&Table) -> &Value,
    ) -> *const Value {
        let nil: *const Value = &crate::value::NIL.0;
        let name = self.tm_name(Tm::Index);
        let name_hash = name.hash();
        let mut mt = mt;
        let mut absent = if of_table { nil } else { std::ptr::null() };
        for _ in 0..MAX_TAG_LOOP {
            if crate::meta::cached_absent(mt, Tm::Index) {
                return absent;
            }
            let t = match mt.get_short_str(name, name_hash) {
                Value::Table(t) => t,
                Value::Nil => {
                    crate::meta::note_absent(mt, Tm::Index);
                    return absent;
                }
                _ => return std::ptr::null(),
            };
            absent = nil;
            let v = get(&t);
            if !v.is_nil() {
                return v;
            }
            match t.metatable() {
                Some(next) => mt = next,
                None => return nil,
            }
        }
        std::ptr::null()
    }

    /// `t[key]` with metamethods, for Rust code.
    pub fn index(&mut self, t: Value, key: Value) -> LuaResult<Value> {
        match self.index_step(t, key, Src::None)? {
            Step::Done(v) => Ok(v),
            Step::Call(f, t) => self.call_value1(f, &[t, key]),
        }
    }

    fn newindex_step(
        &mut self,
        t: Value,
        key: Value,
        val: Value,
        src: Src,
    ) -> LuaResult<Option<(Value, Value)>> {
        let mut t = t;
        for n in 0..MAX_TAG_LOOP {
            let tm = if let Value::Table(tt) = t {
                let existing = tt.get(key);
                let tm = if existing.is_nil() && tt.metatable().is_some() {
                    self.get_tm(t, Tm::NewIndex)
                } else {
                    Value::Nil
                };
                if tm.is_nil() {
                    match key {
                        Value::Nil => return Err(self.runtime_error("table index is nil")),
                        Value::Num(f) if f.is_nan() => {
                            return Err(self.runtime_error("table index is NaN"))
                        }
                        _ => {}
                    }
                    self.raw_set(tt, key, val);
                    return Ok(None);
                }
                tm
            } else {
                let tm = self.get_tm(t, Tm::NewIndex);
                if tm.is_nil() {
                    let src = if n == 0 { src } else { Src::None };
                    return Err(self.type_error_key(t, "index", src, key));
                }
                tm
            };
            if tm.is_function() {
                return Ok(Some((tm, t)));
            }
            t = tm;
        }
        Err(self.runtime_error("'__newindex' chain too long; possible loop"))
    }

    #[inline(never)]
    pub(crate) fn newindex_slow(
        &mut self,
        t: Value,
        key: Value,
        val: Value,
        src: Src,
    ) -> LuaResult<bool> {
        match self.newindex_step(t, key, val, src)? {
            None => Ok(false),
            Some((f, t)) => Ok(self
                .call_tm_from_loop(f, &[t, key, val], 0, 0, 0)?
                .is_none()),
        }
    }

    /// `t[key] = val` with metamethods, for Rust code.
    pub fn set_index(&mut self, t: Value, key: Value, val: Value) -> LuaResult<()> {
        if let Some((f, t)) = self.newindex_step(t, key, val, Src::None)? {
            self.call_value(f, &[t, key, val], 0)?;
        }
        Ok(())
    }

    /// Call metamethod `f` from the loop: pushes it above the current frame. Returns its
    /// result when it ran to completion (a Rust function), `None` when a Lua frame was
    /// pushed (it will be finished by `finish_op`).
    pub(crate) fn call_tm_from_loop(
        &mut self,
        f: Value,
        args: &[Value],
        nresults: i32,
        flags: u16,
        extra: usize,
    ) -> LuaResult<Option<Value>> {
        let ci_top = self.ci[self.ci.len() - 1].top as usize;
        let func = ci_top;
        self.top = func;
        self.check_stack(args.len() + 1)?;
        self.stack[func] = f;
        for (j, a) in args.iter().enumerate() {
            self.stack[func + 1 + j] = *a;
        }
        self.top = func + 1 + args.len();
        if self.precall(func, nresults)? {
            let ci = self.ci.last_mut().expect("pushed");
            ci.status |= cist::FINISHOP | flags;
            ci.extra = extra as u32;
            // a metamethod is a C-level call in PUC (`luaT_callTM` uses `luaD_call`)
            ci.clevel += 1;
            if let Err(e) = self.check_c_level(0) {
                // raise it from the caller, as PUC does before entering the metamethod
                self.ci.pop();
                self.top = ci_top;
                return Err(e);
            }
            return Ok(None);
        }
        let r = if nresults > 0 {
            self.stack[func]
        } else {
            Value::Nil
        };
        self.top = ci_top;
        Ok(Some(r))
    }

    // ---- arithmetic -------------------------------------------------------------------

    /// Arithmetic with coercion and metamethods, from the loop (`R(a) := b op c`).
    #[inline(never)]
    pub(crate) fn arith_slow(
        &mut self,
        op: ArithOp,
        a: u32,
        rb: u32,
        rc: u32,
        b: Value,
        c: Value,
    ) -> LuaResult<bool> {
        let unary = matches!(op, ArithOp::Unm | ArithOp::BNot);
        let (srcb, srcc) = if unary {
            (Src::Reg(rb), Src::Reg(rb))
        } else {
            (Src::rk(rb), Src::rk(rc))
        };
        let v = match self.arith_values(op, b, c, srcb, srcc)? {
            Step::Done(v) => v,
            Step::Call(f, _) => match self.call_tm_from_loop(f, &[b, c], 1, 0, 0)? {
                Some(v) => v,
                None => return Ok(true),
            },
        };
        let base = self.ci[self.ci.len() - 1].base as usize;
        self.stack[base + a as usize] = v;
        Ok(false)
    }

    /// `b op c` with coercion and metamethods, for Rust code.
    pub fn arith(&mut self, op: ArithOp, b: Value, c: Value) -> LuaResult<Value> {
        match self.arith_values(op, b, c, Src::None, Src::None)? {
            Step::Done(v) => Ok(v),
            Step::Call(f, _) => self.call_value1(f, &[b, c]),
        }
    }

    fn arith_values(
        &mut self,
        op: ArithOp,
        b: Value,
        c: Value,
        srcb: Src,
        srcc: Src,
    ) -> LuaResult<Step> {
        if let (Some(mut x), Some(mut y)) = (arith::to_number(b), arith::to_number(c)) {
            // 5.3: arithmetic on a string operand is float arithmetic (bitwise is not)
            if !op.is_bitwise() && (matches!(b, Value::Str(_)) || matches!(c, Value::Str(_))) {
                x = Value::Num(arith::as_float(x).unwrap_or(0.0));
                y = Value::Num(arith::as_float(y).unwrap_or(0.0));
            }
            match arith::arith_fast(op, x, y) {
                Some(v) => return Ok(Step::Done(v)),
                None => match op {
                    ArithOp::IDiv => return Err(self.runtime_error("attempt to divide by zero")),
                    ArithOp::Mod => return Err(self.runtime_error("attempt to perform 'n%0'")),
                    _ => {} // bitwise on a float without integer value: try metamethods first
                },
            }
        }
        let tm = {
            let t = self.get_tm(b, op.tm());
            if t.is_nil() {
                self.get_tm(c, op.tm())
            } else {
                t
            }
        };
        if !tm.is_nil() {
            return Ok(Step::Call(tm, Value::Nil));
        }
        if op.is_bitwise() {
            if arith::to_number(b).is_some() && arith::to_number(c).is_some() {
                let (v, s) = if arith::to_integer(b).is_none() {
                    (b, srcb)
                } else {
                    (c, srcc)
                };
                let info = self.var_info(v, s);
                return Err(
                    self.runtime_error(&format!("number{info} has no integer representation"))
                );
            }
            let (v, s) = if arith::to_number(b).is_none() {
                (b, srcb)
            } else {
                (c, srcc)
            };
            return Err(self.type_error(v, "perform bitwise operation on", s));
        }
        let (v, s) = if arith::to_number(b).is_none() {
            (b, srcb)
        } else {
            (c, srcc)
        };
        Err(self.type_error(v, "perform arithmetic on", s))
    }

    // ---- length -------------------------------------------------------------------

    #[inline(never)]
    pub(crate) fn len_slow(&mut self, a: u32, rb: u32, b: Value) -> LuaResult<bool> {
        let v = match self.len_step(b, Src::Reg(rb))? {
            Step::Done(v) => v,
            Step::Call(f, _) => match self.call_tm_from_loop(f, &[b, b], 1, 0, 0)? {
                Some(v) => v,
                None => return Ok(true),
            },
        };
        let base = self.ci[self.ci.len() - 1].base as usize;
        self.stack[base + a as usize] = v;
        Ok(false)
    }

    fn len_step(&mut self, v: Value, src: Src) -> LuaResult<Step> {
        let tm = self.get_tm(v, Tm::Len);
        if !tm.is_nil() {
            return Ok(Step::Call(tm, Value::Nil));
        }
        match v {
            Value::Table(t) => Ok(Step::Done(Value::Int(t.len()))),
            Value::Str(s) => Ok(Step::Done(Value::Int(s.len() as i64))),
            _ => Err(self.type_error(v, "get length of", src)),
        }
    }

    /// `#v` with metamethods, for Rust code.
    pub fn len_of(&mut self, v: Value) -> LuaResult<Value> {
        match self.len_step(v, Src::None)? {
            Step::Done(r) => Ok(r),
            Step::Call(f, _) => self.call_value1(f, &[v, v]),
        }
    }

    // ---- comparison -------------------------------------------------------------------

    /// `__eq` for two tables or two userdata (raw-unequal ones). `None`: frame pushed.
    #[inline(never)]
    pub(crate) fn equal_tm(&mut self, a: Value, b: Value) -> LuaResult<Option<bool>> {
        if a.raw_equal(b) {
            return Ok(Some(true));
        }
        let mut tm = self.get_tm(a, Tm::Eq);
        if tm.is_nil() {
            tm = self.get_tm(b, Tm::Eq);
        }
        if tm.is_nil() {
            return Ok(Some(false));
        }
        Ok(self
            .call_tm_from_loop(tm, &[a, b], 1, 0, 0)?
            .map(|v| v.truthy()))
    }

    /// Equality with `__eq`, for Rust code.
    pub fn equals(&mut self, a: Value, b: Value) -> LuaResult<bool> {
        if a.raw_equal(b) {
            return Ok(true);
        }
        match (a, b) {
            (Value::Table(_), Value::Table(_)) | (Value::UserData(_), Value::UserData(_)) => {
                let mut tm = self.get_tm(a, Tm::Eq);
                if tm.is_nil() {
                    tm = self.get_tm(b, Tm::Eq);
                }
                if tm.is_nil() {
                    return Ok(false);
                }
                Ok(self.call_value1(tm, &[a, b])?.truthy())
            }
            _ => Ok(false),
        }
    }

    #[inline(never)]
    pub(crate) fn less_than_slow(
        &mut self,
        a: Value,
        b: Value,
        _rb: u32,
        _rc: u32,
    ) -> LuaResult<Option<bool>> {
        if let Some(r) = compare_prim(a, b, false) {
            return Ok(Some(r));
        }
        let tm = self.binary_tm(a, b, Tm::Lt);
        if tm.is_nil() {
            return Err(self.compare_error(a, b));
        }
        Ok(self
            .call_tm_from_loop(tm, &[a, b], 1, 0, 0)?
            .map(|v| v.truthy()))
    }

    #[inline(never)]
    pub(crate) fn less_equal_slow(
        &mut self,
        a: Value,
        b: Value,
        _rb: u32,
        _rc: u32,
    ) -> LuaResult<Option<bool>> {
        if let Some(r) = compare_prim(a, b, true) {
            return Ok(Some(r));
        }
        let tm = self.binary_tm(a, b, Tm::Le);
        if !tm.is_nil() {
            return Ok(self
                .call_tm_from_loop(tm, &[a, b], 1, 0, 0)?
                .map(|v| v.truthy()));
        }
        // 5.3: try `not (b < a)`
        let tm = self.binary_tm(b, a, Tm::Lt);
        if tm.is_nil() {
            return Err(self.compare_error(a, b));
        }
        Ok(self
            .call_tm_from_loop(tm, &[b, a], 1, cist::LEQ, 0)?
            .map(|v| !v.truthy()))
    }

    /// `a < b` with metamethods, for Rust code.
    pub fn less_than(&mut self, a: Value, b: Value) -> LuaResult<bool> {
        if let Some(r) = compare_prim(a, b, false) {
            return Ok(r);
        }
        let tm = self.binary_tm(a, b, Tm::Lt);
        if tm.is_nil() {
            return Err(self.compare_error(a, b));
        }
        Ok(self.call_value1(tm, &[a, b])?.truthy())
    }

    /// `a <= b` with metamethods, for Rust code.
    pub fn less_equal(&mut self, a: Value, b: Value) -> LuaResult<bool> {
        if let Some(r) = compare_prim(a, b, true) {
            return Ok(r);
        }
        let tm = self.binary_tm(a, b, Tm::Le);
        if !tm.is_nil() {
            return Ok(self.call_value1(tm, &[a, b])?.truthy());
        }
        let tm = self.binary_tm(b, a, Tm::Lt);
        if tm.is_nil() {
            return Err(self.compare_error(a, b));
        }
        Ok(!self.call_value1(tm, &[b, a])?.truthy())
    }

    fn binary_tm(&self, a: Value, b: Value, tm: Tm) -> Value {
        let t = self.get_tm(a, tm);
        if t.is_nil() {
            self.get_tm(b, tm)
        } else {
            t
        }
    }

    // ---- concatenation -------------------------------------------------------------------

    /// `R(a) := R(b) .. ... .. R(c)` from the loop.
    #[inline(never)]
    pub(crate) fn concat(&mut self, base: usize, a: usize, b: usize, c: usize) -> LuaResult<bool> {
        self.concat_range(base + b, base + c, base + a)
    }

    /// Concatenate stack slots `first..=last` into `dest`, right to left as PUC does.
    fn concat_range(&mut self, first: usize, mut last: usize, dest: usize) -> LuaResult<bool> {
        while last > first {
            let top = self.stack[last];
            let prev = self.stack[last - 1];
            if is_str_or_num(top) && is_str_or_num(prev) {
                let mut n = 2;
                while last + 1 - n > first && is_str_or_num(self.stack[last - n]) {
                    n += 1;
                }
                let start = last + 1 - n;
                let mut buf = Vec::new();
                let mut len = 0usize;
                for v in &self.stack[start..=last] {
                    if let Value::Str(s) = v {
                        len += s.len();
                    } else {
                        len += 24;
                    }
                }
                // the operands stay on the stack (rooted) while a collection may run
                self.check_alloc(len)?;
                buf.reserve(len);
                for j in start..=last {
                    push_str_or_number(&mut buf, self.stack[j]);
                }
                let s = self.new_str_vec(buf);
                self.stack[start] = Value::Str(s);
                last = start;
            } else {
                let tm = self.binary_tm(prev, top, Tm::Concat);
                if tm.is_nil() {
                    let base = self.ci[self.ci.len() - 1].base as usize;
                    let (v, slot) = if is_str_or_num(prev) {
                        (top, last)
                    } else {
                        (prev, last - 1)
                    };
                    let src = if slot >= base {
                        Src::Reg((slot - base) as u32)
                    } else {
                        Src::None
                    };
                    return Err(self.type_error(v, "concatenate", src));
                }
                match self.call_tm_from_loop(tm, &[prev, top], 1, 0, last - 1)? {
                    Some(v) => {
                        self.stack[last - 1] = v;
                        last -= 1;
                    }
                    None => return Ok(true),
                }
            }
        }
        self.stack[dest] = self.stack[first];
        Ok(false)
    }

    /// Concatenate values with `__concat`, for Rust code.
    pub fn concat_values(&mut self, a: Value, b: Value) -> LuaResult<Value> {
        if is_str_or_num(a) && is_str_or_num(b) {
            let mut buf = Vec::new();
            push_str_or_number(&mut buf, a);
            push_str_or_number(&mut buf, b);
            return Ok(Value::Str(self.new_str_vec(buf)));
        }
        let tm = self.binary_tm(a, b, Tm::Concat);
        if tm.is_nil() {
            let v = if is_str_or_num(a) { b } else { a };
            return Err(self.type_error(v, "concatenate", Src::None));
        }
        self.call_value1(tm, &[a, b])
    }

    // ---- numeric for -------------------------------------------------------------------

    #[inline(never)]
    pub(crate) fn for_prep(
        &mut self,
        init: Value,
        limit: Value,
        step: Value,
    ) -> LuaResult<(Value, Value, Value)> {
        if let (Value::Int(i0), Value::Int(st)) = (init, step) {
            // integer loop if the limit fits (clipped as 5.3's forlimit)
            let lim = match limit {
                Value::Int(l) => Some((l, false)),
                _ => match arith::to_number(limit) {
                    Some(Value::Int(l)) => Some((l, false)),
                    Some(Value::Num(f)) => match arith::float_to_int_rounded(f, st < 0) {
                        Some(l) => Some((l, false)),
                        None => {
                            if f > 0.0 {
                                Some((i64::MAX, st < 0))
                            } else {
                                Some((i64::MIN, st >= 0))
                            }
                        }
                    },
                    _ => None,
                },
            };
            if let Some((l, stop)) = lim {
                // 5.3's `stopnow`: a start of 0 with a clipped limit never runs
                let start = if stop { 0 } else { i0 };
                return Ok((
                    Value::Int(start.wrapping_sub(st)),
                    Value::Int(l),
                    Value::Int(st),
                ));
            }
            return Err(self.runtime_error("'for' limit must be a number"));
        }
        let l = match arith::to_float(limit) {
            Some(l) => l,
            None => return Err(self.runtime_error("'for' limit must be a number")),
        };
        let s = match arith::to_float(step) {
            Some(s) => s,
            None => return Err(self.runtime_error("'for' step must be a number")),
        };
        let i = match arith::to_float(init) {
            Some(i) => i,
            None => return Err(self.runtime_error("'for' initial value must be a number")),
        };
        Ok((Value::Num(i - s), Value::Num(l), Value::Num(s)))
    }

    // ---- finishing an instruction after a metamethod returned ----------------------------

    /// A metamethod frame called by an instruction returned (its result is at its `func`
    /// slot): complete the instruction (PUC's `luaV_finishOp`).
    #[inline(never)]
    pub(crate) fn finish_op(&mut self, callee: crate::call::Returned) -> LuaResult<()> {
        let ci_idx = self.ci.len() - 1;
        let ci = self.ci[ci_idx];
        let cl = match self.stack[ci.func as usize] {
            Value::LuaFn(c) => c,
            _ => return Ok(()),
        };
        let i = cl.p.proto.code[(ci.pc as usize) - 1];
        let res = self.stack[callee.func];
        let a = inst::a(i) as usize;
        match inst::opcode(i) {
            OpCode::GetTabUp
            | OpCode::GetTable
            | OpCode::SelfOp
            | OpCode::Add
            | OpCode::Sub
            | OpCode::Mul
            | OpCode::Mod
            | OpCode::Pow
            | OpCode::Div
            | OpCode::IDiv
            | OpCode::BAnd
            | OpCode::BOr
            | OpCode::BXor
            | OpCode::Shl
            | OpCode::Shr
            | OpCode::Unm
            | OpCode::BNot
            | OpCode::Len => {
                self.stack[(ci.base as usize) + a] = res;
            }
            OpCode::Eq | OpCode::Lt | OpCode::Le => {
                let mut r = res.truthy();
                if callee.status & cist::LEQ != 0 {
                    r = !r;
                }
                if r != (a != 0) {
                    self.ci[ci_idx].pc += 1; // skip the jump
                }
            }
            OpCode::Concat => {
                self.stack[callee.extra] = res;
                let first = (ci.base as usize) + inst::b(i) as usize;
                if self.concat_range(first, callee.extra, (ci.base as usize) + a)? {
                    return Ok(()); // another metamethod frame was pushed
                }
            }
            _ => {}
        }
        self.top = ci.top as usize;
        Ok(())
    }
}

#[inline]
fn is_str_or_num(v: Value) -> bool {
    matches!(v, Value::Str(_) | Value::Int(_) | Value::Num(_))
}

/// Ordering of two numbers or two strings (`None`: needs metamethods or is an error).
#[inline(always)]
pub fn compare_prim(a: Value, b: Value, or_equal: bool) -> Option<bool> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(if or_equal { x <= y } else { x < y }),
        (Value::Num(x), Value::Num(y)) => Some(if or_equal { x <= y } else { x < y }),
        (Value::Int(x), Value::Num(y)) => Some(if or_equal {
            int_le_float(x, y)
        } else {
            int_lt_float(x, y)
        }),
        (Value::Num(x), Value::Int(y)) => Some(if or_equal {
            float_le_int(x, y)
        } else {
            float_lt_int(x, y)
        }),
        (Value::Str(x), Value::Str(y)) => {
            let o = str_cmp(x.as_bytes(), y.as_bytes());
            Some(if or_equal {
                o != std::cmp::Ordering::Greater
            } else {
                o == std::cmp::Ordering::Less
            })
        }
        _ => None,
    }
}

/// String order as `strcoll` in the C locale, with embedded zeros handled as PUC's `l_strcmp`.
fn str_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    a.cmp(b)
}

fn int_lt_float(i: i64, f: f64) -> bool {
    match arith::float_to_int_rounded(f, true) {
        Some(fi) => i < fi,
        None => f > 0.0,
    }
}
fn int_le_float(i: i64, f: f64) -> bool {
    match arith::float_to_int_rounded(f, false) {
        Some(fi) => i <= fi,
        None => f > 0.0,
    }
}
fn float_lt_int(f: f64, i: i64) -> bool {
    match arith::float_to_int_rounded(f, false) {
        Some(fi) => fi < i,
        None => f < 0.0,
    }
}
fn float_le_int(f: f64, i: i64) -> bool {
    match arith::float_to_int_rounded(f, true) {
        Some(fi) => fi <= i,
        None => f < 0.0,
    }
}
