# Sourced by benches/eval/run.sh and benches/scale.sh.
#
# extract_sources GITDIR COMMIT DEST: the `*.rs`, `Cargo.toml` and
# `Cargo.lock` files of COMMIT in the git snapshot GITDIR, into DEST (made
# by the caller). A pathspec that matches nothing makes `git archive` fail,
# so the lock file is asked for only when the commit has one (some
# workspaces do not commit it).
extract_sources() {
    local gitdir=$1 commit=$2 dest=$3
    local specs=(':(glob)**/*.rs' ':(glob)**/Cargo.toml')
    if [[ -n $(git --git-dir="$gitdir" ls-tree -r --name-only "$commit" | grep 'Cargo\.lock$' || true) ]]; then
        specs+=(':(glob)**/Cargo.lock')
    fi
    git --git-dir="$gitdir" archive "$commit" -- "${specs[@]}" | tar -x -C "$dest"
}
