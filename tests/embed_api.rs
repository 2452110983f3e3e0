//! API tests of the embedding crate: values, conversions, globals, tables, functions,
//! load/call/execute, errors (every error path of these).

use std::collections::{BTreeMap, HashMap};

use luavm::prelude::*;

fn vm() -> LuaVM {
    let mut vm = LuaVM::new(SafeOption::default());
    vm.open_stdlib(Stdlib::All).unwrap();
    vm
}

fn dbg(v: &[LuaValue]) -> String {
    format!("{v:?}")
}

#[test]
fn execute_string_returns_values_with_readable_debug() {
    let mut vm = vm();
    let r = vm
        .execute_string("return nil, true, 42, 1.5, 1e15, 2^53, 'hi\\n', {}, print")
        .unwrap();
    let s = dbg(&r);
    assert!(
        s.starts_with(r#"[nil, true, 42, 1.5, 1e+15, 9.007199254741e+15, "hi\n", table: 0x"#),
        "{s}"
    );
    assert!(s.contains("function: 0x"), "{s}");
    assert_eq!(r[2].as_integer(), Some(42));
    assert_eq!(r[3].as_number(), Some(1.5));
    assert_eq!(r[6].as_str(), Some("hi\n"));
    assert_eq!(r[0].type_name(), "nil");
    assert_eq!(r[7].type_name(), "table");
    assert_eq!(r[8].type_name(), "function");
    assert!(vm.execute_string("").unwrap().is_empty());
}

#[test]
fn value_accessors_and_equality() {
    assert_eq!(LuaValue::Integer(3), LuaValue::Number(3.0));
    assert_ne!(LuaValue::Integer(3), LuaValue::string("3"));
    assert_eq!(LuaValue::string("a"), LuaValue::string("a"));
    assert_eq!(LuaValue::string("10").as_integer(), Some(10));
    assert_eq!(LuaValue::Number(2.5).as_integer(), None);
    assert_eq!(LuaValue::Boolean(true).as_boolean(), Some(true));
    assert!(LuaValue::Boolean(false).as_number().is_none());
    assert!(!LuaValue::Nil.truthy() && !LuaValue::Boolean(false).truthy());
    assert!(LuaValue::Integer(0).truthy());
    assert_eq!(LuaValue::string(vec![0xff_u8]).as_str(), None);
    assert_eq!(
        LuaValue::string(vec![0xff_u8]).as_bytes(),
        Some(&[0xff_u8][..])
    );
    assert_eq!(LuaValue::LightUserData(16).type_name(), "userdata");
    assert_eq!(format!("{}", LuaValue::Number(3.0)), "3.0");
    assert_eq!(format!("{}", LuaValue::Boolean(false)), "false");
    let mut vm = vm();
    let t1 = vm.create_table();
    let t2 = vm.create_table();
    assert_eq!(LuaValue::Table(t1.clone()), LuaValue::Table(t1.clone()));
    assert_ne!(LuaValue::Table(t1.clone()), LuaValue::Table(t2.clone()));
    assert!(t1.same(&t1.clone()) && !t1.same(&t2));
    let s = LuaString::new("x");
    assert_eq!(s.to_string_lossy(), "x");
    assert_eq!(s.clone().into_bytes(), b"x");
    assert_eq!(format!("{s:?} {s}"), "\"x\" x");
}

#[test]
fn globals_roundtrip_every_conversion() {
    let mut vm = vm();
    vm.set_global("b", true).unwrap();
    vm.set_global("i", 7_u8).unwrap();
    vm.set_global("big", u64::MAX).unwrap();
    vm.set_global("f", 0.25_f32).unwrap();
    vm.set_global("s", "text").unwrap();
    vm.set_global("owned", String::from("own")).unwrap();
    vm.set_global("none", None::<i64>).unwrap();
    vm.set_global("some", Some(5)).unwrap();
    vm.set_global("list", vec![1, 2, 3]).unwrap();
    let mut m = HashMap::new();
    m.insert("k".to_string(), 9);
    vm.set_global("map", m).unwrap();
    let mut bm = BTreeMap::new();
    bm.insert(1, "one");
    vm.set_global("bmap", bm).unwrap();
    vm.set_global("ls", LuaString::from(&b"\0x"[..])).unwrap();

    assert!(vm.get_global::<bool>("b").unwrap());
    assert_eq!(vm.get_global::<i32>("i").unwrap(), 7);
    assert_eq!(vm.get_global::<f64>("big").unwrap(), u64::MAX as f64);
    assert_eq!(vm.get_global::<f32>("f").unwrap(), 0.25);
    assert_eq!(vm.get_global::<String>("s").unwrap(), "text");
    assert_eq!(vm.get_global::<String>("owned").unwrap(), "own");
    assert_eq!(vm.get_global::<Option<i64>>("none").unwrap(), None);
    assert_eq!(vm.get_global::<Option<i64>>("some").unwrap(), Some(5));
    assert_eq!(vm.get_global::<Vec<i64>>("list").unwrap(), vec![1, 2, 3]);
    assert_eq!(
        vm.get_global::<HashMap<String, i64>>("map").unwrap()["k"],
        9
    );
    assert_eq!(
        vm.get_global::<BTreeMap<i64, String>>("bmap").unwrap()[&1],
        "one"
    );
    assert_eq!(vm.get_global::<LuaString>("ls").unwrap().as_bytes(), b"\0x");
    assert!(vm.get_global::<LuaValue>("missing").unwrap().is_nil());
    let r = vm
        .execute_string("return b, i, s, #list, map.k, bmap[1], math.type(i), math.type(f)")
        .unwrap();
    assert_eq!(
        dbg(&r),
        r#"[true, 7, "text", 3, 9, "one", "integer", "float"]"#
    );
    // numbers convert to strings, as tostring
    assert_eq!(vm.get_global::<String>("i").unwrap(), "7");
    assert_eq!(vm.get_global::<String>("f").unwrap(), "0.25");
    // integers from floats and strings with an exact value
    vm.execute_string("x = 3.0; y = '12'; z = 3.5; w = 300")
        .unwrap();
    assert_eq!(vm.get_global::<i64>("x").unwrap(), 3);
    assert_eq!(vm.get_global::<i64>("y").unwrap(), 12);
}

#[test]
fn conversion_errors() {
    let mut vm = vm();
    vm.execute_string("z = 3.5; w = 300; t = {}; bad = '\\255'")
        .unwrap();
    let e = vm.get_global::<i64>("z").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    assert_eq!(e.message(), "number has no integer representation");
    let e = vm.get_global::<u8>("w").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    assert!(e.message().contains("out of range"), "{}", e.message());
    let e = vm.get_global::<String>("t").unwrap_err();
    assert_eq!(e.message(), "string expected, got table");
    let e = vm.get_global::<bool>("t").unwrap_err();
    assert_eq!(e.message(), "boolean expected, got table");
    let e = vm.get_global::<f64>("t").unwrap_err();
    assert_eq!(e.message(), "number expected, got table");
    let e = vm.get_global::<i64>("t").unwrap_err();
    assert_eq!(e.message(), "number expected, got table");
    let e = vm.get_global::<Vec<i64>>("z").unwrap_err();
    assert_eq!(e.message(), "table expected, got number");
    let e = vm.get_global::<HashMap<String, i64>>("z").unwrap_err();
    assert_eq!(e.message(), "table expected, got number");
    let e = vm.get_global::<BTreeMap<String, i64>>("z").unwrap_err();
    assert_eq!(e.message(), "table expected, got number");
    let e = vm.get_global::<String>("bad").unwrap_err();
    assert_eq!(e.message(), "string is not valid UTF-8");
    assert_eq!(
        vm.get_global::<LuaTable>("z").unwrap_err().message(),
        "table expected, got number"
    );
    assert_eq!(
        vm.get_global::<LuaFunction>("z").unwrap_err().message(),
        "function expected, got number"
    );
    assert_eq!(
        vm.get_global::<AnyUserData>("z").unwrap_err().message(),
        "userdata expected, got number"
    );
    assert_eq!(
        vm.get_global::<LuaThread>("z").unwrap_err().message(),
        "thread expected, got number"
    );
}

#[test]
fn register_typed_functions_and_errors() {
    let mut vm = vm();
    vm.register("add", |a: i64, b: i64| a + b).unwrap();
    vm.register("none", || ()).unwrap();
    vm.register("pair", |s: String| (s.len(), s.to_uppercase()))
        .unwrap();
    vm.register("opt", |x: Option<f64>| x.unwrap_or(-1.0))
        .unwrap();
    vm.register("fail", |msg: String| -> Result<(), Error> {
        Err(Error::runtime(msg))
    })
    .unwrap();
    vm.register("fail_str", || -> Result<i64, String> {
        Err("plain".into())
    })
    .unwrap();
    vm.register("throw_table", || -> Result<(), Error> {
        Err(Error::with_value(LuaValue::Integer(42)))
    })
    .unwrap();
    vm.register("boom", || -> i64 { panic!("kaput") }).unwrap();
    vm.register(
        "eight",
        |a: i64, b: i64, c: i64, d: i64, e: i64, f: i64, g: i64, h: i64| {
            a + b + c + d + e + f + g + h
        },
    )
    .unwrap();
    let r = vm
        .execute_string(
            "return add(2, 3), select('#', none()), pair('ab'), opt(), opt(2), eight(1,2,3,4,5,6,7,8)",
        )
        .unwrap();
    assert_eq!(dbg(&r), "[5, 0, 2, -1.0, 2.0, 36]");
    assert_eq!(
        dbg(&vm.execute_string("return pair('ab')").unwrap()),
        r#"[2, "AB"]"#
    );

    let e = vm.execute_string("return add(1, {})").unwrap_err();
    assert_eq!(
        e.message(),
        r#"[string "return add(1, {})"]:1: bad argument #2 to 'add' (number expected, got table)"#
    );
    assert_eq!(e.kind(), ErrorKind::Runtime);
    let e = vm.execute_string("return add(1.5, 1)").unwrap_err();
    assert!(
        e.message()
            .ends_with("bad argument #1 to 'add' (number has no integer representation)"),
        "{}",
        e.message()
    );
    let e = vm.execute_string("fail('oops')").unwrap_err();
    assert_eq!(e.message(), r#"[string "fail('oops')"]:1: oops"#);
    let e = vm.execute_string("fail_str()").unwrap_err();
    assert_eq!(e.message(), r#"[string "fail_str()"]:1: plain"#);
    let e = vm.execute_string("throw_table()").unwrap_err();
    assert_eq!(e.value(), &LuaValue::Integer(42));
    let e = vm.execute_string("boom()").unwrap_err();
    assert!(
        e.message().contains("host function panicked: kaput"),
        "{}",
        e.message()
    );
    // pcall catches host errors, and the VM goes on
    let r = vm
        .execute_string("local ok, m = pcall(fail, 'x'); return ok, m")
        .unwrap();
    assert_eq!(dbg(&r), r#"[false, "x"]"#);
    assert_eq!(dbg(&vm.execute_string("return add(1, 1)").unwrap()), "[2]");
}

#[test]
fn register_with_gets_the_vm() {
    let mut vm = vm();
    vm.register_with("call_twice", |lua: &mut Lua, (f, x): (LuaFunction, i64)| {
        let once: i64 = f.call(lua, x)?;
        f.call::<_, i64>(lua, once)
    })
    .unwrap();
    vm.register_with("count", |_, xs: Variadic<LuaValue>| xs.len())
        .unwrap();
    vm.register_with("global_of", |lua: &mut Lua, name: String| {
        lua.get_global::<LuaValue>(&name)
    })
    .unwrap();
    vm.register_with("rerun", |lua: &mut Lua, src: String| {
        lua.execute_string(src).map(Variadic)
    })
    .unwrap();
    let r = vm
        .execute_string(
            "g = 'G'; return call_twice(function(x) return x * 3 end, 2), count(1, nil, 3), global_of('g'), rerun('return 1, 2')",
        )
        .unwrap();
    assert_eq!(dbg(&r), r#"[18, 3, "G", 1, 2]"#);
    // an error in the nested Lua call comes back as the Rust error, then into Lua
    let e = vm
        .execute_string("return call_twice(function() error('inner') end, 1)")
        .unwrap_err();
    assert!(e.message().ends_with("inner"), "{}", e.message());
    let e = vm.execute_string("return call_twice(1)").unwrap_err();
    assert!(
        e.message()
            .ends_with("bad argument #1 to 'call_twice' (function expected, got number)"),
        "{}",
        e.message()
    );
    let f = vm.create_function_with(|_, (a, b): (String, String)| a + &b);
    assert_eq!(f.call::<_, String>(&mut vm, ("x", "y")).unwrap(), "xy");
    let g = vm.create_function(|a: i64| a * 2);
    vm.set_global("g2", &g).unwrap();
    assert_eq!(dbg(&vm.execute_string("return g2(21)").unwrap()), "[42]");
    assert_eq!(g.call::<_, i64>(&mut vm, 4).unwrap(), 8);
}

#[test]
fn load_and_call() {
    let mut vm = vm();
    let f = vm
        .load("local a, b = ...; return a + b, a .. b", "=sum")
        .unwrap();
    let (n, s): (i64, String) = f.call(&mut vm, (1, 2)).unwrap();
    assert_eq!((n, s.as_str()), (3, "12"));
    let all: Variadic<LuaValue> = f.call(&mut vm, Variadic(vec![5, 6])).unwrap();
    assert_eq!(dbg(&all.0), r#"[11, "56"]"#);
    let e = vm.load("x = ", "=broken").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Syntax);
    assert_eq!(e.message(), "broken:1: unexpected symbol near <eof>");
    assert_eq!(
        e.value().as_str(),
        Some("broken:1: unexpected symbol near <eof>")
    );
    let e = vm.execute_string("x = = 1").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Syntax);
    assert_eq!(
        e.message(),
        r#"[string "x = = 1"]:1: unexpected symbol near '='"#
    );
    // runtime error: message, value, traceback
    let f = vm
        .load(
            "local function inner() error({code = 7}) end\ninner()",
            "@script.lua",
        )
        .unwrap();
    let e = f.call::<_, ()>(&mut vm, ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Runtime);
    assert_eq!(e.message(), "(error object is a table value)");
    let code: i64 = e.value().as_table().unwrap().get(&mut vm, "code").unwrap();
    assert_eq!(code, 7);
    let tb = e.traceback().unwrap();
    assert!(tb.starts_with("stack traceback:"), "{tb}");
    assert!(
        tb.contains("script.lua:1: in local 'inner'") || tb.contains("script.lua:1: in"),
        "{tb}"
    );
    assert!(tb.contains("script.lua:2: in main chunk"), "{tb}");
    assert!(format!("{e:?}").starts_with("RuntimeError("));
    assert_eq!(e.to_string(), e.message());
    // result conversion errors are not about an argument
    let f = vm.load("return {}", "=t").unwrap();
    let e = f.call::<_, i64>(&mut vm, ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    assert_eq!(e.argument(), None);
    // calling a non-function value
    let f = vm.load("return 1", "=one").unwrap();
    let one: LuaValue = f.call(&mut vm, ()).unwrap();
    vm.set_global("one", one).unwrap();
    let e = vm.execute_string("one()").unwrap_err();
    assert!(e
        .message()
        .ends_with("attempt to call a number value (global 'one')"));
}

#[test]
fn binary_chunks_off_by_default() {
    let mut vm = vm();
    let r = vm
        .execute_string("return string.dump(function() return 1 end)")
        .unwrap();
    let bytes = r[0].as_bytes().unwrap().to_vec();
    let e = vm.load(&bytes, "=bin").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Syntax);
    assert!(
        e.message().contains("attempt to load a binary chunk"),
        "{}",
        e.message()
    );
    // the Lua `load` refuses too
    vm.set_global("code", LuaString::from(bytes.clone()))
        .unwrap();
    let r = vm.execute_string("return load(code)").unwrap();
    assert!(r[0].is_nil());
    let mut vm2 = LuaVM::new(SafeOption {
        allow_binary_chunks: true,
        ..SafeOption::default()
    });
    let f = vm2.load(&bytes, "=bin").unwrap();
    assert_eq!(f.call::<_, i64>(&mut vm2, ()).unwrap(), 1);
}

#[test]
fn tables() {
    let mut vm = vm();
    let t = vm.create_table();
    t.set(&mut vm, "a", 1).unwrap();
    t.set(&mut vm, 1, "one").unwrap();
    t.raw_set(&mut vm, 2, "two").unwrap();
    t.push(&mut vm, "three").unwrap();
    assert_eq!(t.get::<_, i64>(&mut vm, "a").unwrap(), 1);
    assert_eq!(t.raw_get::<_, String>(&mut vm, 3).unwrap(), "three");
    assert_eq!(t.len(&mut vm).unwrap(), 3);
    assert_eq!(t.raw_len(&mut vm).unwrap(), 3);
    assert_eq!(
        t.sequence_values::<String>(&mut vm).unwrap(),
        vec!["one", "two", "three"]
    );
    assert_eq!(t.pairs::<LuaValue, LuaValue>(&mut vm).unwrap().len(), 4);
    let e = t.raw_set(&mut vm, LuaValue::Nil, 1).unwrap_err();
    assert_eq!(e.message(), "index is nil");
    let e = t.raw_set(&mut vm, f64::NAN, 1).unwrap_err();
    assert_eq!(e.message(), "index is NaN");
    let e = t.set(&mut vm, LuaValue::Nil, 1).unwrap_err();
    assert!(e.message().contains("index is nil"), "{}", e.message());
    // metatables and metamethods
    assert!(t.metatable(&mut vm).unwrap().is_none());
    let mt: LuaTable = vm
        .load(
            "return {__index = function(t, k) return k .. '!' end, __len = function() return 99 end,
                     __newindex = function(t, k, v) rawset(t, k, v * 2) end}",
            "=mt",
        )
        .unwrap()
        .call(&mut vm, ())
        .unwrap();
    t.set_metatable(&mut vm, Some(&mt)).unwrap();
    assert!(t.metatable(&mut vm).unwrap().unwrap().same(&mt));
    assert_eq!(t.get::<_, String>(&mut vm, "zz").unwrap(), "zz!");
    assert!(t
        .raw_get::<_, Option<String>>(&mut vm, "zz")
        .unwrap()
        .is_none());
    assert_eq!(t.len(&mut vm).unwrap(), 99);
    t.set(&mut vm, "n", 5).unwrap();
    assert_eq!(t.raw_get::<_, i64>(&mut vm, "n").unwrap(), 10);
    // errors in metamethods come back as errors
    let bad: LuaTable = vm
        .load("return setmetatable({}, {__index = function() error('no way') end, __len = function() return 'x' end})", "=bad")
        .unwrap()
        .call(&mut vm, ())
        .unwrap();
    let e = bad.get::<_, LuaValue>(&mut vm, 1).unwrap_err();
    assert!(e.message().ends_with("no way"), "{}", e.message());
    let e = bad.len(&mut vm).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    t.set_metatable(&mut vm, None).unwrap();
    assert!(t.metatable(&mut vm).unwrap().is_none());
    // globals table
    let g = vm.globals();
    g.set(&mut vm, "from_rust", 3).unwrap();
    assert_eq!(dbg(&vm.execute_string("return from_rust").unwrap()), "[3]");
    let seq = vm.create_sequence(vec![10, 20]).unwrap();
    let from = vm.create_table_from([("x", 1), ("y", 2)]).unwrap();
    assert_eq!(seq.raw_len(&mut vm).unwrap(), 2);
    assert_eq!(from.get::<_, i64>(&mut vm, "y").unwrap(), 2);
}

#[test]
fn handles_survive_collections_and_are_freed() {
    let mut vm = vm();
    let base = vm.live_handles();
    let t: LuaTable = vm
        .load("return {name = 'kept'}", "=t")
        .unwrap()
        .call(&mut vm, ())
        .unwrap();
    let f: LuaFunction = vm
        .load(
            "local n = 0; return function() n = n + 1; return n end",
            "=f",
        )
        .unwrap()
        .call(&mut vm, ())
        .unwrap();
    let r = vm.execute_string("return {deep = {1, 2, 3}}").unwrap();
    // churn the heap and collect several times
    vm.execute_string(
        "for i = 1, 20000 do local x = {i, tostring(i)} end collectgarbage() collectgarbage()",
    )
    .unwrap();
    vm.collect_garbage().unwrap();
    assert_eq!(t.get::<_, String>(&mut vm, "name").unwrap(), "kept");
    assert_eq!(f.call::<_, i64>(&mut vm, ()).unwrap(), 1);
    assert_eq!(f.call::<_, i64>(&mut vm, ()).unwrap(), 2);
    let deep: LuaTable = r[0].as_table().unwrap().get(&mut vm, "deep").unwrap();
    assert_eq!(deep.sequence_values::<i64>(&mut vm).unwrap(), vec![1, 2, 3]);
    assert!(vm.memory_used() > 0);
    drop((t, f, r, deep));
    assert_eq!(vm.live_handles(), base);
}

#[test]
fn handles_of_another_vm_are_refused() {
    let mut a = vm();
    let mut b = vm();
    let t = a.create_table();
    let e = t.get::<_, LuaValue>(&mut b, 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Usage);
    let e = b.set_global("t", &t).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Usage);
    let f = a.load("return 1", "=f").unwrap();
    assert_eq!(
        f.call::<_, LuaValue>(&mut b, ()).unwrap_err().kind(),
        ErrorKind::Usage
    );
    // after the VM is gone its handles stay harmless
    drop(a);
    assert_eq!(t.raw_len(&mut b).unwrap_err().kind(), ErrorKind::Usage);
}

#[test]
fn threads_and_status() {
    let mut vm = vm();
    let co: LuaThread = vm
        .load(
            "return coroutine.create(function() coroutine.yield() end)",
            "=co",
        )
        .unwrap()
        .call(&mut vm, ())
        .unwrap();
    assert_eq!(co.status(&mut vm).unwrap(), "suspended");
    vm.set_global("co", &co).unwrap();
    vm.execute_string("coroutine.resume(co); coroutine.resume(co)")
        .unwrap();
    assert_eq!(co.status(&mut vm).unwrap(), "dead");
    assert!(format!("{co:?}").starts_with("thread: 0x"));
}

#[test]
fn stdlib_selection() {
    let mut vm = LuaVM::new(SafeOption::default());
    vm.open_stdlib(Stdlib::Base | Stdlib::String).unwrap();
    let r = vm
        .execute_string("return type(string), type(io), type(os), type(table)")
        .unwrap();
    assert_eq!(dbg(&r), r#"["table", "nil", "nil", "nil"]"#);
    let mut safe = LuaVM::new(SafeOption {
        libraries: Stdlib::Safe,
        ..SafeOption::default()
    });
    safe.open_stdlib(Stdlib::All).unwrap();
    let r = safe
        .execute_string("return type(string), type(io), type(os), type(debug), type(require)")
        .unwrap();
    assert_eq!(dbg(&r), r#"["table", "nil", "nil", "nil", "nil"]"#);
    let e = safe.open_stdlib(Stdlib::Io | Stdlib::Math).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Usage);
    assert!(e.message().contains("Io"), "{}", e.message());
    assert_eq!(
        format!("{:?}", Stdlib::Safe),
        "Base | Coroutine | String | Table | Math | Utf8"
    );
    assert_eq!(format!("{:?}", Stdlib::None), "None");
    assert!((Stdlib::All - Stdlib::Io).contains(Stdlib::Os));
    assert_eq!((Stdlib::All & Stdlib::Io).bits(), Stdlib::Io.bits());
    assert!(SafeOption::sandbox().libraries == Stdlib::Safe);
    assert_eq!(safe.options().libraries, Stdlib::Safe);
}

#[test]
fn errors_constructors() {
    let e = Error::new(ErrorKind::Usage, "u");
    assert_eq!((e.kind(), e.message()), (ErrorKind::Usage, "u"));
    assert!(e.traceback().is_none());
    assert!(!e.is_abort());
    assert!(Error::new(ErrorKind::Interrupted, "i").is_abort());
    assert_eq!(Error::conversion("a", "b").message(), "a expected, got b");
    assert_eq!(
        Error::conversion("a", "b").with_argument(2).argument(),
        Some(2)
    );
    let e: Error = "s".into();
    assert_eq!(e.kind(), ErrorKind::Runtime);
    let e: Error = String::from("s").into();
    assert_eq!(e.message(), "s");
    let e: Error = std::io::Error::other("io").into();
    assert_eq!(e.message(), "io");
    let e: Error = std::fmt::Error.into();
    assert_eq!(e.kind(), ErrorKind::Runtime);
    let b: Box<dyn std::error::Error + Send + Sync> = "boxed".into();
    let e: Error = b.into();
    assert_eq!(e.message(), "boxed");
    let e = Error::with_value(LuaValue::Integer(3));
    assert_eq!(e.message(), "3");
    let e = Error::with_value(LuaValue::Nil);
    assert_eq!(e.message(), "(error object is a nil value)");
    let _: &dyn std::error::Error = &e;
}

#[test]
fn a_metatable_set_from_rust_registers_its_finalizer() {
    let mut vm = vm();
    let mt: LuaTable = vm
        .load(
            "return {__gc = function() finalized = (finalized or 0) + 1 end}",
            "=mt",
        )
        .unwrap()
        .call(&mut vm, ())
        .unwrap();
    let t = vm.create_table();
    t.set_metatable(&mut vm, Some(&mt)).unwrap();
    drop(t);
    vm.collect_garbage().unwrap();
    assert_eq!(vm.get_global::<Option<i64>>("finalized").unwrap(), Some(1));
    // an error in a finalizer comes back from collect_garbage, as from collectgarbage()
    vm.execute_string("setmetatable({}, {__gc = function() error('in gc') end})")
        .unwrap();
    let e = vm.collect_garbage().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Runtime);
    assert!(
        e.message().starts_with("error in __gc metamethod (") && e.message().contains("in gc"),
        "{}",
        e.message()
    );
    // the VM goes on
    assert_eq!(dbg(&vm.execute_string("return 1").unwrap()), "[1]");
}

#[test]
fn handle_accessors_of_values() {
    let mut vm = vm();
    vm.register("id", |v: LuaValue| v).unwrap();
    let r = vm
        .execute_string("return print, io.stdout, 'txt', {}")
        .unwrap();
    assert!(r[0].as_function().is_some() && r[1].as_function().is_none());
    assert!(r[1].as_userdata().is_some() && r[0].as_userdata().is_none());
    assert!(r[3].as_table().is_some() && r[2].as_table().is_none());
    match &r[2] {
        LuaValue::String(s) => {
            assert_eq!(s.to_str(), Some("txt"));
            assert_eq!(s.as_bytes(), b"txt");
        }
        other => panic!("{other:?}"),
    }
    // a function handle calls the function it roots
    let f = r[0].as_function().unwrap().clone();
    vm.set_global("p", &f).unwrap();
    assert_eq!(
        dbg(&vm.execute_string("return p == print").unwrap()),
        "[true]"
    );
}
