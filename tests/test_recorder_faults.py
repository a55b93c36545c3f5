"""Issue 8, faults 1-4 for the recording: each injected fault loses nothing already captured.

1. SIGKILL mid-take: the WAV is readable, repaired at the next start, the attempt recovered.
2. The stream stops delivering / delivers only silence: the watchdog says so, the file is kept.
3. A slow disk: blocks are dropped and counted, the queue stays bounded.
4. Disk full (RLIMIT_FSIZE): a clear error, a readable file, earlier attempts untouched.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest
import soundfile

from coach.audio.recorder import Recorder
from coach.audio.sources import FileSource, SilenceSource, StallingSource
from coach.audio.wavfile import WavWriter
from coach.core.attempts import find_attempt, iter_attempts, new_attempt
from coach.core.history import open_history
from coach.recovery import recover_interrupted
from tests.support import audio
from tests.support.audio import (
    COACH,
    dead_pid,
    pyav_samples,
    read_wave,
    recorded_s,
    recording_of,
    wait_for,
)

answer_fixture = audio.answer_fixture
long_answer_fixture = audio.long_answer_fixture
pulse_fixture = audio.pulse_fixture


# ---------------------------------------------------------------------- 1. SIGKILL


def kill_mid_take(audio_file: Path, home: Path) -> tuple[Path, float, int]:
    """Start ``coach record`` on a real-time source, SIGKILL it after ~2.5 s of audio.

    ``audio_file`` is long (~50 s) so the take is still recording when the kill lands, however
    slowly this test gets the CPU."""
    proc = subprocess.Popen(
        [*COACH, "record", "--file", str(audio_file), "--seconds", "60", "--home", str(home)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        wav = wait_for(lambda: recording_of(home))
        wait_for(lambda: recorded_s(wav) >= 2.5)
        on_disk_s = recorded_s(wav)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    return wav, on_disk_s, proc.pid


def test_sigkill_mid_take_is_recovered_with_all_but_the_last_second(
    long_answer: Path, coach_home: Path
) -> None:
    wav, on_disk_s, pid = kill_mid_take(long_answer, coach_home)
    [attempt] = iter_attempts(coach_home)
    assert attempt.state == "recording" and attempt.extra["pid"] == pid
    # even before any repair, the header written while recording covers all but ~0.5 s
    with wave.open(str(wav)) as w:
        assert w.getnframes() / 16000 >= on_disk_s - 1.0

    [recovered] = recover_interrupted(coach_home)
    assert recovered.id == attempt.id and recovered.state == "recovered"
    assert find_attempt(coach_home, attempt.id).state == "recovered"
    with open_history(coach_home) as history:  # the history agrees with the folder
        assert history.get(attempt.id)["state"] == "recovered"
    assert recovered.recording_s >= on_disk_s
    kept = read_wave(wav)
    assert len(kept) / 16000 == pytest.approx(recovered.recording_s, abs=1e-3)
    np.testing.assert_array_equal(kept, read_wave(long_answer)[: len(kept)])
    assert soundfile.info(str(wav)).frames == len(kept)
    assert pyav_samples(wav) == len(kept)
    from coach.audio.decode import decode_audio

    assert len(decode_audio(wav)) == pytest.approx(len(kept), abs=160)
    assert recover_interrupted(coach_home) == []  # idempotent: nothing left to recover


def test_a_take_still_recording_in_a_live_process_is_left_alone(coach_home: Path) -> None:
    attempt = new_attempt(coach_home, None, state="recording", extra={"pid": os.getpid()})
    WavWriter(attempt.recording_path, 16000).close()
    assert recover_interrupted(coach_home) == []
    assert find_attempt(coach_home, attempt.id).state == "recording"


def test_a_take_killed_while_being_analysed_is_recovered(coach_home: Path,
                                                          answer: Path) -> None:
    attempt = new_attempt(coach_home, None, state="analysing", extra={"pid": dead_pid()})
    with WavWriter(attempt.recording_path, 16000) as writer:
        writer.write(read_wave(answer))
    imported = new_attempt(coach_home, None, state="analysing", source="import")
    [changed] = recover_interrupted(coach_home)
    assert changed.id == attempt.id and changed.state == "recovered"
    assert changed.recording_s == pytest.approx(len(read_wave(answer)) / 16000, abs=1e-3)
    assert find_attempt(coach_home, imported.id).state == "analysing"  # not ours to touch


def test_a_take_killed_before_its_file_existed_is_marked_failed(coach_home: Path) -> None:
    attempt = new_attempt(coach_home, None, state="recording", extra={"pid": dead_pid()})
    [changed] = recover_interrupted(coach_home)
    assert changed.id == attempt.id and changed.state == "failed"
    assert "interrupted" in (changed.error or "")


@pytest.mark.slow
def test_a_recovered_take_can_be_analysed(long_answer: Path, coach_home: Path,
                                          transcriber) -> None:
    kill_mid_take(long_answer, coach_home)
    [attempt] = recover_interrupted(coach_home)
    from coach.cli.common import open_context
    from coach.pipeline import analyze_attempt

    ctx = open_context(argparse.Namespace(home=str(coach_home), prompts_dir=None))
    attempt, analysis = analyze_attempt(ctx, attempt, None, transcriber=transcriber)
    assert attempt.state == "recovered"
    assert "b-tree" in analysis.transcript.lower() or "index" in analysis.transcript.lower()
    assert json.loads(attempt.analysis_path.read_text())["duration_s"] > 2.0


# ---------------------------------------------------------------------- 2. watchdog


@pytest.mark.parametrize(
    ("then", "says"),
    [("stall", "stopped sending audio"), ("die", "input stream stopped")],
)
def test_stream_that_stops_delivering_is_reported_and_kept(
    answer: Path, tmp_path: Path, then: str, says: str
) -> None:
    problems: list[str] = []
    out = tmp_path / "stalled.wav"
    recorder = Recorder(out, source=StallingSource(answer, stall_after_s=1.0, then=then),
                        on_problem=problems.append)
    recorder.start()
    wait_for(lambda: problems)
    result = recorder.stop()
    assert len(problems) == 1 and says in problems[0]
    assert result.problems == problems
    assert recorder.done.is_set() == (then == "die")  # a dead stream ends the take at once
    kept = read_wave(out)
    assert result.duration_s == len(kept) / 16000 == 1.0
    np.testing.assert_array_equal(kept, read_wave(answer)[:16000])


class LosingCallbacks(FileSource):
    """A live stream that silently loses every other callback (a writer blocking the callback,
    an overloaded machine): no overflow flag, so only counting frames against the clock tells."""

    paced_by_clock = True

    def blocks(self, recorder: Recorder):
        self.realtime = False  # paced here instead: every block's time passes, delivered or not
        for index, block in enumerate(super().blocks(recorder)):
            self._stop.wait(len(block) / recorder.rate)
            if index % 2 == 0:
                yield block


def test_callbacks_lost_without_a_flag_are_noticed_against_the_clock(
    long_answer: Path, tmp_path: Path
) -> None:
    problems: list[str] = []  # a long file: it cannot end before the loss adds up to LOSS_S
    recorder = Recorder(tmp_path / "lossy.wav", source=LosingCallbacks(long_answer),
                        on_problem=problems.append)
    recorder.start()
    wait_for(lambda: problems)
    recorder.stop()
    assert len(problems) == 1 and "Audio is being lost" in problems[0]


def test_only_silence_is_reported_and_kept(tmp_path: Path) -> None:
    problems: list[str] = []
    out = tmp_path / "muted.wav"
    recorder = Recorder(out, source=SilenceSource(4.0, realtime=False),
                        on_problem=problems.append)
    recorder.start()
    assert recorder.wait(audio.WAIT_S)
    result = recorder.stop()
    assert len(problems) == 1 and "Only silence" in problems[0] and "muted" in problems[0]
    assert result.duration_s == 4.0 and len(read_wave(out)) == 64000


# ---------------------------------------------------------------------- 3. slow disk


def test_slow_writer_drops_and_counts_blocks_with_a_bounded_queue(
    answer: Path, tmp_path: Path
) -> None:
    problems: list[str] = []
    out = tmp_path / "slow.wav"
    recorder = Recorder(out, source=FileSource(answer, realtime=True), max_seconds=2.0,
                        queue_seconds=0.25, on_problem=problems.append)
    recorder.writer_delay_s = 0.2  # the disk takes 4x real time per block
    depths: list[int] = []
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            depths.append(recorder._queue.qsize())
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    recorder.start()
    sampler.start()
    assert recorder.wait(audio.WAIT_S)
    result = recorder.stop()
    sampling.set()
    sampler.join()
    assert max(depths) <= recorder.queue_maxsize == 5
    assert result.dropped_blocks > 10
    written = len(read_wave(out))
    assert written == (40 - result.dropped_blocks) * 800  # 2 s = 40 blocks, the rest dropped
    assert any("not keeping up" in p for p in problems)
    assert any(f"{result.dropped_blocks} audio blocks" in p for p in result.problems)


# ---------------------------------------------------------------------- 4. disk full


def limit_file_size(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_disk_full_while_recording_is_a_clear_error_with_a_readable_file(
    answer: Path, coach_home: Path
) -> None:
    earlier = new_attempt(coach_home, None, state="analysed")
    with WavWriter(earlier.recording_path, 16000) as writer:
        writer.write(read_wave(answer))
    before = digest(earlier.path)

    limit = 64_000
    proc = subprocess.run(
        [*COACH, "record", "--file", str(answer), "--seconds", "30", "--fast",
         "--home", str(coach_home)],
        capture_output=True, text=True, preexec_fn=limit_file_size(limit), timeout=120,
    )
    assert proc.returncode == 1
    [line] = [ln for ln in proc.stderr.splitlines() if ln.startswith("coach: error:")]
    assert "could not write the recording" in line and "disk full" in line
    assert "Traceback" not in proc.stderr

    [attempt] = [a for a in iter_attempts(coach_home) if a.id != earlier.id]
    assert attempt.state == "failed" and "disk full" in (attempt.error or "")
    kept = read_wave(attempt.recording_path)
    assert len(kept) == (limit - 44) // 2
    np.testing.assert_array_equal(kept, read_wave(answer)[: len(kept)])
    assert soundfile.info(str(attempt.recording_path)).frames == len(kept)
    assert digest(earlier.path) == before  # earlier attempts untouched
    assert recover_interrupted(coach_home) == []  # nothing left half-recorded


# ---------------------------------------------------------------------- 2b. a real audio server


RECORD_UNTIL_FAULT = """
import json, sys, time
from pathlib import Path
from coach.audio.recorder import Recorder
problems = []
r = Recorder(Path(sys.argv[1]), device="pulse", on_problem=problems.append)
r.start()
deadline = time.monotonic() + 120   # generous: a loaded CI machine
while r.elapsed_s == 0 and time.monotonic() < deadline:
    time.sleep(0.01)
print("STARTED", flush=True)        # the parent starts speaking now
start, loudest = r.elapsed_s, 0.0
# 1.5 s of audio and some speech in it (paplay may be slow to start on a busy machine)
while (r.elapsed_s < start + 1.5 or loudest < 0.4) and time.monotonic() < deadline:
    loudest = max(loudest, r.level)
    time.sleep(0.02)
print("FAULT", flush=True)          # the parent injects the fault now
while not any(sys.argv[2] in p for p in problems) and time.monotonic() < deadline:
    time.sleep(0.05)
res = r.stop()
print(json.dumps({"seconds": res.duration_s, "problems": res.problems}))
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fault", "says"),
    [("kill", "input stream stopped"), ("freeze", "stopped sending audio")],
)
def test_audio_server_dying_or_freezing_mid_take_is_reported_and_kept(
    pulse, answer: Path, tmp_path: Path, fault: str, says: str
) -> None:
    """The real PortAudio -> ALSA -> PulseAudio path; the server is killed (SIGKILL) or frozen
    (SIGSTOP) while speech plays into the microphone."""
    env, server_pid = pulse
    out = tmp_path / "take.wav"
    rec = subprocess.Popen([sys.executable, "-c", RECORD_UNTIL_FAULT, str(out), says], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert rec.stdout is not None and rec.stdout.readline().strip() == "STARTED"
    player = subprocess.Popen(["paplay", "--device=vsink", str(answer)], env=env)
    try:
        assert rec.stdout.readline().strip() == "FAULT"
        os.kill(server_pid, signal.SIGKILL if fault == "kill" else signal.SIGSTOP)
        result = json.loads(rec.stdout.readline())  # stop() returned, the file is closed
    finally:
        try:
            rec.wait(timeout=60)  # exits at once: a stream stuck on a frozen server is abandoned
        except subprocess.TimeoutExpired:
            rec.kill()
            rec.wait()
            raise
        player.kill()
        player.wait()
    reported = [p for p in result["problems"] if says in p]
    others = [p for p in result["problems"] if says not in p]
    assert len(reported) == 1, result["problems"]
    # the only other message allowed is the watchdog noticing an overloaded machine
    assert all("Audio is being lost" in p for p in others), result["problems"]
    kept = read_wave(out)
    assert len(kept) / 16000 == result["seconds"] >= 1.0
    assert np.abs(kept).max() > 1000  # the speech captured before the fault is on disk
