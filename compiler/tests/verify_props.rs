//! The verifier is what lets the VM skip bounds checks, so: mutate the bytecode of
//! valid prototypes at random; every mutant is either rejected by `verify` or
//! survives `simulate`, an independent model of what the VM touches, written from
//! the opcode semantics in `opcodes.rs` (not from `verify.rs`): it walks every
//! reachable pc and checks every register, constant, upvalue, function and jump
//! index each instruction uses.

mod common;

use std::sync::Arc;

use proptest::prelude::*;

use luavm_compiler::opcodes::{inst, OpCode};
use luavm_compiler::{compile, lexer::skip_comment_line, verify, Proto};

/// What executing one instruction touches.
#[derive(Debug)]
enum Touch {
    Reg(i64),
    K(i64),
    Up(i64),
    Func(i64),
}

fn rk(x: u32) -> Touch {
    if inst::is_k(x) {
        Touch::K(inst::index_k(x) as i64)
    } else {
        Touch::Reg(x as i64)
    }
}

fn regs(t: &mut Vec<Touch>, first: i64, last: i64) {
    for r in first..=last {
        t.push(Touch::Reg(r));
    }
}

/// Checks one prototype (not its children) by walking all reachable pcs.
fn simulate_one(f: &Proto) -> Result<(), String> {
    let n = f.code.len() as i64;
    if n == 0 {
        return Err("no code".into());
    }
    if f.line_info.len() != f.code.len() {
        return Err("line info".into());
    }
    if f.num_params as usize > f.max_stack_size as usize {
        return Err("params do not fit".into());
    }
    let ms = f.max_stack_size as i64;
    let mut seen = vec![false; f.code.len()];
    let mut work = vec![0i64];
    while let Some(pc) = work.pop() {
        if pc < 0 || pc >= n {
            return Err(format!("control reaches pc {} outside the code", pc));
        }
        if seen[pc as usize] {
            continue;
        }
        seen[pc as usize] = true;
        let i = f.code[pc as usize];
        let op = OpCode::from_u8(inst::opcode_raw(i)).ok_or("bad opcode")?;
        let (a, b, c) = (inst::a(i) as i64, inst::b(i), inst::c(i));
        let (bi, ci) = (b as i64, c as i64);
        let sbx = inst::sbx(i) as i64;
        let next = f.code.get(pc as usize + 1).map(|&x| inst::opcode_raw(x));
        let need_next = |op2: OpCode| -> Result<(), String> {
            if next == Some(op2 as u8) {
                Ok(())
            } else {
                Err(format!("pc {}: {:?} not followed by {:?}", pc, op, op2))
            }
        };
        let mut t = Vec::new();
        let mut succ = vec![pc + 1];
        use OpCode::*;
        match op {
            Move | Unm | BNot | Not | Len => {
                t.push(Touch::Reg(a));
                t.push(Touch::Reg(bi));
            }
            LoadK => {
                t.push(Touch::Reg(a));
                t.push(Touch::K(inst::bx(i) as i64));
            }
            LoadKx => {
                t.push(Touch::Reg(a));
                need_next(ExtraArg)?;
                t.push(Touch::K(inst::ax(f.code[pc as usize + 1]) as i64));
                succ = vec![pc + 2];
            }
            LoadBool => {
                t.push(Touch::Reg(a));
                if c != 0 {
                    succ = vec![pc + 2];
                }
            }
            LoadNil => regs(&mut t, a, a + bi),
            GetUpval | SetUpval => {
                t.push(Touch::Reg(a));
                t.push(Touch::Up(bi));
            }
            GetTabUp => {
                t.push(Touch::Reg(a));
                t.push(Touch::Up(bi));
                t.push(rk(c));
            }
            GetTable => {
                t.push(Touch::Reg(a));
                t.push(Touch::Reg(bi));
                t.push(rk(c));
            }
            SetTabUp => {
                t.push(Touch::Up(a));
                t.push(rk(b));
                t.push(rk(c));
            }
            SetTable | Add | Sub | Mul | Mod | Pow | Div | IDiv | BAnd | BOr | BXor | Shl | Shr => {
                t.push(Touch::Reg(a));
                t.push(rk(b));
                t.push(rk(c));
            }
            NewTable => t.push(Touch::Reg(a)),
            SelfOp => {
                regs(&mut t, a, a + 1);
                t.push(Touch::Reg(bi));
                t.push(rk(c));
            }
            Concat => {
                t.push(Touch::Reg(a));
                // luaV_concat always joins at least two values ending at C
                regs(&mut t, bi.min(ci - 1), ci);
            }
            Jmp => {
                if a > 0 {
                    t.push(Touch::Reg(a - 1));
                }
                succ = vec![pc + 1 + sbx];
            }
            Eq | Lt | Le => {
                t.push(rk(b));
                t.push(rk(c));
                need_next(Jmp)?;
                succ = vec![pc + 1, pc + 2];
            }
            Test => {
                t.push(Touch::Reg(a));
                need_next(Jmp)?;
                succ = vec![pc + 1, pc + 2];
            }
            TestSet => {
                t.push(Touch::Reg(a));
                t.push(Touch::Reg(bi));
                need_next(Jmp)?;
                succ = vec![pc + 1, pc + 2];
            }
            Call => {
                t.push(Touch::Reg(a));
                if b > 0 {
                    regs(&mut t, a, a + bi - 1);
                }
                if c > 1 {
                    regs(&mut t, a, a + ci - 2);
                }
            }
            TailCall => {
                t.push(Touch::Reg(a));
                if b > 0 {
                    regs(&mut t, a, a + bi - 1);
                }
            }
            Return => {
                if b == 0 {
                    t.push(Touch::Reg(a));
                } else if b > 1 {
                    regs(&mut t, a, a + bi - 2);
                }
                succ = vec![];
            }
            ForLoop => {
                regs(&mut t, a, a + 3);
                succ = vec![pc + 1, pc + 1 + sbx];
            }
            ForPrep => {
                regs(&mut t, a, a + 2);
                succ = vec![pc + 1 + sbx];
            }
            TForCall => {
                regs(&mut t, a, a + 5); // copies of the iterator triple at A+3..A+5
                if c > 0 {
                    regs(&mut t, a + 3, a + 2 + ci);
                }
                need_next(TForLoop)?;
            }
            TForLoop => {
                regs(&mut t, a, a + 1);
                succ = vec![pc + 1, pc + 1 + sbx];
            }
            SetList => {
                t.push(Touch::Reg(a));
                if b > 0 {
                    regs(&mut t, a + 1, a + bi);
                }
                if c == 0 {
                    need_next(ExtraArg)?;
                    succ = vec![pc + 2];
                }
            }
            Closure => {
                t.push(Touch::Reg(a));
                t.push(Touch::Func(inst::bx(i) as i64));
            }
            VarArg => {
                if b > 1 {
                    regs(&mut t, a, a + bi - 2);
                }
            }
            ExtraArg => return Err(format!("pc {}: EXTRAARG executed on its own", pc)),
        }
        for x in &t {
            let ok = match *x {
                Touch::Reg(r) => (0..ms).contains(&r),
                Touch::K(k) => (0..f.constants.len() as i64).contains(&k),
                Touch::Up(u) => (0..f.upvalues.len() as i64).contains(&u),
                Touch::Func(p) => (0..f.protos.len() as i64).contains(&p),
            };
            if !ok {
                return Err(format!("pc {}: {:?} touches {:?} out of range", pc, op, x));
            }
        }
        work.extend(succ);
    }
    Ok(())
}

/// Checks a prototype tree, including each child's upvalue descriptors.
fn simulate(p: &Proto) -> Result<(), String> {
    let mut stack = vec![p];
    while let Some(f) = stack.pop() {
        simulate_one(f)?;
        for child in &f.protos {
            for u in &child.upvalues {
                let limit = if u.in_stack {
                    f.max_stack_size as usize
                } else {
                    f.upvalues.len()
                };
                if u.index as usize >= limit {
                    return Err("closure captures out of range".into());
                }
            }
            stack.push(child);
        }
    }
    Ok(())
}

fn seeds() -> &'static [Proto] {
    static SEEDS: std::sync::OnceLock<Vec<Proto>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(make_seeds)
}

fn make_seeds() -> Vec<Proto> {
    let mut v: Vec<Proto> = common::lua_files(&common::corpus_dir())
        .iter()
        .map(|p| {
            let src = std::fs::read(p).unwrap();
            (*compile(skip_comment_line(&src), b"=t").unwrap()).clone()
        })
        .collect();
    for src in [
        "local a, b = ... for i = 1, 3 do a = a .. i end return a",
        "local t = {} for k, v in pairs(t) do t[k] = v + 1 end",
        "local function f(...) local x = {...} return select('#', ...), x end return f(1, 2)",
        "local x = 0 while x < 10 do if x % 2 == 0 then x = x + 1 else x = x + 2 end end",
    ] {
        v.push((*compile(src.as_bytes(), b"=t").unwrap()).clone());
    }
    v
}

/// A proto somewhere in the tree, chosen by `path`.
fn pick_mut<'a>(p: &'a mut Proto, path: &[usize]) -> &'a mut Proto {
    let mut f = p;
    for &i in path {
        if f.protos.is_empty() {
            break;
        }
        let n = f.protos.len();
        f = Arc::make_mut(&mut f.protos[i % n]);
    }
    f
}

#[derive(Debug, Clone)]
enum Mutation {
    Word(proptest::sample::Index, u32),
    Bit(proptest::sample::Index, u8),
    Field(proptest::sample::Index, u8, u32),
    StackSize(u8),
    DropConstants(usize),
    DropUpvalues(usize),
    DropProtos(usize),
    PopCode,
    UpvalDesc(proptest::sample::Index, bool, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<proptest::sample::Index>(), any::<u32>()).prop_map(|(i, w)| Mutation::Word(i, w)),
        (any::<proptest::sample::Index>(), 0u8..32).prop_map(|(i, b)| Mutation::Bit(i, b)),
        (
            any::<proptest::sample::Index>(),
            0u8..5,
            prop_oneof![0u32..4, 250u32..260, 500u32..512, any::<u32>()]
        )
            .prop_map(|(i, f, v)| Mutation::Field(i, f, v)),
        any::<u8>().prop_map(Mutation::StackSize),
        (0usize..4).prop_map(Mutation::DropConstants),
        (0usize..2).prop_map(Mutation::DropUpvalues),
        (0usize..2).prop_map(Mutation::DropProtos),
        Just(Mutation::PopCode),
        (any::<proptest::sample::Index>(), any::<bool>(), any::<u8>())
            .prop_map(|(i, s, x)| Mutation::UpvalDesc(i, s, x)),
    ]
}

fn apply(f: &mut Proto, m: &Mutation) {
    let n = f.code.len();
    match m {
        Mutation::Word(i, w) if n > 0 => f.code[i.index(n)] = *w,
        Mutation::Bit(i, b) if n > 0 => f.code[i.index(n)] ^= 1 << b,
        Mutation::Field(i, field, v) if n > 0 => {
            let ins = &mut f.code[i.index(n)];
            match field {
                0 => inst::set_a(ins, v & 0xff),
                1 => inst::set_b(ins, v & 0x1ff),
                2 => inst::set_c(ins, v & 0x1ff),
                3 => inst::set_bx(ins, v & 0x3ffff),
                _ => inst::set_opcode(ins, OpCode::from_u8((*v % 47) as u8).unwrap()),
            }
        }
        Mutation::StackSize(s) => f.max_stack_size = *s,
        Mutation::DropConstants(k) => {
            let l = f.constants.len().saturating_sub(*k + 1);
            f.constants.truncate(l);
        }
        Mutation::DropUpvalues(k) => {
            let l = f.upvalues.len().saturating_sub(*k + 1);
            f.upvalues.truncate(l);
        }
        Mutation::DropProtos(k) => {
            let l = f.protos.len().saturating_sub(*k + 1);
            f.protos.truncate(l);
        }
        Mutation::PopCode => {
            f.code.pop();
            f.line_info.pop();
        }
        Mutation::UpvalDesc(i, s, x) if !f.upvalues.is_empty() => {
            let j = i.index(f.upvalues.len());
            f.upvalues[j].in_stack = *s;
            f.upvalues[j].index = *x;
        }
        _ => {}
    }
}

#[test]
fn compiled_protos_pass_the_simulation() {
    for p in seeds() {
        verify(p).unwrap();
        simulate(p).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn mutants_are_rejected_or_safe(
        seed in 0usize..64,
        muts in proptest::collection::vec((proptest::collection::vec(0usize..8, 0..3), mutation()), 1..4),
    ) {
        let seeds = seeds();
        let mut p = seeds[seed % seeds.len()].clone();
        for (path, m) in &muts {
            apply(pick_mut(&mut p, path), m);
        }
        if verify(&p).is_ok() {
            if let Err(e) = simulate(&p) {
                panic!("verify accepted a proto the VM model rejects: {} (mutations {:?})", e, muts);
            }
        }
    }
}

#[test]
fn some_mutants_still_verify() {
    // The property above is only meaningful if mutants are sometimes accepted:
    // changing a register operand within range keeps the proto valid.
    let mut p = (*compile(b"local a, b = 1, 2 a = b", b"=t").unwrap()).clone();
    let pc = p
        .code
        .iter()
        .position(|&i| inst::opcode(i) == OpCode::Move)
        .unwrap();
    inst::set_b(&mut p.code[pc], 0);
    assert!(verify(&p).is_ok());
    assert!(simulate(&p).is_ok());
}
