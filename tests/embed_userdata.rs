//! Userdata: methods, fields, metamethods, borrows, type checks, drop on collection.

use std::cell::Cell;
use std::rc::Rc;

use luavm::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Vec2 {
    x: f64,
    y: f64,
}

impl UserData for Vec2 {
    fn add_methods(m: &mut UserDataMethods<Self>) {
        m.add_method("length", |_, v, ()| (v.x * v.x + v.y * v.y).sqrt());
        m.add_method_mut("scale", |_, v, k: f64| {
            v.x *= k;
            v.y *= k;
        });
        m.add_function("new", |lua: &mut Lua, (x, y): (f64, f64)| {
            lua.create_userdata(Vec2 { x, y })
        });
        m.add_field_getter("x", |_, v| v.x);
        m.add_field_getter("y", |_, v| v.y);
        m.add_field_setter("x", |_, v, x: f64| v.x = x);
        m.add_meta_function(
            MetaMethod::Add,
            |lua: &mut Lua, (a, b): (AnyUserData, AnyUserData)| {
                let a = a.borrow(lua, |v: &Vec2| *v)?;
                let b = b.borrow(lua, |v: &Vec2| *v)?;
                lua.create_userdata(Vec2 {
                    x: a.x + b.x,
                    y: a.y + b.y,
                })
            },
        );
        m.add_meta_function(
            MetaMethod::Eq,
            |lua: &mut Lua, (a, b): (AnyUserData, AnyUserData)| {
                Ok::<_, Error>(a.borrow(lua, |v: &Vec2| *v)? == b.borrow(lua, |v: &Vec2| *v)?)
            },
        );
        m.add_meta_method(MetaMethod::ToString, |_, v, ()| {
            format!("({}, {})", v.x, v.y)
        });
        m.add_meta_method(MetaMethod::Len, |_, _, ()| 2);
        m.add_meta_method(MetaMethod::Call, |_, v, k: f64| v.x * k);
        m.add_meta_method(MetaMethod::Unm, |lua: &mut Lua, v, ()| {
            lua.create_userdata(Vec2 { x: -v.x, y: -v.y })
        });
        m.add_meta_method(MetaMethod::Index, |_, _, key: String| {
            format!("no field {key}")
        });
    }
}

struct Bag {
    items: Vec<String>,
}
impl UserData for Bag {
    fn type_name() -> &'static str {
        "Bag"
    }
    fn add_methods(m: &mut UserDataMethods<Self>) {
        m.add_method_mut("put", |_, b, s: String| b.items.push(s));
        m.add_method("count", |_, b, ()| b.items.len());
        m.add_method("each", |lua: &mut Lua, b, f: LuaFunction| {
            for it in &b.items {
                f.call::<_, ()>(lua, it.as_str())?;
            }
            Ok::<_, Error>(())
        });
        m.add_meta_method_mut(MetaMethod::NewIndex, |_, b, (k, v): (String, String)| {
            b.items.push(format!("{k}={v}"))
        });
    }
}

struct Plain;
impl UserData for Plain {}

struct Dropper(Rc<Cell<u32>>);
impl UserData for Dropper {}
impl Drop for Dropper {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

fn vm() -> LuaVM {
    let mut vm = LuaVM::new(SafeOption::default());
    vm.open_stdlib(Stdlib::All).unwrap();
    vm
}

fn dbg(v: &[LuaValue]) -> String {
    format!("{v:?}")
}

#[test]
fn methods_fields_and_metamethods() {
    let mut vm = vm();
    let v = vm.create_userdata(Vec2 { x: 3.0, y: 4.0 }).unwrap();
    vm.set_global("v", &v).unwrap();
    let r = vm
        .execute_string(
            "local w = v.new(1, 2)
             v:scale(2)
             local s = v + w
             v.x = 10
             return v:length() > 10, v.x, v.y, tostring(s), #v, v(3), tostring(-w), v.nope,
                    v == v, s == v.new(7, 10), type(v)",
        )
        .unwrap();
    assert_eq!(
        dbg(&r),
        r#"[true, 10.0, 8.0, "(7, 10)", 2, 30.0, "(-1, -2)", "no field nope", true, true, "userdata"]"#
    );
    assert_eq!(
        v.borrow(&mut vm, |p: &Vec2| *p).unwrap(),
        Vec2 { x: 10.0, y: 8.0 }
    );
    assert!(v.is::<Vec2>(&mut vm));
    assert!(!v.is::<Bag>(&mut vm));
}

#[test]
fn errors_of_methods() {
    let mut vm = vm();
    let v = vm.create_userdata(Vec2 { x: 1.0, y: 0.0 }).unwrap();
    let b = vm.create_userdata(Bag { items: vec![] }).unwrap();
    vm.set_global("v", v).unwrap();
    vm.set_global("b", &b).unwrap();
    let e = vm.execute_string("v:scale('x')").unwrap_err();
    assert!(
        // a method call counts arguments after `self`, as PUC's luaL_argerror
        e.message()
            .ends_with("bad argument #1 to 'scale' (number expected, got string)"),
        "{}",
        e.message()
    );
    let e = vm.execute_string("v.length(b)").unwrap_err();
    assert!(
        e.message()
            .ends_with("bad argument #1 to 'length' (Vec2 expected, got userdata)"),
        "{}",
        e.message()
    );
    let e = vm.execute_string("v.length(1)").unwrap_err();
    assert!(
        e.message().ends_with("(Vec2 expected, got number)"),
        "{}",
        e.message()
    );
    let e = vm.execute_string("v.length()").unwrap_err();
    assert!(
        e.message().ends_with("(Vec2 expected, got no value)"),
        "{}",
        e.message()
    );
    let e = vm.execute_string("v.y = 3").unwrap_err();
    assert!(
        e.message()
            .ends_with("cannot set field 'y' of a Vec2 value"),
        "{}",
        e.message()
    );
    let e = vm.execute_string("return v + 1").unwrap_err();
    assert!(
        e.message().contains("userdata expected, got number"),
        "{}",
        e.message()
    );
    // __name shows in Lua's own messages
    let e = vm.execute_string("return b < b").unwrap_err();
    assert!(
        e.message().contains("attempt to compare two Bag values"),
        "{}",
        e.message()
    );
    // a method that re-enters Lua which borrows the same value mutably: an error, no panic
    let e = vm
        .execute_string("b:put('a'); b:each(function() b:put('again') end)")
        .unwrap_err();
    assert!(
        e.message().contains("Bag is already borrowed"),
        "{}",
        e.message()
    );
    // shared borrows may nest
    let r = vm
        .execute_string("local n = 0; b:each(function() n = n + b:count() end); return n")
        .unwrap();
    assert_eq!(dbg(&r), "[1]");
    b.borrow_mut(&mut vm, |bag: &mut Bag| bag.items.clear())
        .unwrap();
    vm.execute_string("b.k = 'v'").unwrap();
    assert_eq!(
        b.borrow(&mut vm, |bag: &Bag| bag.items.clone()).unwrap(),
        vec!["k=v"]
    );
    let e = b.borrow(&mut vm, |_: &Vec2| ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    let e = b.borrow_mut(&mut vm, |_: &mut Vec2| ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
}

#[test]
fn plain_userdata_and_drop() {
    let mut vm = vm();
    let p = vm.create_userdata(Plain).unwrap();
    vm.set_global("p", p).unwrap();
    let e = vm.execute_string("return p.x").unwrap_err();
    assert!(
        e.message().contains("attempt to index a Plain value"),
        "{}",
        e.message()
    );
    let drops = Rc::new(Cell::new(0));
    {
        let d = vm.create_userdata(Dropper(drops.clone())).unwrap();
        vm.set_global("d", d).unwrap();
    }
    vm.collect_garbage().unwrap();
    assert_eq!(drops.get(), 0, "still referenced by a global");
    vm.execute_string("d = nil").unwrap();
    vm.collect_garbage().unwrap();
    assert_eq!(drops.get(), 1);
    for _ in 0..10 {
        let _ = vm.create_userdata(Dropper(drops.clone())).unwrap();
    }
    drop(vm);
    assert_eq!(drops.get(), 11);
}

#[test]
fn host_closures_are_collected_with_their_function() {
    let drops = Rc::new(Cell::new(0));
    let mut vm = vm();
    {
        let d = Dropper(drops.clone());
        let f = vm.create_function(move || d.0.get());
        vm.set_global("f", f).unwrap();
    }
    assert_eq!(dbg(&vm.execute_string("return f()").unwrap()), "[0]");
    vm.execute_string("f = nil").unwrap();
    vm.collect_garbage().unwrap();
    assert_eq!(drops.get(), 1);
}
