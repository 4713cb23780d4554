# goro's gdb helper: lists goroutines and shows the backtrace of a parked one, on a
# live (stopped) process or a core file. Load it with
#     (gdb) source tools/gdb/goro-gdb.py
# then
#     (gdb) info goroutines          every goroutine: id, state, wait reason, creation site
#     (gdb) goroutine 7 bt           the backtrace of goroutine 7 (any gdb command works:
#                                    `goroutine 7 info registers`, `goroutine 7 frame 2`)
# It reads the runtime's registry of control blocks (goro::detail::the_scheduler->all_),
# so the goro library must carry debug information (it is built with -g). A waiting or
# runnable goroutine's registers are in its saved Boost.Context frame (x86-64 SysV: R12,
# R13, R14, R15, RBX, RBP at +0x08..+0x30, the return address at +0x38, RSP = frame +
# 0x40); `goroutine N cmd` loads them into the selected thread, runs cmd, and puts the
# thread's own registers back (Go's runtime-gdb.py does the same). A running
# goroutine is on a thread: use `thread apply all bt` for those.
import gdb

_STATES = {0: "free", 1: "runnable", 2: "running", 3: "waiting", 4: "dead"}
_REGS = [("r12", 0x08), ("r13", 0x10), ("r14", 0x18), ("r15", 0x20), ("rbx", 0x28), ("rbp", 0x30)]


def _atomic(v):
    """The value inside a libstdc++ std::atomic<T> (integral, enum or pointer)."""
    for path in (("_M_i",), ("_M_b", "_M_p"), ("_M_base", "_M_i")):
        try:
            x = v
            for f in path:
                x = x[f]
            return x
        except gdb.error:
            continue
    return v


def _cstr(p):
    try:
        return p.string() if int(p) else "?"
    except gdb.error:
        return "?"


def _goroutines():
    sched = _atomic(gdb.parse_and_eval("goro::detail::the_scheduler"))
    if int(sched) == 0:
        return
    g = _atomic(sched.dereference()["all_"])
    while int(g):
        yield g.dereference()
        g = g.dereference()["all_next"]


def _live(g):
    return int(_atomic(g["state"])) in (1, 2, 3)


def _reason(g):
    r = _atomic(g["reason"])
    name = str(r).split("::")[-1]
    return name.replace("_", " ")


def _find(goid):
    for g in _goroutines():
        if int(_atomic(g["id"])) == goid and _live(g):
            return g
    return None


class InfoGoroutines(gdb.Command):
    """info goroutines: every live goroutine with its state, wait reason and creation site."""

    def __init__(self):
        super().__init__("info goroutines", gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        rows = []
        for g in _goroutines():
            if not _live(g):
                continue
            st = int(_atomic(g["state"]))
            what = _STATES.get(st, str(st))
            if st == 3:
                what += " (" + _reason(g) + ")"
            rows.append((int(_atomic(g["id"])), what, _cstr(_atomic(g["site_function"])),
                         _cstr(_atomic(g["site_file"])), int(_atomic(g["site_line"]))))
        for goid, what, fn, file, line in sorted(rows):
            gdb.write("  %d  %s  created by %s at %s:%d\n" % (goid, what, fn, file, line))


class GoroutineCmd(gdb.Command):
    """goroutine N CMD: runs gdb command CMD (e.g. bt) in goroutine N's saved context."""

    def __init__(self):
        super().__init__("goroutine", gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        parts = arg.split(None, 1)
        if len(parts) != 2:
            raise gdb.GdbError("usage: goroutine N CMD")
        g = _find(int(parts[0]))
        if g is None:
            raise gdb.GdbError("no live goroutine %s" % parts[0])
        if int(_atomic(g["state"])) == 2:
            raise gdb.GdbError("goroutine %s is running on a thread: use `thread apply all bt`" % parts[0])
        ctx = int(g["ctx"])
        if ctx == 0:
            raise gdb.GdbError("goroutine %s has not run yet: no stack" % parts[0])
        u64 = gdb.lookup_type("unsigned long").pointer()
        def word(off):
            return int(gdb.Value(ctx + off).cast(u64).dereference())
        gdb.execute("select-frame 0")
        saved = {r: int(gdb.parse_and_eval("$" + r)) for r in ("rip", "rsp") + tuple(n for n, _ in _REGS)}
        try:
            for name, off in _REGS:
                gdb.execute("set $%s = %d" % (name, word(off)))
            gdb.execute("set $rsp = %d" % (ctx + 0x40))
            gdb.execute("set $rip = %d" % word(0x38))
            gdb.execute(parts[1], from_tty)
        finally:
            gdb.execute("select-frame 0")
            for name, value in saved.items():
                gdb.execute("set $%s = %d" % (name, value))


InfoGoroutines()
GoroutineCmd()
