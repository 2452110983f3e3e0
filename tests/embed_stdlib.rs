//! API tests of `open_stdlib` and `Stdlib`: which libraries a VM gets, what
//! `SafeOption::libraries` refuses, the set operations, and what a new VM holds (the
//! fields `luaL_openlibs` makes, so that the VM-creation shortcuts stay invisible; as
//! PUC 5.3 without the compatibility `bit32` and C-module `package.loadlib`).

use luavm::prelude::*;

/// The sorted keys of global table `name` (`_G` for the globals).
fn keys(vm: &mut LuaVM, name: &str) -> String {
    let r = vm
        .execute_string(format!(
            "local t, k = {{}}, {{}} for n in pairs({name}) do k[#k + 1] = n end \
             table.sort(k) return table.concat(k, ' ')"
        ))
        .unwrap();
    r[0].as_str().unwrap().to_string()
}

#[test]
fn a_new_vm_has_the_fields_of_openlibs() {
    let mut vm = LuaVM::new(SafeOption::default());
    vm.open_stdlib(Stdlib::All).unwrap();
    assert_eq!(
        keys(&mut vm, "_G"),
        "_G _VERSION assert collectgarbage coroutine debug dofile error getmetatable io \
         ipairs load loadfile math next os package pairs pcall print rawequal rawget rawlen \
         rawset require select setmetatable string table tonumber tostring type utf8 xpcall"
    );
    assert_eq!(
        keys(&mut vm, "package.loaded"),
        "_G coroutine debug io math os package string table utf8"
    );
    assert_eq!(
        keys(&mut vm, "io"),
        "close flush input lines open output popen read stderr stdin stdout tmpfile type write"
    );
    assert_eq!(
        keys(&mut vm, "math"),
        "abs acos asin atan atan2 ceil cos cosh deg exp floor fmod frexp huge ldexp log \
         log10 max maxinteger min mininteger modf pi pow rad random randomseed sin sinh \
         sqrt tan tanh tointeger type ult"
    );
    assert_eq!(
        keys(&mut vm, "package"),
        "config cpath loaded path preload searchers searchpath"
    );
    let r = vm
        .execute_string(
            "return _VERSION, getmetatable('').__index == string, \
             utf8.charpattern == '[\\0-\\x7F\\xC2-\\xF4][\\x80-\\xBF]*', \
             io.type(io.stdout), package.config, #package.searchers, math.pi, \
             package.loaded._G == _G, tostring(io.stderr):match('^file %(0x')",
        )
        .unwrap();
    assert_eq!(
        format!("{r:?}"),
        r#"["Lua 5.3", true, true, "file", "/\n;\n?\n!\n-\n", 4, 3.1415926535898, true, "file (0x"]"#
    );
}

#[test]
fn library_names_from_static_text_are_ordinary_strings() {
    let mut vm = LuaVM::new(SafeOption::default());
    vm.open_stdlib(Stdlib::All).unwrap();
    // the same text made at run time is the same (interned) string: as table keys,
    // with `==`, and through the string metatable
    let r = vm
        .execute_string(
            "local k = ('pri' .. 'nt') local t = {[k] = 1} \
             return _G[k] == print, t.print, k == 'print', ('format'):len(), \
             string[('for' .. 'mat')] == string.format, #_VERSION, _VERSION:upper()",
        )
        .unwrap();
    assert_eq!(
        format!("{r:?}"),
        r#"[true, 1, true, 6, true, 7, "LUA 5.3"]"#
    );
    // and they survive collections (they are not owned by the heap's byte buffers)
    vm.collect_garbage().unwrap();
    vm.collect_garbage().unwrap();
    let r = vm
        .execute_string("return string.rep('ab', 2), math.type(1), os.time{year=2000, month=1, day=1, hour=12} > 0")
        .unwrap();
    assert_eq!(format!("{r:?}"), r#"["abab", "integer", true]"#);
}

#[test]
fn single_libraries_and_combinations() {
    let mut vm = LuaVM::new(SafeOption::default());
    vm.open_stdlib(Stdlib::String | Stdlib::Math).unwrap();
    let r = vm
        .execute_string("return string ~= nil, math ~= nil, print, table, io")
        .unwrap();
    assert_eq!(format!("{r:?}"), "[true, true, nil, nil, nil]");
    // a library opened later joins the others
    vm.open_stdlib(Stdlib::Base).unwrap();
    let r = vm
        .execute_string("return type(print), type(string.format), package")
        .unwrap();
    assert_eq!(format!("{r:?}"), r#"["function", "function", nil]"#);

    let mut vm = LuaVM::new(SafeOption::default());
    vm.open_stdlib(Stdlib::None).unwrap();
    assert!(vm.execute_string("return print").unwrap()[0].is_nil());
    assert_eq!(
        vm.execute_string("return 1 + 1").unwrap()[0].as_integer(),
        Some(2)
    );
}

#[test]
fn libraries_outside_safe_option_are_refused() {
    let mut vm = LuaVM::new(SafeOption::sandbox());
    let e = vm.open_stdlib(Stdlib::Io | Stdlib::Base).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Usage);
    assert_eq!(
        e.message(),
        "library not allowed by SafeOption::libraries: Io"
    );
    // nothing was opened by the refused call
    assert!(vm.execute_string("return print").unwrap()[0].is_nil());
    // `All` means every allowed library
    vm.open_stdlib(Stdlib::All).unwrap();
    let r = vm
        .execute_string("return type(print), type(string), io, os, debug, package, require")
        .unwrap();
    assert_eq!(
        format!("{r:?}"),
        r#"["function", "table", nil, nil, nil, nil, nil]"#
    );
}

#[test]
fn stdlib_set_operations_and_debug() {
    let s = Stdlib::Base | Stdlib::String | Stdlib::Io;
    assert!(s.contains(Stdlib::Base | Stdlib::Io));
    assert!(!s.contains(Stdlib::Os));
    assert_eq!(s & Stdlib::Safe, Stdlib::Base | Stdlib::String);
    assert_eq!(s - Stdlib::Safe, Stdlib::Io);
    assert!((s - s).is_empty() && !s.is_empty());
    assert_eq!(format!("{s:?}"), "Base | String | Io");
    assert_eq!(format!("{:?}", Stdlib::None), "None");
    assert_eq!(Stdlib::All.bits(), 0b11_1111_1111);
    assert_eq!((Stdlib::All - Stdlib::Safe).bits().count_ones(), 4);
}

#[test]
fn with_state_reaches_the_raw_vm() {
    let mut vm = LuaVM::new(SafeOption::default());
    vm.open_stdlib(Stdlib::Base).unwrap();
    vm.with_state(|s| {
        let v = s.str_value(b"from raw");
        s.set_global("raw_value", v);
    });
    let r = vm.execute_string("return raw_value").unwrap();
    assert_eq!(r[0].as_str(), Some("from raw"));
}
