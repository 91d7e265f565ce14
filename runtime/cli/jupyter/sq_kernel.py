"""The Jupyter kernel for sq (docs/jupyter.md).

Each kernel runs one `sqc --serve` process: one REPL session for the whole notebook. A cell is
sent as a JSON request on the process's standard input and its outputs come back as one JSON
reply on its standard output (the protocol is in docs/jupyter.md). This file only translates:
streams to stream messages, charts and values to display data, errors to error messages.

The interrupt button sends SIGINT to the kernel's process group, sqc included; the kernel also
passes a SIGINT it receives itself on to sqc (a front end may signal the kernel alone). sqc stops
the running cell and keeps the session.
"""

import json
import os
import signal
import subprocess

from ipykernel.kernelapp import IPKernelApp
from ipykernel.kernelbase import Kernel

VERSION = "0.1.0"


def _sqc_path():
    return os.environ.get("SQC_KERNEL_SQC") or "sqc"


def _chars(text, nbytes):
    """The number of characters in the first nbytes bytes of text's UTF-8 (Jupyter counts
    cursor positions in characters; sqc in bytes)."""
    return len(text.encode("utf-8")[:nbytes].decode("utf-8", "ignore"))


class SqKernel(Kernel):
    implementation = "sq"
    implementation_version = VERSION
    language = "sq"
    language_version = VERSION
    language_info = {
        "name": "sq",
        "version": VERSION,
        "mimetype": "text/x-sq",
        "file_extension": ".sq",
        "codemirror_mode": "sq",
        "pygments_lexer": "text",
    }
    help_links = []

    @property
    def banner(self):
        return "sq %s: Monte Carlo estimates (sqc --serve)" % VERSION

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._proc = None
        self._running = False
        self._buf = bytearray()
        self._start()

    # ---------- the sqc process ----------

    def _start(self):
        self._proc = subprocess.Popen(
            [_sqc_path(), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        self._buf = bytearray()
        hello = self._read()
        if not hello or not hello.get("ready"):
            raise RuntimeError("sqc --serve did not start: %r" % (hello,))
        self._hello = hello

    def _read(self):
        """One reply line from sqc, or None when it has ended."""
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buf:
            try:
                chunk = os.read(fd, 1 << 16)
            except InterruptedError:
                continue
            if not chunk:
                return None
            self._buf += chunk
        line, _, rest = bytes(self._buf).partition(b"\n")
        self._buf = bytearray(rest)
        return json.loads(line.decode("utf-8", "replace"))

    def _request(self, req):
        """Sends one request and waits for its reply; None when sqc has ended."""
        if self._proc.poll() is not None:
            return None
        try:
            self._proc.stdin.write((json.dumps(req) + "\n").encode("utf-8"))
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return None
        return self._read()

    # SIGINT while a request is handled: ipykernel's own handler would raise KeyboardInterrupt
    # wherever the kernel is (reading sqc's reply, sending the outputs) and lose the reply.
    # Here it is passed on to sqc while a cell runs, and ignored otherwise.
    def pre_handler_hook(self):
        self.saved_sigint_handler = signal.signal(signal.SIGINT, self._on_sigint)

    def post_handler_hook(self):
        signal.signal(signal.SIGINT, self.saved_sigint_handler)

    def _on_sigint(self, signum, frame):
        if self._running:
            try:
                self._proc.send_signal(signal.SIGINT)
            except OSError:
                pass

    def _ended(self):
        """sqc has ended (it crashed or was killed): start a fresh one and say so."""
        status = self._proc.wait()
        self._start()
        return (
            "the sq session ended (sqc exit status %s); a fresh session has started: "
            "run the earlier cells again" % status
        )

    # ---------- the messages ----------

    def _send(self, msg_type, content):
        self.send_response(self.iopub_socket, msg_type, content)

    def do_execute(self, code, silent, store_history=True, user_expressions=None, allow_stdin=False):
        self._running = True
        try:
            return self._execute(code, silent)
        finally:
            self._running = False

    def _execute(self, code, silent):
        name = "<cell %d>" % self.execution_count if not silent else "<cell>"
        reply = self._request({"op": "execute", "code": code, "name": name})
        if reply is None:
            why = self._ended()
            if not silent:
                self._send("error", {"ename": "SessionEnded", "evalue": why, "traceback": [why]})
            return {"status": "error", "execution_count": self.execution_count, "ename": "SessionEnded",
                    "evalue": why, "traceback": [why]}
        error = None
        for out in reply.get("outputs", []):
            kind = out.get("type")
            if kind == "error":
                error = out
                continue
            if silent:
                continue
            if kind == "stream":
                self._send("stream", {"name": out["name"], "text": out["text"]})
            elif kind == "display":
                data = {"image/svg+xml": out["svg"], "text/plain": out.get("text") or "<sq chart>"}
                self._send("display_data", {"data": data, "metadata": {}})
            elif kind == "value":
                self._send("execute_result", {"execution_count": self.execution_count,
                                              "data": {"text/plain": out["text"]}, "metadata": {}})
                if out.get("svg"):
                    self._send("display_data", {"data": {"image/svg+xml": out["svg"], "text/plain": out["text"]},
                                                "metadata": {}})
        status = reply.get("status")
        if status == "ok":
            return {"status": "ok", "execution_count": self.execution_count, "payload": [],
                    "user_expressions": {}}
        if status == "interrupted":
            content = {"ename": "KeyboardInterrupt", "evalue": "interrupted: the cell stopped, and the session "
                       "is as it was before it", "traceback": ["interrupted"]}
        else:
            text = (error or {}).get("text") or reply.get("message") or "error"
            content = {"ename": "Error",
                       "evalue": (error or {}).get("message", text.strip()),
                       "traceback": text.rstrip("\n").split("\n")}
        if not silent:
            self._send("error", content)
        return dict(content, status="error", execution_count=self.execution_count)

    def do_complete(self, code, cursor_pos):
        cursor = len(code[:cursor_pos].encode("utf-8"))
        reply = self._request({"op": "complete", "code": code, "cursor": cursor})
        if reply is None:
            self._ended()
            return {"status": "ok", "matches": [], "cursor_start": cursor_pos, "cursor_end": cursor_pos,
                    "metadata": {}}
        return {"status": "ok", "matches": reply["matches"], "cursor_start": _chars(code, reply["start"]),
                "cursor_end": _chars(code, reply["end"]), "metadata": {}}

    def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        cursor = len(code[:cursor_pos].encode("utf-8"))
        reply = self._request({"op": "inspect", "code": code, "cursor": cursor})
        if reply is None:
            self._ended()
            reply = {"found": False}
        data = {"text/plain": reply["text"]} if reply.get("found") else {}
        return {"status": "ok", "found": bool(reply.get("found")), "data": data, "metadata": {}}

    def do_is_complete(self, code):
        reply = self._request({"op": "is_complete", "code": code})
        status = reply["status"] if reply else "unknown"
        return {"status": status, "indent": "  "} if status == "incomplete" else {"status": status}

    def do_shutdown(self, restart):
        proc = self._proc
        if proc and proc.poll() is None:
            try:
                proc.stdin.close()
                proc.wait(timeout=2)
            except Exception:
                proc.kill()
                proc.wait()
        return {"status": "ok", "restart": restart}


if __name__ == "__main__":
    IPKernelApp.launch_instance(kernel_class=SqKernel)
