"""Run the Axle simulator on the loopback interface: ``python -m tools.axle_simulator``."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from .app import create_app
from .records import DEFAULT_PASSWORD, DEFAULT_USERNAME, PAUSE_MODES
from .state import AxleSimulator

if TYPE_CHECKING:
    from collections.abc import Sequence

HOST = "127.0.0.1"  # the simulator is for development: never listen beyond this machine


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.axle_simulator", description="Serve a simulated Axle partner API."
    )
    parser.add_argument("--port", type=int, default=8787, help="TCP port (default 8787)")
    parser.add_argument(
        "--pause-mode",
        choices=PAUSE_MODES,
        default="price",
        help="where plug-in schedules get their pause (default: price)",
    )
    parser.add_argument(
        "--soon-offset",
        type=float,
        default=120.0,
        help='seconds from the request to the pause in "soon" mode (default 120)',
    )
    parser.add_argument(
        "--soon-length",
        type=float,
        default=120.0,
        help='length of the pause in seconds in "soon" mode (default 120)',
    )
    args = parser.parse_args(argv)
    simulator = AxleSimulator(
        pause_mode=args.pause_mode,
        soon_offset=timedelta(seconds=args.soon_offset),
        soon_length=timedelta(seconds=args.soon_length),
    )
    print(f"Axle simulator on http://{HOST}:{args.port}", flush=True)
    print(f"Credentials: username {DEFAULT_USERNAME!r}, password {DEFAULT_PASSWORD!r}", flush=True)
    print(f"Pause mode: {args.pause_mode}; admin API under /_sim/; Ctrl+C stops", flush=True)
    web.run_app(create_app(simulator), host=HOST, port=args.port, print=None)


if __name__ == "__main__":
    main()
