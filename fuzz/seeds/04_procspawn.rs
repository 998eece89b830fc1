fn main() {
    procspawn::init();
    let handle = procspawn::spawn((1, 2), |(a, b)| a + b);
    println!("{}", handle.join().unwrap());
}
