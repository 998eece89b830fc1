use std::env;

fn main() {
    let args: Vec<String> = env::args().collect();
    println!("{:?}", args);
    procspawn::init();
    let pool = procspawn::Pool::new(4).unwrap();
    let h = pool.spawn((), |()| 42);
    let _ = h.join();
}
