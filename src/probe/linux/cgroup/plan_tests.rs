//! The v2 decision from synthetic mountinfo, `/proc/self/cgroup` and
//! cgroup directories: the cases this host (hybrid, no v2 pids) cannot
//! show for real.

use super::*;
use std::path::PathBuf;

const HYBRID: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw";

const PURE_V2: &str = "\
25 30 0:23 / /proc rw,nosuid - proc proc rw
29 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate";

const USER_SCOPE: &str = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-u7.scope\n";

#[test]
fn finds_the_hybrid_unified_mount() {
    let (dir, root) = own_dir(HYBRID, "8:pids:/\n6:freezer:/\n0::/\n").unwrap();
    assert_eq!((dir.as_path(), root), (Path::new("/sys/fs/cgroup/unified"), true));
}

#[test]
fn finds_a_user_scope_on_a_pure_v2_host() {
    let (dir, root) = own_dir(PURE_V2, USER_SCOPE).unwrap();
    let scope = "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-u7.scope";
    assert_eq!((dir.as_path(), root), (Path::new(scope), false));
}

#[test]
fn a_mount_of_a_subtree_is_resolved_against_its_root() {
    let info = "50 40 0:26 /ci/job\\0401 /mnt/cg rw - cgroup2 cgroup2 rw";
    assert_eq!(own_dir(info, "0::/ci/job 1/step\n").unwrap(), (PathBuf::from("/mnt/cg/step"), false));
    assert_eq!(
        own_dir(info, "0::/ci/job 1\n").unwrap(),
        (PathBuf::from("/mnt/cg"), false),
        "a subtree's top is no root"
    );
    let err = own_dir(info, "0::/elsewhere\n").unwrap_err();
    assert!(err.contains("outside every cgroup2 mount"), "{err}");
}

#[test]
fn no_v2_at_all_is_explained() {
    assert!(own_dir(HYBRID, "8:pids:/\n").unwrap_err().contains("no `0::` line"));
    let v1_only = "39 31 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids";
    assert_eq!(own_dir(v1_only, "0::/\n").unwrap_err(), "no cgroup2 file system is mounted");
}

fn facts(controllers: &str, subtree: &str, is_root: bool, writable: bool, has_kill: bool) -> Facts {
    Facts { controllers: controllers.into(), subtree_control: subtree.into(), is_root, writable, has_kill, others: 1 }
}

#[test]
fn hybrid_root_gives_kill_without_a_cap() {
    let dir = Path::new("/sys/fs/cgroup/unified");
    let layer = decide(dir, &facts("hugetlb\n", "", true, true, true), 0).unwrap();
    assert!(layer.kill);
    let Pids::No(why) = layer.pids else { panic!("no pids here: {layer:?}") };
    assert!(why.contains("no pids controller") && why.contains("(hugetlb)"), "{why}");
}

#[test]
fn not_writable_is_refused_with_the_uid() {
    let err = decide(Path::new("/sys/fs/cgroup/unified"), &facts("", "", true, false, true), 65534).unwrap_err();
    assert!(err.contains("not writable for uid 65534"), "{err}");
}

#[test]
fn pids_already_enabled_is_the_full_layer() {
    let layer = decide(Path::new("/x"), &facts("cpu memory pids", "memory pids", false, true, true), 1000).unwrap();
    assert_eq!((layer.pids, layer.kill), (Pids::Ready, true));
}

#[test]
fn pids_at_the_hierarchy_root_is_enabled() {
    let layer = decide(Path::new("/sys/fs/cgroup"), &facts("cpu pids", "cpu", true, true, true), 0).unwrap();
    assert_eq!(layer.pids, Pids::Enable);
}

#[test]
fn delegated_cgroup_shared_with_others_is_never_reshaped() {
    let layer = decide(Path::new("/scope"), &facts("memory pids", "", false, true, true), 1000).unwrap();
    let Pids::No(why) = layer.pids else { panic!("{layer:?}") };
    assert!(why.contains("no internal processes") && why.contains("1 other process"), "{why}");
}

#[test]
fn delegated_cgroup_of_this_process_alone_is_used_after_moving_itself() {
    let alone = Facts { others: 0, ..facts("memory pids", "", false, true, true) };
    let layer = decide(Path::new("/user@1000.service/app.slice/job"), &alone, 1000).unwrap();
    assert_eq!((layer.pids, layer.kill), (Pids::MoveSelf, true));
    let not_delegated = Facts { others: 0, ..facts("memory", "", false, true, true) };
    assert!(matches!(decide(Path::new("/j"), &not_delegated, 1000).unwrap().pids, Pids::No(_)));
}

#[test]
fn old_kernel_without_pids_or_kill_adds_nothing() {
    let err = decide(Path::new("/u"), &facts("hugetlb", "", true, true, false), 0).unwrap_err();
    assert!(err.contains("no cgroup.kill"), "{err}");
    let layer = decide(Path::new("/u"), &facts("pids", "pids", true, true, false), 0).unwrap();
    assert_eq!((layer.pids, layer.kill), (Pids::Ready, false));
}

#[test]
fn enable_errors_name_the_rule() {
    let busy = enable_refused(Path::new("/c"), &std::io::Error::from_raw_os_error(libc::EBUSY));
    assert!(busy.contains("EBUSY") && busy.contains("/c/cgroup.subtree_control"), "{busy}");
    let threaded = enable_refused(Path::new("/c"), &std::io::Error::from_raw_os_error(libc::EOPNOTSUPP));
    assert!(threaded.contains("threaded"), "{threaded}");
}

#[test]
fn facts_are_read_from_a_directory() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in
        [("cgroup.controllers", "cpu pids\n"), ("cgroup.subtree_control", "pids\n"), ("cgroup.procs", "")]
    {
        std::fs::write(tmp.path().join(name), text).unwrap();
    }
    let f = facts_of(tmp.path());
    assert_eq!((f.controllers.trim(), f.subtree_control.trim(), f.has_kill), ("cpu pids", "pids", false));
    assert_eq!(f.others, 0, "an empty cgroup.procs holds no other process");
    std::fs::write(tmp.path().join("cgroup.procs"), format!("1\n{}\n2\n", std::process::id())).unwrap();
    assert_eq!(facts_of(tmp.path()).others, 2, "this process is not counted");
    std::fs::write(tmp.path().join("cgroup.kill"), "").unwrap();
    assert!(facts_of(tmp.path()).has_kill);
    assert_eq!(decide(tmp.path(), &facts_of(tmp.path()), 0).unwrap().pids, Pids::Ready);
}

fn facts_of(dir: &Path) -> Facts {
    super::facts(dir, false)
}
