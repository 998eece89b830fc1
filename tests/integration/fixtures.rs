//! Every fixture crate under `fixtures/lint/`: its verdicts and codes must
//! match `expect.txt` (written by hand, one `<bin> <verdict>` line per
//! binary and one `code <code>` line per expected finding), the exit code
//! must follow from the levels, and the JSON report is snapshot-tested.

use crate::support::{check_json, fixture_manifest, fixtures_dir};
use std::collections::BTreeSet;

fn expected(name: &str) -> (BTreeSet<(String, String)>, BTreeSet<String>) {
    let text = std::fs::read_to_string(fixtures_dir().join(name).join("expect.txt")).expect("expect.txt");
    let mut verdicts = BTreeSet::new();
    let mut codes = BTreeSet::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (a, b) = line.split_once(' ').expect("two words per line");
        if a == "code" {
            codes.insert(b.to_string());
        } else {
            verdicts.insert((a.to_string(), b.to_string()));
        }
    }
    (verdicts, codes)
}

fn check_fixture(name: &str) {
    let (code, json) = check_json(&fixture_manifest(name), &[]);
    let (want_verdicts, want_codes) = expected(name);
    let got_verdicts: BTreeSet<(String, String)> = json["binaries"]
        .as_array()
        .expect("binaries")
        .iter()
        .map(|b| (b["name"].as_str().unwrap().to_string(), b["verdict"].as_str().unwrap().to_string()))
        .collect();
    let got_codes: BTreeSet<String> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got_verdicts, want_verdicts, "verdicts of fixture {name}");
    assert_eq!(got_codes, want_codes, "diagnostic codes of fixture {name}");
    let denied = json["diagnostics"].as_array().unwrap().iter().any(|d| d["level"] == "deny");
    assert_eq!(code, if denied { 1 } else { 0 }, "exit code of fixture {name}");
    insta::assert_json_snapshot!(name, json);
}

macro_rules! fixtures {
    ($($test:ident => $dir:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_fixture($dir);
            }
        )*

        const LISTED: &[&str] = &[$($dir,)*];
    };
}

fixtures! {
    argv0_alias_exe => "argv0-alias-exe",
    argv0_split_first => "argv0-split-first",
    arm_values => "arm-values",
    argv0_trait_method => "argv0-trait-method",
    args_after_runtime_list => "args-after-runtime-list",
    args_optional_options => "args-optional-options",
    args_carried_field => "args-carried-field",
    mutated_text_arg => "mutated-text-arg",
    assigned_flag => "assigned-flag",
    bpaf_derive_command => "bpaf-derive-command",
    builder_across_arms => "builder-across-arms",
    cfg_statement => "cfg-statement",
    cfg_statement_marker => "cfg-statement-marker",
    clap_args_method_dispatch => "clap-args-method-dispatch",
    clap_builder_submatches => "clap-builder-submatches",
    clap_subcommand_take => "clap-subcommand-take",
    conversion_into => "conversion-into",
    crate_visibility => "crate-visibility",
    ctor_guard => "ctor-guard",
    deep_path_dep => "deep-path-dep",
    depth_foreign_receiver => "depth-foreign-receiver",
    env_key_through_helper => "env-key-through-helper",
    env_through_own_trait => "env-through-own-trait",
    env_wrapper => "env-wrapper",
    exe_cstring => "exe-cstring",
    exe_dir_own_name => "exe-dir-own-name",
    exe_field_other_struct => "exe-field-other-struct",
    exec_env_list => "exec-env-list",
    fn_address_not_call => "fn-address-not-call",
    forwarded_args_storm => "forwarded-args-storm",
    guard_appended_subcommand => "guard-appended-subcommand",
    guard_args_any_of => "guard-args-any-of",
    guard_args_const_closure => "guard-args-const-closure",
    guard_args_find_bound => "guard-args-find-bound",
    guard_args_contains => "guard-args-contains",
    guard_args_local_list => "guard-args-local-list",
    guard_args_position => "guard-args-position",
    guard_args_pushed_flag => "guard-args-pushed-flag",
    guard_args_slice => "guard-args-slice",
    guard_args_slice_match => "guard-args-slice-match",
    guard_by_omission => "guard-by-omission",
    guard_clap_hidden_flag => "guard-clap-hidden-flag",
    guard_clap_hidden_subcommand => "guard-clap-hidden-subcommand",
    guard_clap_mismatch => "guard-clap-mismatch",
    guard_clap_try_parse => "guard-clap-try-parse",
    guard_diverge_missing => "guard-diverge-missing",
    guard_dispatch_table => "guard-dispatch-table",
    guard_else_branch => "guard-else-branch",
    guard_env_role_arms => "guard-env-role-arms",
    guard_env_vars_scan => "guard-env-vars-scan",
    guard_let_else => "guard-let-else",
    guard_shapes => "guard-shapes",
    guard_stdout_terminal => "guard-stdout-terminal",
    guard_helper_loop => "guard-helper-loop",
    guard_match_omission => "guard-match-omission",
    guard_parent_pid => "guard-parent-pid",
    guard_foreign_crate_marker => "guard-foreign-crate-marker",
    guard_in_foreign_code => "guard-in-foreign-code",
    guard_in_lib => "guard-in-lib",
    guard_local_closure => "guard-local-closure",
    guard_lock_file => "guard-lock-file",
    guard_read_indirectly => "guard-read-indirectly",
    guard_stamp_file => "guard-stamp-file",
    guard_routed_variant => "guard-routed-variant",
    guard_typed_values => "guard-typed-values",
    guard_wrapper_const_cfg => "guard-wrapper-const-cfg",
    handoff_on_request => "handoff-on-request",
    helper_return_not_exit => "helper-return-not-exit",
    hook_exit_closure => "hook-exit-closure",
    inner_attr_body => "inner-attr-body",
    harmless_prelude => "harmless-prelude",
    late_guard => "late-guard",
    launcher => "launcher",
    lib_crate_types => "lib-crate-types",
    marker_conditional => "marker-conditional",
    marker_const => "marker-const",
    marker_mismatch => "marker-mismatch",
    marker_on_variable => "marker-on-variable",
    marker_undone => "marker-undone",
    drop_spawn => "drop-spawn",
    mitosis_init => "mitosis-init",
    mitosis_no_init => "mitosis-no-init",
    mitosis_no_init_deref => "mitosis-no-init-deref",
    method_dispatch_workspace => "method-dispatch-workspace",
    method_dispatch_same_name => "method-dispatch-same-name",
    method_name_not_recursion => "method-name-not-recursion",
    mod_glob_reexport => "mod-glob-reexport",
    mod_path_attr => "mod-path-attr",
    mod_raw_and_cfg_attr => "mod-raw-and-cfg-attr",
    multi_bin => "multi-bin",
    neg_clap_command => "neg-clap-command",
    neg_current_exe_path_only => "neg-current-exe-path-only",
    neg_no_spawn_lib_only_main => "neg-no-spawn-lib-only-main",
    neg_other_program => "neg-other-program",
    neg_print_argv0 => "neg-print-argv0",
    neg_sibling_binary => "neg-sibling-binary",
    own_arg_parser => "own-arg-parser",
    parse_error => "parse-error",
    procspawn_config_init => "procspawn-config-init",
    procspawn_init => "procspawn-init",
    procspawn_late_init => "procspawn-late-init",
    procspawn_macro => "procspawn-macro",
    procspawn_no_init => "procspawn-no-init",
    procspawn_own_source => "procspawn-own-source",
    procspawn_pool_no_init => "procspawn-pool-no-init",
    real_main_indirection => "real-main-indirection",
    recursion_other_arity => "recursion-other-arity",
    recursive_main => "recursive-main",
    select_branches => "select-branches",
    self_path_foreign_impl => "self-path-foreign-impl",
    self_spawn_in_macro => "self-spawn-in-macro",
    self_update_restart => "self-update-restart",
    sink_exec_unix => "sink-exec-unix",
    sink_libc_execv => "sink-libc-execv",
    sink_nix_execv => "sink-nix-execv",
    sink_shadowed_command => "sink-shadowed-command",
    sink_through_adapter => "sink-through-adapter",
    sink_tokio_command => "sink-tokio-command",
    sink_use_alias => "sink-use-alias",
    source_cow_tuple => "source-cow-tuple",
    source_argv0 => "source-argv0",
    source_argv0_adapters => "source-argv0-adapters",
    source_args_os_index => "source-args-os-index",
    source_clone_into => "source-clone-into",
    source_current_exe_guarded => "source-current-exe-guarded",
    source_helper_fn => "source-helper-fn",
    source_proc_self_exe => "source-proc-self-exe",
    source_struct_field => "source-struct-field",
    spawn_in_lib_unguarded => "spawn-in-lib-unguarded",
    table_in_lazy_static => "table-in-lazy-static",
    tauri_restart => "tauri-restart",
    tokio_main => "tokio-main",
    turbofish_handoff => "turbofish-handoff",
    typed_self_return => "typed-self-return",
    undecided_dynamic_marker => "undecided-dynamic-marker",
    unlinked_dependency => "unlinked-dependency",
    variant_from_branch => "variant-from-branch",
    variant_not_foreign_code => "variant-not-foreign-code",
}

#[test]
fn every_fixture_is_listed() {
    let mut dirs: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures/lint")
        .filter_map(std::result::Result::ok)
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let mut listed: Vec<String> = LISTED.iter().map(std::string::ToString::to_string).collect();
    listed.sort();
    assert_eq!(dirs, listed, "fixtures/lint and the list in tests/integration/fixtures.rs differ");
}
