//! The package library (manual §6.3): `require`, `package.loaded`, `preload`, `path`,
//! `cpath`, `config`, `searchers`, `searchpath`. C modules cannot be loaded: the C
//! searchers report that clearly.

use luavm_vm::{LuaResult, State, Value};

use crate::Lib;

const LUA_PATH_DEFAULT: &str =
    "/usr/local/share/lua/5.3/?.lua;/usr/local/share/lua/5.3/?/init.lua;\
/usr/local/lib/lua/5.3/?.lua;/usr/local/lib/lua/5.3/?/init.lua;./?.lua;./?/init.lua";
const LUA_CPATH_DEFAULT: &str =
    "/usr/local/lib/lua/5.3/?.so;/usr/local/lib/lua/5.3/loadall.so;./?.so";

pub(crate) const FUNCS: Lib = &[("searchpath", searchpath)];

pub fn open(s: &mut State) {
    let pkg = crate::open_lib_with(s, "package", FUNCS, 6);
    let loaded = crate::loaded_table(s);
    s.raw_set_static(pkg, "loaded", Value::Table(loaded));
    let preload = s.new_table();
    s.raw_set_static(pkg, "preload", Value::Table(preload));
    // `lua -E` sets registry.LUA_NOENV: ignore the environment (as PUC's `noenv`)
    let reg = s.registry();
    let noenv = s
        .find_str(b"LUA_NOENV")
        .is_some_and(|k| reg.get(Value::Str(k)).truthy());
    for (field, vars, default) in [
        ("path", ["LUA_PATH_5_3", "LUA_PATH"], LUA_PATH_DEFAULT),
        ("cpath", ["LUA_CPATH_5_3", "LUA_CPATH"], LUA_CPATH_DEFAULT),
    ] {
        let from_env = if noenv {
            None
        } else {
            env_path(&vars, default)
        };
        let v = match from_env {
            Some(p) => s.str_value(p.as_bytes()),
            None => Value::Str(s.new_static_str(default.as_bytes())),
        };
        s.raw_set_static(pkg, field, v);
    }
    let v = Value::Str(s.new_static_str(b"/\n;\n?\n!\n-\n"));
    s.raw_set_static(pkg, "config", v);
    let searchers = s.new_table_with(4, 0);
    for (i, f) in [
        searcher_preload as luavm_vm::NativeFn,
        searcher_lua,
        searcher_c,
        searcher_croot,
    ]
    .iter()
    .enumerate()
    {
        s.raw_set_int(searchers, i as i64 + 1, Value::NativeFn(*f));
    }
    s.raw_set_static(pkg, "searchers", Value::Table(searchers));
    let g = s.globals();
    s.raw_set_static(g, "require", Value::NativeFn(require));
    // `require` finds the package table through the registry
    s.raw_set_static(reg, "luavm.package", Value::Table(pkg));
}

/// `LUA_PATH_5_3`/`LUA_PATH` with ";;" replaced by the default path (`None`: neither
/// variable is set).
fn env_path(vars: &[&str], default: &str) -> Option<String> {
    for v in vars {
        if let Ok(p) = std::env::var(v) {
            return Some(
                p.replace(";;", &format!(";{default};"))
                    .trim_matches(';')
                    .to_string(),
            );
        }
    }
    None
}

fn package_table(s: &mut State) -> Option<luavm_vm::Gc<luavm_vm::Table>> {
    let reg = s.registry();
    let k = s.str_value(b"luavm.package");
    match reg.get(k) {
        Value::Table(t) => Some(t),
        _ => None,
    }
}

fn search_path(name: &[u8], path: &[u8], sep: &[u8], rep: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
    let name = if sep.is_empty() {
        name.to_vec()
    } else {
        replace_all(name, sep, rep)
    };
    let mut tried = Vec::new();
    for templ in path.split(|&c| c == b';') {
        if templ.is_empty() {
            continue;
        }
        let file = replace_all(templ, b"?", &name);
        let fs = String::from_utf8_lossy(&file).into_owned();
        if std::fs::File::open(&fs).is_ok() {
            return Ok(file);
        }
        tried.extend_from_slice(b"\n\tno file '");
        tried.extend_from_slice(&file);
        tried.push(b'\'');
    }
    Err(tried)
}

fn replace_all(s: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    if from.is_empty() {
        return s.to_vec();
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

fn searchpath(s: &mut State) -> LuaResult<usize> {
    let name = s.check_string(1)?;
    let path = s.check_string(2)?;
    let sep = s
        .opt_string(3)?
        .map(|x| x.as_bytes().to_vec())
        .unwrap_or_else(|| b".".to_vec());
    let rep = s
        .opt_string(4)?
        .map(|x| x.as_bytes().to_vec())
        .unwrap_or_else(|| b"/".to_vec());
    match search_path(name.as_bytes(), path.as_bytes(), &sep, &rep) {
        Ok(f) => {
            s.push_str(&f);
            Ok(1)
        }
        Err(tried) => {
            s.push(Value::Nil);
            s.push_str(&tried);
            Ok(2)
        }
    }
}

fn searcher_preload(s: &mut State) -> LuaResult<usize> {
    let name = s.check_string(1)?;
    let pkg = package_table(s);
    let preload = match pkg {
        Some(p) => {
            let k = s.str_value(b"preload");
            p.get(k)
        }
        None => Value::Nil,
    };
    let Value::Table(pre) = preload else {
        return Err(s.lib_error("'package.preload' must be a table"));
    };
    let f = pre.get(Value::Str(name));
    if f.is_nil() {
        let m = format!("\n\tno field package.preload['{}']", name.to_str_lossy());
        s.push_str(m.as_bytes());
        return Ok(1);
    }
    s.push(f);
    s.push_str(b":preload:");
    Ok(2)
}

fn searcher_lua(s: &mut State) -> LuaResult<usize> {
    let name = s.check_string(1)?;
    let path = match package_table(s) {
        Some(p) => {
            let k = s.str_value(b"path");
            p.get(k)
        }
        None => Value::Nil,
    };
    let Value::Str(path) = path else {
        return Err(s.lib_error("'package.path' must be a string"));
    };
    match search_path(name.as_bytes(), path.as_bytes(), b".", b"/") {
        Err(tried) => {
            s.push_str(&tried);
            Ok(1)
        }
        Ok(file) => {
            let (code, chunkname) = match crate::base::read_source(Some(&file)) {
                Ok(x) => x,
                Err(m) => return Err(s.lib_error(&m)),
            };
            match s.load(&code, &chunkname) {
                Ok(f) => {
                    s.push(f);
                    s.push_str(&file);
                    Ok(2)
                }
                Err(_) => {
                    let e = s.error_value();
                    let mut msg = Vec::new();
                    s.to_string_raw(e, &mut msg);
                    let m = format!(
                        "error loading module '{}' from file '{}':\n\t{}",
                        name.to_str_lossy(),
                        String::from_utf8_lossy(&file),
                        String::from_utf8_lossy(&msg)
                    );
                    Err(s.lib_error(&m))
                }
            }
        }
    }
}

fn searcher_c(s: &mut State) -> LuaResult<usize> {
    let name = s.check_string(1)?;
    let m = format!(
        "\n\tno C module '{}' (luavm cannot load C modules)",
        name.to_str_lossy()
    );
    s.push_str(m.as_bytes());
    Ok(1)
}

fn searcher_croot(s: &mut State) -> LuaResult<usize> {
    s.check_string(1)?;
    s.push_str(b"");
    Ok(1)
}

fn require(s: &mut State) -> LuaResult<usize> {
    let name = s.check_string(1)?;
    let loaded = crate::loaded_table(s);
    let have = loaded.get(Value::Str(name));
    if have.truthy() {
        s.push(have);
        return Ok(1);
    }
    let Some(pkg) = package_table(s) else {
        return Err(s.lib_error("'package' table not found"));
    };
    let k = s.str_value(b"searchers");
    let Value::Table(searchers) = pkg.get(k) else {
        return Err(s.lib_error("'package.searchers' must be a table"));
    };
    let mut msg = Vec::new();
    let mut i = 1;
    loop {
        let searcher = searchers.get_int(i);
        if searcher.is_nil() {
            let m = format!(
                "module '{}' not found:{}",
                name.to_str_lossy(),
                String::from_utf8_lossy(&msg)
            );
            return Err(s.lib_error(&m));
        }
        let base = s.top();
        s.call_value(searcher, &[Value::Str(name)], 2)?;
        let loader = s.stack_at(base);
        let extra = s.stack_at(base + 1);
        if loader.is_function() {
            // loader(name, extra)
            s.set_top(base);
            let func = s.top();
            s.push(loader);
            s.push(Value::Str(name));
            s.push(extra);
            s.call(func, 1)?;
            let r = s.stack_at(func);
            if !r.is_nil() {
                s.raw_set(loaded, Value::Str(name), r);
            }
            if loaded.get(Value::Str(name)).is_nil() {
                s.raw_set(loaded, Value::Str(name), Value::Bool(true));
            }
            let v = loaded.get(Value::Str(name));
            s.set_top(base);
            s.push(v);
            s.push(extra);
            return Ok(2);
        }
        if let Value::Str(m) = loader {
            msg.extend_from_slice(m.as_bytes());
        }
        s.set_top(base);
        i += 1;
    }
}
