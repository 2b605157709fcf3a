"""Parse an uploaded project list in a child process, so no file can take the bot's memory.

The spreadsheet readers run native code (python-calamine) on bytes a stranger can shape: one
value at XFD1048576 or one long string shared by a million cells asks for gigabytes, and a
failed native allocation aborts the whole process. So the bot never reads a file itself: a
child (``python -m import_worker``) with a hard memory cap (RLIMIT_AS) and a CPU cap reads and
parses it and sends the ImportResult back as JSON. When the child dies, the admin is told the
file is too large to read, and the bot, its event loop and its memory are untouched.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import time
import weakref
from pathlib import Path

from domain.import_errors import ImportFileError, Reason
from domain.import_result import ImportResult, from_json, to_json
from domain.project_import import parse_project_file
from domain.workbook_reader import RANGE_TOO_BIG

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent
MEMORY_LIMIT_BYTES = 280 * 1024 * 1024  # address space: peak RSS stays below 300 MB
CPU_LIMIT_S = 60
WALL_LIMIT_S = 90
PARALLEL = 1  # one reader at a time: the bot's extra memory is one child's at most

TOO_SLOW, FAILED = "too_slow", "failed"  # domain.import_errors codes

_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _slot() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in _slots:
        _slots[loop] = asyncio.Semaphore(PARALLEL)
    return _slots[loop]


async def parse_upload(filename: str, content: bytes, *, max_rows: int = 5000) -> ImportResult:
    """``parse_project_file`` in a capped child process.

    Raises:
        ImportFileError: the file is unreadable or too large (the reason says which).
    """
    header = json.dumps({"filename": filename, "max_rows": max_rows}).encode() + b"\n"
    started = time.monotonic()
    async with _slot():
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "import_worker",
            cwd=ROOT,
            env={**os.environ, "RUST_BACKTRACE": "0"},
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(process.communicate(header + content), WALL_LIMIT_S)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise ImportFileError(TOO_SLOW) from None
        except BaseException:
            if process.returncode is None:
                process.kill()
                await process.wait()
            raise
    if process.returncode != 0:
        raise ImportFileError(_failure(process.returncode, err))
    try:
        answer = json.loads(out)
        error, result = answer.get("error"), answer.get("result")
        refused = Reason.from_json(error) if error is not None else None
        parsed = from_json(result) if refused is None else None
    except (ValueError, KeyError, TypeError, AttributeError, AssertionError):
        log.warning("import worker answered something unreadable: %r", out[:200])
        raise ImportFileError(FAILED) from None
    log.info("read %d bytes in %.2f s, reader peak %s MB", len(content),
             time.monotonic() - started, answer.get("peak_mb"))  # fmt: skip
    if refused is not None:
        raise ImportFileError(refused.code, **refused.values)
    assert parsed is not None
    return parsed


def _failure(returncode: int | None, stderr: bytes) -> str:
    """The code of the admin's reason for a child that died, from how it died."""
    tail = stderr[-2000:].decode("utf-8", errors="replace")
    log.warning("import worker exited with %s: %s", returncode, tail.strip()[-500:])
    if returncode == -signal.SIGXCPU:
        return TOO_SLOW
    if returncode in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL) or "memory" in tail:
        return RANGE_TOO_BIG
    return FAILED


# --- the child ---------------------------------------------------------------------------


def _limit() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_S, CPU_LIMIT_S + 5))


def _peak_mb() -> int | None:
    """This process's peak RSS (VmHWM, which unlike ru_maxrss starts afresh at exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def main() -> None:
    """Read the header line and file from stdin, write {"result"} or {"error"} to stdout."""
    _limit()
    data = sys.stdin.buffer.read()
    line, _, content = data.partition(b"\n")
    request = json.loads(line)
    del data
    try:
        result = parse_project_file(request["filename"], content, max_rows=request["max_rows"])
        answer: dict[str, object] = {"result": to_json(result)}
    except ImportFileError as error:
        answer = {"error": error.reason.to_json()}
    except MemoryError:
        answer = {"error": Reason.of(RANGE_TOO_BIG).to_json()}
    answer["peak_mb"] = _peak_mb()
    sys.stdout.buffer.write(json.dumps(answer, ensure_ascii=False).encode())
    sys.stdout.flush()
    os._exit(0)  # skip freeing a large heap object by object


if __name__ == "__main__":
    main()
