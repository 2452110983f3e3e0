use luavm::prelude::*;
#[test]
fn scratch() {
    let mut vm = LuaVM::new(SafeOption::default());
    let e = vm.execute_string("error('x')").unwrap_err();
    println!("{:?} / {:?}", e, e.traceback());
    vm.open_stdlib(Stdlib::All).unwrap();
    let e = vm.execute_string("error('x')").unwrap_err();
    println!("{:?} / {:?}", e, e.traceback());
}
