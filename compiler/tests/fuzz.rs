//! Property tests: whatever the input, `compile` returns (never panics), and what
//! it returns verifies; the lexer and `undump` never panic either.

mod common;

use proptest::prelude::*;

use luavm_compiler::{compile, dump, lexer, verify};

const TOKENS: &[&str] = &[
    "and",
    "break",
    "do",
    "else",
    "elseif",
    "end",
    "false",
    "for",
    "function",
    "goto",
    "if",
    "in",
    "local",
    "nil",
    "not",
    "or",
    "repeat",
    "return",
    "then",
    "true",
    "until",
    "while",
    "//",
    "..",
    "...",
    "==",
    ">=",
    "<=",
    "~=",
    "<<",
    ">>",
    "::",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "#",
    "&",
    "~",
    "|",
    "<",
    ">",
    "=",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ";",
    ":",
    ",",
    ".",
    "a",
    "b",
    "self",
    "_ENV",
    "x1",
    "0",
    "1",
    "3.5",
    "0x10",
    "1e5",
    "0x1p4",
    ".5",
    "9223372036854775808",
    "'s'",
    "\"t\\n\"",
    "[[l]]",
    "[==[m]==]",
    "--c\n",
    "--[[c]]",
    "\n",
    "\r\n",
    " ",
    "\t",
    "@",
    "\"\\u{48}\"",
    "'\\x41'",
    "'\\z  '",
    "\0",
    "\u{e9}",
];

fn check(src: &[u8]) {
    if let Ok(p) = compile(src, b"=fuzz") {
        if let Err(e) = verify(&p) {
            panic!("does not verify: {}\n{:?}", e, String::from_utf8_lossy(src));
        }
        // the disassembler and the dumper accept anything that compiles
        let _ = luavm_compiler::disassemble(&p);
        let d = dump::dump(&p, false);
        let q = dump::undump(&d, b"=fuzz").expect("own dump loads");
        assert_eq!(dump::dump(&q, false), d);
    }
}

fn token_soup() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        (
            proptest::sample::select(TOKENS),
            proptest::sample::select(&[" ", "", "\n"][..]),
        ),
        0..80,
    )
    .prop_map(|v| {
        let mut s = Vec::new();
        for (t, sep) in v {
            s.extend_from_slice(t.as_bytes());
            s.extend_from_slice(sep.as_bytes());
        }
        s
    })
}

fn corpus() -> Vec<Vec<u8>> {
    common::lua_files(&common::corpus_dir())
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(src in proptest::collection::vec(any::<u8>(), 0..300)) {
        check(&src);
    }

    #[test]
    fn token_soups_never_panic(src in token_soup()) {
        check(&src);
    }

    #[test]
    fn lexer_never_panics(src in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut l = lexer::Lexer::new(&src);
        for _ in 0..400 {
            match l.next_token() {
                Ok(lexer::Token::Eos) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }

    #[test]
    fn mutated_programs_never_panic(
        file in 0usize..64,
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let files = corpus();
        let mut src = files[file % files.len()].clone();
        for (at, byte, kind) in edits {
            if src.is_empty() {
                src.push(byte);
                continue;
            }
            let i = at.index(src.len());
            match kind {
                0 => src[i] = byte,
                1 => { src.remove(i); }
                _ => src.insert(i, byte),
            }
        }
        check(&src);
    }

    #[test]
    fn undump_never_panics(
        file in 0usize..64,
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<proptest::sample::Index>(),
    ) {
        let files = corpus();
        let src = lexer::skip_comment_line(&files[file % files.len()]).to_vec();
        let p = compile(&src, b"=t").unwrap();
        let mut d = dump::dump(&p, file % 2 == 0);
        for (at, byte) in edits {
            let i = at.index(d.len());
            d[i] = byte;
        }
        let n = cut.index(d.len() + 1);
        if let Ok(q) = dump::undump(&d[..n], b"=t") {
            let _ = verify(&q);
            let _ = luavm_compiler::disassemble(&q);
        }
    }
}
