//! The disassembler: a listing in the format of `luac5.3 -l -l` (PUC's `luac.c`
//! `PrintFunction` with full debug information), nested functions recursively.
//!
//! Invariants:
//! - the text equals `luac5.3 -l -l`'s for the same prototype, except for the
//!   addresses printed with `%p` (`0x...`), which are our `Proto` addresses;
//! - it never panics, even on a proto that does not verify (out-of-range operands
//!   are printed as `?`).

use std::fmt::Write as _;

use crate::opcodes::{inst, Instruction, Layout, OpCode};
use crate::proto::{Constant, Proto};

/// Operand kind of B/C, as `luaP_opmodes` (`OpArgN`, `OpArgU`, `OpArgR`, `OpArgK`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arg {
    N,
    U,
    R,
    K,
}

/// B and C operand kinds of each opcode (PUC's `luaP_opmodes`).
fn arg_modes(op: OpCode) -> (Arg, Arg) {
    use Arg::*;
    use OpCode::*;
    match op {
        Move => (R, N),
        LoadK => (K, N),
        LoadKx => (N, N),
        LoadBool => (U, U),
        LoadNil => (U, N),
        GetUpval => (U, N),
        GetTabUp => (U, K),
        GetTable => (R, K),
        SetTabUp => (K, K),
        SetUpval => (U, N),
        SetTable => (K, K),
        NewTable => (U, U),
        SelfOp => (R, K),
        Add | Sub | Mul | Mod | Pow | Div | IDiv | BAnd | BOr | BXor | Shl | Shr => (K, K),
        Unm | BNot | Not | Len => (R, N),
        Concat => (R, R),
        Jmp => (R, N),
        Eq | Lt | Le => (K, K),
        Test => (N, U),
        TestSet => (R, U),
        Call | TailCall => (U, U),
        Return => (U, N),
        ForLoop | ForPrep => (R, N),
        TForCall => (N, U),
        TForLoop => (R, N),
        SetList => (U, U),
        Closure => (U, N),
        VarArg => (U, N),
        ExtraArg => (U, U),
    }
}

/// Address printed for a prototype (`%p`).
fn addr(p: &Proto) -> String {
    format!("{:p}", p as *const Proto)
}

/// PUC's `PrintString`: a quoted string with C-style escapes.
fn print_string(out: &mut String, s: &[u8]) {
    out.push('"');
    for &c in s {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x0b => out.push_str("\\v"),
            0x20..=0x7e => out.push(c as char),
            _ => {
                let _ = write!(out, "\\{:03}", c);
            }
        }
    }
    out.push('"');
}

/// PUC's `PrintConstant`.
fn print_constant(out: &mut String, f: &Proto, i: usize) {
    match f.constants.get(i) {
        None => out.push('?'),
        Some(Constant::Nil) => out.push_str("nil"),
        Some(Constant::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        Some(Constant::Float(x)) => {
            let mut buf = Vec::new();
            crate::numfmt::lua_number_to_str(*x, &mut buf);
            out.push_str(&String::from_utf8_lossy(&buf));
        }
        Some(Constant::Int(n)) => {
            let _ = write!(out, "{}", n);
        }
        Some(Constant::Str(s)) => print_string(out, s),
    }
}

fn upval_name(f: &Proto, i: u32) -> String {
    match f.upvalues.get(i as usize) {
        Some(u) => match &u.name {
            Some(n) => String::from_utf8_lossy(n).into_owned(),
            None => "-".to_string(),
        },
        None => "?".to_string(),
    }
}

/// `MYK(INDEXK(x))` when `x` is a constant, else `x`.
fn rk_operand(x: u32) -> i64 {
    if inst::is_k(x) {
        -1 - inst::index_k(x) as i64
    } else {
        x as i64
    }
}

fn print_header(out: &mut String, f: &Proto) {
    let s = &f.source[..];
    let name = if s.first() == Some(&b'@') || s.first() == Some(&b'=') {
        String::from_utf8_lossy(&s[1..]).into_owned()
    } else if s.first() == Some(&0x1b) {
        "(bstring)".to_string()
    } else {
        "(string)".to_string()
    };
    let ss = |n: usize| if n == 1 { "" } else { "s" };
    let n = f.code.len();
    let _ = writeln!(
        out,
        "\n{} <{}:{},{}> ({} instruction{} at {})",
        if f.line_defined == 0 {
            "main"
        } else {
            "function"
        },
        name,
        f.line_defined,
        f.last_line_defined,
        n,
        ss(n),
        addr(f)
    );
    let np = f.num_params as usize;
    let ms = f.max_stack_size as usize;
    let nu = f.upvalues.len();
    let _ = write!(
        out,
        "{}{} param{}, {} slot{}, {} upvalue{}, ",
        np,
        if f.is_vararg { "+" } else { "" },
        ss(np),
        ms,
        ss(ms),
        nu,
        ss(nu)
    );
    let (nl, nk, nf) = (f.loc_vars.len(), f.constants.len(), f.protos.len());
    let _ = writeln!(
        out,
        "{} local{}, {} constant{}, {} function{}",
        nl,
        ss(nl),
        nk,
        ss(nk),
        nf,
        ss(nf)
    );
}

fn print_code(out: &mut String, f: &Proto) {
    let code = &f.code;
    let mut pc = 0;
    while pc < code.len() {
        let i: Instruction = code[pc];
        let Some(o) = OpCode::from_u8(inst::opcode_raw(i)) else {
            let _ = writeln!(out, "\t{}\t[-]\t?", pc + 1);
            pc += 1;
            continue;
        };
        let (a, b, c) = (inst::a(i), inst::b(i), inst::c(i));
        let (ax, bx, sbx) = (inst::ax(i), inst::bx(i), inst::sbx(i));
        let line = f.line_at(pc);
        let _ = write!(out, "\t{}\t", pc + 1);
        if line > 0 {
            let _ = write!(out, "[{}]\t", line);
        } else {
            out.push_str("[-]\t");
        }
        let _ = write!(out, "{:<9}\t", o.name());
        let (bm, cm) = arg_modes(o);
        match o.layout() {
            Layout::ABC => {
                let _ = write!(out, "{}", a);
                if bm != Arg::N {
                    let _ = write!(out, " {}", rk_operand(b));
                }
                if cm != Arg::N {
                    let _ = write!(out, " {}", rk_operand(c));
                }
            }
            Layout::ABx => {
                let _ = write!(out, "{}", a);
                if bm == Arg::K {
                    let _ = write!(out, " {}", -1 - bx as i64);
                }
                if bm == Arg::U {
                    let _ = write!(out, " {}", bx);
                }
            }
            Layout::AsBx => {
                let _ = write!(out, "{} {}", a, sbx);
            }
            Layout::Ax => {
                let _ = write!(out, "{}", -1 - ax as i64);
            }
        }
        let k = |out: &mut String, x: u32| print_constant(out, f, inst::index_k(x) as usize);
        match o {
            OpCode::LoadK => {
                out.push_str("\t; ");
                print_constant(out, f, bx as usize);
            }
            OpCode::GetUpval | OpCode::SetUpval => {
                let _ = write!(out, "\t; {}", upval_name(f, b));
            }
            OpCode::GetTabUp => {
                let _ = write!(out, "\t; {}", upval_name(f, b));
                if inst::is_k(c) {
                    out.push(' ');
                    k(out, c);
                }
            }
            OpCode::SetTabUp => {
                let _ = write!(out, "\t; {}", upval_name(f, a));
                if inst::is_k(b) {
                    out.push(' ');
                    k(out, b);
                }
                if inst::is_k(c) {
                    out.push(' ');
                    k(out, c);
                }
            }
            OpCode::GetTable | OpCode::SelfOp if inst::is_k(c) => {
                out.push_str("\t; ");
                k(out, c);
            }
            OpCode::SetTable
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
            | OpCode::Eq
            | OpCode::Lt
            | OpCode::Le
                if inst::is_k(b) || inst::is_k(c) =>
            {
                out.push_str("\t; ");
                if inst::is_k(b) {
                    k(out, b);
                } else {
                    out.push('-');
                }
                out.push(' ');
                if inst::is_k(c) {
                    k(out, c);
                } else {
                    out.push('-');
                }
            }
            OpCode::Jmp | OpCode::ForLoop | OpCode::ForPrep | OpCode::TForLoop => {
                let _ = write!(out, "\t; to {}", sbx as i64 + pc as i64 + 2);
            }
            OpCode::Closure => match f.protos.get(bx as usize) {
                Some(p) => {
                    let _ = write!(out, "\t; {}", addr(p));
                }
                None => out.push_str("\t; ?"),
            },
            OpCode::SetList => {
                if c == 0 {
                    pc += 1;
                    let v = code.get(pc).copied().unwrap_or(0) as i32;
                    let _ = write!(out, "\t; {}", v);
                } else {
                    let _ = write!(out, "\t; {}", c);
                }
            }
            OpCode::ExtraArg => {
                out.push_str("\t; ");
                print_constant(out, f, ax as usize);
            }
            _ => {}
        }
        out.push('\n');
        pc += 1;
    }
}

fn print_debug(out: &mut String, f: &Proto) {
    let a = addr(f);
    let _ = writeln!(out, "constants ({}) for {}:", f.constants.len(), a);
    for i in 0..f.constants.len() {
        let _ = write!(out, "\t{}\t", i + 1);
        print_constant(out, f, i);
        out.push('\n');
    }
    let _ = writeln!(out, "locals ({}) for {}:", f.loc_vars.len(), a);
    for (i, v) in f.loc_vars.iter().enumerate() {
        let _ = writeln!(
            out,
            "\t{}\t{}\t{}\t{}",
            i,
            String::from_utf8_lossy(&v.name),
            v.start_pc as u64 + 1,
            v.end_pc as u64 + 1
        );
    }
    let _ = writeln!(out, "upvalues ({}) for {}:", f.upvalues.len(), a);
    for (i, u) in f.upvalues.iter().enumerate() {
        let _ = writeln!(
            out,
            "\t{}\t{}\t{}\t{}",
            i,
            upval_name(f, i as u32),
            u.in_stack as u8,
            u.index
        );
    }
}

fn print_function(out: &mut String, f: &Proto) {
    print_header(out, f);
    print_code(out, f);
    print_debug(out, f);
    for p in &f.protos {
        print_function(out, p);
    }
}

/// The `luac5.3 -l -l` listing of `p` and all its nested functions.
pub fn disassemble(p: &Proto) -> String {
    let mut out = String::new();
    print_function(&mut out, p);
    out
}
