// Child-dispatch guard (`cargo freeze check --fix`): a process this
// program started from its own executable is marked with the variable
// below; it runs `freeze_worker` and never the rest of `main`, so it
// cannot spawn again.
if let Some(depth) = std::env::var_os("@MARKER@") {
    freeze_worker(depth);
}
