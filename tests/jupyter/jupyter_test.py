"""The Jupyter kernel `sq`, end to end (docs/jupyter.md): run by ctest when Jupyter was found at
configure time. Every case runs against the kernel spec installed by `cmake --install` into a
temporary prefix (the `install` case), found through JUPYTER_PATH.

  jupyter_test.py install PREFIX BUILD   cmake --install BUILD --prefix PREFIX; the spec is listed
  jupyter_test.py notebook PREFIX        a fresh notebook of every feature, run headless, checked
  jupyter_test.py examples PREFIX SRC    examples/notebooks/*.ipynb run headless; their printed text
                                         is what `sqc` prints for the .sq scripts beside them
  jupyter_test.py interrupt PREFIX       through jupyter-client: a long cell stopped, the session kept
"""

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time

import nbformat
from nbformat.v4 import new_code_cell, new_notebook


def env_for(prefix):
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # Python 3.11's debugger notice on every start
    env.setdefault("JUPYTER_RUNTIME_DIR", tempfile.mkdtemp(prefix="sq-jupyter-runtime-"))
    return env


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def execute(path, prefix, timeout=300):
    """jupyter nbconvert --to notebook --execute, as a user runs it; the executed notebook."""
    out = os.path.splitext(os.path.basename(path))[0] + ".out.ipynb"
    cmd = ["jupyter", "nbconvert", "--to", "notebook", "--execute", path, "--output", out,
           "--ExecutePreprocessor.timeout=%d" % timeout]
    r = subprocess.run(cmd, env=env_for(prefix), capture_output=True, text=True)
    if r.returncode != 0:
        fail("%s failed (%d):\n%s%s" % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
    return nbformat.read(os.path.join(os.path.dirname(path), out), as_version=4)


def install(prefix, build):
    shutil.rmtree(prefix, ignore_errors=True)
    cmake = os.environ.get("CMAKE", "cmake")
    r = subprocess.run([cmake, "--install", build, "--prefix", prefix], capture_output=True, text=True)
    check(r.returncode == 0, "cmake --install failed:\n" + r.stdout + r.stderr)
    spec = os.path.join(prefix, "share", "jupyter", "kernels", "sq", "kernel.json")
    with open(spec) as f:
        kernel = json.load(f)
    check(kernel["display_name"] == "sq", "display_name: %r" % kernel["display_name"])
    check(kernel["env"]["SQC_KERNEL_SQC"] == os.path.join(os.path.abspath(prefix), "bin", "sqc"),
          "the spec names the installed sqc: %r" % kernel["env"])
    r = subprocess.run(["jupyter", "kernelspec", "list", "--json"], env=env_for(prefix), capture_output=True,
                       text=True)
    check(r.returncode == 0, "jupyter kernelspec list failed: " + r.stderr)
    specs = json.loads(r.stdout)["kernelspecs"]
    check("sq" in specs, "sq is not in jupyter kernelspec list: %s" % sorted(specs))
    print("installed: " + specs["sq"]["resource_dir"])


def outputs_of(cell):
    return [dict(o) for o in cell.get("outputs", [])]


def texts(cell, kind="stream"):
    return "".join(o.get("text", "") for o in outputs_of(cell) if o["output_type"] == kind)


def notebook(prefix):
    work = tempfile.mkdtemp(prefix="sq-notebook-")
    cells = [
        # 0: values, print, and a table with format
        "set seed = 1\nchips = 1.26M to 1.54M\nprint(\"made:\", mean(chips) > 1M)\n"
        "for q in [[\"Q1 2024\", 6743.2], [\"Q2 2024\", 25939]] {\n"
        "  print(format(\"{:<12} {:>12,.0f}\", q[0], q[1]))\n}\nchips",
        # 1: hist inline
        "hist(chips, bins=5)",
        # 2: plot inline, and its file
        "plot(chips, \"plots/chips.svg\", title=\"chips\")\nplot(chips)",
        # 3: an error with its place and caret
        "share = norm(0.15, 0.30)\nbad = share * nothing",
        # 4: the session goes on: an earlier binding, and nothing of the failed cell but what ran
        "mean(chips) > 1M and mean(share) > 0.2",
        # 5: magics and commands
        "%samples 1K\nlen(samples_of(chips))\n:seed 3\n:samples",
        # 6: a string value, a record
        "{name: \"x\", n: len(samples_of(share))}",
    ]
    nb = new_notebook(cells=[new_code_cell(c) for c in cells],
                      metadata={"kernelspec": {"name": "sq", "display_name": "sq", "language": "sq"}})
    nb.cells[3].metadata["tags"] = ["raises-exception"]  # the run goes on past it
    path = os.path.join(work, "features.ipynb")
    nbformat.write(nb, path)
    t0 = time.time()
    done = execute(path, prefix)
    print("executed in %.1f s" % (time.time() - t0))
    check(done.metadata.get("language_info", {}).get("name") == "sq", "language_info: %r" %
          done.metadata.get("language_info"))
    c = done.cells

    out = texts(c[0])
    check("made: true\n" in out, "print goes to the cell's stdout: %r" % out)
    check("Q1 2024             6,743\nQ2 2024            25,939\n" in out, "format keeps its alignment: %r" % out)
    results = [o for o in outputs_of(c[0]) if o["output_type"] == "execute_result"]
    check(len(results) == 1 and re.match(r"mean 1\.\d+M, 90% CI 1\.2\dM to 1\.5\dM", results[0]["data"]["text/plain"]),
          "the last value as the summary: %r" % results)
    svgs = [o for o in outputs_of(c[0]) if o["output_type"] == "display_data" and "image/svg+xml" in o["data"]]
    check(len(svgs) == 1 and "<svg" in svgs[0]["data"]["image/svg+xml"], "a samples value has an inline SVG histogram")

    shown = [o for o in outputs_of(c[1]) if o["output_type"] == "display_data"]
    check(len(shown) == 1 and "<svg" in shown[0]["data"]["image/svg+xml"], "hist shows inline as SVG: %r" % shown)
    check("\u2502" in shown[0]["data"]["text/plain"] and "p50" in shown[0]["data"]["text/plain"],
          "hist's text is the display's text/plain")
    check(texts(c[1]) == "", "hist writes no stream text in a notebook")

    shown = [o for o in outputs_of(c[2]) if o["output_type"] == "display_data"]
    check(len(shown) == 2 and all("<svg" in o["data"]["image/svg+xml"] for o in shown), "plot shows inline")
    check(">chips</text>" in shown[0]["data"]["image/svg+xml"], "plot's title in its SVG")
    check(os.path.getsize(os.path.join(work, "plots", "chips.svg")) > 1000, "plot with a path writes the file")

    errs = [o for o in outputs_of(c[3]) if o["output_type"] == "error"]
    check(len(errs) == 1, "the error cell has an error output: %r" % outputs_of(c[3]))
    tb = "\n".join(errs[0]["traceback"])
    check(tb == "<cell 4>:2:15: error: unknown name 'nothing'\nbad = share * nothing\n              ^~~~~~~",
          "the error with file, line, column and caret: %r" % tb)
    check(errs[0]["evalue"] == "unknown name 'nothing'", "evalue: %r" % errs[0]["evalue"])

    results = [o for o in outputs_of(c[4]) if o["output_type"] == "execute_result"]
    check(results and results[0]["data"]["text/plain"] == "true",
          "a later cell reads earlier bindings (share ran before the error): %r" % outputs_of(c[4]))

    out = texts(c[5])
    check(out.startswith("samples = 1000 (re-ran the session's") and "samples = 1000, seed = 3\n" in out,
          "%%samples and :seed: %r" % out)
    results = [o for o in outputs_of(c[5]) if o["output_type"] == "execute_result"]
    check(results and results[0]["data"]["text/plain"] == "1000", "the draws follow %%samples: %r" % results)

    results = [o for o in outputs_of(c[6]) if o["output_type"] == "execute_result"]
    check(results and results[0]["data"]["text/plain"] == '{name: "x", n: 1000}', "a record value: %r" % results)
    shutil.rmtree(work)
    print("ok: values, print, format, hist, plot, inline SVG, error and caret, later binding, magics")


# The REPL's notes when a setting changes (`seed = 42`): a script prints none.
SETTING_NOTE = re.compile(r"^(samples|seed) = \d+( \(.*\))?\n", re.M)


def printed(nb):
    """What a notebook printed, in order: its stream text and hist's text."""
    parts = []
    for cell in nb.cells:
        for o in outputs_of(cell):
            if o["output_type"] == "stream" and o["name"] == "stdout":
                parts.append(o["text"])
            elif o["output_type"] == "display_data" and "\u2502" in o["data"].get("text/plain", ""):
                parts.append(o["data"]["text/plain"])  # hist's text
            elif o["output_type"] in ("error", "execute_result"):
                fail("unexpected %s output in an example notebook: %r" % (o["output_type"], o))
    return SETTING_NOTE.sub("", "".join(parts))


def examples(prefix, src):
    folder = os.path.join(src, "examples", "notebooks")
    names = sorted(n[:-6] for n in os.listdir(folder) if n.endswith(".ipynb"))
    check(names == ["trainium2_stock", "trainium2_timeline"], "the example notebooks: %r" % names)
    sqc = os.path.join(prefix, "bin", "sqc")
    for name in names:
        work = tempfile.mkdtemp(prefix="sq-example-")
        shutil.copy(os.path.join(folder, name + ".ipynb"), work)
        t0 = time.time()
        nb = execute(os.path.join(work, name + ".ipynb"), prefix)
        took = time.time() - t0
        check(nb.metadata["kernelspec"]["name"] == "sq", "%s uses the sq kernel" % name)
        check(any(c.cell_type == "markdown" for c in nb.cells), "%s keeps its markdown cells" % name)
        script_dir = tempfile.mkdtemp(prefix="sq-script-")
        r = subprocess.run([sqc, os.path.join(src, "examples", name + ".sq")], cwd=script_dir,
                           capture_output=True, text=True)
        check(r.returncode == 0, "sqc %s.sq: %s" % (name, r.stderr))
        got = printed(nb)
        if got != r.stdout:
            import difflib
            diff = "".join(difflib.unified_diff(r.stdout.splitlines(True), got.splitlines(True),
                                                "sqc examples/%s.sq" % name, "the notebook"))
            fail("%s.ipynb prints other text than %s.sq:\n%s" % (name, name, diff))
        for f in ("plots", "csv_export"):
            mine, theirs = os.path.join(work, f), os.path.join(script_dir, f)
            check(os.path.isdir(mine) == os.path.isdir(theirs), "%s: %s/ as the script writes it" % (name, f))
        print("ok: %s.ipynb (%.1f s) prints what %s.sq prints (%d lines)" % (name, took, name, got.count("\n")))
        shutil.rmtree(work)
        shutil.rmtree(script_dir)


def interrupt(prefix):
    os.environ.update(env_for(prefix))
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="sq")
    try:
        def run(code, timeout=60):
            msg_id = kc.execute(code)
            reply = kc.get_shell_msg(timeout=timeout)
            while reply["parent_header"].get("msg_id") != msg_id:
                reply = kc.get_shell_msg(timeout=timeout)
            outs = []
            while True:
                m = kc.get_iopub_msg(timeout=timeout)
                if m["parent_header"].get("msg_id") != msg_id:
                    continue
                if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                    break
                if m["msg_type"] in ("stream", "execute_result", "display_data", "error"):
                    outs.append(m)
            return reply["content"], outs

        reply, _ = run("x = 41")
        check(reply["status"] == "ok", "x = 41: %r" % reply)
        # a long cell: it binds, then loops for minutes
        msg_id = kc.execute("y = 1\ni = 0\nwhile true { i += 1 }")
        time.sleep(1.5)
        t0 = time.time()
        reply = None
        for _ in range(60):  # press until it stops: a press before the cell has begun stops nothing
            km.interrupt_kernel()
            try:
                reply = kc.get_shell_msg(timeout=0.5)
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        took = time.time() - t0
        check(reply is not None and reply["parent_header"].get("msg_id") == msg_id, "no reply after the interrupt")
        check(reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt",
              "the interrupted cell: %r" % reply["content"])
        # As after any error (IPython's kernel does the same), ipykernel aborts the requests that
        # reach it before it has flushed its queue: its "stop aborting" event is scheduled on the
        # event loop and can land after the cell's idle status. An aborted request never ran, so
        # it is sent again, as a user presses Run again; it must not stay aborted.
        while True:
            m = kc.get_iopub_msg(timeout=30)
            if (m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status"
                    and m["content"]["execution_state"] == "idle"):
                break
        for sent in range(1, 51):
            reply, outs = run("x + 1")
            if reply["status"] != "aborted":
                break
            time.sleep(0.1)
        results = [m["content"]["data"]["text/plain"] for m in outs if m["msg_type"] == "execute_result"]
        check(reply["status"] == "ok" and results == ["42"], "after the interrupt, x is still there: %r %r" %
              (reply, outs))
        reply, outs = run("y")
        errs = [m["content"]["traceback"] for m in outs if m["msg_type"] == "error"]
        check(reply["status"] == "error" and errs and "unknown name 'y'" in errs[0][0],
              "nothing of the stopped cell stays: %r" % outs)
        # Tab and Shift-Tab through the kernel
        kc.complete("print(x", 7)
        reply = kc.get_shell_msg(timeout=30)["content"]
        check("x" in reply["matches"] and reply["cursor_start"] == 6, "Tab: %r" % reply)
        kc.inspect("norm(1, ", 8)
        reply = kc.get_shell_msg(timeout=30)["content"]
        check(reply["found"] and reply["data"]["text/plain"].startswith("norm("), "Shift-Tab: %r" % reply)
        print("ok: interrupted in %.2f s; the session kept x (asked %d time(s)) and dropped the stopped cell's y; "
              "Tab, Shift-Tab" % (took, sent))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    what, prefix = sys.argv[1], os.path.abspath(sys.argv[2])
    if what == "install":
        install(prefix, sys.argv[3])
    elif what == "notebook":
        notebook(prefix)
    elif what == "examples":
        examples(prefix, os.path.abspath(sys.argv[3]))
    elif what == "interrupt":
        interrupt(prefix)
    else:
        fail("unknown case " + what)
