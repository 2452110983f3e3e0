//! The transfer format between two VMs: every value kind, cycles and shared references,
//! refusals with paths, names, `_ENV`, metatables, registered userdata, plain data.

use luavm_dispatcher::transfer::{
    export, register_transferable, Data, ExportOptions, Packet, ProtoCache,
};
use luavm_vm::{State, Value, MULTRET};

fn vm() -> State {
    let mut s = State::new();
    luavm_stdlib::open_all(&mut s);
    s
}

/// Run `code` in `s` and return its results (left on the stack above the old top).
fn eval(s: &mut State, code: &str) -> Vec<Value> {
    let f = s.load(code.as_bytes(), b"=test").expect("compiles");
    let base = s.top();
    s.push(f);
    if s.pcall(base, MULTRET, 0).is_err() {
        let e = s.error_value();
        let mut b = Vec::new();
        s.to_string_raw(e, &mut b);
        panic!("error: {}", String::from_utf8_lossy(&b));
    }
    (base..s.top()).map(|i| s.stack_at(i)).collect()
}

/// Export what `make` returns in one VM, import it in another, and run `check` there
/// with the values as `...`; returns `check`'s results as text.
fn transfer(make: &str, check: &str) -> String {
    let mut a = vm();
    let vals = eval(&mut a, make);
    let p = export(
        &mut a,
        &vals,
        &|i| format!("value #{}", i + 1),
        ExportOptions::default(),
    )
    .expect("exportable");
    let mut b = vm();
    let f = b.load(check.as_bytes(), b"=check").expect("compiles");
    let base = b.top();
    b.push(f);
    let n = p
        .import(&mut b, &mut ProtoCache::default())
        .expect("imports");
    assert_eq!(n, vals.len());
    if b.pcall(base, MULTRET, 0).is_err() {
        let e = b.error_value();
        let mut m = Vec::new();
        b.to_string_raw(e, &mut m);
        panic!("check failed: {}", String::from_utf8_lossy(&m));
    }
    let mut out = Vec::new();
    for i in base..b.top() {
        if i > base {
            out.push(b'\t');
        }
        let v = b.stack_at(i);
        b.to_string_raw(v, &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn refusal(make: &str) -> String {
    let mut a = vm();
    let vals = eval(&mut a, make);
    match export(
        &mut a,
        &vals,
        &|i| format!("argument #{}", i + 1),
        ExportOptions::default(),
    ) {
        Ok(_) => panic!("{make} was exported"),
        Err(m) => m,
    }
}

#[test]
fn scalars_keep_their_subtypes() {
    let r = transfer(
        "return nil, true, 1, 1.0, -0.0, 1/0, 'a\\0b', math.mininteger",
        "local a, b, c, d, e, f, g, h = ... \
         return a, b, math.type(c), math.type(d), 1/e, f, #g, h == math.mininteger",
    );
    assert_eq!(r, "nil\ttrue\tinteger\tfloat\t-inf\tinf\t3\ttrue");
}

#[test]
fn cycles_and_shared_references_survive() {
    let r = transfer(
        "local t = {} t.self = t t[t] = t local s = {} return t, s, s, {s, s}",
        "local t, s1, s2, l = ... \
         return t.self == t, t[t] == t, s1 == s2, l[1] == s1 and l[2] == s1",
    );
    assert_eq!(r, "true\ttrue\ttrue\ttrue");
}

#[test]
fn closures_keep_shared_upvalues() {
    let r = transfer(
        "local n = 0 local function inc() n = n + 1 return n end \
         local function get() return n end inc() return inc, get",
        "local inc, get = ... inc() inc() return get()",
    );
    assert_eq!(r, "3");
}

#[test]
fn recursive_functions_and_function_upvalues() {
    let r = transfer(
        "local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end \
         local function twice(x) return fib(x) * 2 end return twice",
        "local f = ... return f(10)",
    );
    assert_eq!(r, "110");
}

#[test]
fn env_is_rebound_and_globals_not_copied() {
    let r = transfer(
        "X = 'sender' return function() return X, print end, _G",
        "X = 'receiver' local f, g = ... local x, p = f() return x, p == print, g == _G",
    );
    assert_eq!(r, "receiver\ttrue\ttrue");
}

#[test]
fn rust_functions_and_libraries_travel_by_name() {
    let r = transfer(
        "local fmt = string.format return fmt, string, math.floor, function(x) return fmt('%d', x) end",
        "local fmt, str, fl, f = ... \
         return fmt == string.format, str == string, fl == math.floor, f(7)",
    );
    assert_eq!(r, "true\ttrue\ttrue\t7");
}

#[test]
fn refusals_name_the_path() {
    assert_eq!(
        refusal("return coroutine.create(print)"),
        "argument #1 (thread) cannot be sent to a worker"
    );
    assert_eq!(
        refusal("local conn = io.stdout return function() return conn end"),
        "upvalue 'conn' of argument #1 (FILE*) cannot be sent to a worker"
    );
    assert_eq!(
        refusal("return 1, {a = {b = {coroutine.wrap(print)}}}"),
        "argument #2.a.b[1] (Rust function) cannot be sent to a worker"
    );
    assert_eq!(
        refusal("return {[coroutine.create(print)] = 1}"),
        "a key of argument #1 (thread) cannot be sent to a worker"
    );
    assert_eq!(
        refusal("return {['not an ident'] = io.stdout}"),
        "argument #1[\"not an ident\"] (FILE*) cannot be sent to a worker"
    );
}

#[test]
fn refusal_wording_can_change() {
    let mut a = vm();
    let vals = eval(&mut a, "return coroutine.create(print)");
    let opts = ExportOptions {
        to: "from a worker",
        ..ExportOptions::default()
    };
    let e = export(&mut a, &vals, &|_| "result #1".into(), opts).unwrap_err();
    assert_eq!(e, "result #1 (thread) cannot be sent from a worker");
}

#[test]
fn metatables_only_when_asked() {
    let make = "return setmetatable({}, {__index = function() return 'meta' end})";
    assert_eq!(transfer(make, "local t = ... return t.x"), "nil");
    let mut a = vm();
    let vals = eval(&mut a, make);
    let opts = ExportOptions {
        metatables: true,
        ..ExportOptions::default()
    };
    let p = export(&mut a, &vals, &|_| String::new(), opts).unwrap();
    let mut b = vm();
    let f = b.load(b"local t = ... return t.x", b"=c").unwrap();
    let base = b.top();
    b.push(f);
    p.import(&mut b, &mut ProtoCache::default()).unwrap();
    b.call(base, 1).unwrap();
    assert_eq!(b.stack_at(base).as_str(), Some(&b"meta"[..]));
}

#[derive(Clone, Debug, PartialEq)]
struct Point(i32, i32);

#[test]
fn registered_userdata_travel() {
    register_transferable::<Point>("test.Point");
    let mut a = vm();
    let u = a.new_userdata(Box::new(Point(3, 4)), None);
    let p = export(
        &mut a,
        &[Value::UserData(u), Value::UserData(u)],
        &|_| String::new(),
        ExportOptions::default(),
    )
    .expect("registered type is transferable");
    let mut b = vm();
    let mt = b.new_table();
    let name = b.str_value(b"Point");
    b.raw_set_str(mt, "__name", name);
    let reg = b.registry();
    b.raw_set_str(reg, "test.Point", Value::Table(mt));
    let base = b.top();
    assert_eq!(p.import(&mut b, &mut ProtoCache::default()).unwrap(), 2);
    let (Value::UserData(x), Value::UserData(y)) = (b.stack_at(base), b.stack_at(base + 1)) else {
        panic!("userdata expected");
    };
    assert!(luavm_vm::Gc::ptr_eq(x, y), "one userdata stays one");
    assert_eq!(x.data.borrow().downcast_ref::<Point>(), Some(&Point(3, 4)));
    assert!(x.metatable.get().is_some());
    // an unregistered type is refused
    let v = a.new_userdata(Box::new(7u8), None);
    let e = export(
        &mut a,
        &[Value::UserData(v)],
        &|_| "x".into(),
        ExportOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e, "x (userdata) cannot be sent to a worker");
}

#[test]
fn plain_data_round_trip() {
    let data = vec![
        Data::Nil,
        Data::from(true),
        Data::from(42),
        Data::from(2.5),
        Data::from("text"),
        Data::from(vec![1, 2, 3]),
        Data::Table(vec![(Data::from("k"), Data::from(vec!["a", "b"]))]),
    ];
    let p = Packet::from_data(&data).unwrap();
    assert_eq!(p.len(), data.len());
    // through a VM and back
    let mut s = vm();
    let base = s.top();
    let n = p.import(&mut s, &mut ProtoCache::default()).unwrap();
    let vals: Vec<Value> = (base..base + n).map(|i| s.stack_at(i)).collect();
    let back = export(&mut s, &vals, &|_| String::new(), ExportOptions::default()).unwrap();
    let got = back.to_data().unwrap();
    assert_eq!(got[..5], data[..5]);
    assert_eq!(got[5], Data::from(vec![1, 2, 3]));
    assert_eq!(
        got[6].get(&Data::from("k")),
        Some(&Data::from(vec!["a", "b"]))
    );
    assert_eq!(got[2].as_int(), Some(42));
    assert_eq!(got[4].as_str().as_deref(), Some("text"));
    // nil keys are refused; cycles and functions are not data
    assert!(Packet::from_data(&[Data::Table(vec![(Data::Nil, Data::Nil)])]).is_err());
    let mut a = vm();
    let vals = eval(&mut a, "local t = {} t.t = t return t");
    let p = export(&mut a, &vals, &|_| String::new(), ExportOptions::default()).unwrap();
    assert!(p.to_data().is_err());
    let vals = eval(&mut a, "return print");
    let p = export(&mut a, &vals, &|_| String::new(), ExportOptions::default()).unwrap();
    assert!(p.to_data().is_err());
    // too deep
    let mut d = Data::Nil;
    for _ in 0..300 {
        d = Data::Table(vec![(Data::from(1), d)]);
    }
    assert!(Packet::from_data(&[d]).is_err());
}

#[test]
fn append_renumbers_objects() {
    let mut a = vm();
    let v1 = eval(&mut a, "local t = {1} t.t = t return t");
    let mut p1 = export(&mut a, &v1, &|_| String::new(), ExportOptions::default()).unwrap();
    let v2 = eval(
        &mut a,
        "local u = {2} u.u = u return u, function() return u end",
    );
    let p2 = export(&mut a, &v2, &|_| String::new(), ExportOptions::default()).unwrap();
    p1.append(&p2);
    assert_eq!(p1.len(), 3);
    let mut b = vm();
    let f = b
        .load(
            b"local t, u, g = ... return t.t == t, u.u == u, g() == u, t[1], u[1]",
            b"=c",
        )
        .unwrap();
    let base = b.top();
    b.push(f);
    p1.import(&mut b, &mut ProtoCache::default()).unwrap();
    b.call(base, MULTRET).unwrap();
    let r: Vec<String> = (base..b.top())
        .map(|i| {
            let mut o = Vec::new();
            let v = b.stack_at(i);
            b.to_string_raw(v, &mut o);
            String::from_utf8_lossy(&o).into_owned()
        })
        .collect();
    assert_eq!(r, ["true", "true", "true", "1", "2"]);
}

#[test]
fn names_missing_in_the_receiver_fail_cleanly() {
    let mut a = vm();
    a.set_global(
        "only_here",
        Value::NativeFn(|s| {
            s.push(Value::Int(1));
            Ok(1)
        }),
    );
    let vals = eval(&mut a, "return only_here");
    let p = export(&mut a, &vals, &|_| String::new(), ExportOptions::default()).unwrap();
    let mut b = vm();
    assert!(p.import(&mut b, &mut ProtoCache::default()).is_err());
    let e = b.error_value();
    assert_eq!(
        e.as_str(),
        Some(&b"'only_here' is not available in this VM"[..])
    );
}

#[test]
fn proto_cache_reuses_loaded_prototypes() {
    let mut a = vm();
    let vals = eval(&mut a, "return function(x) return x + 1 end");
    let p = export(&mut a, &vals, &|_| String::new(), ExportOptions::default()).unwrap();
    let mut b = vm();
    let mut cache = ProtoCache::default();
    let base = b.top();
    p.import(&mut b, &mut cache).unwrap();
    p.import(&mut b, &mut cache).unwrap();
    let (Value::LuaFn(f1), Value::LuaFn(f2)) = (b.stack_at(base), b.stack_at(base + 1)) else {
        panic!("functions expected");
    };
    assert!(!luavm_vm::Gc::ptr_eq(f1, f2), "two closures");
    assert!(luavm_vm::Gc::ptr_eq(f1.p, f2.p), "one loaded prototype");
    // survives a collection
    b.collect_garbage();
    p.import(&mut b, &mut cache).unwrap();
    let Value::LuaFn(f3) = b.stack_at(base + 2) else {
        panic!()
    };
    assert!(luavm_vm::Gc::ptr_eq(f1.p, f3.p));
}
