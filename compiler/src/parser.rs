//! The parser (the grammar half of PUC 5.3's `lparser.c`): a single pass, recursive
//! descent over the tokens, driving the code generator (`code.rs`) and the scope
//! machinery (`scope.rs`) exactly in PUC's order, so that the bytecode, constants,
//! line info and debug info equal `luac5.3`'s.
//!
//! Invariants:
//! - `t` is the current token, `ahead` the look-ahead token (if any), `lastline` the
//!   line of the last token consumed (the line every new instruction gets);
//! - recursion is bounded by counting "C levels" like PUC (`nccalls`, limit 200), in
//!   `statement` and `subexpr`, which every recursive cycle of the grammar goes
//!   through; so deep nesting is an error, never a Rust stack overflow;
//! - every error is a `CompileError` with PUC's message; nothing here panics.

use std::rc::Rc;
use std::sync::Arc;

use crate::code::{int2fb, LUA_MULTRET};
use crate::expdesc::{BinOpr, ExpDesc, ExpKind, UnOpr, NO_JUMP, UNARY_PRIORITY};
use crate::funcstate::{FuncState, KKey, LabelDesc};
use crate::lexer::{LexError, Lexer, Near, Token};
use crate::opcodes::{inst, OpCode, LFIELDS_PER_FLUSH, MAXARG_BX};
use crate::proto::{chunk_id, Proto, UpvalDesc};
use crate::scope::LabelList;
use crate::CompileError;

/// Errors are boxed so that every `Result` on the recursive paths stays small.
pub(crate) type PError = Box<CompileError>;
pub(crate) type PResult<T> = Result<T, PError>;

/// Limit of nested "C calls" (syntactic levels).
const LUAI_MAXCCALLS: u32 = 200;

/// The parser state for one chunk.
pub(crate) struct Parser<'s> {
    lex: Lexer<'s>,
    /// Current token.
    pub t: Token,
    /// Look-ahead token.
    ahead: Option<Token>,
    /// Line of the last token consumed.
    pub lastline: u32,
    /// The function being compiled.
    pub fs: Box<FuncState>,
    /// Enclosing functions, outermost first (boxed: moving a function state in
    /// and out of `fs` must stay cheap and keep the recursive frames small).
    #[allow(clippy::vec_box)]
    pub outer: Vec<Box<FuncState>>,
    /// Active local variables of all open functions (indices into `loc_vars`).
    pub actvar: Vec<u16>,
    /// Pending gotos.
    pub gt: Vec<LabelDesc>,
    /// Active labels.
    pub label: Vec<LabelDesc>,
    /// Chunk-wide constant cache.
    pub kcache: ahash::AHashMap<KKey, usize>,
    /// Syntactic nesting ("C levels").
    nccalls: u32,
    source: Arc<[u8]>,
}

/// State of a table constructor (PUC's `ConsControl`).
struct ConsControl {
    /// Last list item read.
    v: ExpDesc,
    /// Register of the table.
    treg: i32,
    /// Number of record elements.
    nh: i32,
    /// Number of array elements.
    na: i32,
    /// Array elements pending to be stored.
    tostore: i32,
}

impl<'s> Parser<'s> {
    /// Compiles a whole chunk; `c_calls` is the number of C levels already in use.
    pub(crate) fn parse_chunk(source: &'s [u8], chunkname: &[u8], c_calls: u32) -> PResult<Proto> {
        let src: Arc<[u8]> = Arc::from(chunkname);
        let main = Proto {
            source: src.clone(),
            ..Proto::default()
        };
        let mut p = Parser {
            lex: Lexer::new(source),
            t: Token::Eos,
            ahead: None,
            lastline: 1,
            fs: Box::new(FuncState::new(main, 0)),
            outer: Vec::new(),
            actvar: Vec::new(),
            gt: Vec::new(),
            label: Vec::new(),
            kcache: ahash::AHashMap::new(),
            nccalls: c_calls,
            source: src,
        };
        p.mainfunc()?;
        Ok(std::mem::take(&mut p.fs.f))
    }

    // ---------------------------------------------------------------- errors

    fn chunk_prefix(&self, line: u32) -> String {
        format!("{}:{}: ", chunk_id(&self.source), line)
    }

    #[cold]
    #[inline(never)]
    fn make_error(&self, line: u32, msg: &str, near: Near) -> PError {
        let mut raw = self.chunk_prefix(line).into_bytes();
        raw.extend_from_slice(msg.as_bytes());
        match near {
            Near::Nothing => {}
            Near::Eof => raw.extend_from_slice(b" near <eof>"),
            Near::Text(t) => {
                let n = t.iter().position(|&c| c == 0).unwrap_or(t.len());
                raw.extend_from_slice(b" near '");
                raw.extend_from_slice(&t[..n]);
                raw.push(b'\'');
            }
            Near::Formatted(s) => {
                raw.extend_from_slice(b" near ");
                raw.extend_from_slice(s.as_bytes());
            }
        }
        Box::new(CompileError::from_bytes(raw))
    }

    #[cold]
    #[inline(never)]
    fn lex_error(&self, e: LexError) -> PError {
        self.make_error(e.line, &e.msg, e.near)
    }

    /// What "near" shows for the current token (PUC's `txtToken`).
    fn near_current(&self) -> Near {
        match &self.t {
            Token::Char(0) => Near::Nothing,
            Token::Eos => Near::Eof,
            Token::Name(_) | Token::Str(_) | Token::Int(_) | Token::Flt(_) => {
                let owner = self.ahead.as_ref().unwrap_or(&self.t);
                Near::Text(self.lex.buffer_text(owner))
            }
            t => Near::Formatted(t.describe()),
        }
    }

    /// A syntax error near the current token (PUC's `luaX_syntaxerror`).
    #[cold]
    #[inline(never)]
    pub(crate) fn syntax_error(&self, msg: &str) -> PError {
        self.make_error(self.lex.line(), msg, self.near_current())
    }

    /// A semantic error: no "near" part (PUC's `semerror`).
    #[cold]
    #[inline(never)]
    pub(crate) fn sem_error(&self, msg: &str) -> PError {
        self.make_error(self.lex.line(), msg, Near::Nothing)
    }

    /// An array-size limit error, raised by PUC's allocator without position.
    #[cold]
    #[inline(never)]
    pub(crate) fn limit_error(&self, what: &str, limit: usize) -> PError {
        Box::new(CompileError::from_bytes(
            format!("too many {} (limit is {})", what, limit).into_bytes(),
        ))
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn errorlimit_at(&self, line_defined: u32, limit: usize, what: &str) -> PError {
        let whr = if line_defined == 0 {
            "main function".to_string()
        } else {
            format!("function at line {}", line_defined)
        };
        self.syntax_error(&format!(
            "too many {} (limit is {}) in {}",
            what, limit, whr
        ))
    }

    pub(crate) fn checklimit(&self, v: usize, l: usize, what: &str) -> PResult<()> {
        if v > l {
            Err(self.errorlimit_at(self.fs.f.line_defined, l, what))
        } else {
            Ok(())
        }
    }

    fn enterlevel(&mut self) -> PResult<()> {
        self.nccalls += 1;
        self.checklimit(self.nccalls as usize, LUAI_MAXCCALLS as usize, "C levels")
    }

    fn leavelevel(&mut self) {
        self.nccalls -= 1;
    }

    // ---------------------------------------------------------------- tokens

    fn next(&mut self) -> PResult<()> {
        self.lastline = self.lex.line();
        if let Some(a) = self.ahead.take() {
            self.t = a;
        } else {
            self.t = self.lex.next_token().map_err(|e| self.lex_error(e))?;
        }
        Ok(())
    }

    fn lookahead(&mut self) -> PResult<&Token> {
        let t = self.lex.next_token().map_err(|e| self.lex_error(e))?;
        Ok(self.ahead.insert(t))
    }

    #[inline]
    fn is_char(&self, c: u8) -> bool {
        self.t == Token::Char(c)
    }

    fn testnext(&mut self, tok: &Token) -> PResult<bool> {
        if self.t == *tok {
            self.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    #[cold]
    #[inline(never)]
    fn error_expected(&self, tok: &Token) -> PError {
        self.syntax_error(&format!("{} expected", tok.describe()))
    }

    fn check(&self, tok: &Token) -> PResult<()> {
        if self.t != *tok {
            return Err(self.error_expected(tok));
        }
        Ok(())
    }

    fn checknext(&mut self, tok: &Token) -> PResult<()> {
        self.check(tok)?;
        self.next()
    }

    fn check_condition(&self, c: bool, msg: &str) -> PResult<()> {
        if c {
            Ok(())
        } else {
            Err(self.syntax_error(msg))
        }
    }

    fn check_match(&mut self, what: &Token, who: &Token, where_: u32) -> PResult<()> {
        if !self.testnext(what)? {
            if where_ == self.lex.line() {
                return Err(self.error_expected(what));
            }
            return Err(self.syntax_error(&format!(
                "{} expected (to close {} at line {})",
                what.describe(),
                who.describe(),
                where_
            )));
        }
        Ok(())
    }

    fn str_checkname(&mut self) -> PResult<Rc<[u8]>> {
        let Token::Name(n) = &self.t else {
            return Err(self.error_expected(&Token::Name(Rc::from(&b""[..]))));
        };
        let n = n.clone();
        self.next()?;
        Ok(n)
    }

    fn codestring(&mut self, s: &Rc<[u8]>) -> PResult<ExpDesc> {
        let k = self.string_k(s)?;
        Ok(ExpDesc::new(ExpKind::K(k)))
    }

    fn checkname(&mut self) -> PResult<ExpDesc> {
        let n = self.str_checkname()?;
        self.codestring(&n)
    }

    // ---------------------------------------------------------------- functions

    fn open_func(&mut self, line_defined: u32) {
        let f = Proto {
            source: self.source.clone(),
            line_defined,
            max_stack_size: 2, // registers 0/1 are always valid
            ..Proto::default()
        };
        let fs = Box::new(FuncState::new(f, self.actvar.len()));
        let parent = std::mem::replace(&mut self.fs, fs);
        self.outer.push(parent);
        self.enterblock(false);
    }

    /// The enclosing function's state (always there inside `body`).
    fn pop_outer(&mut self) -> PResult<Box<FuncState>> {
        match self.outer.pop() {
            Some(f) => Ok(f),
            None => Err(self.sem_error("internal error: no enclosing function")),
        }
    }

    /// Finishes the current function (PUC's `close_func` without popping it).
    fn finish_func(&mut self) -> PResult<()> {
        self.ret(0, 0)?;
        self.leaveblock()?;
        let f = &mut self.fs.f;
        f.code.shrink_to_fit();
        f.line_info.shrink_to_fit();
        f.constants.shrink_to_fit();
        f.protos.shrink_to_fit();
        f.loc_vars.shrink_to_fit();
        f.upvalues.shrink_to_fit();
        Ok(())
    }

    fn mainfunc(&mut self) -> PResult<()> {
        self.fs.f.max_stack_size = 2;
        self.enterblock(false);
        self.fs.f.is_vararg = true;
        self.fs.f.upvalues.push(UpvalDesc {
            name: Some(Box::from(&b"_ENV"[..])),
            in_stack: true,
            index: 0,
        });
        self.next()?;
        self.statlist()?;
        self.check(&Token::Eos)?;
        self.finish_func()
    }

    // ---------------------------------------------------------------- grammar

    fn block_follow(&self, withuntil: bool) -> bool {
        match self.t {
            Token::Else | Token::ElseIf | Token::End | Token::Eos => true,
            Token::Until => withuntil,
            _ => false,
        }
    }

    fn statlist(&mut self) -> PResult<()> {
        while !self.block_follow(true) {
            if self.t == Token::Return {
                self.statement()?;
                return Ok(());
            }
            self.statement()?;
        }
        Ok(())
    }

    fn fieldsel(&mut self, v: &mut ExpDesc) -> PResult<()> {
        self.exp2anyregup(v)?;
        self.next()?; // skip the dot or colon
        let mut key = self.checkname()?;
        self.indexed(v, &mut key)
    }

    fn yindex(&mut self) -> PResult<ExpDesc> {
        self.next()?; // skip '['
        let mut v = self.expr()?;
        self.exp2val(&mut v)?;
        self.checknext(&Token::Char(b']'))?;
        Ok(v)
    }

    // ---- table constructors

    fn recfield(&mut self, cc: &mut ConsControl) -> PResult<()> {
        let reg = self.fs.freereg;
        let mut key = if matches!(self.t, Token::Name(_)) {
            self.checkname()?
        } else {
            self.yindex()?
        };
        cc.nh += 1;
        self.checknext(&Token::Char(b'='))?;
        let rkkey = self.exp2rk(&mut key)?;
        let mut val = self.expr()?;
        let rkval = self.exp2rk(&mut val)?;
        self.code_abc(OpCode::SetTable, cc.treg, rkkey, rkval)?;
        self.fs.freereg = reg;
        Ok(())
    }

    fn closelistfield(&mut self, cc: &mut ConsControl) -> PResult<()> {
        if cc.v.k == ExpKind::Void {
            return Ok(());
        }
        self.exp2nextreg(&mut cc.v)?;
        cc.v.k = ExpKind::Void;
        if cc.tostore == LFIELDS_PER_FLUSH as i32 {
            self.setlist(cc.treg, cc.na, cc.tostore)?;
            cc.tostore = 0;
        }
        Ok(())
    }

    fn lastlistfield(&mut self, cc: &mut ConsControl) -> PResult<()> {
        if cc.tostore == 0 {
            return Ok(());
        }
        if cc.v.has_multret() {
            self.setmultret(&mut cc.v)?;
            self.setlist(cc.treg, cc.na, LUA_MULTRET)?;
            cc.na -= 1;
        } else {
            if cc.v.k != ExpKind::Void {
                self.exp2nextreg(&mut cc.v)?;
            }
            self.setlist(cc.treg, cc.na, cc.tostore)?;
        }
        Ok(())
    }

    fn listfield(&mut self, cc: &mut ConsControl) -> PResult<()> {
        cc.v = self.expr()?;
        cc.na += 1;
        cc.tostore += 1;
        Ok(())
    }

    fn field(&mut self, cc: &mut ConsControl) -> PResult<()> {
        match self.t {
            Token::Name(_) => {
                if *self.lookahead()? != Token::Char(b'=') {
                    self.listfield(cc)
                } else {
                    self.recfield(cc)
                }
            }
            Token::Char(b'[') => self.recfield(cc),
            _ => self.listfield(cc),
        }
    }

    fn constructor(&mut self) -> PResult<ExpDesc> {
        let line = self.lex.line();
        let pc = self.code_abc(OpCode::NewTable, 0, 0, 0)?;
        let mut t = ExpDesc::new(ExpKind::Relocable(pc));
        self.exp2nextreg(&mut t)?;
        let mut cc = ConsControl {
            v: ExpDesc::void(),
            treg: t.info(),
            nh: 0,
            na: 0,
            tostore: 0,
        };
        self.checknext(&Token::Char(b'{'))?;
        loop {
            if self.is_char(b'}') {
                break;
            }
            self.closelistfield(&mut cc)?;
            self.field(&mut cc)?;
            if !(self.testnext(&Token::Char(b','))? || self.testnext(&Token::Char(b';'))?) {
                break;
            }
        }
        self.check_match(&Token::Char(b'}'), &Token::Char(b'{'), line)?;
        self.lastlistfield(&mut cc)?;
        let code = &mut self.fs.f.code[pc as usize];
        inst::set_b(code, int2fb(cc.na as u32));
        inst::set_c(code, int2fb(cc.nh as u32));
        Ok(t)
    }

    // ---- functions

    fn parlist(&mut self) -> PResult<()> {
        let mut nparams = 0;
        self.fs.f.is_vararg = false;
        if !self.is_char(b')') {
            loop {
                match &self.t {
                    Token::Name(_) => {
                        let n = self.str_checkname()?;
                        self.new_localvar(&n)?;
                        nparams += 1;
                    }
                    Token::Dots => {
                        self.next()?;
                        self.fs.f.is_vararg = true;
                    }
                    _ => return Err(self.syntax_error("<name> or '...' expected")),
                }
                if self.fs.f.is_vararg || !self.testnext(&Token::Char(b','))? {
                    break;
                }
            }
        }
        self.adjustlocalvars(nparams);
        self.fs.f.num_params = self.fs.nactvar as u8;
        let n = self.fs.nactvar;
        self.reserveregs(n)
    }

    fn body(&mut self, ismethod: bool, line: u32) -> PResult<ExpDesc> {
        if self.fs.f.protos.len() >= MAXARG_BX as usize {
            return Err(self.limit_error("functions", MAXARG_BX as usize));
        }
        self.open_func(line);
        self.checknext(&Token::Char(b'('))?;
        if ismethod {
            self.new_localvar_literal("self")?;
            self.adjustlocalvars(1);
        }
        self.parlist()?;
        self.checknext(&Token::Char(b')'))?;
        self.statlist()?;
        self.fs.f.last_line_defined = self.lex.line();
        self.check_match(&Token::End, &Token::Function, line)?;
        // codeclosure: CLOSURE in the parent, before the child is closed (as PUC)
        let parent = self.pop_outer()?;
        let child = std::mem::replace(&mut self.fs, parent);
        let np = self.fs.f.protos.len() as u32;
        let pc = self.code_abx(OpCode::Closure, 0, np)?;
        let mut e = ExpDesc::new(ExpKind::Relocable(pc));
        self.exp2nextreg(&mut e)?;
        let parent = std::mem::replace(&mut self.fs, child);
        self.outer.push(parent);
        // close_func
        self.finish_func()?;
        let parent = self.pop_outer()?;
        let child = std::mem::replace(&mut self.fs, parent);
        self.fs.f.protos.push(Arc::new(child.f));
        Ok(e)
    }

    fn explist(&mut self, v: &mut ExpDesc) -> PResult<i32> {
        let mut n = 1;
        *v = self.expr()?;
        while self.testnext(&Token::Char(b','))? {
            self.exp2nextreg(v)?;
            *v = self.expr()?;
            n += 1;
        }
        Ok(n)
    }

    fn funcargs(&mut self, f: &mut ExpDesc, line: u32) -> PResult<()> {
        let mut args = ExpDesc::void();
        match &self.t {
            Token::Char(b'(') => {
                self.next()?;
                if !self.is_char(b')') {
                    self.explist(&mut args)?;
                    self.setmultret(&mut args)?;
                }
                self.check_match(&Token::Char(b')'), &Token::Char(b'('), line)?;
            }
            Token::Char(b'{') => args = self.constructor()?,
            Token::Str(s) => {
                let s = s.clone();
                args = self.codestring(&s)?;
                self.next()?;
            }
            _ => return Err(self.syntax_error("function arguments expected")),
        }
        let base = f.info();
        let nparams = if args.has_multret() {
            LUA_MULTRET
        } else {
            if args.k != ExpKind::Void {
                self.exp2nextreg(&mut args)?;
            }
            self.fs.freereg - (base + 1)
        };
        let pc = self.code_abc(OpCode::Call, base, nparams + 1, 2)?;
        f.k = ExpKind::Call(pc);
        f.t = NO_JUMP;
        f.f = NO_JUMP;
        self.fixline(line);
        self.fs.freereg = base + 1;
        Ok(())
    }

    // ---- expressions

    fn primaryexp(&mut self) -> PResult<ExpDesc> {
        match &self.t {
            Token::Char(b'(') => {
                let line = self.lex.line();
                self.next()?;
                let mut v = self.expr()?;
                self.check_match(&Token::Char(b')'), &Token::Char(b'('), line)?;
                self.dischargevars(&mut v)?;
                Ok(v)
            }
            Token::Name(n) => {
                let n = n.clone();
                self.next()?;
                self.singlevar(&n)
            }
            _ => Err(self.syntax_error("unexpected symbol")),
        }
    }

    fn suffixedexp(&mut self) -> PResult<ExpDesc> {
        let line = self.lex.line();
        let mut v = self.primaryexp()?;
        loop {
            match &self.t {
                Token::Char(b'.') => self.fieldsel(&mut v)?,
                Token::Char(b'[') => {
                    self.exp2anyregup(&mut v)?;
                    let mut key = self.yindex()?;
                    self.indexed(&mut v, &mut key)?;
                }
                Token::Char(b':') => {
                    self.next()?;
                    let mut key = self.checkname()?;
                    self.self_(&mut v, &mut key)?;
                    self.funcargs(&mut v, line)?;
                }
                Token::Char(b'(') | Token::Str(_) | Token::Char(b'{') => {
                    self.exp2nextreg(&mut v)?;
                    self.funcargs(&mut v, line)?;
                }
                _ => return Ok(v),
            }
        }
    }

    fn simpleexp(&mut self) -> PResult<ExpDesc> {
        let v = match &self.t {
            Token::Flt(f) => ExpDesc::new(ExpKind::KFlt(*f)),
            Token::Int(i) => ExpDesc::new(ExpKind::KInt(*i)),
            Token::Str(s) => {
                let s = s.clone();
                self.codestring(&s)?
            }
            Token::Nil => ExpDesc::new(ExpKind::Nil),
            Token::True => ExpDesc::new(ExpKind::True),
            Token::False => ExpDesc::new(ExpKind::False),
            Token::Dots => {
                self.check_condition(
                    self.fs.f.is_vararg,
                    "cannot use '...' outside a vararg function",
                )?;
                let pc = self.code_abc(OpCode::VarArg, 0, 1, 0)?;
                ExpDesc::new(ExpKind::VarArg(pc))
            }
            Token::Char(b'{') => return self.constructor(),
            Token::Function => {
                self.next()?;
                let line = self.lex.line();
                return self.body(false, line);
            }
            _ => return self.suffixedexp(),
        };
        self.next()?;
        Ok(v)
    }

    fn getunopr(&self) -> Option<UnOpr> {
        match self.t {
            Token::Not => Some(UnOpr::Not),
            Token::Char(b'-') => Some(UnOpr::Minus),
            Token::Char(b'~') => Some(UnOpr::BNot),
            Token::Char(b'#') => Some(UnOpr::Len),
            _ => None,
        }
    }

    fn getbinopr(&self) -> Option<BinOpr> {
        Some(match self.t {
            Token::Char(b'+') => BinOpr::Add,
            Token::Char(b'-') => BinOpr::Sub,
            Token::Char(b'*') => BinOpr::Mul,
            Token::Char(b'%') => BinOpr::Mod,
            Token::Char(b'^') => BinOpr::Pow,
            Token::Char(b'/') => BinOpr::Div,
            Token::IDiv => BinOpr::IDiv,
            Token::Char(b'&') => BinOpr::BAnd,
            Token::Char(b'|') => BinOpr::BOr,
            Token::Char(b'~') => BinOpr::BXor,
            Token::Shl => BinOpr::Shl,
            Token::Shr => BinOpr::Shr,
            Token::Concat => BinOpr::Concat,
            Token::Ne => BinOpr::Ne,
            Token::Eq => BinOpr::Eq,
            Token::Char(b'<') => BinOpr::Lt,
            Token::Le => BinOpr::Le,
            Token::Char(b'>') => BinOpr::Gt,
            Token::Ge => BinOpr::Ge,
            Token::And => BinOpr::And,
            Token::Or => BinOpr::Or,
            _ => return None,
        })
    }

    /// subexpr -> (simpleexp | unop subexpr) { binop subexpr }, for binary operators
    /// with left priority above `limit`. Returns the first operator not handled.
    fn subexpr(&mut self, v: &mut ExpDesc, limit: u8) -> PResult<Option<BinOpr>> {
        self.enterlevel()?;
        if let Some(uop) = self.getunopr() {
            let line = self.lex.line();
            self.next()?;
            self.subexpr(v, UNARY_PRIORITY)?;
            self.prefix(uop, v, line)?;
        } else {
            *v = self.simpleexp()?;
        }
        let mut op = self.getbinopr();
        while let Some(o) = op {
            let (left, right) = o.priority();
            if left <= limit {
                break;
            }
            let line = self.lex.line();
            self.next()?;
            self.infix(o, v)?;
            let mut v2 = ExpDesc::void();
            let nextop = self.subexpr(&mut v2, right)?;
            self.posfix(o, v, &mut v2, line)?;
            op = nextop;
        }
        self.leavelevel();
        Ok(op)
    }

    fn expr(&mut self) -> PResult<ExpDesc> {
        let mut v = ExpDesc::void();
        self.subexpr(&mut v, 0)?;
        Ok(v)
    }

    // ---- statements

    fn block(&mut self) -> PResult<()> {
        self.enterblock(false);
        self.statlist()?;
        self.leaveblock()
    }

    /// If a variable being assigned (`v`) is used as table or index by a previous
    /// target in the same assignment, copies it to a safe register first.
    fn check_conflict(&mut self, lhs: &mut [ExpDesc], v: &ExpDesc) -> PResult<()> {
        let extra = self.fs.freereg;
        let mut conflict = false;
        let (v_is_local, v_info) = (matches!(v.k, ExpKind::Local(_)), v.info());
        for lh in lhs.iter_mut() {
            if let ExpKind::Indexed { t, idx, vt_local } = &mut lh.k {
                if *vt_local == v_is_local && *t == v_info {
                    conflict = true;
                    *vt_local = true;
                    *t = extra;
                }
                if v_is_local && *idx == v_info {
                    conflict = true;
                    *idx = extra;
                }
            }
        }
        if conflict {
            let op = if v_is_local {
                OpCode::Move
            } else {
                OpCode::GetUpval
            };
            self.code_abc(op, extra, v_info, 0)?;
            self.reserveregs(1)?;
        }
        Ok(())
    }

    fn adjust_assign(&mut self, nvars: i32, nexps: i32, e: &mut ExpDesc) -> PResult<()> {
        let mut extra = nvars - nexps;
        if e.has_multret() {
            extra += 1;
            if extra < 0 {
                extra = 0;
            }
            self.setreturns(e, extra)?;
            if extra > 1 {
                self.reserveregs(extra - 1)?;
            }
        } else {
            if e.k != ExpKind::Void {
                self.exp2nextreg(e)?;
            }
            if extra > 0 {
                let reg = self.fs.freereg;
                self.reserveregs(extra)?;
                self.nil(reg, extra)?;
            }
        }
        if nexps > nvars {
            self.fs.freereg -= nexps - nvars;
        }
        Ok(())
    }

    /// Assignment to `lhs` (all targets so far; the last one is the current).
    fn assignment(&mut self, lhs: &mut Vec<ExpDesc>, nvars: i32) -> PResult<()> {
        let cur = lhs.len() - 1;
        self.check_condition(lhs[cur].is_var(), "syntax error")?;
        let mut e;
        if self.testnext(&Token::Char(b','))? {
            let nv = self.suffixedexp()?;
            if !matches!(nv.k, ExpKind::Indexed { .. }) {
                self.check_conflict(lhs, &nv)?;
            }
            self.checklimit(
                (nvars as u32 + self.nccalls) as usize,
                LUAI_MAXCCALLS as usize,
                "C levels",
            )?;
            lhs.push(nv);
            self.assignment(lhs, nvars + 1)?;
            lhs.pop();
        } else {
            self.checknext(&Token::Char(b'='))?;
            e = ExpDesc::void();
            let nexps = self.explist(&mut e)?;
            if nexps != nvars {
                self.adjust_assign(nvars, nexps, &mut e)?;
            } else {
                self.setoneret(&mut e);
                let var = lhs[cur];
                return self.storevar(&var, &mut e);
            }
        }
        e = ExpDesc::new(ExpKind::NonReloc(self.fs.freereg - 1));
        let var = lhs[cur];
        self.storevar(&var, &mut e)
    }

    fn cond(&mut self) -> PResult<i32> {
        let mut v = self.expr()?;
        if v.k == ExpKind::Nil {
            v.k = ExpKind::False;
        }
        self.goiftrue(&mut v)?;
        Ok(v.f)
    }

    fn gotostat(&mut self, pc: i32) -> PResult<()> {
        let line = self.lex.line();
        let label = if self.testnext(&Token::Goto)? {
            self.str_checkname()?
        } else {
            self.next()?; // skip 'break'
            Rc::from(&b"break"[..])
        };
        let g = self.newlabelentry(LabelList::Gotos, label, line, pc)?;
        self.findlabel(g)?;
        Ok(())
    }

    fn skipnoopstat(&mut self) -> PResult<()> {
        while self.is_char(b';') || self.t == Token::DbColon {
            self.statement()?;
        }
        Ok(())
    }

    fn labelstat(&mut self, label: Rc<[u8]>, line: u32) -> PResult<()> {
        self.checkrepeated(&label)?;
        self.checknext(&Token::DbColon)?;
        let pc = self.getlabel();
        let l = self.newlabelentry(LabelList::Labels, label, line, pc)?;
        self.skipnoopstat()?;
        if self.block_follow(false) {
            // assume that locals are already out of scope
            if let Some(bl) = self.fs.blocks.last() {
                self.label[l].nactvar = bl.nactvar;
            }
        }
        self.findgotos(l)
    }

    fn whilestat(&mut self, line: u32) -> PResult<()> {
        self.next()?;
        let whileinit = self.getlabel();
        let condexit = self.cond()?;
        self.enterblock(true);
        self.checknext(&Token::Do)?;
        self.block()?;
        self.jumpto(whileinit)?;
        self.check_match(&Token::End, &Token::While, line)?;
        self.leaveblock()?;
        self.patchtohere(condexit)
    }

    fn repeatstat(&mut self, line: u32) -> PResult<()> {
        let repeat_init = self.getlabel();
        self.enterblock(true); // loop block
        self.enterblock(false); // scope block
        self.next()?;
        self.statlist()?;
        self.check_match(&Token::Until, &Token::Repeat, line)?;
        let condexit = self.cond()?;
        if let Some(nact) = self.block_upval() {
            self.patchclose(condexit, nact);
        }
        self.leaveblock()?;
        self.patchlist(condexit, repeat_init)?;
        self.leaveblock()
    }

    fn exp1(&mut self) -> PResult<()> {
        let mut e = self.expr()?;
        self.exp2nextreg(&mut e)
    }

    fn forbody(&mut self, base: i32, line: u32, nvars: i32, isnum: bool) -> PResult<()> {
        self.adjustlocalvars(3);
        self.checknext(&Token::Do)?;
        let prep = if isnum {
            self.code_asbx(OpCode::ForPrep, base, NO_JUMP)?
        } else {
            self.jump()?
        };
        self.enterblock(false);
        self.adjustlocalvars(nvars);
        self.reserveregs(nvars)?;
        self.block()?;
        self.leaveblock()?;
        self.patchtohere(prep)?;
        let endfor = if isnum {
            self.code_asbx(OpCode::ForLoop, base, NO_JUMP)?
        } else {
            self.code_abc(OpCode::TForCall, base, 0, nvars)?;
            self.fixline(line);
            self.code_asbx(OpCode::TForLoop, base + 2, NO_JUMP)?
        };
        self.patchlist(endfor, prep + 1)?;
        self.fixline(line);
        Ok(())
    }

    fn fornum(&mut self, varname: Rc<[u8]>, line: u32) -> PResult<()> {
        let base = self.fs.freereg;
        self.new_localvar_literal("(for index)")?;
        self.new_localvar_literal("(for limit)")?;
        self.new_localvar_literal("(for step)")?;
        self.new_localvar(&varname)?;
        self.checknext(&Token::Char(b'='))?;
        self.exp1()?;
        self.checknext(&Token::Char(b','))?;
        self.exp1()?;
        if self.testnext(&Token::Char(b','))? {
            self.exp1()?;
        } else {
            let r = self.fs.freereg;
            let k = self.int_k(1)?;
            self.codek(r, k)?;
            self.reserveregs(1)?;
        }
        self.forbody(base, line, 1, true)
    }

    fn forlist(&mut self, indexname: Rc<[u8]>) -> PResult<()> {
        let mut nvars = 4;
        let base = self.fs.freereg;
        self.new_localvar_literal("(for generator)")?;
        self.new_localvar_literal("(for state)")?;
        self.new_localvar_literal("(for control)")?;
        self.new_localvar(&indexname)?;
        while self.testnext(&Token::Char(b','))? {
            let n = self.str_checkname()?;
            self.new_localvar(&n)?;
            nvars += 1;
        }
        self.checknext(&Token::In)?;
        let line = self.lex.line();
        let mut e = ExpDesc::void();
        let nexps = self.explist(&mut e)?;
        self.adjust_assign(3, nexps, &mut e)?;
        self.checkstack(3)?;
        self.forbody(base, line, nvars - 3, false)
    }

    fn forstat(&mut self, line: u32) -> PResult<()> {
        self.enterblock(true);
        self.next()?;
        let varname = self.str_checkname()?;
        match self.t {
            Token::Char(b'=') => self.fornum(varname, line)?,
            Token::Char(b',') | Token::In => self.forlist(varname)?,
            _ => return Err(self.syntax_error("'=' or 'in' expected")),
        }
        self.check_match(&Token::End, &Token::For, line)?;
        self.leaveblock()
    }

    fn test_then_block(&mut self, escapelist: &mut i32) -> PResult<()> {
        self.next()?; // skip IF or ELSEIF
        let mut v = self.expr()?;
        self.checknext(&Token::Then)?;
        let jf = if self.t == Token::Goto || self.t == Token::Break {
            self.goiffalse(&mut v)?;
            self.enterblock(false);
            self.gotostat(v.t)?;
            while self.testnext(&Token::Char(b';'))? {}
            if self.block_follow(false) {
                return self.leaveblock();
            }
            self.jump()?
        } else {
            self.goiftrue(&mut v)?;
            self.enterblock(false);
            v.f
        };
        self.statlist()?;
        self.leaveblock()?;
        if self.t == Token::Else || self.t == Token::ElseIf {
            let j = self.jump()?;
            self.concat(escapelist, j)?;
        }
        self.patchtohere(jf)
    }

    fn ifstat(&mut self, line: u32) -> PResult<()> {
        let mut escapelist = NO_JUMP;
        self.test_then_block(&mut escapelist)?;
        while self.t == Token::ElseIf {
            self.test_then_block(&mut escapelist)?;
        }
        if self.testnext(&Token::Else)? {
            self.block()?;
        }
        self.check_match(&Token::End, &Token::If, line)?;
        self.patchtohere(escapelist)
    }

    fn localfunc(&mut self) -> PResult<()> {
        let name = self.str_checkname()?;
        self.new_localvar(&name)?;
        self.adjustlocalvars(1);
        let line = self.lex.line();
        let b = self.body(false, line)?;
        let pc = self.fs.pc() as u32;
        self.getlocvar(b.info()).start_pc = pc;
        Ok(())
    }

    fn localstat(&mut self) -> PResult<()> {
        let mut nvars = 0;
        loop {
            let n = self.str_checkname()?;
            self.new_localvar(&n)?;
            nvars += 1;
            if !self.testnext(&Token::Char(b','))? {
                break;
            }
        }
        let mut e = ExpDesc::void();
        let nexps = if self.testnext(&Token::Char(b'='))? {
            self.explist(&mut e)?
        } else {
            0
        };
        self.adjust_assign(nvars, nexps, &mut e)?;
        self.adjustlocalvars(nvars);
        Ok(())
    }

    fn funcname(&mut self, v: &mut ExpDesc) -> PResult<bool> {
        let n = self.str_checkname()?;
        *v = self.singlevar(&n)?;
        while self.is_char(b'.') {
            self.fieldsel(v)?;
        }
        if self.is_char(b':') {
            self.fieldsel(v)?;
            return Ok(true);
        }
        Ok(false)
    }

    fn funcstat(&mut self, line: u32) -> PResult<()> {
        self.next()?; // skip FUNCTION
        let mut v = ExpDesc::void();
        let ismethod = self.funcname(&mut v)?;
        let mut b = self.body(ismethod, line)?;
        self.storevar(&v, &mut b)?;
        self.fixline(line);
        Ok(())
    }

    fn exprstat(&mut self) -> PResult<()> {
        let v = self.suffixedexp()?;
        if self.is_char(b'=') || self.is_char(b',') {
            let mut lhs = vec![v];
            self.assignment(&mut lhs, 1)
        } else {
            let ExpKind::Call(pc) = v.k else {
                return Err(self.syntax_error("syntax error"));
            };
            inst::set_c(&mut self.fs.f.code[pc as usize], 1);
            Ok(())
        }
    }

    fn retstat(&mut self) -> PResult<()> {
        let (first, nret);
        if self.block_follow(true) || self.is_char(b';') {
            first = 0;
            nret = 0;
        } else {
            let mut e = ExpDesc::void();
            let n = self.explist(&mut e)?;
            if e.has_multret() {
                self.setmultret(&mut e)?;
                if let (ExpKind::Call(pc), 1) = (e.k, n) {
                    inst::set_opcode(&mut self.fs.f.code[pc as usize], OpCode::TailCall);
                }
                first = self.fs.nactvar;
                nret = LUA_MULTRET;
            } else if n == 1 {
                first = self.exp2anyreg(&mut e)?;
                nret = 1;
            } else {
                self.exp2nextreg(&mut e)?;
                first = self.fs.nactvar;
                nret = n;
            }
        }
        self.ret(first, nret)?;
        self.testnext(&Token::Char(b';'))?;
        Ok(())
    }

    fn statement(&mut self) -> PResult<()> {
        let line = self.lex.line();
        self.enterlevel()?;
        match &self.t {
            Token::Char(b';') => self.next()?,
            Token::If => self.ifstat(line)?,
            Token::While => self.whilestat(line)?,
            Token::Do => {
                self.next()?;
                self.block()?;
                self.check_match(&Token::End, &Token::Do, line)?;
            }
            Token::For => self.forstat(line)?,
            Token::Repeat => self.repeatstat(line)?,
            Token::Function => self.funcstat(line)?,
            Token::Local => {
                self.next()?;
                if self.testnext(&Token::Function)? {
                    self.localfunc()?;
                } else {
                    self.localstat()?;
                }
            }
            Token::DbColon => {
                self.next()?;
                let name = self.str_checkname()?;
                self.labelstat(name, line)?;
            }
            Token::Return => {
                self.next()?;
                self.retstat()?;
            }
            Token::Break | Token::Goto => {
                let j = self.jump()?;
                self.gotostat(j)?;
            }
            _ => self.exprstat()?,
        }
        debug_assert!(
            self.fs.f.max_stack_size as i32 >= self.fs.freereg
                && self.fs.freereg >= self.fs.nactvar
        );
        self.fs.freereg = self.fs.nactvar;
        self.leavelevel();
        Ok(())
    }
}
