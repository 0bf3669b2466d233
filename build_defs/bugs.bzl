"""with_bugs_test: a test built with the injected bugs compiled in.

The program (a cc_binary or sh_binary) and everything it depends on,
its data included, are built as under --config=bugs (-DRMAP_BUGS, see
.bazelrc and bugs/bugs.h), by a Starlark transition on --copt, inside any
`bazel test` of the workspace: `./rmapfuzz test` runs it with the others,
under whatever config it was given (ASan + UBSan).  The transition adds
its own directory to the outputs (bazel-out/...-ST-<hash>), so the default
build and this one never overwrite each other.

Usage:

    load("//build_defs:bugs.bzl", "with_bugs_test")
    with_bugs_test(name = "suite_test", program = ":suite", size = "small")
"""

def _with_bugs(settings, attr):
    copts = settings["//command_line_option:copt"]
    if "-DRMAP_BUGS" in copts:
        return {"//command_line_option:copt": copts}
    return {"//command_line_option:copt": copts + ["-DRMAP_BUGS"]}

_bugs_transition = transition(
    implementation = _with_bugs,
    inputs = ["//command_line_option:copt"],
    outputs = ["//command_line_option:copt"],
)

def _with_bugs_test_impl(ctx):
    program = ctx.attr.program[0][DefaultInfo]
    exe = program.files_to_run.executable
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = out, target_file = exe, is_executable = True)
    runfiles = ctx.runfiles(files = [exe]).merge(program.default_runfiles)
    return [DefaultInfo(executable = out, runfiles = runfiles)]

with_bugs_test = rule(
    implementation = _with_bugs_test_impl,
    test = True,
    attrs = {
        "program": attr.label(
            cfg = _bugs_transition,
            executable = True,
            mandatory = True,
            doc = "the test program, built with the bugs compiled in",
        ),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
    doc = "A test whose program is built as under --config=bugs.",
)
