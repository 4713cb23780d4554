#!/usr/bin/env bash
# Builds goro's API reference with Doxygen (docs/Doxyfile) into build/docs/html and fails
# on any Doxygen warning, printing them and their count. Needs doxygen (1.9.4, Debian 12)
# and python3, both in scripts/install-deps.sh.
#   bash scripts/docs.sh               build; then open build/docs/html/index.html
#   bash scripts/docs.sh --filter F    (Doxygen's input filter, see docs/Doxyfile) prints
#                                      header F with its // comments made Doxygen's
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--filter" ]]; then
  exec python3 - "$2" <<'PY'
# The headers are written with plain // comments. This turns them into Doxygen comments
# without changing the files, and keeps the lines where they were as far as the blank
# lines allow (so that Doxygen's line numbers are the header's):
#   - a run of // lines outside a function body becomes /// (the file's first one the
#     file's documentation, with @file); inside a body it stays a plain comment;
#   - a trailing // after a member declaration becomes ///< (not after a forward
#     declaration, whose comment only says where the type is defined);
#   - lines indented further (tables, examples) become a verbatim @code{.unparsed} block;
#   - Doxygen's special characters (\ @ < > & # % $) are escaped, except in `code` and
#     "quoted text", which Doxygen leaves alone;
#   - namespace detail is hidden with @cond, except the classes that public classes
#     derive from (their members show up in the derived classes);
#   - the lines added (@file, @code, @cond) are paid back by dropping as many blank lines.
import re
import sys

SCOPE = re.compile(r'\b(namespace|class|struct|union|enum)\b')
FORWARD = re.compile(r'^\s*(struct|class|union)\s+\w+\s*;')
DETAIL = re.compile(r'^\s*namespace\s+detail\s*\{')
# Classes of namespace detail that public classes derive from: documented, so that their
# members show up in the derived classes (chan's size() and capacity()).
PUBLIC_BASES = re.compile(r'^\s*class\s+(chan_handle)\b')


def split_code_comment(line):
    """(code, comment): comment is the text after the first // outside literals, or None."""
    i, n, quote = 0, len(line), None
    while i < n:
        c = line[i]
        if quote:
            if c == '\\':
                i += 2
                continue
            if c == quote:
                quote = None
        elif c == '"' or (c == "'" and not (0 < i < n - 1 and line[i - 1].isalnum() and line[i + 1].isalnum())):
            quote = c  # (a ' between digits is a digit separator)
        elif line.startswith('//', i):
            return line[:i], line[i + 2:]
        elif line.startswith('/*', i):
            end = line.find('*/', i + 2)
            if end < 0:
                return line, None
            i = end + 2
            continue
        i += 1
    return line, None


def escape(text):
    """Escapes Doxygen's special characters, except in `code spans` and "quoted text"
    (which Doxygen leaves alone)."""
    parts = re.split(r'(`[^`]*`|"[^"]*")', text)
    return ''.join(p if k % 2 else re.sub(r'([\\@<>&#%$])', r'\\\1', p) for k, p in enumerate(parts))


def code_of(line):
    if line.lstrip().startswith('#'):
        return ''
    return split_code_comment(line)[0]


def closing_line(lines, i):
    """The line whose } closes the first { opened on line i."""
    depth = 0
    for j in range(i, len(lines)):
        for ch in code_of(lines[j]):
            if ch == '{':
                depth += 1
            elif ch == '}':
                depth -= 1
                if depth == 0:
                    return j
    return len(lines) - 1


def detail_sections(lines):
    """Where to hide namespace detail from Doxygen: (lines to end @cond before, lines
    to start it after)."""
    off_before, on_after = set(), set()
    for i, line in enumerate(lines):
        if not DETAIL.match(line):
            continue
        j = closing_line(lines, i)
        on_after.add(i)
        off_before.add(j)
        for k in range(i + 1, j):
            if PUBLIC_BASES.match(lines[k]):
                s = k
                while s - 1 > i and re.match(r'^\s*(template\b|//)', lines[s - 1]):
                    s -= 1
                off_before.add(s)
                on_after.add(closing_line(lines, k))
    return off_before, on_after


def filter_header(text):
    newline = text.endswith('\n')
    lines = (text[:-1] if newline else text).split('\n')
    off_before, on_after = detail_sections(lines)
    out = []
    scopes = []    # per open brace: True for a namespace/class/struct/enum body
    pending = ''   # code since the last ; { or }
    block = []     # full-line comments not written yet: (indent, text after //)
    debt = 0       # lines added so far, paid back by dropping blank lines
    first = True

    def in_body():
        return not all(scopes)

    def flush():
        nonlocal first, debt
        if not block:
            return
        if in_body():  # a comment inside a function: not documentation
            out.extend(ind + '//' + t for ind, t in block)
        else:
            ind0 = block[0][0]
            res = [ind0 + '/// @file'] if first and not out else []
            code = False
            for ind, t in block:
                t = t[1:] if t.startswith(' ') else t
                pre = t.startswith('  ') or '\t' in t  # an indented table or example
                if pre and not code:
                    res.append(ind + '/// @code{.unparsed}')
                    code = True
                elif code and not pre and t.strip():
                    res.append(ind + '/// @endcode')
                    code = False
                res.append((ind + '/// ' + (t if code else escape(t))).rstrip())
            if code:
                res.append(ind0 + '/// @endcode')
            debt += len(res) - len(block)
            out.extend(res)
        first = False
        block.clear()

    def marker(text):
        nonlocal debt
        flush()
        out.append(text)
        debt += 1

    for n, line in enumerate(lines):
        if n in off_before:
            marker('/** @endcond */')
        m = re.match(r'^(\s*)//(.*)$', line)
        if m:
            block.append((m.group(1), m.group(2)))
        else:
            flush()
            if not line.strip() and debt > 0:
                debt -= 1  # keeps the line numbers of what follows
                continue
            code, comment = split_code_comment(line)
            if code.lstrip().startswith('#'):
                out.append(line)
                continue
            was_in_body = in_body()
            for ch in code:
                if ch == '{':
                    scopes.append(bool(SCOPE.search(pending)) and not re.search(r'[(=]', pending))
                    pending = ''
                elif ch == '}':
                    if scopes:
                        scopes.pop()
                    pending = ''
                elif ch == ';':
                    pending = ''
                else:
                    pending += ch
            c = code.rstrip()
            member = c[-1:] in (';', ',') or (c.endswith('}') and '{' in c)  # (an inline body)
            if (comment is not None and member and not was_in_body and not in_body()
                    and not c.lstrip().startswith('}') and not FORWARD.match(c)):
                out.append(c + '  ///< ' + escape(comment.strip()))  # a member's trailing comment
            else:
                out.append(line)
        if n in on_after:
            marker('/** @cond GORO_DETAIL */')
    flush()
    return '\n'.join(out) + ('\n' if newline else '')


sys.stdout.write(filter_header(open(sys.argv[1], encoding='utf-8').read()))
PY
fi

command -v doxygen >/dev/null || { echo "docs.sh: doxygen not found (bash scripts/install-deps.sh)" >&2; exit 1; }
start_ns=$(date +%s%N)
# Doxygen ignores a filter that fails (the header would just come out empty, with no
# warning): run it on every header first.
for h in include/goro/*.hpp; do
  filtered=$(bash scripts/docs.sh --filter "$h") || { echo "docs.sh: the filter failed on $h" >&2; exit 1; }
  [[ -n $filtered ]] || { echo "docs.sh: the filter printed nothing for $h" >&2; exit 1; }
done
rm -rf build/docs
mkdir -p build/docs
status=0
doxygen docs/Doxyfile || status=$?
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))
log=build/docs/warnings.log
warnings=0
if [[ -s $log ]]; then
  cat "$log" >&2
  warnings=$(grep -cE '(warning|error):' "$log" || true)
  ((warnings > 0)) || warnings=1  # something was logged: count it
fi
printf 'docs.sh: doxygen %s, %d warning(s), %d.%d s\n' "$(doxygen --version)" "$warnings" \
  $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100))
if ((status != 0 || warnings > 0)); then
  echo "docs.sh: FAILED" >&2
  exit 1
fi
echo "docs.sh: build/docs/html/index.html"
